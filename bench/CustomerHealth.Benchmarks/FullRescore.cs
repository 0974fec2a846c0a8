using System.Diagnostics;
using System.Globalization;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// End to end: builds a store of N accounts (usage over 90 days plus surveys, tickets, invoices), then times a
/// full rescore with the 20-measure model and reports the process's peak memory.
/// </summary>
internal static class FullRescore
{
    public static void Run(int accounts, long usageEvents, string? store = null, bool backfill = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chs-bench-rescore-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            Portfolios.WriteOthers(dir, accounts, 5);
            var written = Portfolios.WriteSessionUsage(Path.Combine(dir, "usage.csv"), accounts, usageEvents, 90, 6);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"generated: {accounts:N0} accounts, {written:N0} usage events over 90 days in sessions"));
            using var db = StoreDb.Open(store ?? Path.Combine(dir, "bench.db"));
            var models = new ModelVersions(db, TimeProvider.System);
            models.Publish(BenchModels.TwentyMeasures(), "bench.yaml");
            var watch = Stopwatch.StartNew();
            var results = new Importer(db, TimeProvider.System).ImportDirectory(dir, new ImportOptions());
            var importSeconds = watch.Elapsed.TotalSeconds;
            var usage = results.Single(r => r.Kind == "usage");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"import: {accounts:N0} accounts, {usage.Rows:N0} usage events and the other kinds in {importSeconds:0.0} s ({usage.Rows / importSeconds:N0} rows/s overall)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"roll-ups: {Dapper.SqlMapper.ExecuteScalar<long>(db.Connection, "SELECT count(*) FROM usage_daily"):N0} account-day-event rows, {Dapper.SqlMapper.ExecuteScalar<long>(db.Connection, "SELECT count(*) FROM usage_users"):N0} account-day-event-user rows"));
            var run = new ScoringRun(db, models);
            for (var i = 0; i < 3; i++)
            {
                watch.Restart();
                // ScoreRange always scores every account (Score would rescore only touched ones on the second run).
                var summary = run.ScoreRange(Portfolios.End, Portfolios.End, 1)[0];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"full rescore #{i + 1}: {summary.AccountsScored:N0} accounts × 20 measures in {watch.Elapsed.TotalSeconds:0.00} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB"));
            }
            // An import that touches 100 accounts, then the same day scored again: only those are rescored.
            var touched = Path.Combine(dir, "touch.csv");
            File.WriteAllLines(touched, new[] { "account_id,kind,score,responded_at" }.Concat(
                Enumerable.Range(0, 100).Select(i => string.Create(CultureInfo.InvariantCulture, $"A{i * (accounts / 100):000000},nps,{i % 11},{Portfolios.End:yyyy-MM-dd}T08:00:00Z"))));
            new Importer(db, TimeProvider.System).ImportFile(CustomerHealth.Core.Signals.ImportKind.Surveys, touched, new ImportOptions());
            watch.Restart();
            run.Score(Portfolios.End);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"rescore after an import touching 100 accounts: {watch.Elapsed.TotalSeconds:0.00} s"));
            if (backfill)
            {
                watch.Restart();
                var weeks = run.ScoreRange(Portfolios.End.AddDays(-364), Portfolios.End, 7);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"weekly backfill over a year: {weeks.Count} dates × {accounts:N0} accounts in {watch.Elapsed.TotalSeconds:0.0} s"));
            }
            // `chs show`'s work for 200 accounts: the explained score of the current snapshot.
            var reader = new CustomerHealth.Store.Reading.AccountReader(db, models);
            var rnd = new Random(9);
            var times = new List<double>();
            for (var i = 0; i < 200; i++)
            {
                var id = $"A{rnd.Next(accounts):000000}";
                watch.Restart();
                _ = reader.Show(id) ?? throw new InvalidOperationException("no account " + id);
                times.Add(watch.Elapsed.TotalMilliseconds);
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"show (explained current score), 200 accounts: p50 {times[100]:0.0} ms, p95 {times[190]:0.0} ms"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
