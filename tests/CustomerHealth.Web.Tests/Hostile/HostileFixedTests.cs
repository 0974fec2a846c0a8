using System.Net;
using System.Text;
using System.Text.Json;

namespace CustomerHealth.Web.Tests.Hostile;

/// <summary>
/// Hostile inputs of the corpus that each needed a fix of its own (numbers at the edge of int, the API's query names,
/// cookie writes from another site). (Through a real Kestrel server, as `chs serve` runs, see HostileCliProcessTests.)
/// </summary>
public sealed class HostileFixedTests : IDisposable
{
    private readonly TestApp app = new(TestEngine.Sqlite, new() { ["Scoring:DebounceMilliseconds"] = "600000", ["Limits:MaxBodyBytes"] = "4096" });

    public void Dispose() => app.Dispose();

    private static async Task<(int Status, string Body)> Answer(Task<HttpResponseMessage> request)
    {
        var r = await request;
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("/accounts?renewal=2147483647")]
    [InlineData("/accounts?renewal=2147483648")]
    [InlineData("/accounts.csv?renewal=2147483647")]
    [InlineData("/?renewal=2147483647")]
    public async Task Renewal_AtTheEdgeOfInt_IsNotAServerError(string url)
    {
        var cookie = await app.SignedIn("admin");

        var (status, body) = await Answer(cookie.GetAsync(url));

        status.ShouldBeLessThan(500, body.Length > 300 ? body[..300] : body);
    }

    [Theory]
    [InlineData("/%0d%0aSet-Cookie:%20x=y")]
    [InlineData("/%00")]
    [InlineData("/\u001b[2J")]
    public async Task SignIn_ReturnUrlWithControlCharacters_IsNotAServerError(string returnUrl)
    {
        var anonymous = app.Anonymous();
        var (getStatus, _) = await Answer(anonymous.GetAsync("/signin?returnUrl=" + Uri.EscapeDataString(Uri.UnescapeDataString(returnUrl))));
        getStatus.ShouldBeLessThan(500);

        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var (postStatus, body) = await Answer(client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["email"] = "admin@example.com", ["password"] = TestApp.Password + "admin", ["returnUrl"] = Uri.UnescapeDataString(returnUrl),
        })));
        postStatus.ShouldBeLessThan(500, body);
    }

    [Theory]
    [InlineData("/api/v1/accounts/A1?as_of=2025-13-01", "as_of")]
    [InlineData("/api/v1/accounts?include_churned=maybe", "include_churned")]
    [InlineData("/api/v1/accounts?unknown=1", "unknown")]
    public async Task ApiRead_SnakeCaseOrUnknownParameter_Answers400NamingIt(string url, string parameter)
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"A1"}]""");

        var (status, body) = await Answer(app.KeyClient("read").GetAsync(url));

        status.ShouldBe(400, body);
        body.ShouldContain(parameter);
    }

    [Fact]
    public async Task Ingest_ChunkedBodyOverTheLimit_Answers413AndStoresNothing()
    {
        var records = "[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"{{\"account_id\":\"C{i}\"}}")) + "]";
        var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(records)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest/accounts") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        var (status, body) = await Answer(app.KeyClient("ingest").SendAsync(request));

        status.ShouldBe(413, body);
        (await app.KeyClient("read").GetJson("/api/v1/accounts")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task ApiWrite_WithASignInCookieFromAnotherSite_IsRefusedAndStoresNothing()
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"X1"}]""");
        var cookie = await app.SignedIn("admin");
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/tasks") { Content = Http.Json(JsonSerializer.Serialize(new { account_id = "X1", title = "Planted" })) };
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Sec-Fetch-Site", "cross-site");

        var (status, _) = await Answer(cookie.SendAsync(request));

        status.ShouldBeOneOf((int)HttpStatusCode.BadRequest, (int)HttpStatusCode.Forbidden);
        (await app.KeyClient("read").GetJson("/api/v1/tasks")).GetArrayLength().ShouldBe(0);
    }
}
