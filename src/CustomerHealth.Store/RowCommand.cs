using System.Data.Common;

namespace CustomerHealth.Store;

/// <summary>
/// A statement made once in a transaction and run for row after row, its parameters (@name each) given in their
/// order: SQLite parses it at its first run only (PostgreSQL is sent its text at every run, as with a new command).
/// </summary>
internal sealed class RowCommand : IDisposable
{
    private readonly DbCommand cmd;

    public RowCommand(DbConnection c, DbTransaction tx, string sql, IEnumerable<string> parameters)
    {
        cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var name in parameters)
        {
            var parameter = cmd.CreateParameter();
            parameter.ParameterName = "@" + name;
            cmd.Parameters.Add(parameter);
        }
    }

    /// <summary>Runs the statement with these values; the rows it changed.</summary>
    public int Run(params object?[] values)
    {
        Bind(values);
        return cmd.ExecuteNonQuery();
    }

    /// <summary>Runs the statement with these values; the first column of its first row.</summary>
    public object? Scalar(params object?[] values)
    {
        Bind(values);
        return cmd.ExecuteScalar();
    }

    private void Bind(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            cmd.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }

    public void Dispose() => cmd.Dispose();
}
