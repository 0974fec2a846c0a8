using System.Globalization;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Prediction;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Prediction;

/// <summary>
/// Predictors fitted on a store's history are kept with their figures, and the latest one's measures are compared
/// with today's values. 300 accounts have a `health` metric on the first of January; those between 30 and 50 mostly
/// churn in February.
/// </summary>
public abstract class PredictionsTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 1));

    public void Dispose() => store.Dispose();

    private static readonly DateOnly Jan1 = new(2025, 1, 1);

    private static readonly BacktestOptions OneDate = new(Jan1, Jan1, 30, 90);

    private void Planted()
    {
        store.Publish();
        var random = new Random(3);
        var metrics = new List<string> { "account_id,metric,date,value" };
        var churned = new List<string> { "account_id,kind,occurred_on" };
        for (var a = 0; a < 300; a++)
        {
            var health = random.Next(0, 100);
            metrics.Add(string.Create(CultureInfo.InvariantCulture, $"A{a},health,2025-01-01,{health}"));
            if (random.NextDouble() < (health is >= 30 and < 50 ? 0.8 : 0.05))
            {
                churned.Add($"A{a},churned,2025-02-15");
            }
        }
        store.ImportCsv(ImportKind.Metrics, [.. metrics]).Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Subscriptions, [.. churned]).Applied.ShouldBeTrue();
    }

    private Predictions Predictions() => new(store.Db, TimeProvider.System);

    [Fact]
    public void Fit_KeepsThePredictorWithItsFigures_AndStatusComparesItsMeasuresWithToday()
    {
        Planted();
        var current = store.Models.RequireCurrent();

        var fit = Predictions().Fit(current.Model, current.VersionId, current.Yaml, OneDate);

        fit.Report.Validation.ShouldBe("cross-validation");
        store.Count("predictors").ShouldBe(1);
        var status = Predictions().Status(Jan1);
        var latest = status.Latest.ShouldNotBeNull();
        (latest.PredictorId, latest.ModelVersion, latest.HorizonDays, status.Kept).ShouldBe((fit.PredictorId, current.VersionId, 90, 1));
        latest.Figures.Boosted.Auc.ShouldBe(fit.Report.Boosted.Auc);
        latest.Figures.TestDates.ShouldBe(["2025-01-01"]);
        // As of the training day itself, nothing has moved.
        var health = status.Drift.Single(d => d.Measure == "product.health");
        (health.Psi, health.TrainingCoverage, health.CoverageNow, health.Warning).ShouldBe((0d, 1d, 1d, (string?)null));
        status.Drift.Single(d => d.Measure == "voice.nps").Psi.ShouldBeNull();
    }

    [Fact]
    public void Status_ValuesThatMoved_SayToFitAgain()
    {
        Planted();
        var current = store.Models.RequireCurrent();
        Predictions().Fit(current.Model, current.VersionId, current.Yaml, OneDate);
        // In May every remaining account's health is 90 or more.
        var later = new DateOnly(2025, 5, 1);
        var rows = new List<string> { "account_id,metric,date,value" };
        rows.AddRange(Enumerable.Range(0, 300).Select(a => string.Create(CultureInfo.InvariantCulture, $"A{a},health,2025-05-01,{90 + a % 10}")));
        store.ImportCsv(ImportKind.Metrics, [.. rows]).Applied.ShouldBeTrue();

        var health = Predictions().Status(later).Drift.Single(d => d.Measure == "product.health");

        health.Psi!.Value.ShouldBeGreaterThan(Drift.Warning);
        health.Warning!.ShouldStartWith("its values have moved since training (PSI ");
    }

    [Fact]
    public void Publish_EveryAccountGetsItsPrediction_IntervalAndDrivers_AndLaterScoringPredictsAgain()
    {
        Planted();
        var current = store.Models.RequireCurrent();
        store.Scoring.ScoreRange(Jan1, Jan1, 1);
        var fit = Predictions().Fit(current.Model, current.VersionId, current.Yaml, OneDate);
        Predictions().Status(Jan1).InForce.ShouldBeNull();

        var published = Predictions().Publish(fit.PredictorId);

        (published.AsOf, published.Predicted, published.HorizonDays).ShouldBe(("2025-01-01", 300, 90));
        var status = Predictions().Status(Jan1);
        status.InForce.ShouldNotBeNull().PredictorId.ShouldBe(fit.PredictorId);
        status.InForce.PublishedAt.ShouldNotBeNull();
        var rows = store.Reader.List(new AccountQuery()).ToDictionary(r => r.AccountId);
        var health = store.Query<(string Id, double Value)>("SELECT a.account_id, m.value FROM metrics m JOIN accounts a ON a.account_key = m.account_key")
            .ToDictionary(x => x.Id, x => x.Value);
        double Mean(Func<double, bool> band) => rows.Values.Where(r => band(health[r.AccountId])).Average(r => r.ChurnProbability!.Value);
        Mean(h => h is >= 30 and < 50).ShouldBeGreaterThan(Mean(h => h is < 30 or >= 50) + 0.3);
        foreach (var r in rows.Values)
        {
            r.ChurnPredictor.ShouldBe(fit.PredictorId);
            var interval = r.ChurnInterval.ShouldNotBeNull();
            r.ChurnProbability!.Value.ShouldBeInRange(interval.Low - 1e-4, interval.High + 1e-4);
        }
        var inBand = rows.Values.Where(r => health[r.AccountId] is >= 35 and < 45).OrderByDescending(r => r.ChurnProbability).First();
        inBand.ChurnDrivers.ShouldNotBeNull()[0].Feature.ShouldBe("product.health");
        inBand.ChurnDrivers[0].Points.ShouldBeGreaterThan(0);
        // `show` and the inbox read the same prediction.
        var shown = store.Reader.Show(inBand.AccountId).ShouldNotBeNull();
        (shown.ChurnProbability, shown.ChurnHorizonDays, shown.ChurnPredictor, shown.ChurnInterval).ShouldBe((inBand.ChurnProbability, 90, fit.PredictorId, inBand.ChurnInterval));
        shown.ChurnDrivers!.Select(d => d.Text).ShouldBe(inBand.ChurnDrivers.Select(d => d.Text));

        // A later day scored is predicted too.
        var feb1 = new DateOnly(2025, 2, 1);
        store.Scoring.ScoreRange(feb1, feb1, 1);
        store.Scalar<long>("SELECT COUNT(*) FROM predictions WHERE as_of = '2025-02-01'").ShouldBeGreaterThan(0);
        store.Reader.Show(inBand.AccountId)!.ChurnPredictor.ShouldBe(fit.PredictorId);
    }

    [Fact]
    public void Publish_UnknownOrOfAnotherModel_Refused_AndNothingChanges()
    {
        Planted();
        var current = store.Models.RequireCurrent();
        store.Scoring.ScoreRange(Jan1, Jan1, 1);
        var fit = Predictions().Fit(current.Model, current.VersionId, current.Yaml, OneDate);

        Should.Throw<StoreException>(() => Predictions().Publish("'; DROP TABLE predictors; --")).Message
            .ShouldBe("no predictor `'; DROP TABLE predictors; --` in this store: `chs predict status` shows the latest fitted, `chs predict fit` fits one");
        store.Publish(TestModels.HealthReweighted);
        Should.Throw<StoreException>(() => Predictions().Publish(fit.PredictorId)).Message
            .ShouldStartWith($"predictor `{fit.PredictorId}` was fitted on model version {current.VersionId}, and the model in force is ");

        store.Count("predictions").ShouldBe(0);
        store.Count("predictors").ShouldBe(1);
        Predictions().Status(Jan1).InForce.ShouldBeNull();
        store.Reader.List(new AccountQuery()).ShouldAllBe(r => r.ChurnPredictor == null && r.ChurnInterval == null);
    }

    [Fact]
    public void Fit_TooLittleHistory_RefusedAndNothingKept()
    {
        store.Publish();
        store.Metric("A", Jan1, 50);
        var current = store.Models.RequireCurrent();

        Should.Throw<StoreException>(() => Predictions().Fit(current.Model, current.VersionId, current.Yaml, OneDate)).Message.ShouldStartWith("too little history");

        store.Count("predictors").ShouldBe(0);
        Predictions().Status(Jan1).Latest.ShouldBeNull();
    }
}

public sealed class PredictionsTestsOnSqlite() : PredictionsTests(TestEngine.Sqlite);

public sealed class PredictionsTestsOnPostgres() : PredictionsTests(TestEngine.Postgres);
