using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using CustomerHealth.Store.Access;
using CustomerHealth.Web.Auth;
using Dapper;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CustomerHealth.Web.Tests.Auth;

public abstract partial class AccessTests(TestEngine engine) : IDisposable
{
    // One anonymous caller visits every endpoint at once: more requests than the default burst (the limit has tests of its own).
    private readonly TestApp app = new(engine, new() { ["Limits:RequestsPerSecond"] = "5000", ["Limits:Burst"] = "5000" });

    public void Dispose() => app.Dispose();

    /// <summary>Every mapped endpoint with its methods and a concrete path (route parameters filled in).</summary>
    private List<(string Method, string Path, string Pattern)> Endpoints()
    {
        _ = app.Server; // builds the host
        var sources = app.Services.GetServices<EndpointDataSource>();
        return sources.SelectMany(s => s.Endpoints).OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"])
                .Select(m => (m, "/" + RouteParameter().Replace(e.RoutePattern.RawText!.TrimStart('/'), "1"), Constraint().Replace(e.RoutePattern.RawText!, "{$1}"))))
            .ToList();
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex RouteParameter();

    /// <summary>A route parameter's constraint (`{id:long}`), which the OpenAPI path leaves out.</summary>
    [GeneratedRegex(@"\{([^}:]+):[^}]+\}")]
    private static partial Regex Constraint();

