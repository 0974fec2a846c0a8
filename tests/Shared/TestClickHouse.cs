using System.Text;
using ClickHouse.Driver;
using ClickHouse.Driver.ADO;

#pragma warning disable IDE0130 // shared by the test projects, linked into each
namespace CustomerHealth.Tests;

/// <summary>
/// The throwaway ClickHouse cluster of two shards that scripts/test starts (scripts/clickhouse; shard 1's HTTP address in
/// CHS_TEST_CLICKHOUSE, shard 2's in CHS_TEST_CLICKHOUSE_SHARD2; both know the cluster `chs`). A test that needs it fails
/// when there is none; it never skips.
/// </summary>
internal static class TestClickHouse
{
    /// <summary>Shard 1's connection string (user `default`).</summary>
    public static string Server => Shard("CHS_TEST_CLICKHOUSE");

    private static string Shard(string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException(
                $"ClickHouse tests need a cluster of two shards: run scripts/test (it starts one with scripts/clickhouse), or set {variable}.");

    /// <summary>The two shards' connection strings, each to a new database of the same name (the user `default`).</summary>
    public static (string Name, string Shard1, string Shard2) CreateDatabase()
    {
        var name = "chs_t_" + Guid.NewGuid().ToString("N")[..16];
        var shards = new[] { Server, Shard("CHS_TEST_CLICKHOUSE_SHARD2") };
        foreach (var shard in shards)
        {
            Execute(shard, $"CREATE DATABASE {name}");
        }
        return (name, With(shards[0], name), With(shards[1], name));
    }

    public static void DropDatabase((string Name, string Shard1, string Shard2) db)
    {
        foreach (var shard in new[] { db.Shard1, db.Shard2 })
        {
            Execute(shard, $"DROP DATABASE IF EXISTS {db.Name}");
        }
    }

    /// <summary>The connection string as the user `warehouse` (with its password), as a team would give a source.</summary>
    public static string AsWarehouse(string cs) =>
        new ClickHouseConnectionStringBuilder(cs) { Username = "warehouse", Password = "warehouse-secret" }.ConnectionString;

    private static string With(string cs, string database) => new ClickHouseConnectionStringBuilder(cs) { Database = database }.ConnectionString;

    public static void Execute(string cs, string sql)
    {
        using var c = new ClickHouseConnection(new ClickHouseConnectionStringBuilder(cs) { JsonReadMode = JsonReadMode.None, JsonWriteMode = JsonWriteMode.None }.ConnectionString);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static string Query(string cs, string sql)
    {
        using var c = new ClickHouseConnection(new ClickHouseConnectionStringBuilder(cs) { JsonReadMode = JsonReadMode.None, JsonWriteMode = JsonWriteMode.None }.ConnectionString);
        c.Open();
        using var command = c.CreateCommand();
        command.CommandText = sql + " FORMAT TabSeparated";
        using var result = command.ExecuteRawResultAsync(CancellationToken.None).GetAwaiter().GetResult();
        using var reader = new StreamReader(result.ReadDecompressedStreamAsync().GetAwaiter().GetResult(), Encoding.UTF8);
        return reader.ReadToEnd().TrimEnd('\n');
    }
}
