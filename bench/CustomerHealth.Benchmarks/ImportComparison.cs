using System.Diagnostics;
using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// The same usage CSV imported by `chs` (de-duplicated, rolled up) and by `sqlite3 .import` into a plain table,
/// the reference SPEC §12 names; then imported again by `chs` (every row unchanged).
/// </summary>
internal static class ImportComparison
{
    /// <summary>The same file into a new PostgreSQL database: `chs` (binary COPY into a stage, then the merge) against COPY into a plain table.</summary>
    private static void Postgres(string server, string csv, long events)
    {
        var name = "chs_bench_" + Guid.NewGuid().ToString("N")[..8];
        using (var admin = new Npgsql.NpgsqlConnection(server))
        {
            admin.Open();
            using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE {name}", admin);
            create.ExecuteNonQuery();
        }
        var cs = new Npgsql.NpgsqlConnectionStringBuilder(server) { Database = name }.ConnectionString;
        try
        {
            var watch = Stopwatch.StartNew();
            using (var db = StoreDb.Open(cs))
            {
                var importer = new Importer(db, TimeProvider.System);
                var first = importer.ImportFile(ImportKind.Usage, csv, new ImportOptions());
                var chs = watch.Elapsed.TotalSeconds;
                watch.Restart();
                importer.ImportFile(ImportKind.Usage, csv, new ImportOptions());
                var again = watch.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"chs import usage into PostgreSQL: {first.Changed:N0} events in {chs:0.00} s = {first.Changed / chs:N0} events/s; again (all unchanged): {again:0.00} s = {events / again:N0} events/s"));
            }
            using var c = new Npgsql.NpgsqlConnection(cs);
            c.Open();
            using (var t = new Npgsql.NpgsqlCommand("CREATE TABLE plain (account_id text, occurred_at text, event text, user_id text, event_id text)", c))
            {
                t.ExecuteNonQuery();
            }
            watch.Restart();
            using (var writer = c.BeginTextImport("COPY plain FROM STDIN (FORMAT csv, HEADER true)"))
            using (var reader = new StreamReader(csv))
            {
                var buffer = new char[1 << 16];
                int n;
                while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
                {
                    writer.Write(buffer, 0, n);
                }
            }
            var copy = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"PostgreSQL COPY into a plain table: {events:N0} rows in {copy:0.00} s = {events / copy:N0} rows/s"));
        }
        finally
        {
            Npgsql.NpgsqlConnection.ClearAllPools();
            using var admin = new Npgsql.NpgsqlConnection(server);
            admin.Open();
            using var drop = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", admin);
            drop.ExecuteNonQuery();
        }
    }

    public static void Run(long events)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chs-bench-import-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var csv = Path.Combine(dir, "usage.csv");
            Portfolios.WriteUsage(csv, accounts: 10_000, events, days: 90, seed: 11);
            var watch = Stopwatch.StartNew();
            using (var db = StoreDb.Open(Path.Combine(dir, "chs.db")))
            {
                var importer = new Importer(db, TimeProvider.System);
                var first = importer.ImportFile(ImportKind.Usage, csv, new ImportOptions());
                var chs = watch.Elapsed.TotalSeconds;
                watch.Restart();
                var again = importer.ImportFile(ImportKind.Usage, csv, new ImportOptions());
                var reimport = watch.Elapsed.TotalSeconds;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"chs import usage: {first.Changed:N0} events in {chs:0.00} s = {first.Changed / chs:N0} events/s; again (all {again.Unchanged:N0} unchanged): {reimport:0.00} s = {events / reimport:N0} events/s"));
            }
            watch.Restart();
            var psi = new ProcessStartInfo("sqlite3")
            {
                ArgumentList =
                {
                    Path.Combine(dir, "plain.db"), "-cmd", "CREATE TABLE usage (account_id TEXT, occurred_at TEXT, event TEXT, user_id TEXT, event_id TEXT)",
                    ".import --csv --skip 1 " + csv + " usage",
                },
                RedirectStandardError = true,
            };
            using var p = Process.Start(psi) ?? throw new InvalidOperationException("sqlite3 is not installed (apt-get install sqlite3)");
            p.WaitForExit();
            var plain = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sqlite3 .import into a plain table: {events:N0} rows in {plain:0.00} s = {events / plain:N0} rows/s"));
            if (Environment.GetEnvironmentVariable("CHS_BENCH_POSTGRES") is { Length: > 0 } server)
            {
                Postgres(server, csv, events);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
