using System.Collections.Concurrent;
using System.Data.Common;
using System.Globalization;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace CustomerHealth.Store.Engines;

/// <summary>PostgreSQL, for a team and several server processes: bulk paths use binary COPY.</summary>
internal sealed class PostgresEngine : IStoreEngine
{
    /// <summary>True for a value of `--db` that names a PostgreSQL server rather than a file.</summary>
    public static bool IsTarget(string target) =>
        target.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
        target.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    public (DbConnection Connection, string Path) Connect(string target)
    {
        string cs;
        try
        {
            cs = ConnectionString(target);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw new StoreException($"cannot read the PostgreSQL connection {Secrets.Redact(target)}: {Secrets.Redact(e.Message)}");
        }
        var connection = new NpgsqlConnection(cs);
        try
        {
            connection.Open();
        }
        catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException)
        {
            connection.Dispose();
            throw new StoreException($"cannot connect to PostgreSQL ({Describe(cs)}): {Secrets.Redact(e.Message)}");
        }
        return (connection, cs);
    }

    public bool IsMissing(string target) => false;

    public void Remove(string target) =>
        throw new StoreException($"PostgreSQL {Describe(ConnectionString(target))} is a database of its server: drop it there, chs does not");

    public string DisplayName(string path) => "PostgreSQL " + Describe(path);

    public StoreWriting Writing { get; } = new(TakeTurns: false, Checkpoints: false, InboxEvents: 50_000);

    public void TuneForBusyWriter(DbConnection c)
    {
    }

    // The server copies its own write-ahead log.
    public void Checkpoint(DbConnection c)
    {
    }

    public string SchemaFolder => "postgres";

    // The rows ever logged (migration 0019): each committed change adds its rows to the log, and pruning moves rows from
    // the log into the count in one transaction. Writers only append, so they never wait on each other.
    public long PortfolioChanges(DbConnection c) =>
        c.ExecuteScalar<long>("SELECT rows + (SELECT COUNT(*) FROM portfolio_log) FROM portfolio_log_pruned");

    public DbTransaction BeginSnapshot(DbConnection c) => c.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);

    // Writers commit in any order: the new rows are those of the transactions the mark's snapshot did not see. A pruned
    // row may be among them only if its transaction id is not below the oldest that snapshot saw still running.
    public PortfolioLogRead ReadPortfolioLog(DbConnection c, DbTransaction tx, string? mark, int most, string? before = null)
    {
        var now = c.ExecuteScalar<string>("SELECT pg_current_snapshot()::text", transaction: tx)!;
        if (mark is null || !mark.Contains(':', StringComparison.Ordinal))
        {
            return new(now, null);
        }
        const string Unseen = "xid >= pg_snapshot_xmin(CAST(@mark AS pg_snapshot)) AND NOT pg_visible_in_snapshot(xid, CAST(@mark AS pg_snapshot))";
        var (complete, count) = c.QuerySingle<(bool, long)>(
            $"SELECT (SELECT through FROM portfolio_log_pruned) < pg_snapshot_xmin(CAST(@mark AS pg_snapshot)), (SELECT COUNT(*) FROM portfolio_log WHERE {Unseen})",
            new { mark }, tx);
        if (!complete || count > most)
        {
            return new(now, null);
        }
        return new(now, c.Query<PortfolioLogRow>(
            $"SELECT account_key AS AccountKey, day AS Day, n AS Count, scored AS Scored, sum AS Sum FROM portfolio_log WHERE {Unseen}{PortfolioLog.Before(before)} ORDER BY seq",
            new { mark, before }, tx).ToList());
    }

    /// <summary>Npgsql's keyword form of `--db`, which may also be a `postgres://user:password@host:port/database` URL.</summary>
    public static string ConnectionString(string target)
    {
        var b = Parse(target);
        // Imports of millions of rows and full rescores run statements for minutes: no command timeout unless the
        // connection string sets one.
        if (!target.Replace("_", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).Contains("commandtimeout", StringComparison.OrdinalIgnoreCase))
        {
            b.CommandTimeout = 0;
        }
        return b.ConnectionString;
    }

    private static NpgsqlConnectionStringBuilder Parse(string target)
    {
        if (!target.Contains("://", StringComparison.Ordinal))
        {
            return new NpgsqlConnectionStringBuilder(target);
        }
        var uri = new Uri(target);
        var b = new NpgsqlConnectionStringBuilder { Host = uri.Host, Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) };
        if (uri.Port > 0)
        {
            b.Port = uri.Port;
        }
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                b.Password = Uri.UnescapeDataString(parts[1]);
            }
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            b[Uri.UnescapeDataString(kv[0]).Replace('_', ' ')] = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "true";
        }
        return b;
    }

    /// <summary>The server and database of a connection string, without the password, for messages.</summary>
    public static string Describe(string connectionString)
    {
        var b = new NpgsqlConnectionStringBuilder(connectionString);
        return $"{b.Host}:{b.Port}/{b.Database}";
    }

    public int SchemaVersion(DbConnection c, DbTransaction? tx) =>
        c.ExecuteScalar<string?>("SELECT to_regclass('schema_version')::text", transaction: tx) is null
            ? 0
            : c.ExecuteScalar<int>("SELECT version FROM schema_version", transaction: tx);

    public void SetSchemaVersion(DbConnection c, DbTransaction tx, int version) =>
        c.Execute("UPDATE schema_version SET version = @version", new { version = (long)version }, tx);

    public void LockForMigration(DbConnection c, DbTransaction tx) => c.Execute("SELECT pg_advisory_xact_lock(720417)", transaction: tx);

    /// <summary>disk_full (53100): the disk holding the database is full.</summary>
    internal static bool IsDiskFull(Exception e) => e is PostgresException { SqlState: PostgresErrorCodes.DiskFull };

    public void LockForImport(DbConnection c, DbTransaction tx) => c.Execute("SELECT pg_advisory_xact_lock(720418)", transaction: tx);

    // The shares of the accounts: session advisory locks of two keys (the product's own first key, so that they meet no
    // other user's locks of the database; the share), and a shared one of the same first key for each server's presence;
    // pg_locks lists them for this database.
    private const int SharesKey = 0x63687331;
    private const int Presence = 1_000_000;
    private const string OurLocks = "locktype = 'advisory' AND granted AND classid = @key AND objsubid = 2 AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";

    public bool SharesWork => true;

    // The channel the servers of a store tell each other of work on.
    private const string WorkChannel = "chs_work";

    public void AnnounceWork(DbConnection c, DbTransaction tx) => c.Execute($"NOTIFY {WorkChannel}", transaction: tx);

    public IDisposable? HearWork(string store, Action heard)
    {
        var stop = new CancellationTokenSource();
        _ = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await using var c = new NpgsqlConnection(store);
                    await c.OpenAsync(stop.Token);
                    c.Notification += (_, _) => heard();
                    await using (var listen = new NpgsqlCommand($"LISTEN {WorkChannel}", c))
                    {
                        await listen.ExecuteNonQueryAsync(stop.Token);
                    }
                    // Whatever was told while nobody listened is looked for by the caller's own looks.
                    heard();
                    while (true)
                    {
                        await c.WaitAsync(stop.Token);
                    }
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is NpgsqlException or System.Net.Sockets.SocketException or IOException or TimeoutException or InvalidOperationException)
                {
                    // The server went away or restarts: listen again shortly.
                    try
                    {
                        await Task.Delay(TimeSpan.FromSeconds(1), stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                }
            }
        });
        return new Hearing(stop);
    }

    // Stops the listening: the connection is closed as its wait is cancelled.
    private sealed class Hearing(CancellationTokenSource stop) : IDisposable
    {
        public void Dispose() => stop.Cancel();
    }

    public void JoinServers(DbConnection c) => c.Execute("SELECT pg_advisory_lock_shared(@key, @presence)", new { key = SharesKey, presence = Presence });

    public int Servers(DbConnection c) =>
        c.ExecuteScalar<int>($"SELECT COUNT(DISTINCT pid) FROM pg_locks WHERE {OurLocks} AND objid = @presence", new { key = SharesKey, presence = Presence });

    public IReadOnlySet<int> TakenShares(DbConnection c) =>
        c.Query<long>($"SELECT objid FROM pg_locks WHERE {OurLocks} AND objid < @presence", new { key = SharesKey, presence = Presence }).Select(o => (int)o).ToHashSet();

    public bool TryTakeShare(DbConnection c, int share) => c.ExecuteScalar<bool>("SELECT pg_try_advisory_lock(@key, @share)", new { key = SharesKey, share });

    public void GiveBackShare(DbConnection c, int share) => c.Execute("SELECT pg_advisory_unlock(@key, @share)", new { key = SharesKey, share });

    public void LeaveServers(DbConnection c) => c.Execute("SELECT pg_advisory_unlock_all()");

    // One lower-cased column kept by PostgreSQL (0010); its LOWER follows the database's character type, which
    // lower-cases every letter in a UTF-8 database.
    public string AccountSearch(string parameter, string pattern) => $"a.search_text LIKE {parameter}";

    public string Lower(string expression) => $"lower({expression})";

    public string OrFail => "";

    public string WithoutCompiling(string sql) => $"SET jit = off; {sql}; RESET jit";

    public string PackUsers(string column) => $"string_agg(int8send({column}), ''::bytea ORDER BY {column})";

    public string Differs(string left, string right) => $"{left} IS DISTINCT FROM {right}";

    public string Same(string left, string right) => $"{left} IS NOT DISTINCT FROM {right}";

    // TRUNCATE leaves no dead rows for the next reader to step over and for autovacuum to clean (it waits for the readers
    // of the table, which only look at it briefly).
    public string Empty(string table) => $"TRUNCATE {table}";

    public string DaysBefore(string dateExpression, string daysParameter) =>
        $"to_char(CAST({dateExpression} AS date) - CAST({daysParameter} AS integer), 'YYYY-MM-DD')";

    public object? NoLimit => null;

    public string AmongList(string expression, string parameter) => $"{expression} = ANY({parameter})";

    // Npgsql sends an array as one parameter.
    public object ListParameter<T>(IReadOnlyCollection<T> values) => values.ToArray();

    // One pass checking each row against the hashed set of those left out.
    public string CountLeavingOut(string rows, string condition, string key, string leftOut) =>
        $"SELECT COUNT(*) FROM {rows} WHERE {condition} AND {key} NOT IN ({leftOut})";

    // One statement per table; a bare ANALYZE is given as text (Dapper would take a one-word command for a stored procedure).
    public string? Analyze(params string[] tables) => tables.Length == 0 ? "ANALYZE" : string.Join("; ", tables.Select(t => "ANALYZE " + t));

    public void MemoryForMerges(DbConnection c, DbTransaction tx) => c.Execute("SET LOCAL work_mem = '256MB'", transaction: tx);

    // One statement: a statement per pair is a round trip each, and ingest waits for the lock meanwhile.
    public void DeletePairs(DbConnection c, DbTransaction tx, string table, string first, string second, IReadOnlyList<(long First, long Second)> pairs) =>
        c.Execute(
            $"DELETE FROM {table} d USING unnest(@firsts, @seconds) AS m({first}, {second}) WHERE d.{first} = m.{first} AND d.{second} = m.{second}",
            new { firsts = pairs.Select(p => p.First).ToArray(), seconds = pairs.Select(p => p.Second).ToArray() }, tx);

    // A look-up is a network round trip: reading all pays off much sooner than in a file.
    public int LookupsBeforeReadingAll => 64;

    public void MarkTouched(DbConnection c, DbTransaction tx, IReadOnlyList<long> accounts) =>
        c.Execute($"INSERT INTO dirty_accounts (account_key, mark) SELECT unnest(@accounts), 0 {UsageMerge.MarkAgain}", new { accounts = accounts.ToArray() }, tx);

    // A file naming thousands of new accounts would otherwise cost a round trip each (about 0.1 ms: 0.9 s for 10,000).
    public long[]? ReserveAccountKeys(DbConnection c, DbTransaction tx, int count) => TakeKeys(c, tx, "accounts", "account_key", count);

    // The key sequences' names, asked once an engine (a store's).
    private readonly ConcurrentDictionary<(string Table, string Column), string> sequences = new();

    /// <summary>
    /// Keys for <paramref name="count"/> new rows of a table, from its key's sequence, in increasing order. The sequence is
    /// named in the statement as a constant: given as an expression, it was looked up again for every key (1 s for
    /// 245,000 keys against 0.1 s).
    /// </summary>
    private long[] TakeKeys(DbConnection c, DbTransaction tx, string table, string column, int count)
    {
        var sequence = sequences.GetOrAdd((table, column), _ => c.ExecuteScalar<string>("SELECT pg_get_serial_sequence(@table, @column)", new { table, column }, tx)!);
        return c.Query<long>($"SELECT nextval('{sequence.Replace("'", "''", StringComparison.Ordinal)}') FROM generate_series(1, @count)", new { count }, tx)
            .Order().ToArray();
    }

    public void CreateAccounts(DbConnection c, DbTransaction tx, IReadOnlyList<(long Key, string Id)> accounts, IReadOnlyDictionary<long, AccountRow> rows)
    {
        // A bare account takes the columns' defaults (its status 'active'), as a row that gives no status does.
        var values = AccountArrays(accounts.Select(a => (a.Key, rows.GetValueOrDefault(a.Key) ?? new AccountRow())).ToList());
        values.Add("ids", accounts.Select(a => a.Id).ToArray());
        c.Execute($"INSERT INTO accounts (account_key, account_id, {AccountRow.Columns}) SELECT * FROM unnest(@keys, @ids, {AccountArrayNames})", values, tx);
    }

    // One statement: a statement an account is a round trip each (a file of 10,000 accounts named again, 10,000).
    public void UpdateAccounts(DbConnection c, DbTransaction tx, IReadOnlyList<(long Key, AccountRow Row)> accounts) =>
        c.Execute(
            $"""
            UPDATE accounts a SET ({AccountRow.Columns}) = ({string.Join(", ", AccountRow.ColumnNames.Select(column => "u." + column))})
            FROM unnest(@keys, {AccountArrayNames}) AS u(account_key, {AccountRow.Columns})
            WHERE a.account_key = u.account_key
            """, AccountArrays(accounts), tx);

    // The parameters of accounts' rows, a column an array, in the order of AccountRow.Columns.
    private const string AccountArrayNames = "@names, @segments, @stages, @owners, @arr, @seats, @plans, @started, @renewal, @parents, @statuses, @churned, @attributes";

    private static DynamicParameters AccountArrays(IReadOnlyList<(long Key, AccountRow Row)> accounts)
    {
        string?[] Texts(Func<AccountRow, string?> column) => accounts.Select(a => column(a.Row)).ToArray();
        double?[] Numbers(Func<AccountRow, double?> column) => accounts.Select(a => column(a.Row)).ToArray();
        return new DynamicParameters(new
        {
            keys = accounts.Select(a => a.Key).ToArray(), names = Texts(r => r.Name), segments = Texts(r => r.Segment), stages = Texts(r => r.LifecycleStage),
            owners = Texts(r => r.Owner), arr = Numbers(r => r.Arr), seats = Numbers(r => r.Seats), plans = Texts(r => r.Plan), started = Texts(r => r.StartedOn),
            renewal = Texts(r => r.RenewalOn), parents = Texts(r => r.ParentId), statuses = Texts(r => r.Status), churned = Texts(r => r.ChurnedOn),
            attributes = Texts(r => r.Attributes),
        });
    }

    public IEntityWriter OpenEntityWriter(StoreDb db, DbTransaction tx, EntityUpsert upsert, Action<long> changed) =>
        new EntityWriter((NpgsqlConnection)db.Connection, (NpgsqlTransaction)tx, upsert, upsert.OnConflict(this), changed);

    public IUsageStage OpenUsageStage(StoreDb db, DbTransaction tx, bool inbox = false) => new Stage((NpgsqlConnection)db.Connection, (NpgsqlTransaction)tx, this, inbox);

    // The connection strings of the reads, by the store's: a run reads its tables in many statements.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> ReadTargets = new(StringComparer.Ordinal);

    // A scoring run reads each table in its key's order, a range of accounts at a time. With PostgreSQL's default costs
    // (a random page read 4× a sequential one) the planner scans the whole table and sorts for every range of a table
    // written in no key order, as usage roll-ups are: 0.6 s a range of 5% of the SPEC portfolio's 13 million rows
    // against 0.1 s walking the key. The store's pages are read every day and kept in memory (or on an SSD), for which
    // PostgreSQL's documentation suggests a random page cost near a sequential one; these reads also stream their rows
    // once, so compiling them (JIT) costs more than it gains. Usage blocks, rewritten by every merge, lie in no key order
    // either: for a range of them the planner still prefers a bitmap scan, which returns rows in the table's order, and a
    // sort of them (with parallel workers, on disk past its working memory): 60 ms a range of 5,000 of the SPEC
    // portfolio's accounts against 12 ms walking the key, so bitmap scans are off for these reads.
    // The settings go with the connection's start (its own pool), so that no read pays a round trip for them.
    public IEnumerable<IRowReader> ReadRows(StoreDb db, string sql)
    {
        using var c = new NpgsqlConnection(ReadTargets.GetOrAdd(db.Path, static path =>
        {
            var target = new NpgsqlConnectionStringBuilder(path);
            target.Options = $"{target.Options} -c random_page_cost=1.1 -c jit=off -c enable_bitmapscan=off".TrimStart();
            return target.ConnectionString;
        }));
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        using var r = cmd.ExecuteReader();
        var row = new Row(r);
        while (r.Read())
        {
            yield return row;
        }
    }

    // A snapshot's columns besides its account and day, in the order WriteSnapshots copies them.
    private static readonly string[] SnapshotValues = ["model_version", "scorecard", "score", "computed_score", "grade", "override_reason", "note", "detail", "coverage"];

    private static readonly string SnapshotUpsert =
        $"""
        INSERT INTO snapshots SELECT * FROM snapshot_stage
        ON CONFLICT (account_key, as_of) DO UPDATE SET {string.Join(", ", SnapshotValues.Select(v => $"{v} = excluded.{v}"))}
        WHERE ({string.Join(", ", SnapshotValues.Select(v => "snapshots." + v))}) IS DISTINCT FROM ({string.Join(", ", SnapshotValues.Select(v => "excluded." + v))})
        """;

    public int WriteSnapshots(StoreDb db, string asOf, IEnumerable<SnapshotRecord> snapshots)
    {
        var c = (NpgsqlConnection)db.Connection;
        using var tx = c.BeginTransaction();
        // A day scored for the first time is copied straight into the snapshots. Another writer storing snapshots of
        // the same accounts and day meanwhile (not seen here before it commits) makes the copy fail on their keys: the
        // day is then staged and upserted, as a day scored again is.
        if (!c.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM snapshots WHERE as_of = @asOf)", new { asOf }, tx))
        {
            tx.Save("first_scoring");
            try
            {
                var copied = CopySnapshots(c, "snapshots", asOf, snapshots);
                tx.Commit();
                return copied;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                tx.Rollback("first_scoring");
            }
        }
        c.Execute(
            """
            CREATE TEMP TABLE IF NOT EXISTS snapshot_stage (LIKE snapshots INCLUDING DEFAULTS) ON COMMIT DELETE ROWS;
            """, transaction: tx);
        CopySnapshots(c, "snapshot_stage", asOf, snapshots);
        var written = c.Execute(SnapshotUpsert, transaction: tx);
        tx.Commit();
        return written;
    }

    /// <summary>Snapshots of a day sent by binary COPY into a table of the snapshots' columns; returns how many.</summary>
    private static int CopySnapshots(NpgsqlConnection c, string table, string asOf, IEnumerable<SnapshotRecord> snapshots)
    {
        using var copy = c.BeginBinaryImport($"COPY {table} (account_key, as_of, {string.Join(", ", SnapshotValues)}) FROM STDIN (FORMAT BINARY)");
        foreach (var s in snapshots)
        {
            copy.StartRow();
            copy.Write(s.AccountKey, NpgsqlDbType.Bigint);
            copy.Write(asOf, NpgsqlDbType.Text);
            copy.Write(s.ModelVersion, NpgsqlDbType.Text);
            copy.Write(s.Scorecard, NpgsqlDbType.Text);
            Nullable(copy, s.Score);
            Nullable(copy, s.ComputedScore);
            Text(copy, s.Grade);
            Text(copy, s.OverrideReason);
            Text(copy, s.Note);
            copy.Write(s.Detail, NpgsqlDbType.Bytea);
            Nullable(copy, s.Coverage);
        }
        return checked((int)copy.Complete());
    }

    public void Backup(StoreDb db, string file) =>
        throw new StoreException("`chs backup` copies SQLite stores; back up a PostgreSQL store with pg_dump (it is consistent while the store is in use)");

    private static void Nullable(NpgsqlBinaryImporter copy, long? value)
    {
        if (value is { } v)
        {
            copy.Write(v, NpgsqlDbType.Bigint);
        }
        else
        {
            copy.WriteNull();
        }
    }

    private static void Nullable(NpgsqlBinaryImporter copy, double? value)
    {
        if (value is { } v)
        {
            copy.Write(v, NpgsqlDbType.Double);
        }
        else
        {
            copy.WriteNull();
        }
    }

    private static void Text(NpgsqlBinaryImporter copy, string? value)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, NpgsqlDbType.Text);
        }
    }

    private sealed class Row(NpgsqlDataReader r) : IRowReader
    {
        public long GetInt64(int i) => r.GetInt64(i);

        public int GetInt32(int i) => checked((int)r.GetInt64(i));

        public double GetDouble(int i) => r.GetDouble(i);

        public string GetString(int i) => r.GetString(i);

        public ReadOnlySpan<byte> GetUtf8(int i) => System.Text.Encoding.UTF8.GetBytes(r.GetString(i));

        public ReadOnlySpan<byte> GetBytes(int i) => r.GetFieldValue<byte[]>(i);

        public bool IsDBNull(int i) => r.IsDBNull(i);
    }

    /// <summary>
    /// Rows held and sent by binary COPY into a temporary table, then upserted set-wise: a row written alone would be a
    /// network round trip.
    /// </summary>
    private sealed class EntityWriter(NpgsqlConnection c, NpgsqlTransaction tx, EntityUpsert upsert, string onConflict, Action<long> changed) : IEntityWriter
    {
        private const int Limit = 50_000;
        private readonly List<object?[]> rows = [];

        public bool Write(object?[] values)
        {
            rows.Add(values);
            if (rows.Count >= Limit)
            {
                Flush();
            }
            return false;
        }

        public void Flush()
        {
            if (rows.Count == 0)
            {
                return;
            }
            var columns = string.Join(", ", upsert.Columns);
            var keys = string.Join(", ", upsert.Keys);
            var stageTable = "stage_" + upsert.Table;
            using (var create = c.CreateCommand())
            {
                create.Transaction = tx;
                create.CommandText =
                    $"CREATE TEMP TABLE IF NOT EXISTS {stageTable} AS SELECT {columns} FROM {upsert.Table} WITH NO DATA; " +
                    $"ALTER TABLE {stageTable} ADD COLUMN IF NOT EXISTS seq BIGINT; TRUNCATE {stageTable};";
                create.ExecuteNonQuery();
            }
            using (var copy = c.BeginBinaryImport($"COPY {stageTable} ({columns}, seq) FROM STDIN (FORMAT BINARY)"))
            {
                for (var i = 0; i < rows.Count; i++)
                {
                    copy.StartRow();
                    foreach (var value in rows[i])
                    {
                        switch (value)
                        {
                            case null:
                                copy.WriteNull();
                                break;
                            case string text:
                                copy.Write(text, NpgsqlDbType.Text);
                                break;
                            case double d:
                                copy.Write(d, NpgsqlDbType.Double);
                                break;
                            default:
                                copy.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlDbType.Bigint);
                                break;
                        }
                    }
                    copy.Write((long)i, NpgsqlDbType.Bigint);
                }
                copy.Complete();
            }
            using var upsertCommand = c.CreateCommand();
            upsertCommand.Transaction = tx;
            // The last row of a key in the batch stands, as it would row by row.
            upsertCommand.CommandText =
                $"ANALYZE {stageTable}; INSERT INTO {upsert.Table} ({columns}) SELECT DISTINCT ON ({keys}) {columns} FROM {stageTable} " +
                $"ORDER BY {keys}, seq DESC {onConflict} RETURNING account_key";
            using (var r = upsertCommand.ExecuteReader())
            {
                do
                {
                    while (r.Read())
                    {
                        if (r.FieldCount == 1)
                        {
                            changed(r.GetInt64(0));
                        }
                    }
                }
                while (r.NextResult());
            }
            rows.Clear();
        }

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Events gathered in memory and sent with binary COPY into a temporary table, then merged with <see cref="UsageMerge"/>.
    /// The users they name by id are keyed first, in two statements for all of them.
    /// </summary>
    private sealed class Stage : IUsageStage
    {
        private readonly NpgsqlConnection c;
        private readonly NpgsqlTransaction tx;
        // The staged events, held without references (a million of them cost the collector nothing to keep); a user
        // not keyed yet is held by its place among the users to key (pending), as the key -(place + 1).
        private readonly StagedBatch batch = new();
        private readonly Dictionary<string, int> pending = new(StringComparer.Ordinal);
        private readonly UsageMerge merge;
        private readonly BlockStore blocks;
        private readonly Dictionary<string, long> userKeys = new(StringComparer.Ordinal);

        private readonly bool inbox;
        private readonly PostgresEngine engine;
        // Whether the users table held any user when this stage first asked (null: not asked yet).
        private bool? usersStored;

        public Stage(NpgsqlConnection c, NpgsqlTransaction tx, PostgresEngine engine, bool inbox)
        {
            this.engine = engine;
            this.c = c;
            this.tx = tx;
            this.inbox = inbox;
            c.Execute(
                """
                CREATE TEMP TABLE IF NOT EXISTS usage_stage (
                    identity BYTEA NOT NULL, account_key BIGINT NOT NULL, day BIGINT NOT NULL, event_key BIGINT NOT NULL, user_key BIGINT,
                    count BIGINT NOT NULL, value DOUBLE PRECISION, occurred_at BIGINT NOT NULL, properties TEXT, seq BIGINT NOT NULL, state BIGINT NOT NULL DEFAULT 0,
                    stored BIGINT NOT NULL DEFAULT 0
                );
                TRUNCATE usage_stage;
                """, transaction: tx);
            blocks = new BlockStore(c, tx);
            merge = new UsageMerge(engine, "usage_stage", "usage_events", blocks);
        }

        public int Count => batch.Count;

        public void Add(in StagedEvent e)
        {
            batch.Add(e.User is { } user ? e with { User = null, UserKey = KeyOf(user) } : e);
        }

        // A user not keyed yet holds a place among those the merge keys together, as the key -(place + 1).
        public long KeyOf(string user)
        {
            if (userKeys.TryGetValue(user, out var key))
            {
                return key;
            }
            if (!pending.TryGetValue(user, out var place))
            {
                place = pending.Count;
                pending.Add(user, place);
            }
            return -(place + 1L);
        }

        public int Merge(int[]? states = null, List<(string UserId, long Key)>? users = null)
        {
            if (batch.Count == 0)
            {
                return 0;
            }
            KeyUsers(users);
            var order = batch.IdentityOrder(out var repeats);
            int changed;
            if (inbox)
            {
                CopyEvents("usage_stage", order, staged: true);
                // A request's events are few beside the stored ones: each is looked up by its key. Left to itself the
                // planner hashes the stage and reads every stored event, a cost that grows with the store. (Nor does the
                // stage need statistics then: an ANALYZE would cost as much as the look-ups.)
                c.Execute("SET LOCAL work_mem = '256MB'; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off", transaction: tx);
                changed = 0;
                using var cmd = new NpgsqlCommand(merge.MarkAndAppend, c, tx);
                using var r = cmd.ExecuteReader();
                // The events not listed are new (state 0).
                if (states is not null)
                {
                    Array.Clear(states);
                }
                while (r.Read())
                {
                    var seq = r.GetInt64(0);
                    if (seq < 0)
                    {
                        changed = (int)r.GetInt64(1);
                    }
                    else if (states is not null)
                    {
                        states[seq] = (int)r.GetInt64(1);
                    }
                }
            }
            else
            {
                // A merge into the store looks the batch's identities up among the stored events (only the identities
                // cross the wire), copies the new events straight into them (a stage would cost the copy twice and an
                // insert) and stages only the changed ones; it adds to the usage blocks the roll-ups summed here from the
                // batch, and marks their accounts.
                changed = merge.RunKnown(batch, order, repeats, StatesAgainstStored(order), states,
                    corrections =>
                    {
                        CopyEvents("usage_stage", corrections, staged: true);
                        // (Temporary tables are never analysed automatically: without statistics the planner takes the stage for tiny.)
                        c.Execute("UPDATE usage_stage SET state = 1; ANALYZE usage_stage", transaction: tx);
                    },
                    added => CopyEvents("usage_events", added, staged: false),
                    sql => c.Execute(sql, transaction: tx), accounts => engine.MarkTouched(c, tx, accounts));
            }
            batch.Clear();
            c.Execute(inbox ? "TRUNCATE usage_stage; RESET enable_hashjoin; RESET enable_mergejoin" : "TRUNCATE usage_stage", transaction: tx);
            return changed;
        }

        /// <summary>
        /// Sends events of the batch (by position) by binary COPY, in the order given: to the stage (with their positions)
        /// or to the stored events.
        /// </summary>
        private void CopyEvents(string table, IEnumerable<int> seqs, bool staged)
        {
            using var copy = c.BeginBinaryImport($"COPY {table} ({UsageMerge.StageColumns}{(staged ? ", seq" : "")}) FROM STDIN (FORMAT BINARY)");
            // One array for every row's identity: the copy takes its bytes as each is written.
            var identity = new byte[16];
            foreach (var seq in seqs)
            {
                var e = batch[seq];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(identity, e.Identity);
                copy.StartRow();
                copy.Write(identity, NpgsqlDbType.Bytea);
                copy.Write(e.Account, NpgsqlDbType.Bigint);
                copy.Write((long)e.Day, NpgsqlDbType.Bigint);
                copy.Write(e.Event, NpgsqlDbType.Bigint);
                Nullable(copy, e.UserKey);
                copy.Write(e.Count, NpgsqlDbType.Bigint);
                Nullable(copy, e.Value);
                copy.Write(e.OccurredAt, NpgsqlDbType.Bigint);
                Text(copy, batch.PropertiesOf(e));
                if (staged)
                {
                    copy.Write((long)seq, NpgsqlDbType.Bigint);
                }
            }
            copy.Complete();
        }

        /// <summary>
        /// Each staged event's state against the stored events (0 new, 1 changed, 2 unchanged; repeats included): the
        /// batch's identities are copied to a table of their own and joined with the stored events, whose matching rows
        /// are compared here. An empty store (a first import) is not looked in.
        /// </summary>
        private int[] StatesAgainstStored(int[] order)
        {
            var states = new int[batch.Count];
            if (!c.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM usage_events)", transaction: tx))
            {
                return states;
            }
            c.Execute("CREATE TEMP TABLE IF NOT EXISTS usage_keys (identity BYTEA NOT NULL, seq BIGINT NOT NULL); TRUNCATE usage_keys", transaction: tx);
            using (var copy = c.BeginBinaryImport("COPY usage_keys (identity, seq) FROM STDIN (FORMAT BINARY)"))
            {
                var identity = new byte[16];
                foreach (var seq in order)
                {
                    System.Buffers.Binary.BinaryPrimitives.WriteUInt128BigEndian(identity, batch[seq].Identity);
                    copy.StartRow();
                    copy.Write(identity, NpgsqlDbType.Bytea);
                    copy.Write((long)seq, NpgsqlDbType.Bigint);
                }
                copy.Complete();
            }
            // Temporary tables are never analysed automatically: without statistics the planner takes the keys for tiny.
            c.Execute("ANALYZE usage_keys; SET LOCAL work_mem = '256MB'", transaction: tx);
            foreach (var stored in blocks.Rows($"SELECT {UsageMerge.StoredColumns("e")}, k.seq FROM usage_keys k JOIN usage_events e ON e.identity = k.identity"))
            {
                var seq = (int)stored.GetInt64(9);
                states[seq] = batch.SameAsStored(seq, stored) ? 2 : 1;
            }
            c.Execute("TRUNCATE usage_keys", transaction: tx);
            return states;
        }

        // The users of a merge from which it pays to ask first whether the store holds any.
        private const int LargeUserMerge = 1_000;

        /// <summary>
        /// Keys the users the staged events name by id and this stage has not keyed yet: those stored before are looked up
        /// together, those seen for the first time are created (in the order of their ids: the users table's index on them
        /// is then written in order, and their keys follow it) and read back; all are added to <paramref name="keyed"/>.
        /// </summary>
        private void KeyUsers(List<(string UserId, long Key)>? keyed)
        {
            if (pending.Count == 0)
            {
                return;
            }
            var ids = pending.Keys.ToList();
            ids.Sort(StringComparer.Ordinal);
            // Into a store without users (a first import) a large merge's ids are not sent to be looked for; whether there
            // are users is asked once a stage, and not for a small merge (an HTTP batch's), where asking would cost the
            // round trip the look-up costs. A user another writer stores meanwhile meets the fallback below.
            if (ids.Count < LargeUserMerge || (usersStored ??= c.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM users)", transaction: tx)))
            {
                Take(c.Query<(string, long)>("SELECT u.user_id, u.user_key FROM unnest(@ids) AS t(id) JOIN users u ON u.user_id = t.id", new { ids = ids.ToArray() }, tx));
            }
            if (ids.Where(id => !userKeys.ContainsKey(id)).ToArray() is { Length: > 0 } fresh)
            {
                // Keys taken from the users' sequence (in increasing order, given in the order of the ids) and the users
                // copied with them: an insert returning every new user's key took three times as long. Another writer
                // creating one of these users meanwhile (not seen here before it commits) makes it fail on the id: they
                // are then created where still missing, and the others read back (the keys taken leave a gap, as a
                // transaction rolled back does).
                tx.Save("new_users");
                try
                {
                    var taken = engine.TakeKeys(c, tx, "users", "user_key", fresh.Length);
                    using (var copy = c.BeginBinaryImport("COPY users (user_key, user_id) FROM STDIN (FORMAT BINARY)"))
                    {
                        for (var i = 0; i < fresh.Length; i++)
                        {
                            copy.StartRow();
                            copy.Write(taken[i], NpgsqlDbType.Bigint);
                            copy.Write(fresh[i], NpgsqlDbType.Text);
                        }
                        copy.Complete();
                    }
                    Take(fresh.Zip(taken));
                }
                catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation)
                {
                    tx.Rollback("new_users");
                    Take(c.Query<(string, long)>(
                        """
                        WITH added AS (
                          INSERT INTO users (user_id) SELECT id FROM unnest(@ids) WITH ORDINALITY AS t(id, n) ORDER BY n
                          ON CONFLICT (user_id) DO NOTHING RETURNING user_id, user_key)
                        SELECT user_id, user_key FROM added
                        """, new { ids = fresh }, tx));
                    Take(c.Query<(string, long)>("SELECT user_id, user_key FROM users WHERE user_id = ANY(@ids)",
                        new { ids = fresh.Where(id => !userKeys.ContainsKey(id)).ToArray() }, tx));
                }
            }
            var keys = new long[pending.Count];
            foreach (var (id, place) in pending)
            {
                keys[place] = userKeys[id];
            }
            batch.KeyPending(keys);
            pending.Clear();

            void Take(IEnumerable<(string Id, long Key)> rows)
            {
                foreach (var (id, key) in rows)
                {
                    userKeys[id] = key;
                    keyed?.Add((id, key));
                }
            }
        }

        public void Dispose() => blocks.Dispose();
    }

    public IUsageBlockStore OpenUsageBlocks(DbConnection c, DbTransaction tx) => new BlockStore((NpgsqlConnection)c, (NpgsqlTransaction)tx);

    /// <summary>
    /// The usage blocks on the merge's connection: the blocks of a merge read in one query for all of their keys, and
    /// written back with binary COPY into a temporary table, then one upsert and one delete.
    /// </summary>
    private sealed class BlockStore(NpgsqlConnection c, NpgsqlTransaction tx) : IUsageBlockStore
    {
        public IEnumerable<IRowReader> Rows(string sql) => Read(new NpgsqlCommand(sql, c, tx));

        public byte[]?[] Load(IReadOnlyList<BlockKey> keys)
        {
            if (keys.Count == 0)
            {
                return [];
            }
            var cmd = new NpgsqlCommand(
                """
                SELECT b.account_key, b.block, b.cells FROM unnest(@accounts, @blocks) AS k(account_key, block)
                JOIN usage_blocks AS b ON b.account_key = k.account_key AND b.block = k.block ORDER BY b.account_key, b.block
                """, c, tx);
            cmd.Parameters.AddWithValue("accounts", keys.Select(k => k.Account).ToArray());
            cmd.Parameters.AddWithValue("blocks", keys.Select(k => k.Block).ToArray());
            return UsageBlocks.Matched(keys, Read(cmd));
        }

        /// <summary>The rows of a command (disposed once they are read).</summary>
        private static IEnumerable<IRowReader> Read(NpgsqlCommand command)
        {
            using var cmd = command;
            using var r = cmd.ExecuteReader();
            var row = new Row(r);
            while (r.Read())
            {
                yield return row;
            }
        }

        public void Save(IReadOnlyList<(BlockKey Key, byte[]? Cells)> blocks)
        {
            if (blocks.Count == 0)
            {
                return;
            }
            c.Execute("CREATE TEMP TABLE IF NOT EXISTS block_stage (account_key BIGINT NOT NULL, block INTEGER NOT NULL, cells BYTEA)", transaction: tx);
            using (var copy = c.BeginBinaryImport("COPY block_stage (account_key, block, cells) FROM STDIN (FORMAT BINARY)"))
            {
                foreach (var (key, cells) in blocks)
                {
                    copy.StartRow();
                    copy.Write(key.Account, NpgsqlDbType.Bigint);
                    copy.Write(key.Block, NpgsqlDbType.Integer);
                    if (cells is null)
                    {
                        copy.WriteNull();
                    }
                    else
                    {
                        copy.Write(cells, NpgsqlDbType.Bytea);
                    }
                }
                copy.Complete();
            }
            c.Execute(
                """
                INSERT INTO usage_blocks (account_key, block, cells) SELECT account_key, block, cells FROM block_stage WHERE cells IS NOT NULL ORDER BY account_key, block
                ON CONFLICT (account_key, block) DO UPDATE SET cells = excluded.cells;
                DELETE FROM usage_blocks AS b USING block_stage AS s WHERE s.cells IS NULL AND b.account_key = s.account_key AND b.block = s.block;
                TRUNCATE block_stage;
                """, transaction: tx);
        }

        public void Dispose()
        {
        }
    }
}
