using System.Globalization;
using CustomerHealth.Store;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Accounts;

namespace CustomerHealth.Web.Components.Accounts;

/// <summary>What the address asks of the Accounts page: its filters, the sort and the page.</summary>
internal sealed record AccountListQuery(string? Q, string? Grade, string? Segment, string? Owner, string? Stage, int? Renewal, string? Sort, int? Page);

/// <summary>
/// The Accounts page (Pages/AccountsPage.razor) apart from its markup: the page of accounts the address filters,
/// sorts and asks for (a page past the end shows the last), the choices the filters offer, and the addresses of the
/// other sorts, pages and the CSV download, each keeping the filters.
/// </summary>
internal sealed class AccountsPageModel(AccountReader accounts, FacetCache facetCache, DateOnly today, AccountListQuery query)
{
    public const int PageSize = 50;

    /// <summary>The renewal windows the filter offers, in days.</summary>
    public static readonly int[] RenewalWindows = [30, 90, 180, 365];

    public IReadOnlyList<AccountRow> Rows { get; private set; } = [];

    public AccountFacets Facets { get; private set; } = new([], [], [], []);

    /// <summary>How many accounts match.</summary>
    public int Total { get; private set; }

    public int Pages { get; private set; }

    /// <summary>How many matching accounts come before the shown ones.</summary>
    public int Offset { get; private set; }

    /// <summary>Why the list could not be read (a filter out of range), or null.</summary>
    public string? Error { get; private set; }

    // A page number past any real list (an edited link) is read as the last page, not multiplied into an overflow.
    public int PageNumber => Math.Clamp(query.Page ?? 1, 1, 1_000_000);

    public bool Filtered => !string.IsNullOrEmpty(query.Q) || !string.IsNullOrEmpty(query.Grade) || !string.IsNullOrEmpty(query.Segment) || !string.IsNullOrEmpty(query.Owner)
        || !string.IsNullOrEmpty(query.Stage) || query.Renewal is not null;

    /// <summary>The sort in force: the one asked for, else by score.</summary>
    public string CurrentSort => AccountFilters.Blank(query.Sort) ?? AccountFilters.DefaultSort;

    public void Load()
    {
        Facets = facetCache.Get(accounts);
        try
        {
            var q = AccountFilters.Query(today, query.Q, query.Grade, query.Segment, query.Owner, query.Stage, query.Renewal, query.Sort);
            // One query gives the page and the total; a page past the end (an old link) falls back to the last one.
            Offset = (PageNumber - 1) * PageSize;
            (Rows, var counted) = accounts.Page(q with { Limit = PageSize, Offset = Offset });
            Total = counted ?? accounts.Count(q);
            Pages = Math.Max(1, (Total + PageSize - 1) / PageSize);
            if (Rows.Count == 0 && Total > 0)
            {
                Offset = (Pages - 1) * PageSize;
                Rows = accounts.Page(q with { Limit = PageSize, Offset = Offset }).Rows;
            }
        }
        catch (StoreException e)
        {
            Error = e.Message;
        }
    }

    /// <summary>The address's query with the filters, and the sort and page given (the sort in force when none is).</summary>
    public string QueryString(string? sort, int? page)
    {
        var pairs = new List<KeyValuePair<string, string?>>
        {
            new("q", AccountFilters.Blank(query.Q)), new("grade", AccountFilters.Blank(query.Grade)), new("segment", AccountFilters.Blank(query.Segment)), new("owner", AccountFilters.Blank(query.Owner)), new("stage", AccountFilters.Blank(query.Stage)),
            new("renewal", query.Renewal?.ToString(CultureInfo.InvariantCulture)), new("sort", AccountFilters.Blank(sort ?? query.Sort)),
            new("page", page is > 1 ? page.Value.ToString(CultureInfo.InvariantCulture) : null),
        };
        return Microsoft.AspNetCore.Http.QueryString.Create(pairs.Where(p => p.Value is not null)).ToString();
    }

    /// <summary>The list sorted by a key, from its first page.</summary>
    public string SortHref(string key) => "/accounts" + QueryString(key, null);

    public string PageHref(int page) => "/accounts" + QueryString(null, page);

    /// <summary>The CSV of every matching account, sorted as shown.</summary>
    public string CsvHref => $"/accounts.csv{QueryString(null, null)}";
}
