using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Tests.Scoring;

/// <summary>The current score kept per account for fast lists: always the latest snapshot, with its trend.</summary>
public abstract class CurrentScoresTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 1));

    public void Dispose() => store.Dispose();

    private static readonly DateOnly D = new(2025, 6, 1);

    private (string AsOf, double? Score, string? Grade, double? Trend) Current(string id) =>
        store.Query<(string, double?, string?, double?)>(
            "SELECT c.as_of, c.score, c.grade, c.trend FROM current_scores c JOIN accounts a ON a.account_key = c.account_key WHERE a.account_id = @id", new { id }).Single();

    [Fact]
    public void Scoring_KeepsTheLatestDayWithItsTrend_AnOlderDayScoredLaterDoesNotReplaceIt()
    {
        store.Publish();
        store.Metric("A", D.AddDays(-40), 80);
        store.Metric("A", D, 30);
        store.Scoring.Score(D.AddDays(-35));
        store.Scoring.Score(D);
        var (asOf, score, grade, trend) = Current("A");
        (asOf, score, grade).ShouldBe(("2025-06-01", 30, "red"));
        trend.ShouldBe(-50);
        // A backfill of an earlier day leaves the current score alone.
        store.Scoring.Score(D.AddDays(-10));
        Current("A").AsOf.ShouldBe("2025-06-01");
        new AccountReader(store.Db, store.Models).List(new AccountQuery()).Single().Trend.ShouldBe(-50);
    }

    [Fact]
    public void Override_ChangesTheCurrentScoreToo_AndALiveRescoreOfTouchedAccountsFollows()
    {
        store.Publish();
        store.Metric("A", D, 30);
        store.Metric("B", D, 90);
        store.Scoring.Score(D);
        new OverrideBook(store.Db, store.Models, store.Clock).Add("A", null, "green", "new sponsor", D.AddDays(30));
        Current("A").Grade.ShouldBe("green");
        new AccountReader(store.Db, store.Models).List(new AccountQuery(Grade: "green")).Select(r => r.AccountId).ShouldBe(["A", "B"], ignoreOrder: true);
        // B's signal changes today: only B is rescored, and its current score follows.
        store.Metric("B", D, 50);
        store.Scoring.Score(D);
        Current("B").Score.ShouldBe(50);
        Current("A").Grade.ShouldBe("green");
    }

    [Fact]
    public void ADayScoredAgain_WritesOnlyTheScoresThatMoved()
    {
        store.Publish();
        store.Metric("A", D.AddDays(-40), 80);
        store.Metric("A", D, 30);
        store.Metric("B", D, 90);
        store.Metric("C", D, 60);
        store.Scoring.Score(D.AddDays(-35));
        store.Scoring.ScoreRange(D, D, 1);
        var trends = new PortfolioTrends(store.Db);
        var before = trends.Changes();
        var stored = Stored();

        // Nothing changed: the whole day scored again writes nothing, and what is stored stays as it was.
        store.Scoring.ScoreRange(D, D, 1);
        trends.Changes().ShouldBe(before);
        Stored().ShouldBe(stored);

        // One account's signal changed: its snapshot and its current score move, the others' are not written again (on
        // PostgreSQL, the transaction that wrote each of their rows stays the same).
        store.Metric("B", D, 50);
        before = trends.Changes();
        store.Scoring.ScoreRange(D, D, 1);
        Current("B").Score.ShouldBe(50);
        Current("A").Trend.ShouldBe(-50);
        var after = Stored();
        after.Where(r => r.Id != "B").ShouldBe(stored.Where(r => r.Id != "B"));
        after.Single(r => r.Id == "B").ShouldNotBe(stored.Single(r => r.Id == "B"));
        trends.Changes().ShouldBeGreaterThan(before);
    }

    // Each account's snapshot of the day and current score as stored, with (on PostgreSQL) the transaction that wrote each row.
    private List<(string Id, string Row)> Stored() =>
        store.Query<(string, string)>(
            $"""
            SELECT a.account_id, s.model_version || '|' || COALESCE(CAST(s.score AS TEXT), '') || '|' || COALESCE(s.grade, '') || '|' || c.as_of || '|' ||
                   COALESCE(CAST(c.trend AS TEXT), '') || '|' || {(engine == TestEngine.Postgres ? "CAST(s.xmin AS TEXT) || '|' || CAST(c.xmin AS TEXT)" : "''")}
            FROM snapshots s JOIN current_scores c ON c.account_key = s.account_key JOIN accounts a ON a.account_key = s.account_key
            WHERE s.as_of = @day ORDER BY a.account_id
            """, new { day = "2025-06-01" }).ToList();
}

public sealed class CurrentScoresTestsOnSqlite() : CurrentScoresTests(TestEngine.Sqlite);

public sealed class CurrentScoresTestsOnPostgres() : CurrentScoresTests(TestEngine.Postgres);
