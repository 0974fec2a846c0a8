using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Components.Today;

namespace CustomerHealth.Web.Tests.Components.Today;

/// <summary>The Today page's model: whose day is shown, on a store where Bob and Ann (in that order of import) own accounts.</summary>
public sealed class TodayPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);

    public void Dispose() => store.Dispose();

    private TodayPageModel Loaded(string role, string? email, string? asked)
    {
        var day = new TodayPageModel(new TeamReader(store.Db, store.Models), new TodayReader(store.Db, store.Models, store.Clock), Today);
        day.Load(ModelStore.Person(role, email), asked);
        return day;
    }

    private void Books()
    {
        store.Publish();
        store.Import(ImportKind.Accounts, "account_id,name,owner", "D1,One,bob@example.com", "D2,Two,ann@example.com", "D3,Three,ann@example.com");
        store.Health(Today.AddDays(-1), ("D1", 20), ("D2", 80), ("D3", 30));
        store.Score(Today);
    }

    [Theory]
    [InlineData(false, "bob@example.com", "ann@example.com", "bob@example.com")]
    [InlineData(true, "boss@example.com", "ANN@example.com", "ann@example.com")]
    [InlineData(true, "bob@example.com", null, "bob@example.com")]
    [InlineData(true, "BOB@example.com", "nobody@example.com", "bob@example.com")]
    [InlineData(true, "boss@example.com", null, "ann@example.com")]
    public void WhoseDay_ACsmSeesTheirOwn_OthersTheAskedTheirOwnOrTheFirst(bool mayChoose, string me, string? asked, string expected) =>
        TodayPageModel.WhoseDay(["ann@example.com", "bob@example.com"], mayChoose, me, asked).ShouldBe(expected);

    [Fact]
    public void WhoseDay_NobodyHasABook_IsNobodysForThoseWhoChoose() =>
        TodayPageModel.WhoseDay([], mayChoose: true, "boss@example.com", "ann@example.com").ShouldBeNull();

    [Fact]
    public void Load_ACsm_SeesTheirOwnBookWhateverTheAddressAsks()
    {
        Books();

        var day = Loaded("csm", "bob@example.com", "ann@example.com");

        day.MayChoose.ShouldBeFalse();
        day.Owner.ShouldBe("bob@example.com");
        day.List.Owner.ShouldBe("bob@example.com");
        day.List.BookSize.ShouldBe(1);
    }

    [Fact]
    public void Load_AManager_ChoosesAmongTheOwnersInAlphabeticalOrder()
    {
        Books();

        var day = Loaded("manager", "boss@example.com", "Ann@Example.com");

        day.MayChoose.ShouldBeTrue();
        day.Owners.ShouldBe(["ann@example.com", "bob@example.com"]);
        day.Owner.ShouldBe("ann@example.com");
        day.List.BookSize.ShouldBe(2);
        Loaded("viewer", "viewer@example.com", null).Owner.ShouldBe("ann@example.com");
    }

    [Fact]
    public void Load_NoAccountHasAnOwner_ShowsNobodysDay()
    {
        store.Publish();
        store.Import(ImportKind.Accounts, "account_id,name", "D1,One");

        var day = Loaded("manager", null, null);

        day.Owner.ShouldBeNull();
        day.Owners.ShouldBeEmpty();
        day.List.BookSize.ShouldBe(0);
    }
}