    [Fact]
    public async Task EveryEndpoint_Anonymous_IsRefusedExceptSignInAndHealth()
    {
        var endpoints = Endpoints();
        endpoints.Count.ShouldBeGreaterThan(20);
        var client = app.Anonymous();
        var open = new List<string>();
        foreach (var (method, path, pattern) in endpoints)
        {
            var r = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method is "GET" or "HEAD" ? null : Http.Json("{}") });
            var refused = r.StatusCode == HttpStatusCode.Unauthorized ||
                (r.StatusCode == HttpStatusCode.Redirect && r.Headers.Location!.OriginalString.Contains("/signin", StringComparison.Ordinal));
            if (!refused)
            {
                open.Add($"{method} {pattern} → {(int)r.StatusCode}");
            }
        }
        // The sign-in page's styles and icon are served to anyone; no other static file is.
        open.Distinct().Order().ShouldBe([
            "GET /health → 200", "GET /signin → 200", "GET app.css → 200", "GET favicon.svg → 200", "GET lib/bootstrap/css/bootstrap.min.css → 200",
            "HEAD app.css → 200", "HEAD favicon.svg → 200", "HEAD lib/bootstrap/css/bootstrap.min.css → 200", "POST /signin → 400",
        ]);
    }

    [Theory]
    [InlineData("read", "GET", "/api/v1/accounts", 200)]
    [InlineData("read", "POST", "/api/v1/ingest/accounts", 403)]
    [InlineData("ingest", "POST", "/api/v1/ingest/accounts", 200)]
    [InlineData("ingest", "GET", "/api/v1/accounts", 403)]
    [InlineData("ingest", "POST", "/v1/track", 400)]
    [InlineData("read", "POST", "/v1/track", 403)]
    [InlineData("read", "PUT", "/api/v1/model", 403)]
    [InlineData("admin", "GET", "/api/v1/portfolio", 200)]
    [InlineData("admin", "POST", "/api/v1/ingest/accounts", 200)]
    public async Task ApiKey_Scope_DecidesWhatItMayDo(string scope, string method, string path, int expected)
    {
        var r = await app.KeyClient(scope).SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : Http.Json("[]") });
        ((int)r.StatusCode).ShouldBe(expected);
    }

    [Fact]
    public async Task ApiKey_UnknownOrRevoked_Is401()
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "chs_000000000000_" + new string('0', 48));
        (await client.GetAsync("/api/v1/accounts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var keyId = app.Keys["read"].Split('_')[1];
        using (var db = app.OpenStore())
        {
            new CustomerHealth.Store.Access.AccessBook(db, TimeProvider.System).Revoke(keyId).ShouldBeTrue();
        }
        (await app.KeyClient("read").GetAsync("/api/v1/accounts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ApiKeysAndPasswords_AreStoredOnlyAsHashes()
    {
        using var db = app.OpenStore();
        var stored = string.Join("\n", db.Connection.Query<string>("SELECT key_hash FROM api_keys")
            .Concat(db.Connection.Query<string>("SELECT password_hash FROM app_users")));
        foreach (var key in app.Keys.Values)
        {
            stored.ShouldNotContain(key.Split('_')[2]);
        }
        stored.ShouldNotContain(TestApp.Password);
        await Task.CompletedTask;
    }

    [Fact]
    public async Task SignIn_WithTheFormAndItsAntiforgeryToken_GivesACookieThatReadsTheApi()
    {
        var client = app.Anonymous();
        var (token, cookie) = await SignInForm(client);
        var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["email"] = "viewer@example.com", ["password"] = TestApp.Password + "viewer", ["returnUrl"] = "/api/v1/portfolio",
        });
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin") { Content = form };
        request.Headers.Add("Cookie", cookie);
        var r = await client.SendAsync(request);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.OriginalString.ShouldBe("/api/v1/portfolio");
        var session = r.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("chs_session=", StringComparison.Ordinal));
        session.ShouldContain("httponly", Case.Insensitive);
        session.ShouldContain("samesite=strict", Case.Insensitive);
        var read = new HttpRequestMessage(HttpMethod.Get, "/api/v1/portfolio");
        read.Headers.Add("Cookie", session.Split(';')[0]);
        (await client.SendAsync(read)).StatusCode.ShouldBe(HttpStatusCode.OK);
        // A viewer reads, but may not publish a model.
        var publish = new HttpRequestMessage(HttpMethod.Put, "/api/v1/model") { Content = new StringContent("x: 1") };
        publish.Headers.Add("Cookie", session.Split(';')[0]);
        (await client.SendAsync(publish)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task SignIn_WrongPassword_Is401AndSetsNoSession()
    {
        var client = app.Anonymous();
        var (token, cookie) = await SignInForm(client);
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["email"] = "admin@example.com", ["password"] = "guess" }),
        };
        request.Headers.Add("Cookie", cookie);
        var r = await client.SendAsync(request);
        r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await r.Content.ReadAsStringAsync()).ShouldContain("do not match");
        (r.Headers.TryGetValues("Set-Cookie", out var set) ? set : []).ShouldNotContain(c => c.StartsWith("chs_session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_WithoutAntiforgeryToken_IsRefused()
    {
        var r = await app.Anonymous().PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "admin@example.com", ["password"] = TestApp.Password + "admin",
        }));
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (r.Headers.TryGetValues("Set-Cookie", out var set) ? set : []).ShouldNotContain(c => c.StartsWith("chs_session=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignIn_ReturnUrlToAnotherSite_GoesHomeInstead()
    {
        var client = app.Anonymous();
        var (token, cookie) = await SignInForm(client);
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["email"] = "admin@example.com", ["password"] = TestApp.Password + "admin", ["returnUrl"] = "//evil.example/",
            }),
        };
        request.Headers.Add("Cookie", cookie);
        var r = await client.SendAsync(request);
        r.Headers.Location!.OriginalString.ShouldBe("/");
    }

    [Fact]
    public async Task Responses_CarryTheSecurityHeaders()
    {
        var r = await app.Anonymous().GetAsync("/health");
        r.Headers.GetValues("X-Content-Type-Options").Single().ShouldBe("nosniff");
        r.Headers.GetValues("X-Frame-Options").Single().ShouldBe("DENY");
        r.Headers.GetValues("Content-Security-Policy").Single().ShouldContain("frame-ancestors 'none'");
        r.Headers.GetValues("Referrer-Policy").Single().ShouldBe("no-referrer");
    }

    [Fact]
    public async Task OpenApiDocument_DescribesExactlyTheApiEndpoints()
    {
        var doc = await app.KeyClient("read").GetJson("/openapi/v1.json");
        var documented = doc.GetProperty("paths").EnumerateObject()
            .SelectMany(p => p.Value.EnumerateObject().Select(op => $"{op.Name.ToUpperInvariant()} {p.Name}")).Order().ToList();
        var mapped = Endpoints()
            .Where(e => e.Pattern.StartsWith("/api/", StringComparison.Ordinal) || e.Pattern.StartsWith("/v1/", StringComparison.Ordinal) || e.Pattern == "/health")
            .Select(e => $"{e.Method} {e.Pattern}").Order().ToList();
        documented.ShouldBe(mapped);
    }

    private static async Task<(string Token, string Cookie)> SignInForm(HttpClient client)
    {
        var page = await client.GetAsync("/signin");
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var html = await page.Content.ReadAsStringAsync();
        var token = Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        token.ShouldNotBeEmpty();
        var cookie = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        return (token, cookie);
    }

    [Fact]
    public async Task SignIn_ACookieIssuedByOneServer_IsAcceptedByAnotherServerOnTheSameStore()
    {
        var cookies = new CookieContainer();
        await TestApp.SignIn(app.CreateDefaultClient(new CookieContainerHandler(cookies)), "viewer");

        // The key that protects the cookie is in the store, not in a folder of the machine.
        using (var db = app.OpenStore())
        {
            new ProtectionKeys(db).All().ShouldHaveSingleItem().ShouldStartWith("<key ");
        }
        // Another server on the same store (its own host, its own data protection), given the first one's cookies.
        using var other = app.WithWebHostBuilder(_ => { });
        other.Services.GetRequiredService<IOptions<KeyManagementOptions>>().Value.XmlRepository.ShouldBeOfType<StoreKeyRing>();
        var client = other.CreateDefaultClient(new CookieContainerHandler(cookies));
        (await client.GetAsync("/api/v1/accounts")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var page = await client.GetAsync("/accounts");
        page.StatusCode.ShouldBe(HttpStatusCode.OK, await page.Content.ReadAsStringAsync());
        // A stranger's cookie is still refused there.
        var stranger = new CookieContainer();
        stranger.Add(new Uri("http://localhost"), new Cookie("chs_session", "forged"));
        (await other.CreateDefaultClient(new CookieContainerHandler(stranger)).GetAsync("/api/v1/accounts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }
}

public sealed class AccessTestsOnSqlite() : AccessTests(TestEngine.Sqlite);

public sealed class AccessTestsOnPostgres() : AccessTests(TestEngine.Postgres);

public sealed class RateLimitTests : IDisposable
{
    private readonly TestApp app = new(TestEngine.Sqlite, new() { ["Limits:RequestsPerSecond"] = "1", ["Limits:Burst"] = "3" });

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task AKeyOverItsRate_Gets429WithRetryAfter_OtherKeysDoNot()
    {
        var client = app.KeyClient("read");
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            var r = await client.GetAsync("/api/v1/portfolio");
            statuses.Add(r.StatusCode);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                r.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThanOrEqualTo(1);
                (await r.ReadJson()).GetProperty("status").GetInt32().ShouldBe(429);
            }
        }
        statuses.Take(3).ShouldAllBe(s => s == HttpStatusCode.OK);
        statuses.ShouldContain(HttpStatusCode.TooManyRequests);
        (await app.KeyClient("admin").GetAsync("/api/v1/portfolio")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task ABodyOverTheLimit_Gets413()
    {
        using var small = new TestApp(TestEngine.Sqlite, new() { ["Limits:MaxBodyBytes"] = "1000" });
        var r = await small.KeyClient("ingest").PostAsync("/api/v1/ingest/accounts", new StringContent("[" + new string(' ', 2000) + "]", Encoding.UTF8, "application/json"));
        r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        (await r.ReadJson()).GetProperty("detail").GetString()!.ShouldContain("1,000 bytes");
    }
}
