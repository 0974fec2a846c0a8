using System.Diagnostics;
using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Store;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Prediction;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// A backtest of N accounts × 52 weekly dates (SPEC §12: 10,000 accounts within 30 s), usage over a year, some churn;
/// with <c>predict</c>, the learned predictors fitted and compared on the same observations (issue 21: within 60 s).
/// </summary>
internal static class BacktestBench
{
    public static void Run(int accounts, long usageEvents, string? store, bool predict = false)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chs-bench-backtest-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            Portfolios.WriteOthers(dir, accounts, 5);
            Portfolios.WriteSessionUsage(Path.Combine(dir, "usage.csv"), accounts, usageEvents, 365 + 90, 6);
            var rnd = new Random(8);
            File.WriteAllLines(Path.Combine(dir, "subscriptions.csv"), new[] { "account_id,kind,occurred_on" }.Concat(
                Enumerable.Range(0, accounts).Where(_ => rnd.NextDouble() < 0.15)
                    .Select(a => string.Create(CultureInfo.InvariantCulture, $"A{a:000000},churned,{Portfolios.End.AddDays(-rnd.Next(365)):yyyy-MM-dd}"))));
            using var db = StoreDb.Open(store ?? Path.Combine(dir, "bench.db"));
            var models = new ModelVersions(db, TimeProvider.System);
            var version = models.Publish(BenchModels.TwentyMeasures(), "bench.yaml");
            new Importer(db, TimeProvider.System).ImportDirectory(dir, new ImportOptions());
            var options = new BacktestOptions(Portfolios.End.AddDays(-364 - 90), Portfolios.End.AddDays(-90), 7, 90);
            var watch = Stopwatch.StartNew();
            if (predict)
            {
                var fit = new Predictions(db, TimeProvider.System).Fit(ModelLoader.Load(version.Yaml), version.VersionId, version.Yaml, options);
                var r = fit.Report;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"predict fit: {accounts:N0} accounts × {options.Dates().Count} weekly dates ({r.Observations:N0} observations; {r.TrainObservations:N0} fitted on, {r.TestObservations:N0} tested) in {watch.Elapsed.TotalSeconds:0.0} s; AUC score {r.Score.Auc:0.000}, logistic {r.Logistic.Auc:0.000}, boosted {r.Boosted.Auc:0.000} (churn here is drawn at random: near 0.5 is expected); peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB"));
                return;
            }
            var report = new Backtest(db).Run(ModelLoader.Load(version.Yaml), version.VersionId, options);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"backtest: {accounts:N0} accounts × {report.Dates.Count} weekly dates ({report.Observations:N0} observations, {report.Churned:N0} churned, AUC {report.Auc:0.000}) in {watch.Elapsed.TotalSeconds:0.0} s; peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024):N0} MB"));
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
