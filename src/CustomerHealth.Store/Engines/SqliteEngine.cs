using System.Text;
using System.Data.Common;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CustomerHealth.Store.Engines;

/// <summary>The embedded default: one SQLite file in WAL mode; bulk paths use SQLite's own API.</summary>
internal sealed class SqliteEngine : IStoreEngine
{
    public string SchemaFolder => "sqlite";

    public int SchemaVersion(DbConnection c, DbTransaction? tx) => c.ExecuteScalar<int>("PRAGMA user_version", transaction: tx);

    public void SetSchemaVersion(DbConnection c, DbTransaction tx, int version) =>
        c.Execute($"PRAGMA user_version = {version}", transaction: tx);

    // SQLite's write lock, taken by the migration's first write, already serialises migrations.
    public void LockForMigration(DbConnection c, DbTransaction tx)
    {
    }

    // An SQLite transaction begun by Microsoft.Data.Sqlite is IMMEDIATE: it holds the one write lock from its start.
    public void LockForImport(DbConnection c, DbTransaction tx)
    {
    }

    private const int SqliteIoErr = 10;
    private const int SqliteFull = 13;

    /// <summary>SQLITE_FULL, or an I/O error writing: the disk holding the store is full.</summary>
    internal static bool IsDiskFull(Exception e) => e is SqliteException { SqliteErrorCode: SqliteFull or SqliteIoErr };

    /// <summary>The name of the function that lower-cases as .NET's ToLowerInvariant does (SQLite's LOWER knows only A-Z).</summary>
    internal const string LowerFunction = "chs_lower";

    /// <summary>Adds the store's own functions to a connection (they live as long as the connection).</summary>
    internal static void AddFunctions(SqliteConnection c) =>
        c.CreateFunction(LowerFunction, (string? text) => text?.ToLowerInvariant(), isDeterministic: true);

    // A search without letters beyond ASCII finds the same accounts with SQLite's own LOWER, which is much faster than
    // calling back into .NET for two columns of every account; any other letter needs the full lower-casing.
    public string AccountSearch(string parameter, string pattern) =>
        Ascii.IsValid(pattern)
            ? $"(LOWER(COALESCE(a.name, '')) LIKE {parameter} OR LOWER(a.account_id) LIKE {parameter})"
            : $"({LowerFunction}(COALESCE(a.name, '')) LIKE {parameter} OR {LowerFunction}(a.account_id) LIKE {parameter})";

    public string Differs(string left, string right) => $"{left} IS NOT {right}";

    public string Same(string left, string right) => $"{left} IS {right}";

    // SQLite empties a table at once when the DELETE has no WHERE.
    public string Empty(string table) => $"DELETE FROM {table}";

    public string DaysBefore(string dateExpression, string daysParameter) => $"date({dateExpression}, '-' || {daysParameter} || ' days')";

    public object? NoLimit => -1;

    public IUsageStage OpenUsageStage(StoreDb db, DbTransaction tx, bool inbox = false) => new Stage(db.Sqlite, this, inbox);

    public IEnumerable<IRowReader> ReadRows(StoreDb db, string sql)
    {
        using var c = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = db.Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        c.Open();
        foreach (var row in Rows(c, sql))
        {
            yield return row;
        }
    }

