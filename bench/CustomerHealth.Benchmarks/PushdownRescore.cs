using System.Diagnostics;
using System.Globalization;
using System.Text;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Store.Scoring;
using DuckDB.NET.Data;
using Npgsql;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// The full rescore with usage computed where it lives (docs/scale.md), beside the built-in engine: one portfolio
/// (N accounts, usage in sessions over 90 days, the other kinds) scored with the 20-measure model (6 of its measures
/// read usage) from an SQLite store holding every kind; then from stores holding every kind but usage, which a source
/// computes in PostgreSQL (a table loaded with COPY; CHS_BENCH_POSTGRES names the server), in ClickHouse (a `Distributed`
/// table over two shards, the accounts split between them; CHS_BENCH_CLICKHOUSE and CHS_BENCH_CLICKHOUSE_SHARD2 name the
/// shards, as scripts/clickhouse starts them), in a DuckDB database file, and in DuckDB over Parquet files. Each run's scores are checked equal to the built-in ones (to 1e-9).
/// </summary>
internal static class PushdownRescore
{
    public static void Run(int accounts, long usageEvents)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chs-bench-pushdown-" + Guid.NewGuid().ToString("N")[..8]);
        var others = Path.Combine(dir, "others");
        Directory.CreateDirectory(others);
        string? warehouse = null;
        try
        {
            Portfolios.WriteOthers(others, accounts, 5);
            var usage = Path.Combine(dir, "usage.csv");
            var written = Portfolios.WriteSessionUsage(usage, accounts, usageEvents, 90, 6);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated: {accounts:N0} accounts, {written:N0} usage events over 90 days in sessions"));

            // The built-in engine: every kind imported.
            using var builtIn = Store(Path.Combine(dir, "builtin.db"), others);
            var watch = Stopwatch.StartNew();
            new Importer(builtIn, TimeProvider.System).ImportFile(CustomerHealth.Core.Signals.ImportKind.Usage, usage, new ImportOptions());
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"built-in: usage imported into SQLite in {watch.Elapsed.TotalSeconds:0.0} s"));
            var expected = Rescore("built-in (SQLite, usage imported)", builtIn);

            if (Environment.GetEnvironmentVariable("CHS_BENCH_POSTGRES") is { Length: > 0 } server)
            {
                warehouse = Database(server);
                watch.Restart();
                using (var c = new NpgsqlConnection(warehouse))
                {
                    c.Open();
                    using (var create = new NpgsqlCommand("CREATE TABLE product_events (account_id TEXT, occurred_at TIMESTAMPTZ, event TEXT, user_id TEXT, event_id TEXT)", c))
                    {
                        create.ExecuteNonQuery();
                    }
                    using (var copy = c.BeginTextImport("COPY product_events FROM STDIN (FORMAT csv, HEADER true)"))
                    {
                        copy.Write(File.ReadAllText(usage));
                    }
                    using var analyze = new NpgsqlCommand("ANALYZE product_events", c);
                    analyze.ExecuteNonQuery();
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL: usage loaded with COPY in {watch.Elapsed.TotalSeconds:0.0} s"));
                Pushed("PostgreSQL table", dir, others, expected, "postgres", warehouse, RelationType.Table, "product_events");
            }
            else
            {
                Console.WriteLine("PostgreSQL: skipped (CHS_BENCH_POSTGRES is not set; scripts/bench sets it)");
            }

            if (Environment.GetEnvironmentVariable("CHS_BENCH_CLICKHOUSE") is { Length: > 0 } shard1
                && Environment.GetEnvironmentVariable("CHS_BENCH_CLICKHOUSE_SHARD2") is { Length: > 0 } shard2)
            {
                watch.Restart();
                var database = "chs_bench_" + Guid.NewGuid().ToString("N")[..10];
                ClickHouse.Load(shard1, shard2, database, usage);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ClickHouse: usage loaded into two shards (HTTP, CSV) in {watch.Elapsed.TotalSeconds:0.0} s"));
                try
                {
                    Pushed("ClickHouse, 2 shards", dir, others, expected, "clickhouse", ClickHouse.In(shard1, database), RelationType.Table, "product_events");
                }
                finally
                {
                    ClickHouse.Drop(shard1, shard2, database);
                }
            }
            else
            {
                Console.WriteLine("ClickHouse: skipped (CHS_BENCH_CLICKHOUSE and CHS_BENCH_CLICKHOUSE_SHARD2 are not set; scripts/bench sets them)");
            }

            var duckFile = Path.Combine(dir, "warehouse.duckdb");
            var parquet = Path.Combine(dir, "usage.parquet");
            watch.Restart();
            using (var duck = new DuckDBConnection($"Data Source={duckFile}"))
            {
                duck.Open();
                using var load = duck.CreateCommand();
                load.CommandText = $"CREATE TABLE product_events AS SELECT * FROM read_csv('{usage}', header = true); COPY product_events TO '{parquet}' (FORMAT parquet)";
                load.ExecuteNonQuery();
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"DuckDB: usage loaded into a database file and written as Parquet in {watch.Elapsed.TotalSeconds:0.0} s"));
            Pushed("DuckDB database file", dir, others, expected, "duckdb", duckFile, RelationType.Table, "product_events");
            Pushed("DuckDB over Parquet", dir, others, expected, "duckdb", "", RelationType.Files, parquet);
        }
        finally
        {
            if (warehouse is not null)
            {
                Drop(warehouse);
            }
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>A new SQLite store with the model and every kind but usage.</summary>
    private static StoreDb Store(string path, string others)
    {
        var db = StoreDb.Open(path);
        new ModelVersions(db, TimeProvider.System).Publish(BenchModels.TwentyMeasures(), "bench.yaml");
        new Importer(db, TimeProvider.System).ImportDirectory(others, new ImportOptions());
        return db;
    }

    private static void Pushed(string what, string dir, string others, Dictionary<string, double?> expected, string engine, string connection, RelationType type, string relation)
    {
        using var db = Store(Path.Combine(dir, Guid.NewGuid().ToString("N")[..8] + ".db"), others);
        new ExternalSources(db, TimeProvider.System).Add("bench", "usage", engine, connection, type, relation, null, "bench");
        var got = Rescore(what, db);
        // The engine's own share: the six usage measures' queries for the day, each returning one row per account.
        var models = new ModelVersions(db, TimeProvider.System);
        var accounts = SignalLoader.Settle(db).LoadAll(TimeZoneInfo.Utc).Accounts;
        using (var session = PushdownSession.For(db, TimeProvider.System, new CustomerHealth.Core.Scoring.ScoringPlan(models.RequireCurrent().Model))!)
        {
            var queries = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var watch = Stopwatch.StartNew();
                session.Values(Portfolios.End, accounts);
                queries.Add(watch.Elapsed.TotalSeconds);
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{what}: the 6 usage measures' SQL {string.Join(" / ", queries.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s = {queries.Min() / 6:0.000} s a measure at best"));
        }
        var differ = expected.Count(e => !got.TryGetValue(e.Key, out var g) || (e.Value is null) != (g is null) || (e.Value is { } x && Math.Abs(x - g!.Value) > 1e-9));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: scores equal to the built-in engine's for {expected.Count - differ:N0} of {expected.Count:N0} accounts{(differ == 0 ? "" : $" ({differ:N0} DIFFER)")}"));
    }

    /// <summary>Three full rescores of the portfolio's last day, timed; the scores of the last.</summary>
    private static Dictionary<string, double?> Rescore(string what, StoreDb db)
    {
        var models = new ModelVersions(db, TimeProvider.System);
        var run = new ScoringRun(db, models);
        var times = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            var watch = Stopwatch.StartNew();
            run.ScoreRange(Portfolios.End, Portfolios.End, 1);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: full rescore {string.Join(" / ", times.Select(t => t.ToString("0.00", CultureInfo.InvariantCulture)))} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB"));
        var asOf = Portfolios.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new CustomerHealth.Store.Reading.AccountReader(db, models).List(new CustomerHealth.Store.Reading.AccountQuery(IncludeChurned: true))
            .Where(r => r.ScoredOn == asOf).ToDictionary(r => r.AccountId, r => r.Score, StringComparer.Ordinal);
    }

    private static string Database(string server)
    {
        var name = "chs_bench_wh_" + Guid.NewGuid().ToString("N")[..10];
        using var c = new NpgsqlConnection(server);
        c.Open();
        using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", c);
        cmd.ExecuteNonQuery();
        return new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = false }.ConnectionString;
    }

    private static void Drop(string warehouse)
    {
        var name = new NpgsqlConnectionStringBuilder(warehouse).Database;
        using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(warehouse) { Database = "postgres" }.ConnectionString);
        c.Open();
        using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", c);
        cmd.ExecuteNonQuery();
    }

    /// <summary>A ClickHouse warehouse of two shards: each holds the events of half of the accounts, a `Distributed` table reads both.</summary>
    private static class ClickHouse
    {
        private const string Columns = "(account_id String, occurred_at DateTime('UTC'), event String, user_id Nullable(String), event_id String)";

        public static string In(string cs, string database) =>
            new global::ClickHouse.Driver.ADO.ClickHouseConnectionStringBuilder(cs) { Database = database }.ConnectionString;

        public static void Load(string shard1, string shard2, string database, string usage)
        {
            var parts = new[] { new StringBuilder(), new StringBuilder() };
            foreach (var line in File.ReadLines(usage).Skip(1))
            {
                var comma = line.IndexOf(',', StringComparison.Ordinal);
                var account = int.Parse(line.AsSpan(1, comma - 1), CultureInfo.InvariantCulture);
                // The timestamp as ClickHouse's CSV reads a DateTime: `2026-01-02 10:00:00`.
                var at = line.AsSpan(comma + 1, 20);
                parts[account % 2].Append(line.AsSpan(0, comma + 1)).Append(at[..10]).Append(' ').Append(at[11..19]).Append(line.AsSpan(comma + 21)).Append('\n');
            }
            foreach (var (shard, part) in new[] { (shard1, parts[0]), (shard2, parts[1]) })
            {
                Execute(shard, $"CREATE DATABASE {database}");
                Execute(shard, $"CREATE TABLE {database}.events_local {Columns} ENGINE = MergeTree ORDER BY (account_id, occurred_at)");
                using var c = Open(shard);
                using var body = new MemoryStream(Encoding.UTF8.GetBytes(part.ToString()));
                using var response = c.PostStreamAsync($"INSERT INTO {database}.events_local FORMAT CSV", body, false, CancellationToken.None).GetAwaiter().GetResult();
                response.EnsureSuccessStatusCode();
            }
            Execute(shard1, $"CREATE TABLE {database}.product_events {Columns} ENGINE = Distributed(chs, {database}, events_local)");
        }

        public static void Drop(string shard1, string shard2, string database)
        {
            Execute(shard1, $"DROP DATABASE IF EXISTS {database}");
            Execute(shard2, $"DROP DATABASE IF EXISTS {database}");
        }

        private static global::ClickHouse.Driver.ADO.ClickHouseConnection Open(string cs)
        {
            var c = new global::ClickHouse.Driver.ADO.ClickHouseConnection(new global::ClickHouse.Driver.ADO.ClickHouseConnectionStringBuilder(cs)
            {
                JsonReadMode = global::ClickHouse.Driver.JsonReadMode.None, JsonWriteMode = global::ClickHouse.Driver.JsonWriteMode.None,
            }.ConnectionString);
            c.Open();
            return c;
        }

        private static void Execute(string cs, string sql)
        {
            using var c = Open(cs);
            using var command = c.CreateCommand();
            command.CommandText = sql;
            command.ExecuteNonQuery();
        }
    }
}
