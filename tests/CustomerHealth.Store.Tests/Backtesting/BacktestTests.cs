using System.Globalization;
using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Backtesting;

public abstract class BacktestTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 12, 1));

    public void Dispose() => store.Dispose();

    private static readonly DateOnly Jan1 = new(2025, 1, 1);

    private void FourAccounts()
    {
        store.Publish();
        foreach (var (id, health) in new[] { ("A", 90), ("B", 70), ("C", 40), ("D", 10) })
        {
            store.Metric(id, Jan1, health);
        }
        // C churns 45 days after Jan 1 (inside a 90-day horizon); D 120 days after (outside it, inside the next date's).
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "C,churned,2025-02-15", "D,churned,2025-05-01").Applied.ShouldBeTrue();
    }

    [Fact]
    public void Run_OneDate_LabelsChurnWithinTheHorizonAndPoolsTheAuc()
    {
        FourAccounts();
        var r = new Backtest(store.Db).Run(store.Models.RequireCurrent().Model, "v", new BacktestOptions(Jan1, Jan1, 30, 90));
        r.Observations.ShouldBe(4);
        r.Churned.ShouldBe(1);
        // Risk = −score: C (40) is riskier than A (90) and B (70), less than D (10): 2 of 3 pairs.
        r.Auc!.Value.ShouldBe(2.0 / 3, 1e-12);
        r.ByGrade.Single(g => g.Grade == "yellow").ShouldBe(new GradeRate("yellow", 1, 1, 1.0));
        r.ByGrade.Single(g => g.Grade == "red").ShouldBe(new GradeRate("red", 1, 0, 0.0));
    }

    [Fact]
    public void Run_TwoDates_LeavesOutChurnedAccountsAndPoolsBothDates()
    {
        FourAccounts();
        var r = new Backtest(store.Db).Run(store.Models.RequireCurrent().Model, "v", new BacktestOptions(Jan1, new DateOnly(2025, 3, 1), 59, 90));
        r.Dates.ShouldBe(["2025-01-01", "2025-03-01"]);
        // March 1: C churned already (left out); D churns on May 1, inside (Mar 1, May 30].
        r.Observations.ShouldBe(7);
        r.Churned.ShouldBe(2);
        // Churners C@Jan (40) and D@Mar (10) against A, A, B, B and D@Jan (10): (4 + 4.5) of 10 pairs, the tie counting half.
        r.Auc!.Value.ShouldBe(0.85, 1e-12);
        r.Measures.Single(m => m.Id == "health").Auc!.Value.ShouldBe(0.85, 1e-12);
        r.Measures.Single(m => m.Id == "health").DirectionOk.ShouldBe(true);
        r.Measures.Single(m => m.Id == "nps").Observations.ShouldBe(0);
    }

    [Fact]
    public void Run_Lapse_UsesOrdersForActivityAndChurn()
    {
        store.Publish();
        var t = new DateOnly(2025, 3, 1);
        foreach (var id in new[] { "A", "B", "C" })
        {
            store.Metric(id, Jan1, 50);
        }
        string Order(string id, DateOnly d, int n) => $"{id}-{n},{id},{d:yyyy-MM-dd}T10:00:00Z,100";
        store.ImportCsv(ImportKind.Orders, "order_id,account_id,placed_at,amount",
            Order("A", t.AddDays(-5), 1), Order("A", t.AddDays(10), 2), // active, orders again: stays
            Order("B", t.AddDays(-5), 1),                                 // active, no order after: lapses
            Order("C", t.AddDays(-60), 1), Order("C", t.AddDays(5), 2))  // not active at T (no order in the 30 days up to it)
            .Applied.ShouldBeTrue();
        var r = new Backtest(store.Db).Run(store.Models.RequireCurrent().Model, "v", new BacktestOptions(t, t, 30, 30, LapseDays: 30));
        r.Observations.ShouldBe(2);
        r.Churned.ShouldBe(1);
        r.Churn.ShouldBe("lapse 30d (orders)");
    }

    [Fact]
    public void Calibration_GivesListedAndShownAccountsAChurnProbabilityForItsModelVersionOnly()
    {
        FourAccounts();
        var version = store.Models.RequireCurrent();
        store.Scoring.Score(Jan1);
        var (report, calibration) = new Backtest(store.Db).RunWithCalibration(version.Model, version.VersionId, new BacktestOptions(Jan1, new DateOnly(2025, 3, 1), 59, 90));
        calibration.ShouldNotBeNull();
        calibration.Save(store.Db);
        var rows = store.Reader.List(new AccountQuery());
        rows.Single(r => r.AccountId == "A").ChurnProbability!.Value.ShouldBe(Math.Round(calibration.Probability(90), 4), 1e-9);
        // Lower scores, higher churn probability: the fit learned that here.
        rows.Single(r => r.AccountId == "B").ChurnProbability!.Value.ShouldBeGreaterThan(rows.Single(r => r.AccountId == "A").ChurnProbability!.Value);
        store.Reader.Show("A")!.ChurnHorizonDays.ShouldBe(90);
        report.Observations.ShouldBe(calibration.Observations);
        store.Publish(TestModels.HealthReweighted);
        store.Scoring.Score(Jan1);
        store.Reader.List(new AccountQuery()).ShouldAllBe(r => r.ChurnProbability == null);
    }

    [Fact]
    public void Suggest_WeighsTheMeasureThatPredictsChurnAndTestsOnLaterDates()
    {
        store.Publish();
        var metrics = new List<string> { "account_id,metric,date,value" };
        var surveys = new List<string> { "account_id,kind,score,responded_at" };
        var churns = new List<string> { "account_id,kind,occurred_on" };
        var rnd = new Random(7);
        for (var i = 0; i < 400; i++)
        {
            var health = rnd.Next(101);
            metrics.Add(string.Create(CultureInfo.InvariantCulture, $"S{i},health,2025-01-01,{health}"));
            surveys.Add(string.Create(CultureInfo.InvariantCulture, $"S{i},nps,{rnd.Next(11)},2025-01-01T10:00:00Z"));
            // Unhealthy accounts churn, spread over the year; a few healthy ones too.
            if (health < 30 ? rnd.NextDouble() < 0.8 : rnd.NextDouble() < 0.05)
            {
                churns.Add($"S{i},churned,{Jan1.AddDays(20 + rnd.Next(300)):yyyy-MM-dd}");
            }
        }
        store.ImportCsv(ImportKind.Metrics, [.. metrics]).Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Surveys, [.. surveys]).Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Subscriptions, [.. churns]).Applied.ShouldBeTrue();
        var current = store.Models.RequireCurrent();
        var result = new Suggestion(store.Db).Run(current.Model, current.Yaml, new BacktestOptions(new DateOnly(2025, 1, 15), new DateOnly(2025, 10, 15), 30, 60));
        result.Weights["health"].ShouldBeGreaterThan(result.Weights["nps"]);
        result.Weights.Values.Sum().ShouldBe(1, 0.001);
        string.CompareOrdinal(result.TrainDates[^1], result.TestDates[0]).ShouldBeLessThan(0);
        result.SuggestedAuc!.Value.ShouldBeGreaterThanOrEqualTo(result.CurrentAuc!.Value - 1e-9);
        var suggested = ModelLoader.Load(result.Yaml, "suggested.yaml");
        suggested.Name.ShouldContain("suggested");
    }
}

public sealed class BacktestTestsOnSqlite() : BacktestTests(TestEngine.Sqlite);

public sealed class BacktestTestsOnPostgres() : BacktestTests(TestEngine.Postgres);
