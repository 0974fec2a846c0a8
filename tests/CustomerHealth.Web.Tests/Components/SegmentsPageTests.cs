using System.Net;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Segments page and its at-risk CSV on <see cref="PageBook"/>, and an empty store.</summary>
public abstract class SegmentsPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Segments_HealthByGroup_AtRiskByArrTimesRisk_AndCandidates()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/segments");

        // By ARR: Enterprise (W1, 100,000) before SMB (W2 and W3: 70,000 ARR, average 42.5, one yellow and one red).
        var segments = html[html.IndexOf("data-testid=\"by-segment\"", StringComparison.Ordinal)..html.IndexOf("data-testid=\"by-plan\"", StringComparison.Ordinal)];
        segments.IndexOf(">Enterprise<", StringComparison.Ordinal).ShouldBeLessThan(segments.IndexOf(">SMB<", StringComparison.Ordinal));
        segments.ShouldContain("href=\"/accounts?segment=SMB\"");
        segments.ShouldContain("<td class=\"num\">70,000</td>");
        segments.ShouldContain("<td class=\"num\">42.5</td>");
        segments.ShouldContain("<td class=\"num\">50%</td>");
        html[html.IndexOf("data-testid=\"by-stage\"", StringComparison.Ordinal)..].ShouldContain("href=\"/accounts?stage=onboarding\"");
        // At risk: W3 50,000 × 0.65 = 32,500 before W2 20,000 × 0.50 = 10,000.
        var atRisk = html[html.IndexOf("data-testid=\"at-risk\"", StringComparison.Ordinal)..html.IndexOf("data-testid=\"candidates\"", StringComparison.Ordinal)];
        atRisk.IndexOf("/accounts/W3", StringComparison.Ordinal).ShouldBeLessThan(atRisk.IndexOf("/accounts/W2", StringComparison.Ordinal));
        atRisk.ShouldContain("<td class=\"num\">32,500</td>");
        atRisk.ShouldContain("&lt;b&gt;eve&lt;/b&gt;@example.com");
        html.ShouldContain("Together: 42,500.");
        html.ShouldContain("href=\"/segments/at-risk.csv\"");
        // ARRs 10,000, 20,000, 50,000, 100,000: the top quarter starts at 50,000; only W1 is healthy there.
        html.ShouldContain("(50,000 ARR or more)");
        var candidates = html[html.IndexOf("data-testid=\"candidates\"", StringComparison.Ordinal)..];
        candidates.ShouldContain("href=\"/accounts/W1\">Acme &lt;script&gt;alert(1)&lt;/script&gt;</a>");
        candidates.ShouldNotContain("/accounts/W3");
        html.ShouldNotContain("<script>alert(1)</script>");
    }

    [Fact]
    public async Task AtRiskCsv_ListsEveryAccountAtRisk_MostArrAtRiskFirst_FormulasDefused()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var r = await client.GetAsync("/segments/at-risk.csv");

        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        r.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        var lines = (await r.Content.ReadAsStringAsync()).TrimEnd('\n').Split('\n');
        lines.ShouldBe([
            "account_id,name,segment,plan,owner,arr,score,grade,arr_at_risk,renewal_on",
            $"W3,'=Initech,SMB,Starter,<b>eve</b>@example.com,50000,35,red,32500,{PageBook.Day(10)}",
            $"W2,Globex,SMB,Starter,bob@example.com,20000,50,yellow,10000,{PageBook.Day(40)}",
        ]);
        (await app.Anonymous().GetAsync("/segments/at-risk.csv")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    [Fact]
    public async Task Segments_EmptyStore_SaysHowToStart()
    {
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/segments");

        html.ShouldContain("No accounts yet");
        html.ShouldNotContain("data-testid=\"at-risk\"");
    }
}

public sealed class SegmentsPageTestsOnSqlite() : SegmentsPageTests(TestEngine.Sqlite);

public sealed class SegmentsPageTestsOnPostgres() : SegmentsPageTests(TestEngine.Postgres);
