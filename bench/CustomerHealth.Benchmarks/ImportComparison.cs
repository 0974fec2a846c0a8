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
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
