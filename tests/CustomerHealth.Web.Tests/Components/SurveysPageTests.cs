namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Surveys page on <see cref="PageBook"/>: the figures, the comments filtered by kind from the URL, and an empty store.</summary>
public abstract class SurveysPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Surveys_NpsCsatCesByMonthAndSegment_WithTheComments_Escaped()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/surveys");

        // One NPS promoter (+100), one CSAT of 2 (average 2.00, none satisfied), one CES of 6 (easy).
        // (Blazor writes + as a character reference: compare the decoded text.)
        var monthly = System.Net.WebUtility.HtmlDecode(html[html.IndexOf("data-testid=\"monthly\"", StringComparison.Ordinal)..html.IndexOf("data-testid=\"by-segment\"", StringComparison.Ordinal)]);
        monthly.ShouldContain("<td class=\"num\">+100</td>");
        monthly.ShouldContain("<td class=\"num\">2.00</td>");
        monthly.ShouldContain("<td class=\"num\">0%</td>");
        monthly.ShouldContain("<td class=\"num\">6.00</td>");
        html.ShouldContain("aria-label=\"NPS by month:");
        var segments = html[html.IndexOf("data-testid=\"by-segment\"", StringComparison.Ordinal)..html.IndexOf("What customers wrote", StringComparison.Ordinal)];
        segments.ShouldContain("<th scope=\"row\" class=\"fw-normal\">Enterprise</th>");
        segments.ShouldContain("<th scope=\"row\" class=\"fw-normal\">SMB</th>");
        html.ShouldContain("NPS by segment over the last 90 days: Enterprise 100; SMB no NPS answers.");
        var comments = html[html.IndexOf("data-testid=\"comments\"", StringComparison.Ordinal)..];
        comments.ShouldContain("Great &lt;i&gt;team&lt;/i&gt;");
        comments.ShouldContain("Slow answers");
        comments.ShouldContain("href=\"/accounts/W1\">Acme &lt;script&gt;alert(1)&lt;/script&gt;</a>");
        html.ShouldNotContain("<i>team</i>");
        html.ShouldNotContain("<script>alert(1)</script>");
    }

    [Fact]
    public async Task Surveys_KindFromTheUrl_FiltersTheComments()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var csat = await TestApp.Page(client, "/surveys?kind=csat");
        csat.ShouldContain("<option value=\"csat\" selected>CSAT</option>");
        var comments = csat[csat.IndexOf("data-testid=\"comments\"", StringComparison.Ordinal)..];
        comments.ShouldContain("Slow answers");
        comments.ShouldNotContain("Great &lt;i&gt;team&lt;/i&gt;");

        var ces = await TestApp.Page(client, "/surveys?kind=ces");
        ces.ShouldContain("data-testid=\"no-comments\">No CES answer has a comment yet.");

        var bogus = await TestApp.Page(client, "/surveys?kind=%3Cb%3Ex");
        bogus.ShouldContain("There is no survey called “&lt;b&gt;x”");
        bogus.ShouldNotContain("<b>x");
    }

    [Fact]
    public async Task Surveys_EmptyStore_SaysHowToStart()
    {
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/surveys");

        html.ShouldContain("No survey answers yet");
        html.ShouldContain("chs import surveys surveys.csv");
    }
}

public sealed class SurveysPageTestsOnSqlite() : SurveysPageTests(TestEngine.Sqlite);

public sealed class SurveysPageTestsOnPostgres() : SurveysPageTests(TestEngine.Postgres);
