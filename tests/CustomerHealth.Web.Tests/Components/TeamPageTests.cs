namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Team page on <see cref="PageBook"/>: every CSM's book, one CSM's detail from the URL, and an empty store.</summary>
public abstract class TeamPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Team_EveryBook_WithTasksAndDimensions_Escaped()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/team");

        html.ShouldContain("<label for=\"owner\" class=\"form-label\">CSM</label>");
        var books = html[html.IndexOf("data-testid=\"books\"", StringComparison.Ordinal)..html.IndexOf("data-testid=\"dimensions\"", StringComparison.Ordinal)];
        books.ShouldContain("href=\"/team?owner=ann%40example.com\">ann@example.com</a>");
        books.ShouldContain("&lt;b&gt;eve&lt;/b&gt;@example.com</a>");
        books.ShouldNotContain("<b>eve</b>");
        // ann: W1 (94) and the unscored W4, 110,000 ARR; one open task, overdue.
        var ann = books[books.IndexOf("ann@example.com</a>", StringComparison.Ordinal)..books.IndexOf("bob@example.com</a>", StringComparison.Ordinal)];
        ann.ShouldContain("<td class=\"num\">2</td>");
        ann.ShouldContain("<td class=\"num\">110,000</td>");
        ann.ShouldContain("<td class=\"num\">94.0</td>");
        ann.ShouldContain("<td class=\"num text-danger fw-semibold\">1</td>");
        // Product health: ann 90 against the team's (90 + 50 + 35) / 3 = 58.3, a strength; eve 35, an area to coach.
        // (Blazor writes + as a character reference: compare the decoded text.)
        var dims = System.Net.WebUtility.HtmlDecode(html[html.IndexOf("data-testid=\"dimensions\"", StringComparison.Ordinal)..]);
        dims.ShouldContain("<th scope=\"col\" class=\"num\">Product health</th>");
        dims.ShouldContain("class=\"num dimension-strength\" title=\"+31.7 points against the team (1 accounts): a strength\"");
        dims.ShouldContain("class=\"num dimension-coach\" title=\"-23.3 points against the team (1 accounts): an area to coach\"");
        dims.ShouldContain("58.3");
    }

    [Fact]
    public async Task Team_OwnerFromTheUrl_ShowsThatCsmsDetail()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/team?owner=ann%40example.com");

        html.ShouldContain("data-testid=\"csm\">ann@example.com</h2>");
        html.ShouldContain("<option selected>ann@example.com</option>");
        html.ShouldContain("data-testid=\"csm-average\">94.0<");
        html.ShouldContain("data-testid=\"csm-overdue\">1<");
        System.Net.WebUtility.HtmlDecode(html).ShouldContain("Product health: 90.0 against 58.3 (+31.7 points)");
        html.ShouldContain("data-testid=\"no-coach\"");
        html.ShouldContain("href=\"/accounts/W1\">Acme &lt;script&gt;alert(1)&lt;/script&gt;</a>");
        html.ShouldNotContain("data-testid=\"books\"");

        var eve = await TestApp.Page(client, "/team?owner=%3Cb%3Eeve%3C%2Fb%3E%40example.com");
        eve.ShouldContain("data-testid=\"csm\">&lt;b&gt;eve&lt;/b&gt;@example.com</h2>");
        System.Net.WebUtility.HtmlDecode(eve).ShouldContain("Product health: 35.0 against 58.3 (-23.3 points)");
    }

    [Fact]
    public async Task Team_UnknownOwner_SaysSo_Escaped()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/team?owner=%3Cscript%3Ex%3C%2Fscript%3E");

        html.ShouldContain("No such CSM");
        html.ShouldContain("<strong>&lt;script&gt;x&lt;/script&gt;</strong>");
        html.ShouldNotContain("<script>x</script>");
    }

    [Fact]
    public async Task Team_EmptyStore_SaysHowToStart()
    {
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/team");

        html.ShouldContain("No team yet");
        html.ShouldNotContain("data-testid=\"books\"");
    }
}

public sealed class TeamPageTestsOnSqlite() : TeamPageTests(TestEngine.Sqlite);

public sealed class TeamPageTestsOnPostgres() : TeamPageTests(TestEngine.Postgres);
