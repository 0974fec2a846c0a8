using SQLitePCL;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// A prepared SQLite statement bound by position, for the import hot path: binding by name and the per-call
/// bookkeeping of ADO.NET cost more than the insert itself at millions of rows.
/// </summary>
internal sealed class RawStatement : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt stmt;

    public RawStatement(sqlite3 db, string sql)
    {
        this.db = db;
        if (raw.sqlite3_prepare_v2(db, sql, out stmt) != raw.SQLITE_OK)
        {
            throw new StoreException("cannot prepare statement: " + raw.sqlite3_errmsg(db).utf8_to_string());
        }
    }

    public RawStatement Bind(int index, long value)
    {
        raw.sqlite3_bind_int64(stmt, index, value);
        return this;
    }

    public RawStatement Bind(int index, long? value) => value is { } v ? Bind(index, v) : Null(index);

    public RawStatement Bind(int index, double value)
    {
        raw.sqlite3_bind_double(stmt, index, value);
        return this;
    }

    public RawStatement Bind(int index, double? value) => value is { } v ? Bind(index, v) : Null(index);

    public RawStatement Bind(int index, string? value)
    {
        if (value is null)
        {
            return Null(index);
        }
        raw.sqlite3_bind_text(stmt, index, value);
        return this;
    }

    public RawStatement Bind(int index, byte[]? value) => value is null ? Null(index) : Bind(index, value.AsSpan());

    public RawStatement Bind(int index, ReadOnlySpan<byte> value)
    {
        raw.sqlite3_bind_blob(stmt, index, value);
        return this;
    }

    private RawStatement Null(int index)
    {
        raw.sqlite3_bind_null(stmt, index);
        return this;
    }

    /// <summary>Runs a statement that returns no rows; the number of rows it changed.</summary>
    public int Execute()
    {
        Step(read: false);
        return raw.sqlite3_changes(db);
    }

    /// <summary>Runs a statement and returns the first column of its first row as an integer; null without a row.</summary>
    public long? Int64() => Step(read: true);

    /// <summary>Runs the statement once and resets it; the first column of its first row when <paramref name="read"/> and there is one.</summary>
    private long? Step(bool read)
    {
        var rc = raw.sqlite3_step(stmt);
        long? value = read && rc == raw.SQLITE_ROW ? raw.sqlite3_column_int64(stmt, 0) : null;
        raw.sqlite3_reset(stmt);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(db).utf8_to_string());
        }
        return value;
    }

    public void Dispose() => raw.sqlite3_finalize(stmt);
}
