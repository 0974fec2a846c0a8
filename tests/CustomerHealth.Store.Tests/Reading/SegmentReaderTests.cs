using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>Health by segment, plan and stage, the at-risk list and the expansion candidates, on <see cref="ReadingBook"/>.</summary>
public abstract class SegmentReaderTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, ReadingBook.Mar10);

    public void Dispose() => store.Dispose();

    private SegmentReader Reader => new(store.Db);

    [Fact]
    public void Health_BySegment_CountsActiveAccountsArrAverageAndGrades_BiggestArrFirst()
    {
        ReadingBook.Build(store);

        var segments = Reader.Health().Segments;

        segments.Select(s => s.Name).ShouldBe(["SMB", "Enterprise", "Mid-Market"]);
        var smb = segments[0];
        // A2 (45 yellow), A4 (93 green) and the unscored A5; the churned A6 is in no group.
        smb.Accounts.ShouldBe(3);
        smb.Scored.ShouldBe(2);
        smb.Arr.ShouldBe(15000);
        smb.AverageScore.ShouldNotBeNull().ShouldBe(69, 1e-9);
        smb.ByGrade.ShouldBe(new Dictionary<string, int> { ["green"] = 1, ["yellow"] = 1 }, ignoreOrder: true);
        smb.Share("green").ShouldBe(0.5);
        smb.Share("red").ShouldBe(0);
        var enterprise = segments[1];
        enterprise.Accounts.ShouldBe(2);
        enterprise.Arr.ShouldBe(12000);
        enterprise.AverageScore.ShouldNotBeNull().ShouldBe(58, 1e-9);
        segments[2].AverageScore.ShouldNotBeNull().ShouldBe(45, 1e-9);
    }

    [Fact]
    public void Health_ByPlanAndStage_GroupsTheSameAccountsOtherwise_NotSetLast()
    {
        ReadingBook.Build(store);

        var health = Reader.Health();

        health.Plans.Select(p => (p.Name, p.Accounts, p.Arr)).ShouldBe([("Pro", 3, 19000.0), ("Starter", 3, 10500.0), (null, 1, 5000.0)]);
        health.Plans[0].AverageScore.ShouldNotBeNull().ShouldBe((95 + 21 + 30) / 3.0, 1e-9);
        health.Plans[1].AverageScore.ShouldNotBeNull().ShouldBe(66, 1e-9);
        health.Plans[2].AverageScore.ShouldBeNull();
        health.Plans[2].Share("green").ShouldBeNull();
        health.Stages.Select(p => (p.Name, p.Accounts, p.Scored, p.Arr)).ShouldBe([("mature", 5, 5, 27500.0), ("onboarding", 2, 1, 7000.0)]);
        health.Stages[0].AverageScore.ShouldNotBeNull().ShouldBe(59.8, 1e-9);
        health.Stages[0].ByGrade.ShouldBe(new Dictionary<string, int> { ["green"] = 2, ["red"] = 2, ["yellow"] = 1 }, ignoreOrder: true);
    }

    [Fact]
    public void AtRisk_NotHealthyAccounts_OrderedByArrTimesRisk()
    {
        ReadingBook.Build(store);

        var list = Reader.AtRisk("green");

        // A7 7000 × 0.70 = 4900, A3 3000 × 0.79 = 2370, A2 2000 × 0.55 = 1100, A8 500 × 0.40 = 200.
        list.Accounts.Select(a => a.AccountId).ShouldBe(["A7", "A3", "A2", "A8"]);
        list.Accounts.Select(a => Math.Round(a.ArrAtRisk, 6)).ShouldBe([4900.0, 2370.0, 1100.0, 200.0]);
        list.Total.ShouldBe(4);
        list.TotalArr.ShouldBe(12500);
        list.TotalArrAtRisk.ShouldBe(8570, 1e-6);
        var a7 = list.Accounts[0];
        (a7.Name, a7.Segment, a7.Plan, a7.Owner, a7.Arr, a7.Score, a7.Grade, a7.RenewalOn).ShouldBe(("Eta", "Mid-Market", "Pro", "cat@cs.example", 7000.0, 30.0, "red", "2026-03-01"));
    }

    [Fact]
    public void AtRisk_Limit_KeepsTheTotalsOfTheWholeList()
    {
        ReadingBook.Build(store);

        var list = Reader.AtRisk("green", limit: 2);

        list.Accounts.Select(a => a.AccountId).ShouldBe(["A7", "A3"]);
        list.Total.ShouldBe(4);
        list.TotalArrAtRisk.ShouldBe(8570, 1e-6);
        Reader.AtRisk("green", limit: null).Accounts.Count.ShouldBe(4);
    }

    [Fact]
    public void AtRisk_PointsScale_MeasuresRiskAgainstTheTopScore()
    {
        ReadingBook.Build(store);

        Reader.AtRisk("green", topScore: 200).Accounts[0].ArrAtRisk.ShouldBe(7000 * 170 / 200.0, 1e-6);
    }

    [Fact]
    public void Candidates_HealthyAccountsInTheTopArrQuartile_BiggestFirst()
    {
        ReadingBook.Build(store);

        var candidates = Reader.Candidates("green");

        // ARRs of the 7 active accounts: 500, 2000, 3000, 5000, 7000, 8000, 9000: 8000 is the first at or above 75%.
        candidates.ArrThreshold.ShouldBe(8000);
        candidates.List.Accounts.Select(a => a.AccountId).ShouldBe(["A1", "A4"]);
        candidates.List.Total.ShouldBe(2);
        candidates.List.TotalArr.ShouldBe(17000);
    }

    [Fact]
    public void EmptyStore_HasNothingToList()
    {
        store.Publish();

        var health = Reader.Health();
        health.Segments.ShouldBeEmpty();
        health.Plans.ShouldBeEmpty();
        Reader.AtRisk("green").Total.ShouldBe(0);
        Reader.Candidates("green").ArrThreshold.ShouldBeNull();
    }
}

public sealed class SegmentReaderTestsOnSqlite() : SegmentReaderTests(TestEngine.Sqlite);

public sealed class SegmentReaderTestsOnPostgres() : SegmentReaderTests(TestEngine.Postgres);
