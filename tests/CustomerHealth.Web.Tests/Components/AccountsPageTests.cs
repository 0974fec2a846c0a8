using System.Net;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Accounts page as a signed-in person gets it: filters and sort from the URL, paging, the CSV export.</summary>
public abstract class AccountsPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private async Task Portfolio()
    {
        var ingest = app.KeyClient("ingest");
        var accounts = string.Join(",", Enumerable.Range(0, 60).Select(i =>
            $$"""{"account_id":"P{{i:00}}","name":"Company {{i:00}}{{(i == 7 ? " <script>x</script>" : "")}}","segment":"{{(i % 2 == 0 ? "SMB" : "Enterprise")}}","owner":"{{(i % 3 == 0 ? "ann@example.com" : "bob@example.com")}}","arr":{{1000 * (i + 1)}}}"""));
        await ingest.PostJson("/api/v1/ingest/accounts", $"[{accounts}]");
    }

    [Fact]
    public async Task Accounts_FiltersFromTheUrl_ListOnlyMatchingAccounts_Escaped()
    {
        await Portfolio();
        var client = await app.SignedIn("viewer");
        var all = await TestApp.Page(client, "/accounts");
        all.ShouldContain("60 accounts, showing 1–50.");
        all.ShouldContain("Page 1 of 2");
        // What users typed is escaped.
        all.ShouldNotContain("<script>x</script>");
        all.ShouldContain("Company 07 &lt;script&gt;x&lt;/script&gt;");
        var smb = await TestApp.Page(client, "/accounts?segment=SMB&owner=ann%40example.com");
        smb.ShouldContain("10 accounts match");
        smb.ShouldContain("<option selected>SMB</option>");
        var page2 = await TestApp.Page(client, "/accounts?page=2");
        page2.ShouldContain("showing 51–60");
        var search = await TestApp.Page(client, "/accounts?q=company%2042");
        search.ShouldContain("1 account match");
        var none = await TestApp.Page(client, "/accounts?q=nobody");
        none.ShouldContain("No accounts match");
        var badSort = await TestApp.Page(client, "/accounts?sort=shoe-size");
        badSort.ShouldContain("cannot sort by `shoe-size`");
    }

    [Fact]
    public async Task AccountsCsv_HasTheFilteredRows_AndDefusesFormulas()
    {
        await Portfolio();
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"F1","name":"=HYPERLINK(\"x\")","segment":"SMB"}]""");
        var client = await app.SignedIn("viewer");
        var r = await client.GetAsync("/accounts.csv?segment=SMB");
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        r.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await r.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        lines[0].ShouldStartWith("account_id,name,segment,owner");
        lines.Length.ShouldBe(1 + 31);
        lines.ShouldContain(l => l.StartsWith("F1,\"'=HYPERLINK(\"\"x\"\")\",SMB", StringComparison.Ordinal));
        (await app.Anonymous().GetAsync("/accounts.csv")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }
}

public sealed class AccountsPageTestsOnSqlite() : AccountsPageTests(TestEngine.Sqlite);

public sealed class AccountsPageTestsOnPostgres() : AccountsPageTests(TestEngine.Postgres);
