using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Components.Team;

namespace CustomerHealth.Web.Tests.Components.Team;

/// <summary>
/// The Team page's model: Ann owns T1 (health 80) and T2 (health 20), Bob owns T3 (health 20) and T4 (no signals), all
/// scored today; and what stands out in a CSM's dimensions.
/// </summary>
public sealed class TeamPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);

    public TeamPageModelTests()
    {
        store.Publish();
        store.Import(ImportKind.Accounts, "account_id,name,owner", "T1,One,ann@example.com", "T2,Two,ann@example.com", "T3,Three,bob@example.com", "T4,Four,bob@example.com");
        store.Health(Today.AddDays(-1), ("T1", 80), ("T2", 20), ("T3", 20));
        store.Score(Today);
    }

    public void Dispose() => store.Dispose();

    private TeamPageModel Loaded(string? owner = null)
    {
        var books = new TeamPageModel(new TeamReader(store.Db, store.Models), new AccountReader(store.Db, store.Models), Today, owner);
        books.Load();
        return books;
    }

    [Fact]
    public void TeamAverage_EachCsmWeighedByTheirScoredAccounts()
    {
        var books = Loaded();

        // Ann: 50 over 2 scored accounts, Bob: 20 over 1: (50 × 2 + 20 × 1) / 3. T4 (unscored) does not count.
        books.Member.ShouldBeNull();
        books.TeamAverage.ShouldBe(40);
        books.ScoredMembers.Select(m => m.Owner).ShouldBe(["ann@example.com", "bob@example.com"], ignoreOrder: true);
    }

    [Fact]
    public void Load_OneCsm_TheirLowestScoredAccountsFirstWithoutTheUnscored()
    {
        (Loaded("ann@example.com").LowestAccounts.Select(a => a.AccountId)).ShouldBe(["T2", "T1"]);
        (Loaded("bob@example.com").LowestAccounts.Select(a => a.AccountId)).ShouldBe(["T3"]);
        // The address may name the CSM in any case, as on the Alerts and Today pages.
        var ann = Loaded("Ann@Example.COM");
        ann.Member.ShouldNotBeNull().Owner.ShouldBe("ann@example.com");
        ann.LowestAccounts.Select(a => a.AccountId).ShouldBe(["T2", "T1"]);
    }

    [Fact]
    public void Load_NoCsmByThatName_NoBookAndNoAccounts()
    {
        var books = Loaded("nobody@example.com");

        books.Member.ShouldBeNull();
        books.LowestAccounts.ShouldBeEmpty();
    }

    private static DimensionAverage Dimension(string id, double? average, double? team) => new(id, id, average, 3, team);

    private static TeamMember Member(params DimensionAverage[] dimensions) =>
        new("ann@example.com", 3, 3, 1000, 60, new Dictionary<string, int>(), null, 0, 0, 0, dimensions);

    [Fact]
    public void StrengthsAndCoach_FivePointsOrMoreFromTheTeam_FurthestFirst()
    {
        var member = Member(Dimension("a", 70, 65), Dimension("b", 69.9, 65), Dimension("c", 80, 65), Dimension("d", 55, 60), Dimension("e", 40, 60),
            Dimension("f", null, 60));

        TeamPageModel.Strengths(member).Select(d => d.Id).ShouldBe(["c", "a"]);
        TeamPageModel.Coach(member).Select(d => d.Id).ShouldBe(["e", "d"]);
    }

    [Theory]
    [InlineData(70.0, 65.0, "dimension-strength", " ▲", "+5.0 points against the team (3 accounts): a strength")]
    [InlineData(64.0, 60.0, "", "", "+4.0 points against the team (3 accounts)")]
    [InlineData(55.0, 60.0, "dimension-coach", " ▼", "-5.0 points against the team (3 accounts): an area to coach")]
    [InlineData(null, 60.0, "", "", "no scores for this dimension")]
    public void Cell_Difference_ItsClassMarkerAndTitle(double? average, double? team, string css, string marker, string title)
    {
        var d = Dimension("a", average, team);

        TeamPageModel.CellClass(d).ShouldBe(css);
        TeamPageModel.Marker(d).ShouldBe(marker);
        TeamPageModel.CellTitle(d).ShouldBe(title);
    }

    [Fact]
    public void DimensionDescription_EachDimensionAgainstTheTeam() =>
        TeamPageModel.DimensionDescription(Member(Dimension("Product", 70, 65.2), Dimension("Voice", null, 40)))
            .ShouldBe("Average dimension scores of this CSM's accounts against the team: Product 70.0 against 65.2; Voice — against 40.0.");
}
