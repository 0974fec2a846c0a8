using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Components;
using CustomerHealth.Web.Components.Accounts;

namespace CustomerHealth.Web.Tests.Components.Accounts;

/// <summary>The Accounts page's model on 120 accounts (60 in SMB owned by Ann, 60 in Enterprise by Bob), scored today.</summary>
public sealed class AccountsPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);

    public AccountsPageModelTests()
    {
        store.Publish();
        store.Import(ImportKind.Accounts,
            ["account_id,name,segment,owner,renewal_on", .. Enumerable.Range(1, 120).Select(i =>
                $"A{i:000},Account {i},{(i <= 60 ? "SMB,ann@example.com" : "Enterprise,bob@example.com")},{ModelStore.Day(Today.AddDays(i))}")]);
        store.Health(Today.AddDays(-1), [.. Enumerable.Range(1, 120).Select(i => ($"A{i:000}", (double)(i % 100)))]);
        store.Score(Today);
    }

    public void Dispose() => store.Dispose();

    private static AccountListQuery Query(string? q = null, string? grade = null, string? segment = null, string? owner = null, string? stage = null, int? renewal = null,
        string? sort = null, int? page = null) => new(q, grade, segment, owner, stage, renewal, sort, page);

    private AccountsPageModel Loaded(AccountListQuery query)
    {
        var list = new AccountsPageModel(new AccountReader(store.Db, store.Models), new FacetCache(store.Clock), Today, query);
        list.Load();
        return list;
    }

    [Fact]
    public void Load_FirstPage_FiftyOfAllWithTheirCount()
    {
        var list = Loaded(Query());

        (list.Total, list.Pages, list.Offset, list.Rows.Count).ShouldBe((120, 3, 0, 50));
        list.Filtered.ShouldBeFalse();
        list.Facets.Segments.ShouldBe(["Enterprise", "SMB"], ignoreOrder: true);
    }

    [Fact]
    public void Load_PagePastTheEnd_ShowsTheLastPage()
    {
        var list = Loaded(Query(segment: "SMB", page: 7));

        (list.Total, list.Pages, list.PageNumber, list.Offset, list.Rows.Count).ShouldBe((60, 2, 7, 50, 10));
        list.Filtered.ShouldBeTrue();
    }

    [Theory]
    [InlineData(null, 1)]
    [InlineData(0, 1)]
    [InlineData(-3, 1)]
    [InlineData(2, 2)]
    [InlineData(int.MaxValue, 1_000_000)]
    public void PageNumber_AsAsked_WithinOneAndAMillion(int? asked, int page) =>
        new AccountsPageModel(new AccountReader(store.Db, store.Models), new FacetCache(store.Clock), Today, Query(page: asked)).PageNumber.ShouldBe(page);

    [Fact]
    public void Load_RenewalWindowOutOfRange_SaysWhyAndShowsNothing()
    {
        var list = Loaded(Query(renewal: 4000));

        list.Error.ShouldBe("the renewal window must be from 0 to 3650 days, not 4000");
        list.Rows.ShouldBeEmpty();
    }

    [Fact]
    public void Load_RenewalWindow_OnlyAccountsRenewingWithinIt()
    {
        var list = Loaded(Query(renewal: 30));

        list.Total.ShouldBe(30);
        list.Rows.ShouldAllBe(a => string.CompareOrdinal(a.RenewalOn, ModelStore.Day(Today.AddDays(30))) <= 0);
    }

    [Fact]
    public void Hrefs_KeepTheFiltersAndDropTheEmptyOnes()
    {
        var list = Loaded(Query(q: "Acme & Co", grade: " ", segment: "SMB", owner: "", renewal: 90, sort: "-arr", page: 2));

        list.CsvHref.ShouldBe("/accounts.csv?q=Acme%20%26%20Co&segment=SMB&renewal=90&sort=-arr");
        // A new sort starts from the first page; a page keeps the sort.
        list.SortHref("name").ShouldBe("/accounts?q=Acme%20%26%20Co&segment=SMB&renewal=90&sort=name");
        list.PageHref(3).ShouldBe("/accounts?q=Acme%20%26%20Co&segment=SMB&renewal=90&sort=-arr&page=3");
        list.PageHref(1).ShouldBe("/accounts?q=Acme%20%26%20Co&segment=SMB&renewal=90&sort=-arr");
    }

    [Theory]
    [InlineData(null, "score")]
    [InlineData("  ", "score")]
    [InlineData("-arr", "-arr")]
    public void CurrentSort_NoneAsked_IsByScore(string? sort, string current) => Loaded(Query(sort: sort)).CurrentSort.ShouldBe(current);

    [Fact]
    public void Load_SortedByName_InNameOrder()
    {
        var names = Loaded(Query(sort: "name")).Rows.Take(3).Select(a => a.Name);

        names.ShouldBe(["Account 1", "Account 10", "Account 100"]);
    }
}
