using System.Reflection;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CustomerHealth.Store;

/// <summary>
/// The health store: opens the database, applies the versioned migrations it has not seen yet, and hands out
/// the connection the operations share.
/// </summary>
public sealed class StoreDb : IDisposable
{
    private StoreDb(SqliteConnection connection, string path)
    {
        Connection = connection;
        Path = path;
    }

    public SqliteConnection Connection { get; }
    public string Path { get; }

    /// <summary>Opens (creating if needed) a SQLite store and brings its schema up to date.</summary>
    public static StoreDb Open(string target)
    {
        if (target.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || target.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            throw new StoreException("PostgreSQL stores are not supported by this build yet; use a SQLite file path.");
        }
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(target));
        if (dir is not null && !Directory.Exists(dir))
        {
            throw new StoreException($"cannot open the store {target}: folder {dir} does not exist");
        }
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = target, Pooling = false }.ToString());
        connection.Open();
        connection.Execute("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=30000; PRAGMA foreign_keys=OFF; PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;");
        var db = new StoreDb(connection, target);
        db.Migrate();
        return db;
    }

    public int SchemaVersion => Connection.ExecuteScalar<int>("PRAGMA user_version");

    private void Migrate()
    {
        var assembly = typeof(StoreDb).Assembly;
        var scripts = assembly.GetManifestResourceNames()
            .Where(n => n.Contains(".Schema.sqlite.", StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Select(n => (Name: n, Version: int.Parse(n.Split('.')[^2][..4], System.Globalization.CultureInfo.InvariantCulture)))
            .OrderBy(s => s.Version)
            .ToList();
        using var tx = Connection.BeginTransaction(System.Data.IsolationLevel.Serializable);
        var current = Connection.ExecuteScalar<int>("PRAGMA user_version", transaction: tx);
        foreach (var (name, version) in scripts.Where(s => s.Version > current))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            Connection.Execute(reader.ReadToEnd(), transaction: tx);
            Connection.Execute($"PRAGMA user_version = {version}", transaction: tx);
        }
        tx.Commit();
    }

    public string? Setting(string key) => Connection.ExecuteScalar<string?>("SELECT value FROM settings WHERE key = @key", new { key });

    public void SetSetting(string key, string value) =>
        Connection.Execute("INSERT INTO settings (key, value) VALUES (@key, @value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", new { key, value });

    /// <summary>A consistent copy of the store, taken while it may be in use (SQLite's online backup).</summary>
    public void Backup(string file)
    {
        if (File.Exists(file))
        {
            throw new StoreException($"{file} already exists; choose a new file name for the backup");
        }
        using var target = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = file, Pooling = false }.ToString());
        target.Open();
        Connection.BackupDatabase(target);
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
