using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using Dapper;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>
/// Each CSM's book against the team, on four accounts scored on December 10, 2024 and March 10, 2025 (90 days apart)
/// with the test model (0.6 × the `health` metric + 0.4 × NPS × 10, or the metric alone without a survey):
/// <code>
///      owner  ARR   Dec 10  Mar 10                              product  voice
/// T1   ann    1000  50      0.6 × 80 + 0.4 × 100 = 88 green     80       100
/// T2   ann    2000  60      70 green                            70       -
/// T3   bob    3000  40      0.6 × 30 + 0.4 × 0 = 18 red         30       0
/// T4   bob    4000  -       50 yellow                           50       -
/// </code>
/// </summary>
public abstract class TeamReaderTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly Dec10 = new(2024, 12, 10);
    private static readonly DateOnly Mar10 = new(2025, 3, 10);

    private readonly TestStore store = new(engine, Mar10);

    public void Dispose() => store.Dispose();

    private TeamReader Reader => new(store.Db, store.Models);

    private void Book()
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts, "account_id,owner,arr",
            "T1,ann@cs.example,1000", "T2,ann@cs.example,2000", "T3,bob@cs.example,3000", "T4,bob@cs.example,4000").Applied.ShouldBeTrue();
        var dec1 = new DateOnly(2024, 12, 1);
        var mar1 = new DateOnly(2025, 3, 1);
        store.Metric("T1", dec1, 50);
        store.Metric("T1", mar1, 80);
        store.Metric("T2", dec1, 60);
        store.Metric("T2", mar1, 70);
        store.Metric("T3", dec1, 40);
        store.Metric("T3", mar1, 30);
        store.Metric("T4", mar1, 50);
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "T1,nps,10,2025-03-01T10:00:00Z", "T3,nps,0,2025-03-01T10:00:00Z")
            .Applied.ShouldBeTrue();
        store.Scoring.Score(Dec10);
        store.Scoring.Score(Mar10);
    }

    private void Task(string? assignee, string? due, string status) =>
        store.Db.Connection.Execute(
            "INSERT INTO tasks (account_key, title, assignee, due_on, steps, status, created_on) VALUES (@key, 'Call', @assignee, @due, '[]', @status, '2025-01-01')",
            new { key = store.AccountKey("T1"), assignee, due, status });

    [Fact]
    public void Read_EachOwnersBook_AccountsArrAverageGradesAndChangeOverNinetyDays()
    {
        Book();

        var team = Reader.Read(Mar10);

        team.ChangeDays.ShouldBe(90);
        team.Members.Select(m => m.Owner).ShouldBe(["ann@cs.example", "bob@cs.example"]);
        var ann = team.Members[0];
        (ann.Accounts, ann.Scored, ann.Arr).ShouldBe((2, 2, 3000.0));
        ann.AverageScore.ShouldNotBeNull().ShouldBe(79, 1e-9);
        ann.ByGrade.ShouldBe(new Dictionary<string, int> { ["green"] = 2 });
        // T1 88 - 50 and T2 70 - 60.
        ann.Change.ShouldNotBeNull().ShouldBe(24, 1e-9);
        ann.Compared.ShouldBe(2);
        var bob = team.Members[1];
        bob.AverageScore.ShouldNotBeNull().ShouldBe(34, 1e-9);
        bob.ByGrade.ShouldBe(new Dictionary<string, int> { ["red"] = 1, ["yellow"] = 1 }, ignoreOrder: true);
        // Only T3 was scored 90 days ago: 18 - 40.
        bob.Change.ShouldNotBeNull().ShouldBe(-22, 1e-9);
        bob.Compared.ShouldBe(1);
    }

    [Fact]
    public void Read_Dimensions_EachOwnersAverageAgainstTheTeams()
    {
        Book();

        var team = Reader.Read(Mar10);

        team.Dimensions.Select(d => d.Id).ShouldBe(["product", "voice"]);
        team.Dimensions[0].Average.ShouldNotBeNull().ShouldBe(57.5, 1e-9);
        team.Dimensions[0].Accounts.ShouldBe(4);
        team.Dimensions[1].Average.ShouldNotBeNull().ShouldBe(50, 1e-9);
        team.Dimensions[1].Accounts.ShouldBe(2);
        var ann = team.Members[0].Dimensions;
        ann[0].Average.ShouldNotBeNull().ShouldBe(75, 1e-9);
        ann[0].TeamAverage.ShouldNotBeNull().ShouldBe(57.5, 1e-9);
        ann[0].Difference.ShouldNotBeNull().ShouldBe(17.5, 1e-9);
        ann[1].Average.ShouldNotBeNull().ShouldBe(100, 1e-9);
        ann[1].Accounts.ShouldBe(1);
        var bob = team.Members[1].Dimensions;
        bob[0].Average.ShouldNotBeNull().ShouldBe(40, 1e-9);
        bob[0].Difference.ShouldNotBeNull().ShouldBe(-17.5, 1e-9);
        bob[1].Average.ShouldNotBeNull().ShouldBe(0, 1e-9);
    }

    [Fact]
    public void Read_Tasks_OpenAndOverdueByAssignee_DoneOnesLeftOut()
    {
        Book();
        Task("ann@cs.example", "2025-03-01", "open");
        Task("ann@cs.example", "2025-03-10", "open");
        Task("ann@cs.example", "2025-02-01", "in_progress");
        Task("ann@cs.example", "2025-01-01", "done");
        Task("dave@cs.example", null, "open");

        var team = Reader.Read(Mar10);

        team.Members.Select(m => (m.Owner, m.OpenTasks, m.OverdueTasks)).ShouldBe(
            [("ann@cs.example", 3, 2), ("bob@cs.example", 0, 0), ("dave@cs.example", 1, 0)]);
        var dave = team.Members[2];
        dave.Accounts.ShouldBe(0);
        dave.AverageScore.ShouldBeNull();
        dave.Dimensions.ShouldAllBe(d => d.Average == null && d.Accounts == 0);
    }

    [Fact]
    public void Read_ChurnedAccount_LeavesTheBook()
    {
        Book();
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "T3,churned,2025-03-10").Applied.ShouldBeTrue();

        var bob = Reader.Read(Mar10).Members[1];

        bob.Accounts.ShouldBe(1);
        bob.AverageScore.ShouldNotBeNull().ShouldBe(50, 1e-9);
        bob.Dimensions[1].Accounts.ShouldBe(0);
    }

    [Fact]
    public void Read_EmptyStore_HasNoMembers()
    {
        store.Publish();

        var team = Reader.Read(Mar10);

        team.Members.ShouldBeEmpty();
        team.Dimensions.Select(d => d.Id).ShouldBe(["product", "voice"]);
        team.Dimensions.ShouldAllBe(d => d.Average == null);
    }
}

public sealed class TeamReaderTestsOnSqlite() : TeamReaderTests(TestEngine.Sqlite);

public sealed class TeamReaderTestsOnPostgres() : TeamReaderTests(TestEngine.Postgres);
