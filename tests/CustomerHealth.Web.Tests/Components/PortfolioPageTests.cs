namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Portfolio page on <see cref="PageBook"/>, and on an empty store.</summary>
public abstract class PortfolioPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Portfolio_WithABook_ShowsFiguresChartsMoversAndRenewals_Escaped()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/");

        html.ShouldContain("<h1 class=\"h3\">Portfolio</h1>");
        html.ShouldContain("data-testid=\"kpi-accounts\">4<");
        html.ShouldContain("data-testid=\"kpi-arr\">180,000<");
        // (94 + 50 + 35) / 3
        html.ShouldContain("data-testid=\"kpi-average\">59.7<");
        html.ShouldContain($"data-testid=\"kpi-scored-on\">{PageBook.Day(0)}<");
        html.ShouldContain("data-testid=\"kpi-unscored\">1<");
        // Every chart says in words what it shows.
        html.ShouldContain("aria-label=\"ARR by grade: Healthy 100,000 ARR in 1 accounts; Needs attention 20,000 ARR in 1 accounts; At risk 50,000 ARR in 1 accounts.\"");
        // (Blazor writes + and non-ASCII characters such as – as character references: compare the decoded text.)
        System.Net.WebUtility.HtmlDecode(html).ShouldContain("Accounts by current score: 0–10: 0; 10–20: 0; 20–30: 0; 30–40: 1;");
        html.ShouldContain("Only full scoring runs are shown");
        html.ShouldContain("The average score went from ");
        // Movers over 30 days: W1 +34 and W3 +5 up, W2 -30 down; user text escaped.
        var up = html[html.IndexOf("data-testid=\"movers-up\"", StringComparison.Ordinal)..html.IndexOf("data-testid=\"movers-down\"", StringComparison.Ordinal)];
        up.ShouldContain("href=\"/accounts/W1\">Acme &lt;script&gt;alert(1)&lt;/script&gt;</a>");
        up.ShouldContain("href=\"/accounts/W3\">=Initech</a>");
        up.IndexOf("W1", StringComparison.Ordinal).ShouldBeLessThan(up.IndexOf("W3", StringComparison.Ordinal));
        html[html.IndexOf("data-testid=\"movers-down\"", StringComparison.Ordinal)..].ShouldContain("href=\"/accounts/W2\">Globex</a>");
        html.ShouldNotContain("<script>alert(1)</script>");
        // W3 (red, 50,000) and W2 (yellow, 20,000) renew within 40 days: 70,000 ARR at risk.
        html.ShouldNotContain("data-testid=\"no-renewal-risk\"");
        html.ShouldContain("ARR of accounts below the top grade renewing per month:");
        html.ShouldContain("<td class=\"num\">50,000</td>");
    }

    [Fact]
    public async Task Portfolio_EmptyStore_SaysHowToStart()
    {
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/");

        html.ShouldContain("No customers yet");
        html.ShouldContain("chs import accounts accounts.csv");
        html.ShouldNotContain("data-chart=");
    }

    [Fact]
    public async Task Portfolio_AccountsWithoutScores_SaysHowToScore()
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"N1","name":"New","arr":500}]""");
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/");

        html.ShouldContain("data-testid=\"kpi-accounts\">1<");
        html.ShouldContain("No scores yet");
        html.ShouldContain("chs score");
    }
}

public sealed class PortfolioPageTestsOnSqlite() : PortfolioPageTests(TestEngine.Sqlite);

public sealed class PortfolioPageTestsOnPostgres() : PortfolioPageTests(TestEngine.Postgres);
