using CustomerHealth.Store.Alerts;

namespace CustomerHealth.Store.Tests.Alerts;

/// <summary>New scores are followed by the rules on the latest scored day, and only on it.</summary>
public abstract class ScoreAndAlertTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly May1 = new(2025, 5, 1);
    private static readonly DateOnly May15 = new(2025, 5, 15);
    private static readonly DateOnly Jun1 = new(2025, 6, 1);

    private readonly TestStore store = new(engine, Jun1);

    public void Dispose() => store.Dispose();

    private ScoreAndAlert Scoring => new(store.Db, store.Models, store.Clock);

    /// <summary>The Health model, a rule on its health measure, and A1 below it from May 1, A2 above it.</summary>
    private void LowHealthRule()
    {
        store.Publish();
        new AlertBook(store.Db, store.Models, store.Clock).SetRules("rules:\n  - id: low-health\n    when: { measure: { id: health, below: 50 } }\n", "r.yaml");
        store.Metric("A1", May1, 30);
        store.Metric("A2", May1, 80);
    }

    private List<(string Account, string OpenedOn)> Alerts() =>
        store.Query<(string, string)>("SELECT a.account_id, al.opened_on FROM alerts al JOIN accounts a ON a.account_key = al.account_key ORDER BY a.account_id");

    [Fact]
    public void Score_LatestDay_EvaluatesTheRulesOnIt()
    {
        LowHealthRule();

        var result = Scoring.Score(Jun1);

        result.Scores.ShouldHaveSingleItem().AsOf.ShouldBe("2025-06-01");
        result.Scores[0].AccountsScored.ShouldBe(2);
        result.Alerts.ShouldNotBeNull().AsOf.ShouldBe("2025-06-01");
        result.Alerts.Opened.ShouldBe(1);
        Alerts().ShouldBe([("A1", "2025-06-01")]);
    }

    [Fact]
    public void ScoreRange_UpToTheLatestDay_EvaluatesTheRulesOnTheLastDayOnly()
    {
        LowHealthRule();

        var result = Scoring.ScoreRange(May1, Jun1, 7);

        result.Scores.Select(s => s.AsOf).ShouldBe(["2025-05-01", "2025-05-08", "2025-05-15", "2025-05-22", "2025-05-29"]);
        result.Alerts.ShouldNotBeNull().AsOf.ShouldBe("2025-05-29");
        Alerts().ShouldBe([("A1", "2025-05-29")]);
    }

    [Fact]
    public void Score_DayBeforeTheLatestScoredDay_ScoresItAndLeavesTheAlertsAlone()
    {
        LowHealthRule();
        Scoring.Score(Jun1);
        store.Metric("A2", May1, 10);

        var result = Scoring.Score(May15);

        result.Scores.ShouldHaveSingleItem().AsOf.ShouldBe("2025-05-15");
        result.Alerts.ShouldBeNull();
        store.Snapshot("A2", May15).ShouldNotBeNull().Score.ShouldBe(10);
        Alerts().ShouldBe([("A1", "2025-06-01")]);
    }

    [Fact]
    public void Score_NoRules_ScoresAndEvaluatesNothing()
    {
        store.Publish();
        store.Metric("A1", May1, 30);

        var result = Scoring.Score(Jun1);

        result.Scores[0].AccountsScored.ShouldBe(1);
        result.Alerts.ShouldNotBeNull().Opened.ShouldBe(0);
        Alerts().ShouldBeEmpty();
    }
}

public sealed class ScoreAndAlertTestsOnSqlite() : ScoreAndAlertTests(TestEngine.Sqlite);

public sealed class ScoreAndAlertTestsOnPostgres() : ScoreAndAlertTests(TestEngine.Postgres);