    /// <summary>Steps through a query with SQLite's own API: reading millions of roll-up rows, ADO.NET's per-row cost dominates.</summary>
    internal static IEnumerable<IRowReader> Rows(SqliteConnection c, string sql)
    {
        if (raw.sqlite3_prepare_v2(c.Handle!, sql, out var stmt) != raw.SQLITE_OK)
        {
            throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(c.Handle!).utf8_to_string());
        }
        try
        {
            var row = new Row(stmt);
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                yield return row;
            }
            if (rc != raw.SQLITE_DONE)
            {
                throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(c.Handle!).utf8_to_string());
            }
        }
        finally
        {
            raw.sqlite3_finalize(stmt);
        }
    }

    public void WriteSnapshots(StoreDb db, IEnumerable<SnapshotRecord> snapshots)
    {
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        using (var insert = new RawStatement(db.Sqlite.Handle!,
            """
            INSERT OR REPLACE INTO snapshots (account_key, as_of, model_version, scorecard, score, computed_score, grade, override_reason, note, detail, coverage)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            """))
        {
            foreach (var s in snapshots)
            {
                insert.Bind(1, s.AccountKey).Bind(2, s.AsOf).Bind(3, s.ModelVersion).Bind(4, s.Scorecard).Bind(5, s.Score).Bind(6, s.ComputedScore)
                    .Bind(7, s.Grade).Bind(8, s.OverrideReason).Bind(9, s.Note).Bind(10, s.Detail).Bind(11, s.Coverage).Execute();
            }
        }
        tx.Commit();
    }

    public void Backup(StoreDb db, string file)
    {
        using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        target.Open();
        db.Sqlite.BackupDatabase(target);
    }

    private sealed class Row(sqlite3_stmt stmt) : IRowReader
    {
        public long GetInt64(int i) => raw.sqlite3_column_int64(stmt, i);

        public int GetInt32(int i) => raw.sqlite3_column_int(stmt, i);

        public double GetDouble(int i) => raw.sqlite3_column_double(stmt, i);

        public string GetString(int i) => raw.sqlite3_column_text(stmt, i).utf8_to_string();

        public bool IsDBNull(int i) => raw.sqlite3_column_type(stmt, i) == raw.SQLITE_NULL;
    }

    /// <summary>A temporary table filled through a prepared statement, merged with <see cref="UsageMerge"/>.</summary>
    private sealed class Stage : IUsageStage
    {
        private readonly SqliteConnection c;
        private readonly RawStatement insert;
        private readonly UsageMerge merge;
        private readonly bool inbox;
        private bool userIds;

        public Stage(SqliteConnection c, IStoreEngine engine, bool inbox)
        {
            this.c = c;
            this.inbox = inbox;
            Exec(
                $"""
                CREATE TEMP TABLE IF NOT EXISTS usage_stage (
                    identity BLOB NOT NULL, account_key INTEGER NOT NULL, day INTEGER NOT NULL, event_key INTEGER NOT NULL, user_id TEXT, user_key INTEGER,
                    count INTEGER NOT NULL, value REAL, occurred_at INTEGER NOT NULL, properties TEXT, seq INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0,
                    stored INTEGER NOT NULL DEFAULT 0
                );
                DELETE FROM temp.usage_stage;
                """);
            insert = new RawStatement(c.Handle!, $"INSERT INTO temp.usage_stage ({UsageMerge.LoadColumns}, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
            merge = new UsageMerge(engine, "temp.usage_stage", "main.usage_events");
        }

        public int Count { get; private set; }

        public void Add(in StagedEvent e)
        {
            insert.Bind(1, e.Identity).Bind(2, e.Account).Bind(3, e.Day).Bind(4, e.Event).Bind(5, e.User).Bind(6, e.UserKey).Bind(7, e.Count).Bind(8, e.Value)
                .Bind(9, e.OccurredAt).Bind(10, e.Properties).Bind(11, Count).Execute();
            userIds |= e.User is not null;
            Count++;
        }

        public int Merge(bool repeats, int[]? states = null, List<(string UserId, long Key)>? users = null)
        {
            if (Count == 0)
            {
                return 0;
            }
            var changed = merge.Run(repeats, Exec, Scalar, states is null ? null : sql =>
            {
                foreach (var r in Rows(c, sql))
                {
                    states[r.GetInt64(0)] = r.GetInt32(1);
                }
            }, inbox, userIds);
            if (users is not null)
            {
                foreach (var r in Rows(c, merge.KeyedUsers))
                {
                    users.Add((r.GetString(0), r.GetInt64(1)));
                }
            }
            Exec("DELETE FROM temp.usage_stage");
            Count = 0;
            userIds = false;
            return changed;
        }

        private void Exec(string sql)
        {
            if (raw.sqlite3_exec(c.Handle!, sql) != raw.SQLITE_OK)
            {
                throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(c.Handle!).utf8_to_string());
            }
        }

        private long Scalar(string sql)
        {
            foreach (var r in Rows(c, sql))
            {
                return r.GetInt64(0);
            }
            return 0;
        }

        public void Dispose() => insert.Dispose();
    }
}
