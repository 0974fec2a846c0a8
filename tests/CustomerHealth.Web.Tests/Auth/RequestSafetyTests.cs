using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Dapper;

namespace CustomerHealth.Web.Tests.Auth;

/// <summary>
/// What a request may do besides its credentials: pages need the read permission; a signed-in person's API writes
/// come from this site only; query parameters are the documented ones; numbers and bodies out of range get a 4xx.
/// </summary>
public abstract class RequestSafetyTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private long Accounts()
    {
        using var db = app.OpenStore();
        return db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM accounts");
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/accounts?q=a")]
    [InlineData("/alerts")]
    [InlineData("/alerts/rules")]
    [InlineData("/model")]
    [InlineData("/team")]
    public async Task Pages_WithAnIngestKey_AreRefused_WithAReadKey_Shown(string page)
    {
        (await app.KeyClient("ingest").GetAsync(page)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.KeyClient("read").GetAsync(page)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static HttpRequestMessage Post(string path, HttpContent content, string? origin = null, string? fetchSite = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }
        if (fetchSite is not null)
        {
            request.Headers.Add("Sec-Fetch-Site", fetchSite);
        }
        return request;
    }

    private const string Account = """[{"account_id":"X1","name":"Cross"}]""";

    [Fact]
    public async Task CookieWrites_FromAPageOnAnotherPort_OrAsAFormBody_AreRefusedAndStoreNothing()
    {
        var manager = await app.SignedIn("manager");
        var before = Accounts();
        // The attack: a page on the same host at another port auto-submits a text/plain form whose body parses as JSON.
        var attacks = new[]
        {
            Post("/api/v1/ingest/accounts?partial=true", new StringContent(Account, Encoding.UTF8, "text/plain"), "http://localhost:8081", "same-site"),
            Post("/api/v1/ingest/accounts?partial=true", new StringContent(Account, Encoding.UTF8, "text/plain")),
            Post("/api/v1/ingest/accounts", Http.Json(Account), "http://localhost:8081"),
            Post("/api/v1/ingest/accounts", Http.Json(Account), null, "cross-site"),
            Post("/api/v1/ingest/accounts", new FormUrlEncodedContent(new Dictionary<string, string> { ["a"] = "b" })),
            Post("/api/v1/deliveries/retry", new StringContent("", Encoding.UTF8, "text/plain"), "http://localhost:8081"),
            Post("/api/v1/model/preview", new StringContent("name: x", Encoding.UTF8, "text/plain")),
        };
        foreach (var attack in attacks)
        {
            var r = await manager.SendAsync(attack);
            r.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{attack.RequestUri} {attack.Content!.Headers.ContentType}");
            (await r.Content.ReadAsStringAsync()).ShouldContain("A write with your sign-in must");
        }
        Accounts().ShouldBe(before);

        // The same write from this site's own page (same origin, JSON) lands.
        var own = await manager.SendAsync(Post("/api/v1/ingest/accounts", Http.Json(Account), "http://localhost", "same-origin"));
        own.StatusCode.ShouldBe(HttpStatusCode.OK, await own.Content.ReadAsStringAsync());
        Accounts().ShouldBe(before + 1);
    }

    [Fact]
    public async Task SegmentEndpoints_WithACookie_AreRefused_WithAKey_Accepted()
    {
        var manager = await app.SignedIn("manager");
        var body = """{"type":"group","groupId":"SEG-1","userId":"u1","traits":{"name":"Seg"}}""";
        var r = await manager.SendAsync(Post("/v1/group", Http.Json(body)));
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await r.Content.ReadAsStringAsync()).ShouldContain("API key");
        var key = app.Anonymous();
        key.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(app.Keys["ingest"] + ":")));
        (await key.PostAsync("/v1/group", Http.Json(body))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task KeyWrites_AreNotCheckedForOrigin()
    {
        var r = await app.KeyClient("ingest").SendAsync(Post("/api/v1/ingest/accounts", new StringContent(Account, Encoding.UTF8, "text/plain"), "http://elsewhere.example"));
        r.StatusCode.ShouldBe(HttpStatusCode.OK, await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/api/v1/accounts?includeChurned=true", "includeChurned", "include_churned")]
    [InlineData("/api/v1/accounts/A1?asOf=2026-01-01", "asOf", "as_of")]
    [InlineData("/api/v1/deliveries?alertId=1", "alertId", "alert_id")]
    [InlineData("/api/v1/accounts?gradee=red", "gradee", null)]
    [InlineData("/api/v1/portfolio?x=1", "x", null)]
    [InlineData("/api/v1/accounts/A1?id=2", "id", null)]
    public async Task UnknownQueryParameters_Get400NamingThem(string url, string name, string? suggestion)
    {
        var r = await app.KeyClient("admin").GetAsync(url);
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var detail = (await r.ReadJson()).GetProperty("detail").GetString()!;
        detail.ShouldContain($"unknown query parameter `{name}`");
        if (suggestion is not null)
        {
            detail.ShouldContain($"did you mean `{suggestion}`");
        }
    }

    [Fact]
    public async Task DocumentedSnakeCaseNames_AreApplied()
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts",
            """[{"account_id":"A1","name":"Live"},{"account_id":"C1","name":"Gone","status":"churned"}]""");
        var key = app.KeyClient("read");
        var without = await key.GetJson("/api/v1/accounts");
        var with = await key.GetJson("/api/v1/accounts?include_churned=true");
        without.EnumerateArray().Select(a => a.GetProperty("account_id").GetString()).ShouldNotContain("C1");
        with.EnumerateArray().Select(a => a.GetProperty("account_id").GetString()).ShouldContain("C1");
        var bad = await key.GetAsync("/api/v1/accounts/A1?as_of=yesterday");
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest, "as_of is read, so a bad value is refused");
        (await bad.ReadJson()).GetProperty("detail").GetString()!.ShouldContain("as_of");
        (await app.KeyClient("admin").GetAsync("/api/v1/deliveries?alert_id=999")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task AQueryValueOfTheWrongType_Gets400NamingTheParameter()
    {
        var r = await app.KeyClient("read").GetAsync("/api/v1/accounts?limit=lots");
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await r.ReadJson()).GetProperty("detail").GetString()!.ShouldContain("limit");
    }

    [Fact]
    public async Task AChunkedBodyOverTheLimit_Gets413NotA500()
    {
        using var small = new TestApp(engine, new() { ["Limits:MaxBodyBytes"] = "1000" });
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes("[" + new string(' ', 5000) + "]")));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest/accounts") { Content = content };
        request.Headers.TransferEncodingChunked = true;
        var r = await small.KeyClient("ingest").SendAsync(request);
        r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
    }

    [Theory]
    [InlineData("/accounts?renewal=2147483647")]
    [InlineData("/accounts?renewal=-5")]
    [InlineData("/accounts?page=2147483647")]
    public async Task AccountsPage_NumbersOutOfRange_AreExplainedNotA500(string url)
    {
        var r = await app.KeyClient("read").GetAsync(url);
        r.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await r.Content.ReadAsStringAsync();
        if (url.Contains("renewal", StringComparison.Ordinal))
        {
            html.ShouldContain("the renewal window must be from 0 to 3650 days");
        }
    }

    [Fact]
    public async Task AccountsCsv_RenewalOutOfRange_Is400NamingIt()
    {
        var r = await app.KeyClient("read").GetAsync("/accounts.csv?renewal=2147483647");
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await r.ReadJson()).GetProperty("detail").GetString()!.ShouldStartWith("renewal:");
    }

    [Fact]
    public async Task Sentiment_ACsmOnAnAccountTheyDoNotOwn_IsRefused_OnTheirOwn_Recorded()
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts",
            """[{"account_id":"MINE","owner":"csm@example.com"},{"account_id":"THEIRS","owner":"someone@example.com"}]""");
        var csm = await app.SignedIn("csm");
        var refused = await csm.PostAsync("/api/v1/accounts/THEIRS/sentiment", Http.Json("""{"rating":"red","note":"not mine"}"""));
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await csm.PostAsync("/api/v1/accounts/MINE/sentiment", Http.Json("""{"rating":"green","note":"mine"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await (await app.SignedIn("manager")).PostAsync("/api/v1/accounts/THEIRS/sentiment", Http.Json("""{"rating":"yellow"}"""))).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var db = app.OpenStore();
        db.Connection.Query<string>("SELECT a.account_id FROM sentiment s JOIN accounts a ON a.account_key = s.account_key ORDER BY a.account_id")
            .ShouldBe(["MINE", "THEIRS"]);

        // The account page offers the form only where the CSM may use it.
        (await TestApp.Page(csm, "/accounts/THEIRS")).ShouldNotContain("data-testid=\"sentiment-form\"");
        (await TestApp.Page(csm, "/accounts/MINE")).ShouldContain("data-testid=\"sentiment-form\"");
    }
}

public sealed class RequestSafetyTestsOnSqlite() : RequestSafetyTests(TestEngine.Sqlite);

public sealed class RequestSafetyTestsOnPostgres() : RequestSafetyTests(TestEngine.Postgres);
