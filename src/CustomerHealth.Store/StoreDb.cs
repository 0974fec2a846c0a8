using System.Data.Common;
using System.Reflection;
using CustomerHealth.Store.Engines;
using Dapper;

namespace CustomerHealth.Store;

/// <summary>
/// The health store: opens the database (an SQLite file, or PostgreSQL for a team), applies the versioned
/// migrations it has not seen yet, and hands out the connection the operations share.
/// </summary>
public sealed class StoreDb : IDisposable
{
    private StoreDb(DbConnection connection, string target, IStoreEngine engine)
    {
        Connection = connection;
        Path = target;
        Engine = engine;
    }

    /// <summary>The connection the store's operations share; hosts call the operations, never SQL of their own.</summary>
    internal DbConnection Connection { get; }

    /// <summary>The SQLite file, or the PostgreSQL connection string.</summary>
    public string Path { get; }

    internal IStoreEngine Engine { get; }

    /// <summary>The account and user keys this connection has seen stored, when it keeps them (<see cref="KeepKeys"/>).</summary>
    internal Import.KnownKeys? KnownKeys { get; private set; }

    /// <summary>
    /// Keeps the keys of accounts and usage users seen by this connection's imports, so that later imports through it
    /// find them without the store: for a connection that imports often, such as the server's ingest writer.
    /// </summary>
    public void KeepKeys() => KnownKeys ??= new Import.KnownKeys();

    /// <summary>The turns at writing this connection shares with the others of its process (SQLite only; see <see cref="WriteTurns"/>).</summary>
    public WriteTurns? Turns { get; set; }

    /// <summary>Waits for this connection's turn to write, when it shares turns; taken before each write transaction.</summary>
    public IDisposable WriteTurn() => Turns?.Take() ?? NoTurn.Instance;

    private sealed class NoTurn : IDisposable
    {
        public static readonly NoTurn Instance = new();

        public void Dispose()
        {
        }
    }

    /// <summary>A write of at least this many rows is a bulk load: on PostgreSQL the statistics are taken again after it.</summary>
    internal const int BulkRows = 100_000;

    /// <summary>
    /// After a write of <paramref name="rows"/> rows, on PostgreSQL, takes the statistics of the tables (all when none
    /// are named) again when the write was a bulk load. Autovacuum analyses a table only a while after it changed much;
    /// until then the planner reads old statistics, and the dashboard's queries on a freshly loaded store can take ten
    /// times as long. SQLite's planner keeps no such statistics here.
    /// </summary>
    internal void AnalyzeAfterBulk(long rows, params string[] tables)
    {
        if (rows >= BulkRows && Engine.Analyze(tables) is { } analyze)
        {
            Connection.Execute(analyze, commandType: System.Data.CommandType.Text);
        }
    }

    /// <summary>How to name the store to a person: the file, or the PostgreSQL server and database (never a password).</summary>
    public string DisplayName => Engine.DisplayName(Path);

    /// <summary>
    /// Hears, until disposed, each time another server of the store writes marks or usage (<paramref name="heard"/> is
    /// called on another thread); null where one server works on the store.
    /// </summary>
    public IDisposable? HearWork(Action heard) => Engine.HearWork(Path, heard);

    /// <summary>The one place that picks the engine of a store, from its `--db` address.</summary>
    private static IStoreEngine EngineFor(string target) => PostgresEngine.IsTarget(target) ? new PostgresEngine() : new SqliteEngine();

    /// <summary>How the writers of one process share the store at an address (known before it is opened).</summary>
    public static StoreWriting Writing(string target) => EngineFor(target).Writing;

    /// <summary>Whether the address names a store file that does not exist (a PostgreSQL store is created by the first open).</summary>
    public static bool IsMissingFile(string target) => EngineFor(target).IsMissing(target);

    /// <summary>Removes a store file the product made and no one else uses (the demo's), with its side files.</summary>
    /// <param name="target">The store's address, as <c>--db</c> gives it.</param>
    public static void Remove(string target) => EngineFor(target).Remove(target);

    /// <summary>Opens (creating if needed) a store and brings its schema up to date.</summary>
    public static StoreDb Open(string target)
    {
        var engine = EngineFor(target);
        var (connection, path) = engine.Connect(target);
        var db = new StoreDb(connection, path, engine);
        try
        {
            db.Migrate();
        }
        catch
        {
            db.Dispose();
            throw;
        }
        return db;
    }

