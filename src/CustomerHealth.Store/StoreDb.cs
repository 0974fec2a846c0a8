using System.Data.Common;
using System.Reflection;
using CustomerHealth.Store.Engines;
using Dapper;
using Microsoft.Data.Sqlite;
using Npgsql;

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

    public DbConnection Connection { get; }

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
        if (IsPostgres && rows >= BulkRows)
        {
            // One statement per table; a bare ANALYZE is given as text (Dapper would take a one-word command for a stored procedure).
            Connection.Execute(tables.Length == 0 ? "ANALYZE" : string.Join("; ", tables.Select(t => "ANALYZE " + t)), commandType: System.Data.CommandType.Text);
        }
    }

    /// <summary>How to name the store to a person: the file, or the PostgreSQL server and database (never a password).</summary>
    public string DisplayName => IsPostgres ? "PostgreSQL " + PostgresEngine.Describe(Path) : Path;

    public bool IsPostgres => Engine is PostgresEngine;

    /// <summary>True for a value of `--db` that names a PostgreSQL server rather than a file.</summary>
    public static bool IsPostgresTarget(string target) =>
        target.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) ||
        target.StartsWith("Host=", StringComparison.OrdinalIgnoreCase);

    private const long WalCheckpointBytes = 80L << 20;

    /// <summary>Opens (creating if needed) a store and brings its schema up to date.</summary>
    public static StoreDb Open(string target)
    {
        StoreDb db;
        if (IsPostgresTarget(target))
        {
            string cs;
            try
            {
                cs = PostgresEngine.ConnectionString(target);
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
                throw new StoreException($"cannot connect to PostgreSQL ({PostgresEngine.Describe(cs)}): {Secrets.Redact(e.Message)}");
            }
            db = new StoreDb(connection, cs, new PostgresEngine());
        }
        else
        {
            var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(target));
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
            connection.Execute("PRAGMA page_size=65536; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=600000; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
            // The write-ahead log is copied back into the file once it holds about 80 MB, whatever the page size.
            connection.Execute($"PRAGMA wal_autocheckpoint={WalCheckpointBytes / connection.ExecuteScalar<long>("PRAGMA page_size")}");
            SqliteEngine.AddFunctions(connection);
            db = new StoreDb(connection, target, new SqliteEngine());
        }
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

    /// <summary>The SQLite connection of an SQLite store (for the paths that use SQLite's own API).</summary>
    internal SqliteConnection Sqlite => (SqliteConnection)Connection;

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
            Engine.SetSchemaVersion(Connection, tx, version);
        }
        tx.Commit();
    }

    /// <summary>Whether any account is stored (a store the demo may not fill with its made-up portfolio).</summary>
    public bool HoldsAccounts => Connection.ExecuteScalar<int>("SELECT CASE WHEN EXISTS (SELECT 1 FROM accounts) THEN 1 ELSE 0 END") == 1;

    public string? Setting(string key) => Connection.ExecuteScalar<string?>("SELECT value FROM settings WHERE key = @key", new { key });

    public void SetSetting(string key, string value) =>
        Connection.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", new { key, value });

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
