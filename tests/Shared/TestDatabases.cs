#pragma warning disable IDE0130 // shared by the test projects, linked into each
using Npgsql;

namespace CustomerHealth.Tests;

/// <summary>The two stores every store and command-line test runs against.</summary>
public enum TestEngine
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Fresh PostgreSQL databases on the throwaway server that scripts/test starts (its address is in
/// CHS_TEST_POSTGRES). A test that needs PostgreSQL fails when there is none; it never skips.
/// </summary>
internal static class TestPostgres
{
    public static string Server =>
        Environment.GetEnvironmentVariable("CHS_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                "PostgreSQL tests need a server: run scripts/test (it starts a throwaway PostgreSQL), or set CHS_TEST_POSTGRES to a server's connection string.");

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public static string CreateDatabase()
    {
        var name = "chs_t_" + Guid.NewGuid().ToString("N")[..16];
        using (var c = new NpgsqlConnection(Server))
        {
            c.Open();
            using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
            cmd.ExecuteNonQuery();
        }
        return new NpgsqlConnectionStringBuilder(Server) { Database = name, Pooling = false }.ConnectionString;
    }

    public static void DropDatabase(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database;
        using var c = new NpgsqlConnection(Server);
        c.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        cmd.ExecuteNonQuery();
    }
}
