using System.Diagnostics;
using System.Globalization;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// End to end: builds a store of N accounts (usage over 90 days plus surveys, tickets, invoices), then times a
/// full rescore with the 20-measure model and reports the process's peak memory. Last, the same model as SQL in
/// DuckDB over the same CSV files (<see cref="DuckDbRescore"/>), its scores checked equal to the stored ones, side by side.
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
                $"usage blocks: {Dapper.SqlMapper.ExecuteScalar<long>(db.Connection, "SELECT count(*) FROM usage_blocks"):N0} account-blocks of 32 days, {Dapper.SqlMapper.ExecuteScalar<long>(db.Connection, "SELECT COALESCE(SUM(length(cells)), 0) FROM usage_blocks") / 1e6:0.0} MB of cells"));
            var run = new ScoringRun(db, models);
            var rescores = new List<double>();
            for (var i = 0; i < 3; i++)
            {
                var peak = ResetPeak()
                    ? string.Create(CultureInfo.InvariantCulture, $"working set {Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024):N0} MB before, peak during the rescore")
                    : "peak working set of the process";
                watch.Restart();
                // ScoreRange always scores every account (Score would rescore only touched ones on the second run).
                var summary = run.ScoreRange(Portfolios.End, Portfolios.End, 1)[0];
                rescores.Add(watch.Elapsed.TotalSeconds);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"full rescore #{i + 1}: {summary.AccountsScored:N0} accounts × 20 measures in {watch.Elapsed.TotalSeconds:0.00} s; {peak} {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB"));
            }
            {
                // The same run with every account's signals held at once (no ranges of accounts), beside it.
                var peak = ResetPeak()
                    ? string.Create(CultureInfo.InvariantCulture, $"working set {Process.GetCurrentProcess().WorkingSet64 / (1024.0 * 1024):N0} MB before, peak during the rescore")
                    : "peak working set of the process";
                run.ChunkAccounts = int.MaxValue;
                watch.Restart();
                run.ScoreRange(Portfolios.End, Portfolios.End, 1);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"full rescore in one piece (every account's signals held at once): {watch.Elapsed.TotalSeconds:0.00} s; {peak} {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB"));
                run.ChunkAccounts = null;
            }
            // The day's scores as the product stores them (read as `chs export scores` reads them), before anything
            // else lands: what DuckDB's SQL must give.
            var asOf = Portfolios.End.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var stored = new CustomerHealth.Store.Reading.AccountReader(db, models).List(new CustomerHealth.Store.Reading.AccountQuery(IncludeChurned: true))
                .Where(r => r.ScoredOn == asOf).ToDictionary(r => r.AccountId, r => (r.Score, r.Grade), StringComparer.Ordinal);
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
            // Last, so that DuckDB's memory and threads take nothing from the product's figures above.
            SideBySide(dir, accounts, usage.Rows, store is not null && CustomerHealth.Store.Engines.PostgresEngine.IsTarget(store) ? "PostgreSQL" : "SQLite", importSeconds, rescores, stored);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>
    /// Starts the process's peak working set again from what it holds now (Linux: `/proc/self/clear_refs`), so that the
    /// peak read after a rescore is the rescore's, not the import's before it; false where that cannot be done.
    /// </summary>
    private static bool ResetPeak()
    {
        // What the import and the runs before left is given back to the system first.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>
    /// The same model as SQL in DuckDB over the same CSV files (<see cref="DuckDbRescore"/>), its scores checked
    /// against the product's, and both sides' times printed side by side.
    /// </summary>
    private static void SideBySide(string dir, int accounts, long events, string storeName, double importSeconds, List<double> rescores,
        Dictionary<string, (double? Score, string? Grade)> stored)
    {
        var duck = DuckDbRescore.Run(dir, Portfolios.End, stored);
        var inv = CultureInfo.InvariantCulture;
        string Times(IEnumerable<double> t) => string.Join(" / ", t.Select(x => x.ToString("0.00", inv)));
        string Check(DuckDbRescore.Comparison c) => string.Create(inv,
            $"{c.Matched:N0} of {c.Accounts:N0} accounts match chs's stored score within {DuckDbRescore.Tolerance:0e0} and grade (largest difference {c.LargestDifference:0.0e0})")
            + (c.AllMatch ? "" : "; NOT ALL MATCH, so its times do not count:" + string.Concat(c.Examples.Select(e => "\n        " + e)));
        var rescore = Stats.Median(rescores);
        var rawWhole = duck.LoadSeconds + duck.Raw.StatementSeconds[0] + duck.Raw.ReadSeconds;
        var rollupWhole = duck.LoadSeconds + duck.RollupSeconds + duck.Rollups.StatementSeconds[0] + duck.Rollups.ReadSeconds;
        Console.WriteLine(string.Create(inv, $"""
            side by side, one run: {accounts:N0} accounts, {events:N0} usage events, the 20-measure model as of {Portfolios.End:yyyy-MM-dd}
              chs on {storeName}: full rescore {Times(rescores)} s (median {rescore:0.00}); import of the CSV files {importSeconds:0.0} s
              DuckDB {duck.Version}: CSV load {duck.LoadSeconds:0.00} s (usage.csv {duck.UsageLoadSeconds:0.00} s; {duck.LoadedMegabytes:N0} MB in memory)
                model SQL over the raw events: statement {Times(duck.Raw.StatementSeconds)} s (median {duck.Raw.Median:0.00}); whole (load, SQL, reading the scores) {rawWhole:0.00} s
                  {Check(duck.Raw.Comparison)}
                roll-ups built in {duck.RollupSeconds:0.00} s ({duck.RollupRows:N0} account-day-event rows, {duck.RollupUserRows:N0} account-day-event-user rows)
                model SQL over the roll-ups: statement {Times(duck.Rollups.StatementSeconds)} s (median {duck.Rollups.Median:0.00}); whole (load, roll-ups, SQL, reading) {rollupWhole:0.00} s
                  {Check(duck.Rollups.Comparison)}
              chs's time over DuckDB's (medians): full rescore {rescore / duck.Raw.Median:0.00}× the SQL over the raw events, {rescore / duck.Rollups.Median:0.00}× the SQL over the roll-ups; import and rescore {(importSeconds + rescore) / rawWhole:0.00}× the whole over the raw events
            """));
        if (!duck.AllMatch)
        {
            Console.WriteLine("DuckDB's scores differ from chs's: the comparison does not count.");
        }
    }
}
