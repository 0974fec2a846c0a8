using SQLitePCL;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// A prepared SQLite statement bound by position, for the import hot path: binding by name and the per-call
/// bookkeeping of ADO.NET cost more than the insert itself at millions of rows. A query can also be stepped through
/// row by row (<see cref="Next"/>), its current row read through <see cref="Row"/>, and sought again with other
/// bindings (<see cref="Rewind"/>).
/// </summary>
internal sealed unsafe class RawStatement : IDisposable
{
    private readonly sqlite3 db;
    private readonly sqlite3_stmt stmt;

    /// <summary>The statement's handle, for <see cref="SqliteNative"/>'s calls (valid until disposed).</summary>
    private readonly IntPtr handle;

    public RawStatement(sqlite3 db, string sql)
    {
        this.db = db;
        if (raw.sqlite3_prepare_v2(db, sql, out stmt) != raw.SQLITE_OK)
        {
            throw new StoreException("cannot prepare statement: " + raw.sqlite3_errmsg(db).utf8_to_string());
        }
        handle = stmt.DangerousGetHandle();
        Row = new SqliteRow(stmt);
    }

    /// <summary>The statement's current row (after <see cref="Next"/> gave true).</summary>
    public IRowReader Row { get; }

    public RawStatement Bind(int index, long value)
    {
        SqliteNative.BindInt64(handle, index, value);
        return this;
    }

    public RawStatement Bind(int index, long? value) => value is { } v ? Bind(index, v) : Null(index);

    public RawStatement Bind(int index, double value)
    {
        SqliteNative.BindDouble(handle, index, value);
        return this;
    }

    public RawStatement Bind(int index, double? value) => value is { } v ? Bind(index, v) : Null(index);

    public RawStatement Bind(int index, string? value)
    {
        if (value is null)
        {
            return Null(index);
        }
        SqliteNative.BindText(handle, index, value);
        return this;
    }

    public RawStatement Bind(int index, byte[]? value) => value is null ? Null(index) : Bind(index, value.AsSpan());

    public RawStatement Bind(int index, ReadOnlySpan<byte> value)
    {
        SqliteNative.BindBlob(handle, index, value);
        return this;
    }

    /// <summary>Binds bytes SQLite reads in place until the statement has run (see <see cref="SqliteNative.BindBlobInPlace"/>).</summary>
    public RawStatement BindInPlace(int index, byte* bytes, int length)
    {
        SqliteNative.BindBlobInPlace(handle, index, bytes, length);
        return this;
    }

    private RawStatement Null(int index)
    {
        SqliteNative.BindNull(handle, index);
        return this;
    }

    /// <summary>Runs a statement that returns no rows; the number of rows it changed.</summary>
    public int Execute()
    {
        Step<long?>(null);
        return SqliteNative.Changes(db.DangerousGetHandle());
    }

    /// <summary>Runs a statement and returns the first column of its first row as an integer; null without a row.</summary>
    public long? Int64() => Step<long?>(h => SqliteNative.ColumnInt64(h, 0));

    /// <summary>Runs a statement and returns a copy of the first column of its first row as bytes; null without a row.</summary>
    public byte[]? Bytes() => Step(h => SqliteNative.Blob(h, 0).ToArray());

    /// <summary>Runs the statement once and resets it; <paramref name="read"/> of its first row when given and there is one.</summary>
    private T? Step<T>(Func<IntPtr, T>? read)
    {
        var rc = SqliteNative.Step(handle);
        var value = read is not null && rc == raw.SQLITE_ROW ? read(handle) : default;
        SqliteNative.Reset(handle);
        if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
        {
            throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(db).utf8_to_string());
        }
        return value;
    }

    /// <summary>Steps to the query's next row: false when there is none (the statement then stays done until rewound).</summary>
    public bool Next()
    {
        var rc = SqliteNative.Step(handle);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }
        if (rc != raw.SQLITE_DONE)
        {
            throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(db).utf8_to_string());
        }
        return false;
    }

    /// <summary>Resets the statement to run again from its start (with its bindings, until bound anew).</summary>
    public void Rewind() => SqliteNative.Reset(handle);

    public void Dispose() => raw.sqlite3_finalize(stmt);
}

/// <summary>A row of a statement, its columns read through <see cref="SqliteNative"/>.</summary>
internal sealed class SqliteRow(sqlite3_stmt stmt) : IRowReader
{
    private readonly IntPtr handle = stmt.DangerousGetHandle();

    /// <summary>The next row.</summary>
    public unsafe int Step() => SqliteNative.Step(handle);

    public unsafe long GetInt64(int i) => SqliteNative.ColumnInt64(handle, i);

    public unsafe int GetInt32(int i) => SqliteNative.ColumnInt32(handle, i);

    public unsafe double GetDouble(int i) => SqliteNative.ColumnDouble(handle, i);

    public string GetString(int i) => raw.sqlite3_column_text(stmt, i).utf8_to_string();

    // The store's text is UTF-8: SQLite gives its bytes as they are.
    public ReadOnlySpan<byte> GetUtf8(int i) => SqliteNative.Blob(handle, i);

    public ReadOnlySpan<byte> GetBytes(int i) => SqliteNative.Blob(handle, i);

    public unsafe bool IsDBNull(int i) => SqliteNative.ColumnType(handle, i) == raw.SQLITE_NULL;
}
