using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Data.Common;
using System.Text.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CustomerHealth.Store.Engines;

/// <summary>The embedded default: one SQLite file in WAL mode; bulk paths use SQLite's own API.</summary>
internal sealed class SqliteEngine : IStoreEngine
{
    private const long WalCheckpointBytes = 80L << 20;

    /// <summary>How long a connection waits for another's lock before it fails: ten minutes (an import or a scoring run).</summary>
    private const int BusyTimeoutMs = 600_000;

    public (DbConnection Connection, string Path) Connect(string target)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(target));
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new StoreException($"cannot open the store {target}: folder {dir} does not exist");
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        connection.Open();
        // Writers take turns: one waits up to ten minutes for another's import or scoring run to finish.
        // A new store gets SQLite's largest pages (an existing one keeps its own): a commit of usage events writes
        // every B-tree page the random keys touched, one write per page, and a 64 KiB page takes sixteen 4 KiB
        // pages' rows in one write (HTTP ingest ~20% faster, imports ~13%; scans no slower).
        connection.Execute($"PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={BusyTimeoutMs}; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
        // The write-ahead log is copied back into the file once it holds about 80 MB, whatever the page size.
        connection.Execute($"PRAGMA wal_autocheckpoint={WalCheckpointBytes / connection.ExecuteScalar<long>("PRAGMA page_size")}");
        AddFunctions(connection);
        return (connection, target);
    }

    public bool IsMissing(string target) => !File.Exists(target);

    // The write-ahead log and its index go with the file: left behind, they would be read into the next store of that name.
    public void Remove(string target)
    {
        foreach (var f in new[] { target, target + "-wal", target + "-shm" })
        {
            File.Delete(f);
        }
    }

    public string DisplayName(string path) => path;

    public StoreWriting Writing { get; } = new(TakeTurns: true, Checkpoints: true, InboxEvents: 250_000);

    // A larger cache than other connections': the inbox's merges change pages all over the usage tables.
    public void TuneForBusyWriter(DbConnection c) => c.Execute("PRAGMA wal_autocheckpoint=0; PRAGMA cache_size=-524288");

    public void Checkpoint(DbConnection c) => c.Execute("PRAGMA wal_checkpoint(PASSIVE)");

    public string SchemaFolder => "sqlite";

    // The log's newest row: its row numbers only rise (the newest row is never pruned), SQLite has one writer at a time.
    public long PortfolioChanges(DbConnection c) => c.ExecuteScalar<long>("SELECT COALESCE(MAX(seq), 0) FROM portfolio_log");

    // A deferred transaction takes its snapshot at its first read and never blocks the writer (WAL).
    public DbTransaction BeginSnapshot(DbConnection c) => ((SqliteConnection)c).BeginTransaction(deferred: true);

    // One writer at a time, so row numbers are committed in order: the rows past the mark's number are the new ones.
    public PortfolioLogRead ReadPortfolioLog(DbConnection c, DbTransaction tx, string? mark, int most, string? before = null)
    {
        // Each bound in a query of its own: SQLite seeks one end of the key for MIN or MAX alone, and reads every row for both.
        var (first, last) = c.QuerySingle<(long?, long?)>("SELECT (SELECT MIN(seq) FROM portfolio_log), (SELECT MAX(seq) FROM portfolio_log)", transaction: tx);
        var now = (last ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!long.TryParse(mark, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var from)
            || from < (first ?? 1) - 1 || from > (last ?? 0) || (last ?? 0) - from > most)
        {
            return new(now, null);
        }
        return new(now, c.Query<PortfolioLogRow>(
            $"SELECT account_key AS AccountKey, day AS Day, n AS Count, scored AS Scored, sum AS Sum FROM portfolio_log WHERE seq > @from{PortfolioLog.Before(before)} ORDER BY seq",
            new { from, before }, tx).ToList());
    }

    public int SchemaVersion(DbConnection c, DbTransaction? tx) => c.ExecuteScalar<int>("PRAGMA user_version", transaction: tx);

    public void SetSchemaVersion(DbConnection c, DbTransaction tx, int version) =>
        c.Execute($"PRAGMA user_version = {version}", transaction: tx);

    // SQLite's write lock, taken by the migration's first write, already serialises migrations.
    public void LockForMigration(DbConnection c, DbTransaction tx)
    {
    }

    // One server writes to an SQLite store: it holds every share, and nothing is asked of the store for them.
    public bool SharesWork => false;

    public void AnnounceWork(DbConnection c, DbTransaction tx)
    {
    }

    public IDisposable? HearWork(string store, Action heard) => null;

    public void JoinServers(DbConnection c) => throw new NotSupportedException("one server works on an SQLite store");

    public int Servers(DbConnection c) => 1;

    public IReadOnlySet<int> TakenShares(DbConnection c) => new HashSet<int>();

    public bool TryTakeShare(DbConnection c, int share) => true;

    public void GiveBackShare(DbConnection c, int share)
    {
    }

    public void LeaveServers(DbConnection c)
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
    internal static void AddFunctions(SqliteConnection c)
    {
        c.CreateFunction(LowerFunction, (string? text) => text?.ToLowerInvariant(), isDeterministic: true);
    }

    // A search without letters beyond ASCII finds the same accounts with SQLite's own LOWER, which is much faster than
    // calling back into .NET for two columns of every account; any other letter needs the full lower-casing.
    public string AccountSearch(string parameter, string pattern) =>
        Ascii.IsValid(pattern)
            ? $"(LOWER(COALESCE(a.name, '')) LIKE {parameter} OR LOWER(a.account_id) LIKE {parameter})"
            : $"({LowerFunction}(COALESCE(a.name, '')) LIKE {parameter} OR {LowerFunction}(a.account_id) LIKE {parameter})";

    public string Lower(string expression) => $"{LowerFunction}({expression})";

    public string Differs(string left, string right) => $"{left} IS NOT {right}";

    public string Same(string left, string right) => $"{left} IS {right}";

    public string OrFail => " OR FAIL";

    public string WithoutCompiling(string sql) => sql;

    public string PackUsers(string column) => $"unhex(group_concat(CASE WHEN {column} IS NOT NULL THEN printf('%016X', {column}) END, '' ORDER BY {column}))";

    // SQLite empties a table at once when the DELETE has no WHERE.
    public string Empty(string table) => $"DELETE FROM {table}";

    public string DaysBefore(string dateExpression, string daysParameter) => $"date({dateExpression}, '-' || {daysParameter} || ' days')";

    public object? NoLimit => -1;

    public string AmongList(string expression, string parameter) => $"{expression} IN (SELECT value FROM json_each({parameter}))";

    // One text parameter however long the list (SQLite takes at most 32,766 parameters).
    public object ListParameter<T>(IReadOnlyCollection<T> values) => JsonSerializer.Serialize(values);

    // The rows that meet the condition less the few left out: two counts from covering indexes.
    public string CountLeavingOut(string rows, string condition, string key, string leftOut) =>
        $"SELECT (SELECT COUNT(*) FROM {rows} WHERE {condition}) - (SELECT COUNT(*) FROM {rows} WHERE {condition} AND {key} IN ({leftOut}))";

    // SQLite's planner keeps no statistics here.
    public string? Analyze(params string[] tables) => null;

    // The cache is the connection's (cache_size), set when it is opened.
    public void MemoryForMerges(DbConnection c, DbTransaction tx)
    {
    }

    // A statement per pair: in the process, each is as quick as a part of one statement would be.
    public void DeletePairs(DbConnection c, DbTransaction tx, string table, string first, string second, IReadOnlyList<(long First, long Second)> pairs)
    {
        var sql = $"DELETE FROM {table} WHERE {first} = @first AND {second} = @second";
        foreach (var pair in pairs)
        {
            c.Execute(sql, new { first = pair.First, second = pair.Second }, tx);
        }
    }

    public int LookupsBeforeReadingAll => 2_000;

    // One statement with the accounts as one text parameter, a JSON array (`WHERE true` tells SQLite the `ON` is the upsert's).
    private const string MarkTouchedSql = $"INSERT INTO dirty_accounts (account_key, mark) SELECT value, 0 FROM json_each(@accounts) WHERE true {UsageMerge.MarkAgain}";

    public void MarkTouched(DbConnection c, DbTransaction tx, IReadOnlyList<long> accounts) =>
        c.Execute(MarkTouchedSql, new { accounts = ListParameter(accounts) }, tx);

    // An account created as it is met costs no round trip in the process.
    public long[]? ReserveAccountKeys(DbConnection c, DbTransaction tx, int count) => null;

    public void CreateAccounts(DbConnection c, DbTransaction tx, IReadOnlyList<(long Key, string Id)> accounts, IReadOnlyDictionary<long, AccountRow> rows) =>
        throw new NotSupportedException("SQLite creates each account as it is met");

    // A statement an account, prepared once: in the process, each is as quick as a part of one statement would be.
    public void UpdateAccounts(DbConnection c, DbTransaction tx, IReadOnlyList<(long Key, AccountRow Row)> accounts)
    {
        using var update = new RowCommand(c, tx,
            $"UPDATE{OrFail} accounts SET {string.Join(", ", AccountRow.ColumnNames.Select(column => $"{column} = @{column}"))} WHERE account_key = @account_key",
            [.. AccountRow.ColumnNames, "account_key"]);
        foreach (var (key, row) in accounts)
        {
            update.Run([.. row.Values(), key]);
        }
    }

    public IEntityWriter OpenEntityWriter(StoreDb db, DbTransaction tx, EntityUpsert upsert, Action<long> changed) => new EntityWriter(db.Connection, tx, upsert, this);

    public IUsageStage OpenUsageStage(StoreDb db, DbTransaction tx, bool inbox = false) => new Stage(Sqlite(db), this, inbox);

    /// <summary>The SQLite connection of an SQLite store (for the paths that use SQLite's own API).</summary>
    private static SqliteConnection Sqlite(StoreDb db) => (SqliteConnection)db.Connection;

    // A connection of the read's own, opened without SQLite's mutex around every call (SQLITE_OPEN_NOMUTEX: the
    // connection and its one statement are used by the thread that reads, from open to close); with it, reading a
    // column took and gave back a mutex, 5% of a full rescore's time.
    public IEnumerable<IRowReader> ReadRows(StoreDb db, string sql)
    {
        var flags = raw.SQLITE_OPEN_READONLY | raw.SQLITE_OPEN_NOMUTEX | (db.Path.StartsWith("file:", StringComparison.Ordinal) ? raw.SQLITE_OPEN_URI : 0);
        var rc = raw.sqlite3_open_v2(db.Path, out var handle, flags, null);
        try
        {
            if (rc != raw.SQLITE_OK)
            {
                throw new StoreException($"cannot read the store {db.Path}: " + raw.sqlite3_errmsg(handle).utf8_to_string());
            }
            raw.sqlite3_busy_timeout(handle, BusyTimeoutMs);
            foreach (var row in Rows(handle, sql))
            {
                yield return row;
            }
        }
        finally
        {
            handle?.Dispose();
        }
    }

    public IUsageBlockStore OpenUsageBlocks(DbConnection c, DbTransaction tx) => new BlockStore((SqliteConnection)c);

    /// <summary>
    /// The usage blocks through prepared statements on the merge's connection: the blocks of a merge that touches many
    /// accounts close together are read in one ordered scan of their range, the others one by one.
    /// </summary>
    private sealed class BlockStore(SqliteConnection c) : IUsageBlockStore
    {
        private readonly RawStatement find = new(c.Handle!, "SELECT cells FROM main.usage_blocks WHERE account_key = ?1 AND block = ?2");
        private readonly RawStatement write = new(c.Handle!,
            "INSERT INTO main.usage_blocks (account_key, block, cells) VALUES (?1, ?2, ?3) ON CONFLICT (account_key, block) DO UPDATE SET cells = excluded.cells");
        private readonly RawStatement delete = new(c.Handle!, "DELETE FROM main.usage_blocks WHERE account_key = ?1 AND block = ?2");

        public IEnumerable<IRowReader> Rows(string sql) => SqliteEngine.Rows(c, sql);

        public byte[]?[] Load(IReadOnlyList<BlockKey> keys)
        {
            if (keys.Count == 0)
            {
                return [];
            }
            long accounts = 1, from = keys[0].Account, to = keys[^1].Account;
            int first = int.MaxValue, last = int.MinValue;
            for (var i = 0; i < keys.Count; i++)
            {
                accounts += i > 0 && keys[i].Account != keys[i - 1].Account ? 1 : 0;
                first = Math.Min(first, keys[i].Block);
                last = Math.Max(last, keys[i].Block);
            }
            if (keys.Count < 256 || accounts * 4 < to - from + 1)
            {
                return [.. keys.Select(k => find.Bind(1, k.Account).Bind(2, (long)k.Block).Bytes())];
            }
            return UsageBlocks.Matched(keys, SqliteEngine.Rows(c, string.Create(CultureInfo.InvariantCulture,
                $"SELECT {UsageBlocks.Columns} FROM main.usage_blocks WHERE account_key BETWEEN {from} AND {to} AND block BETWEEN {first} AND {last} ORDER BY account_key, block")));
        }

        public void Save(IReadOnlyList<(BlockKey Key, byte[]? Cells)> blocks)
        {
            foreach (var (key, cells) in blocks)
            {
                if (cells is null)
                {
                    delete.Bind(1, key.Account).Bind(2, (long)key.Block).Execute();
                }
                else
                {
                    write.Bind(1, key.Account).Bind(2, (long)key.Block).Bind(3, cells).Execute();
                }
            }
        }

        public void Dispose()
        {
            find.Dispose();
            write.Dispose();
            delete.Dispose();
        }
    }

    /// <summary>Steps through a query with SQLite's own API: reading millions of roll-up rows, ADO.NET's per-row cost dominates.</summary>
    internal static IEnumerable<IRowReader> Rows(SqliteConnection c, string sql) => Rows(c.Handle!, sql);

    private static IEnumerable<IRowReader> Rows(sqlite3 handle, string sql)
    {
        if (raw.sqlite3_prepare_v2(handle, sql, out var stmt) != raw.SQLITE_OK)
        {
            throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(handle).utf8_to_string());
        }
        try
        {
            var row = new SqliteRow(stmt);
            int rc;
            while ((rc = row.Step()) == raw.SQLITE_ROW)
            {
                yield return row;
            }
            if (rc != raw.SQLITE_DONE)
            {
                throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(handle).utf8_to_string());
            }
        }
        finally
        {
            raw.sqlite3_finalize(stmt);
        }
    }

    // A snapshot is inserted, or updated when the account has one that day, one row a statement (see OrFail: with the
    // triggers of migration 0017, an upsert or a plain write would keep a statement journal, 6× the time of the write).
    // A snapshot that is the same as the one stored is not written again (see IStoreEngine.WriteSnapshots): one look-up
    // says whether the account has one that day and whether it is the same, so that an unchanged one costs one look-up.
    public int WriteSnapshots(StoreDb db, string asOf, IEnumerable<SnapshotRecord> snapshots)
    {
        var written = 0;
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        // The transaction holds the store's write lock: a day without snapshots when it starts stays so but for these.
        var firstScoring = !db.Connection.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM snapshots WHERE as_of = @asOf)", new { asOf }, tx);
        var handle = Sqlite(db).Handle!;
        using (var stored = new RawStatement(handle,
            """
            SELECT model_version IS ?3 AND scorecard IS ?4 AND score IS ?5 AND computed_score IS ?6 AND grade IS ?7 AND override_reason IS ?8
              AND note IS ?9 AND detail IS ?10 AND coverage IS ?11
            FROM snapshots WHERE account_key = ?1 AND as_of = ?2
            """))
        using (var insert = new RawStatement(handle,
            $"""
            INSERT{OrFail} INTO snapshots (account_key, as_of, model_version, scorecard, score, computed_score, grade, override_reason, note, detail, coverage)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
            """))
        using (var update = new RawStatement(handle,
            $"""
            UPDATE{OrFail} snapshots SET model_version = ?3, scorecard = ?4, score = ?5, computed_score = ?6, grade = ?7, override_reason = ?8, note = ?9,
              detail = ?10, coverage = ?11
            WHERE account_key = ?1 AND as_of = ?2 AND (model_version IS NOT ?3 OR scorecard IS NOT ?4 OR score IS NOT ?5 OR computed_score IS NOT ?6
              OR grade IS NOT ?7 OR override_reason IS NOT ?8 OR note IS NOT ?9 OR detail IS NOT ?10 OR coverage IS NOT ?11)
            """))
        {
            foreach (var s in snapshots)
            {
                // 1: stored and the same; 0: stored and different; null: none stored.
                var same = firstScoring ? null : BindSnapshot(stored, s, asOf).Int64();
                if (same == 1)
                {
                    continue;
                }
                written += BindSnapshot(same is null ? insert : update, s, asOf).Execute();
            }
        }
        tx.Commit();
        return written;
    }

    private static RawStatement BindSnapshot(RawStatement statement, SnapshotRecord s, string asOf) =>
        statement.Bind(1, s.AccountKey).Bind(2, asOf).Bind(3, s.ModelVersion).Bind(4, s.Scorecard).Bind(5, s.Score).Bind(6, s.ComputedScore)
            .Bind(7, s.Grade).Bind(8, s.OverrideReason).Bind(9, s.Note).Bind(10, s.Detail).Bind(11, s.Coverage);

    public void Backup(StoreDb db, string file)
    {
        using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        target.Open();
        Sqlite(db).BackupDatabase(target);
    }

    /// <summary>Each row written at once through a prepared statement: in the process, a row costs no round trip.</summary>
    private sealed class EntityWriter : IEntityWriter
    {
        // A table without triggers takes each row as one upsert. One with triggers (subscriptions; migration 0017) would
        // keep a statement journal for every upsert (see OrFail), more than doubling the import of a file: a row is looked up
        // instead (is it stored, and does it differ), then inserted or updated by a statement that keeps none.
        private readonly RowCommand? upsert, find, insert, update;

        public EntityWriter(DbConnection c, DbTransaction tx, EntityUpsert entity, IStoreEngine engine)
        {
            var columns = entity.Columns;
            var values = string.Join(", ", columns.Select(column => "@" + column));
            if (!c.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'trigger' AND tbl_name = @table)", new { table = entity.Table }, tx))
            {
                upsert = new RowCommand(c, tx, $"INSERT INTO {entity.Table} ({string.Join(", ", columns)}) VALUES ({values}) {entity.OnConflict(engine)}", columns);
                return;
            }
            var key = string.Join(" AND ", entity.Keys.Select(column => $"{column} = @{column}"));
            var differs = engine.Differs($"({string.Join(", ", entity.Updated)})", $"({string.Join(", ", entity.Updated.Select(column => "@" + column))})");
            find = new RowCommand(c, tx, $"SELECT {differs} FROM {entity.Table} WHERE {key}", columns);
            insert = new RowCommand(c, tx, $"INSERT{engine.OrFail} INTO {entity.Table} ({string.Join(", ", columns)}) VALUES ({values})", columns);
            update = new RowCommand(c, tx,
                $"UPDATE{engine.OrFail} {entity.Table} SET {string.Join(", ", entity.Updated.Select(column => $"{column} = @{column}"))} WHERE {key}", columns);
        }

        public bool Write(object?[] values)
        {
            if (upsert is not null)
            {
                return upsert.Run(values) > 0;
            }
            return find!.Scalar(values) switch
            {
                null or DBNull => insert!.Run(values) > 0,
                long differs when differs != 0 => update!.Run(values) > 0,
                _ => false,
            };
        }

        public void Flush()
        {
        }

        public void Dispose()
        {
            upsert?.Dispose();
            find?.Dispose();
            insert?.Dispose();
            update?.Dispose();
        }
    }

    /// <summary>
    /// A temporary table filled through a prepared statement, merged with <see cref="UsageMerge"/>. Users are keyed as
    /// events are staged: looked up one by one while few are named, then all read at once (the import holds the
    /// store's write lock, so none appears meanwhile); those seen for the first time get the next keys and are written
    /// in one sorted pass when the stage is merged.
    /// </summary>
    private sealed class Stage : IUsageStage
    {
        private readonly SqliteConnection c;
        private readonly RawStatement insert, insertMany, insertEvent, insertEvents, markTouched, findUser, addUser, addUsers;
        private readonly BlockStore blocks;
        // Staged rows are written many to a statement: SQLite's cost per statement is then paid once for all of them.
        private const int RowsPerInsert = 64;
        private readonly UsageMerge merge;
        private readonly bool inbox;
        private readonly int lookupsBeforeReadingAll;
        private readonly Dictionary<string, long> userKeys = new(StringComparer.Ordinal);
        private readonly List<(string UserId, long Key)> keyed = [];
        private readonly List<(string UserId, long Key)> newUsers = [];
        private int userLookups;
        private long nextUserKey = -1;
        private readonly long cacheSize;
        private const long MergeCacheSize = -524288;

        public Stage(SqliteConnection c, IStoreEngine engine, bool inbox)
        {
            this.c = c;
            this.inbox = inbox;
            lookupsBeforeReadingAll = engine.LookupsBeforeReadingAll;
            // While the stage lives its merges look up and write stored events and roll-ups all over their tables: the
            // cache of the server's ingest writer (TuneForBusyWriter) keeps those pages instead of reading them again
            // from the file past 64 MB; the connection's own cache comes back when the stage is disposed.
            cacheSize = Scalar("PRAGMA cache_size");
            if (cacheSize > MergeCacheSize)
            {
                Exec($"PRAGMA cache_size={MergeCacheSize}");
            }
            Exec(
                $"""
                CREATE TEMP TABLE IF NOT EXISTS usage_stage (
                    identity BLOB NOT NULL, account_key INTEGER NOT NULL, day INTEGER NOT NULL, event_key INTEGER NOT NULL, user_key INTEGER,
                    count INTEGER NOT NULL, value REAL, occurred_at INTEGER NOT NULL, properties TEXT, seq INTEGER NOT NULL, state INTEGER NOT NULL DEFAULT 0,
                    stored INTEGER NOT NULL DEFAULT 0
                );
                DELETE FROM temp.usage_stage;
                """);
            insert = new RawStatement(c.Handle!, Insert($"INSERT{engine.OrFail} INTO temp.usage_stage ({UsageMerge.StageColumns}, seq)", 10, 1));
            insertMany = new RawStatement(c.Handle!, Insert($"INSERT{engine.OrFail} INTO temp.usage_stage ({UsageMerge.StageColumns}, seq)", 10, RowsPerInsert));
            insertEvent = new RawStatement(c.Handle!, Insert($"INSERT{engine.OrFail} INTO main.usage_events ({UsageMerge.StageColumns})", 9, 1));
            insertEvents = new RawStatement(c.Handle!, Insert($"INSERT{engine.OrFail} INTO main.usage_events ({UsageMerge.StageColumns})", 9, RowsPerInsert));
            markTouched = new RawStatement(c.Handle!, MarkTouchedSql);
            findUser = new RawStatement(c.Handle!, "SELECT user_key FROM main.users WHERE user_id = ?1");
            addUser = new RawStatement(c.Handle!, Insert("INSERT INTO main.users (user_key, user_id)", 2, 1));
            addUsers = new RawStatement(c.Handle!, Insert("INSERT INTO main.users (user_key, user_id)", 2, RowsPerInsert));
            blocks = new BlockStore(c);
            merge = new UsageMerge(engine, "temp.usage_stage", "main.usage_events", blocks);
        }

        // Staged events wait here until the merge, which writes them to the stage in identity order.
        private readonly StagedBatch batch = new();

        public int Count => batch.Count;

        public void Add(in StagedEvent e) => batch.Add(e.User is { } user ? e with { User = null, UserKey = UserKey(user) } : e);

        public long KeyOf(string user) => UserKey(user);

        // An insert of rows of so many values.
        private static string Insert(string into, int columns, int rows) =>
            $"{into} VALUES " + string.Join(", ", Enumerable.Repeat("(" + string.Join(", ", Enumerable.Repeat("?", columns)) + ")", rows));

        // Writes rows many to a statement (the last few one at a time); bind(statement, first parameter, row) binds a row.
        private static void WriteRows<T>(IEnumerable<T> rows, RawStatement one, RawStatement many, int columns, Action<RawStatement, int, T> bind)
        {
            var full = new List<T>(RowsPerInsert);
            foreach (var row in rows)
            {
                full.Add(row);
                if (full.Count == RowsPerInsert)
                {
                    for (var i = 0; i < full.Count; i++)
                    {
                        bind(many, i * columns + 1, full[i]);
                    }
                    many.Execute();
                    full.Clear();
                }
            }
            foreach (var row in full)
            {
                bind(one, 1, row);
                one.Execute();
            }
        }

        /// <summary>The key of a user named by its id; a user the store has not seen gets the next key.</summary>
        private long UserKey(string id)
        {
            if (userKeys.TryGetValue(id, out var key))
            {
                return key;
            }
            if (userLookups >= 0 && ++userLookups > lookupsBeforeReadingAll)
            {
                foreach (var r in Rows(c, "SELECT user_id, user_key FROM main.users"))
                {
                    userKeys[r.GetString(0)] = r.GetInt64(1);
                }
                userLookups = -1;
                if (userKeys.TryGetValue(id, out key))
                {
                    keyed.Add((id, key));
                    return key;
                }
            }
            if (userLookups < 0 || findUser.Bind(1, id).Int64() is not { } found)
            {
                if (nextUserKey < 0)
                {
                    nextUserKey = Scalar("SELECT COALESCE(MAX(user_key), 0) + 1 FROM main.users");
                }
                key = nextUserKey++;
                newUsers.Add((id, key));
            }
            else
            {
                key = found;
            }
            userKeys[id] = key;
            keyed.Add((id, key));
            return key;
        }

        /// <summary>
        /// Gives the users seen for the first time since the last merge their keys again, in the order of their ids (they
        /// were given the next keys as they came): the users table and its index on the ids are then both written in order.
        /// Their staged events, and what the stage remembers of them, take the new keys.
        /// </summary>
        private void KeyNewUsersInIdOrder()
        {
            if (newUsers.Count < 2)
            {
                return;
            }
            // The keys given since the last merge are consecutive from the first one.
            var first = newUsers[0].Key;
            newUsers.Sort((a, b) => string.CompareOrdinal(a.UserId, b.UserId));
            var rekeyed = new long[newUsers.Count];
            for (var i = 0; i < newUsers.Count; i++)
            {
                var (id, key) = newUsers[i];
                rekeyed[key - first] = first + i;
                newUsers[i] = (id, first + i);
                userKeys[id] = first + i;
            }
            batch.Rekey(first, rekeyed);
            for (var i = 0; i < keyed.Count; i++)
            {
                if (keyed[i].Key >= first)
                {
                    keyed[i] = (keyed[i].UserId, rekeyed[keyed[i].Key - first]);
                }
            }
        }

        public int Merge(int[]? states = null, List<(string UserId, long Key)>? users = null)
        {
            if (Count == 0)
            {
                return 0;
            }
            KeyNewUsersInIdOrder();
            var order = batch.IdentityOrder(out var repeats);
            // The users seen for the first time, in the order of their ids and keys: the table and its index on the ids
            // are both written at their ends.
            WriteRows(newUsers, addUser, addUsers, 2, (statement, first, user) => statement.Bind(first, user.Key).Bind(first + 1, user.UserId));
            newUsers.Clear();
            int changed;
            if (inbox)
            {
                // A merge into the inbox goes through the stage, and reads the events' states when asked for them.
                WriteRows(order, insert, insertMany, 10, BindStaged);
                changed = merge.RunToInbox(repeats, Exec, Scalar, states is null ? null : sql =>
                {
                    foreach (var r in Rows(c, sql))
                    {
                        states[r.GetInt64(0)] = r.GetInt32(1);
                    }
                });
            }
            else
            {
                // A merge into the store looks each identity up among the stored events, writes the new events straight
                // into them (the stage would cost twice the write) and stages only the changed ones; it adds to the usage
                // blocks the roll-ups summed here from the batch, and marks their accounts.
                changed = merge.RunKnown(batch, order, repeats, StatesAgainstStored(order), states,
                    corrections =>
                    {
                        WriteRows(corrections, insert, insertMany, 10, BindStaged);
                        Exec("UPDATE temp.usage_stage SET state = 1");
                    },
                    added => WriteRows(added, insertEvent, insertEvents, 9, (statement, first, seq) => BindEvent(statement, first, seq)),
                    Exec, accounts => markTouched.Bind(1, JsonSerializer.Serialize(accounts)).Execute());
            }
            users?.AddRange(keyed);
            keyed.Clear();
            Exec("DELETE FROM temp.usage_stage");
            batch.Clear();
            return changed;
        }

        // Binds an event as a stage row (its columns, then its position in the batch), or as a stored event.
        private void BindStaged(RawStatement statement, int first, int seq) => BindEvent(statement, first, seq).Bind(first + 9, seq);

        // The identities of the rows bound to a statement, where SQLite reads them when it runs (pinned): a statement
        // binds at most RowsPerInsert rows before it runs, each in the next of as many places.
        private readonly byte[] identities = GC.AllocateArray<byte>(RowsPerInsert * 16, pinned: true);
        private int nextIdentity;

        private unsafe RawStatement BindEvent(RawStatement statement, int first, int seq)
        {
            var e = batch[seq];
            var at = nextIdentity * 16;
            nextIdentity = (nextIdentity + 1) % RowsPerInsert;
            BinaryPrimitives.WriteUInt128BigEndian(identities.AsSpan(at, 16), e.Identity);
            fixed (byte* identity = &identities[at])
            {
                // The array is pinned: the address stays valid after the fixed block.
                statement.BindInPlace(first, identity, 16);
            }
            return statement.Bind(first + 1, e.Account).Bind(first + 2, e.Day).Bind(first + 3, e.Event).Bind(first + 4, e.UserKey)
                .Bind(first + 5, e.Count).Bind(first + 6, e.Value).Bind(first + 7, e.OccurredAt).Bind(first + 8, batch.PropertiesOf(e));
        }

        // How many stored events the walk below steps over before it seeks instead (a seek costs about as much as a few steps).
        private const int StepsBeforeSeeking = 8;

        /// <summary>
        /// Each staged event's state against the stored events (0 new, 1 changed, 2 unchanged; repeats included), found by
        /// walking the stored events in identity order beside the batch: the next stored identity is stepped to when it is
        /// near, sought when it is far. An empty store costs one look-up, a store much larger than the batch one look-up an
        /// event, a re-import of the same events a step each.
        /// </summary>
        private int[] StatesAgainstStored(int[] order)
        {
            var states = new int[batch.Count];
            using var stored = new RawStatement(c.Handle!, $"SELECT {UsageMerge.StageColumns} FROM main.usage_events WHERE identity >= ?1 ORDER BY identity");
            bool started = false, has = false;
            UInt128 at = default;
            Span<byte> sought = stackalloc byte[16];
            foreach (var seq in order)
            {
                if (started && !has)
                {
                    // Past the last stored identity: the rest are new.
                    break;
                }
                var identity = batch[seq].Identity;
                for (var steps = 0; has && at < identity && steps < StepsBeforeSeeking; steps++)
                {
                    has = Next();
                }
                if (!started || (has && at < identity))
                {
                    BinaryPrimitives.WriteUInt128BigEndian(sought, identity);
                    stored.Rewind();
                    stored.Bind(1, sought);
                    started = true;
                    has = Next();
                }
                if (has && at == identity)
                {
                    states[seq] = batch.SameAsStored(seq, stored.Row) ? 2 : 1;
                }
            }
            return states;

            bool Next()
            {
                if (!stored.Next())
                {
                    return false;
                }
                at = BinaryPrimitives.ReadUInt128BigEndian(stored.Row.GetBytes(0));
                return true;
            }
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

        public void Dispose()
        {
            if (cacheSize > MergeCacheSize)
            {
                Exec($"PRAGMA cache_size={cacheSize}");
            }
            insert.Dispose();
            insertMany.Dispose();
            insertEvent.Dispose();
            insertEvents.Dispose();
            addUsers.Dispose();
            blocks.Dispose();
            markTouched.Dispose();
            findUser.Dispose();
            addUser.Dispose();
        }
    }
}