    /// <summary>
    /// Sets this connection up as the process's busy writer (<see cref="StoreWriting"/>): a larger cache, and with
    /// <see cref="StoreWriting.Checkpoints"/> it leaves copying the write-ahead log to <see cref="Checkpoint"/> on another connection.
    /// </summary>
    public void TuneForBusyWriter() => Engine.TuneForBusyWriter(Connection);

    /// <summary>Copies the write-ahead log into the store without blocking its writer (a passive checkpoint), where the store keeps one for that.</summary>
    public void Checkpoint() => Engine.Checkpoint(Connection);

    /// <summary>
    /// True when a store operation failed because the disk holding the store is full (SQLite's SQLITE_FULL or an I/O
    /// error writing, PostgreSQL's disk_full 53100): the transaction was rolled back, and the store is as before it.
    /// </summary>
    public static bool IsDiskFull(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (SqliteEngine.IsDiskFull(x) || PostgresEngine.IsDiskFull(x))
            {
                return true;
            }
        }
        return false;
    }

    public int SchemaVersion => Engine.SchemaVersion(Connection, null);

    private void Migrate()
    {
        var assembly = typeof(StoreDb).Assembly;
        var folder = $".Schema.{Engine.SchemaFolder}.";
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(folder, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: int.Parse(n.Split('.')[^2][..4], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Version)
            .ToList();
        // Most opens find the schema current: checking first keeps readers from taking the write lock on every open.
        if (scripts[^1].Version <= Engine.SchemaVersion(Connection, null))
        {
            return;
        }
        using var tx = Connection.BeginTransaction(System.Data.IsolationLevel.Serializable);
        Engine.LockForMigration(Connection, tx);
        var current = Engine.SchemaVersion(Connection, tx);
        foreach (var (name, version) in scripts.Where(s => s.Version > current))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            Connection.Execute(reader.ReadToEnd(), transaction: tx);
            if (version == Engines.UsageBlocks.MigrationVersion)
            {
                using var blocks = Engine.OpenUsageBlocks(Connection, tx);
                Engines.UsageBlocks.FromRollUps(blocks);
            }
            Engine.SetSchemaVersion(Connection, tx, version);
        }
        tx.Commit();
    }

    /// <summary>Whether any account is stored (a store the demo may not fill with its made-up portfolio).</summary>
    public bool HoldsAccounts => Connection.ExecuteScalar<int>("SELECT CASE WHEN EXISTS (SELECT 1 FROM accounts) THEN 1 ELSE 0 END") == 1;

    public string? Setting(string key) => Connection.ExecuteScalar<string?>("SELECT value FROM settings WHERE key = @key", new { key });

    public void SetSetting(string key, string value) =>
        Connection.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", new { key, value });

    /// <summary>
    /// Claims a piece of work shared by the servers of a store until <paramref name="until"/>: one conditional write, so
    /// of several servers asking at once one gets it; a claim that was not released (its server died) runs out at its time.
    /// </summary>
    /// <returns>True when this caller holds the claim.</returns>
    public bool Claim(string key, DateTimeOffset now, DateTimeOffset until)
    {
        using var turn = WriteTurn();
        return Connection.Execute(
            "INSERT INTO settings (key, value) VALUES (@key, @until) ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE settings.value < @now",
            new { key, now = StoredDates.Stamp(now), until = StoredDates.Stamp(until) }) == 1;
    }

    /// <summary>Releases a claim made with <see cref="Claim"/>, so that the next server due may take the work at once.</summary>
    public void Release(string key)
    {
        using var turn = WriteTurn();
        Connection.Execute("UPDATE settings SET value = '' WHERE key = @key", new { key });
    }

    /// <summary>A consistent copy of the store, taken while it may be in use.</summary>
    public void Backup(string file)
    {
        if (File.Exists(file))
        {
            throw new StoreException($"{file} already exists; choose a new file name for the backup");
        }
        Engine.Backup(this, file);
    }

    public void Dispose() => Connection.Dispose();

    internal static string EmbeddedText(string suffix)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var name = assembly.GetManifestResourceNames().Single(n => n.EndsWith(suffix, StringComparison.Ordinal));
        using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
        return reader.ReadToEnd();
    }
}

/// <summary>A problem with the store or a request to it that the user can act on.</summary>
public sealed class StoreException(string message) : Exception(message);
