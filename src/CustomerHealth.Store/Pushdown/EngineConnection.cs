using System.Data.Common;
using System.Globalization;
using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;
using DuckDB.NET.Data;
using Npgsql;

namespace CustomerHealth.Store.Pushdown;

/// <summary>
/// A source's engine, open: PostgreSQL (Npgsql), DuckDB (DuckDB.NET) or ClickHouse (the official ClickHouse.Driver, over
/// HTTP). A query's rows are read the same way whatever the engine (<see cref="EngineRows"/>). Sessions read timestamps
/// kept without a zone as UTC.
/// </summary>
internal sealed class EngineConnection : IDisposable
{
    private readonly DbConnection c;

    private EngineConnection(DbConnection c) => this.c = c;

    /// <summary>Opens a connection to the source's engine (DuckDB: the database file named, else an in-memory one for files).</summary>
    public static EngineConnection Open(ExternalSource source, string connection)
    {
        DbConnection c = source.Engine switch
        {
            SourceEngine.Postgres => new NpgsqlConnection(connection),
            // Only what every ClickHouse server answers: the rows come back as text (TabSeparated), and the driver sets
            // none of the settings a server before 24.x does not know.
            SourceEngine.ClickHouse => new ClickHouseConnection(new ClickHouseConnectionStringBuilder(connection)
            {
                JsonReadMode = JsonReadMode.None, JsonWriteMode = JsonWriteMode.None,
            }.ConnectionString),
            _ => new DuckDBConnection(string.IsNullOrWhiteSpace(connection) ? "Data Source=:memory:"
                : connection.Contains('=', StringComparison.Ordinal) ? connection : $"Data Source={connection}"),
        };
        try
        {
            c.Open();
            if (PushdownSql.For(source.Engine).SessionInUtc is { } utc)
            {
                using var command = c.CreateCommand();
                command.CommandText = utc;
                command.ExecuteNonQuery();
            }
        }
        catch
        {
            c.Dispose();
            throw;
        }
        return new EngineConnection(c);
    }

    /// <summary>Runs a query and reads its rows (ClickHouse's as text, which every release answers).</summary>
    public EngineRows Query(string sql)
    {
        var command = c.CreateCommand();
        command.CommandTimeout = 600;
        try
        {
            if (command is ClickHouseCommand ch)
            {
                ch.CommandText = sql + "\nFORMAT TabSeparatedWithNames";
                var result = ch.ExecuteRawResultAsync(CancellationToken.None).GetAwaiter().GetResult();
                return new TabSeparatedRows(result, result.ReadDecompressedStreamAsync().GetAwaiter().GetResult(), command);
            }
            command.CommandText = sql;
            return new ReaderRows(command.ExecuteReader(), command);
        }
        catch
        {
            command.Dispose();
            throw;
        }
    }

    /// <summary>What an engine or its connection throws when it cannot answer (not a defect of the product).</summary>
    public static bool IsEngineError(Exception e) =>
        e is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException or IOException or ArgumentException
            or FormatException or HttpRequestException or TaskCanceledException or ClickHouseServerException;

    public void Dispose() => c.Dispose();

    private sealed class ReaderRows(DbDataReader r, IDisposable command) : EngineRows
    {
        public override int FieldCount => r.FieldCount;

        public override string Name(int i) => r.GetName(i);

        public override bool Read() => r.Read();

        public override bool IsNull(int i) => r.IsDBNull(i);

        public override string Text(int i) => Convert.ToString(r.GetValue(i), CultureInfo.InvariantCulture)!;

        public override double Number(int i) => Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

        public override long Whole(int i) => Convert.ToInt64(r.GetValue(i), CultureInfo.InvariantCulture);

        public override void Dispose()
        {
            r.Dispose();
            command.Dispose();
        }
    }

    /// <summary>ClickHouse's TabSeparatedWithNames: the names on the first line, then a row a line, `\N` for null, escapes with `\`.</summary>
    private sealed class TabSeparatedRows : EngineRows
    {
        private readonly IDisposable result;
        private readonly IDisposable command;
        private readonly StreamReader reader;
        private readonly string[] names;
        private string?[] row = [];

        public TabSeparatedRows(IDisposable result, Stream body, IDisposable command)
        {
            this.result = result;
            this.command = command;
            reader = new StreamReader(body, Encoding.UTF8);
            names = reader.ReadLine() is { } header ? [.. Fields(header).Select(n => n ?? "")] : [];
        }

        public override int FieldCount => names.Length;

        public override string Name(int i) => names[i];

        public override bool Read()
        {
            var line = reader.ReadLine();
            if (line is null)
            {
                return false;
            }
            row = Fields(line);
            if (row.Length != names.Length)
            {
                throw new FormatException($"ClickHouse answered a row of {row.Length} values for {names.Length} columns");
            }
            return true;
        }

        public override bool IsNull(int i) => row[i] is null;

        public override string Text(int i) => row[i]!;

        public override double Number(int i) => row[i] switch
        {
            "inf" or "+inf" => double.PositiveInfinity,
            "-inf" => double.NegativeInfinity,
            "nan" or "-nan" => double.NaN,
            var s => double.Parse(s!, NumberStyles.Float, CultureInfo.InvariantCulture),
        };

        public override long Whole(int i) => long.Parse(row[i]!, NumberStyles.Integer, CultureInfo.InvariantCulture);

        private static string?[] Fields(string line)
        {
            var fields = new List<string?>();
            var sb = new StringBuilder();
            var isNull = false;
            for (var i = 0; i <= line.Length; i++)
            {
                if (i == line.Length || line[i] == '\t')
                {
                    fields.Add(isNull ? null : sb.ToString());
                    sb.Clear();
                    isNull = false;
                    continue;
                }
                if (line[i] == '\\' && i + 1 < line.Length)
                {
                    var next = line[++i];
                    if (next == 'N' && sb.Length == 0 && (i + 1 == line.Length || line[i + 1] == '\t'))
                    {
                        isNull = true;
                        continue;
                    }
                    sb.Append(next switch { 't' => '\t', 'n' => '\n', 'r' => '\r', '0' => '\0', 'b' => '\b', 'f' => '\f', 'a' => '\a', 'v' => '\v', _ => next });
                    continue;
                }
                sb.Append(line[i]);
            }
            return [.. fields];
        }

        public override void Dispose()
        {
            reader.Dispose();
            result.Dispose();
            command.Dispose();
        }
    }
}

/// <summary>The rows of a query a source's engine answered, read alike whatever the engine.</summary>
internal abstract class EngineRows : IDisposable
{
    public abstract int FieldCount { get; }

    public abstract string Name(int i);

    public abstract bool Read();

    public abstract bool IsNull(int i);

    public abstract string Text(int i);

    public abstract double Number(int i);

    public abstract long Whole(int i);

    public abstract void Dispose();
}
