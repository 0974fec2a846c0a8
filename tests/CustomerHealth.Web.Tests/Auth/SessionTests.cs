using System.Net;
using System.Text.RegularExpressions;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;

namespace CustomerHealth.Web.Tests.Auth;

/// <summary>
/// Sessions end when they should (signing out, a new password, a role change, disabling or removing the user), and
/// sign-in and API keys cannot be guessed at speed.
/// </summary>
public abstract partial class SessionTests(TestEngine engine) : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider clock = new(Start);
    // This server checks every session against the store on every request.
    private readonly TestApp app = new(engine, new() { ["Auth:SessionCheckSeconds"] = "0" });

    public void Dispose() => app.Dispose();

    /// <summary>The session cookie a signed-in client holds, to replay from another client as a thief would.</summary>
    private static async Task<string> SessionCookie(TestApp app, string role)
    {
        var client = app.Anonymous();
        var page = await client.GetAsync("/signin");
        var html = await page.Content.ReadAsStringAsync();
        var token = TokenField().Match(html).Groups[1].Value;
        var antiforgery = string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["email"] = $"{role}@example.com", ["password"] = TestApp.Password + role, ["returnUrl"] = "/",
            }),
        };
        request.Headers.Add("Cookie", antiforgery);
        var r = await client.SendAsync(request);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        return r.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]).Single(c => c.StartsWith("chs_session=", StringComparison.Ordinal));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    private async Task<HttpStatusCode> ReadWith(string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/portfolio");
        request.Headers.Add("Cookie", cookie);
        return (await app.Anonymous().SendAsync(request)).StatusCode;
    }

    [Fact]
    public async Task SignOut_ACopyOfTheCookieSavedBefore_NoLongerWorks()
    {
        var cookies = new CookieContainer();
        var browser = app.CreateDefaultClient(new CookieContainerHandler(cookies));
        await TestApp.SignIn(browser, "manager");
        var stolen = "chs_session=" + cookies.GetCookies(browser.BaseAddress!)["chs_session"]!.Value;
        (await ReadWith(stolen)).ShouldBe(HttpStatusCode.OK);

        // The person signs out with the page's own form; the copy kept elsewhere is dead too.
        var page = await TestApp.Page(browser, "/");
        var token = TokenField().Match(page).Groups[1].Value;
        token.ShouldNotBeEmpty("the page has the sign-out form");
        var r = await browser.PostAsync("/signout", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect, await r.Content.ReadAsStringAsync());

        (await ReadWith(stolen)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("password")]
    [InlineData("role")]
    [InlineData("disable")]
    [InlineData("remove")]
    public async Task AChangeToTheUser_EndsTheSessionsTheyHave(string change)
    {
        var cookie = await SessionCookie(app, "csm");
        (await ReadWith(cookie)).ShouldBe(HttpStatusCode.OK);
        using (var db = app.OpenStore())
        {
            var book = new AccessBook(db, TimeProvider.System);
            switch (change)
            {
                case "password":
                    book.SaveUser("csm@example.com", Roles.Csm, new PasswordHasher<AppUser>().HashPassword(null!, "a new password"));
                    break;
                case "role":
                    book.SetRole("csm@example.com", Roles.Viewer).ShouldBeTrue();
                    break;
                case "disable":
                    book.Disable("csm@example.com").ShouldBeTrue();
                    break;
                case "remove":
                    book.Remove("csm@example.com").ShouldBeTrue();
                    break;
            }
        }
        // The server trusts its last look at a session for a few seconds (here: none).
        (await ReadWith(cookie)).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task ASessionEndedElsewhere_StopsWorkingHereWithinTheCheckInterval()
    {
        using var cached = new TestApp(engine, new() { ["Auth:SessionCheckSeconds"] = "10" }, clock);
        var cookie = await SessionCookie(cached, "viewer");
        async Task<HttpStatusCode> Read()
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/portfolio");
            request.Headers.Add("Cookie", cookie);
            return (await cached.Anonymous().SendAsync(request)).StatusCode;
        }
        (await Read()).ShouldBe(HttpStatusCode.OK);
        using (var db = cached.OpenStore())
        {
            new AccessBook(db, TimeProvider.System).Disable("viewer@example.com");
        }
        clock.Now = Start.AddSeconds(11);
        (await Read()).ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task SignIn_AfterFiveWrongPasswords_WaitsEvenForTheRightOne_ThenLetsIn()
    {
        using var timed = new TestApp(engine, null, clock);
        for (var i = 0; i < SignInThrottleFree; i++)
        {
            (await Attempt(timed, "manager@example.com", "wrong")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }
        (await Attempt(timed, "manager@example.com", "wrong")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized, "the sixth failure starts the wait");
        var blocked = await Attempt(timed, "manager@example.com", TestApp.Password + "manager");
        blocked.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests);
        blocked.Headers.RetryAfter!.Delta!.Value.TotalSeconds.ShouldBeGreaterThan(0);
        (await blocked.Content.ReadAsStringAsync()).ShouldContain("Too many failed sign-ins");
        clock.Now = Start.AddSeconds(2);
        (await Attempt(timed, "manager@example.com", TestApp.Password + "manager")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
    }

    private const int SignInThrottleFree = 5;

    [Fact]
    public async Task SignIn_GuessingKeepsDoublingTheWait()
    {
        using var timed = new TestApp(engine, null, clock);
        var waits = new List<double>();
        for (var i = 0; i < 9; i++)
        {
            var r = await Attempt(timed, "admin@example.com", "guess" + i);
            if (r.StatusCode == HttpStatusCode.TooManyRequests)
            {
                waits.Add(r.Headers.RetryAfter!.Delta!.Value.TotalSeconds);
                clock.Now += r.Headers.RetryAfter.Delta.Value;
                i--;
                if (waits.Count > 20)
                {
                    break;
                }
            }
        }
        waits.ShouldBe([1, 2, 4]);
    }

    /// <summary>One try at the sign-in form, from a browser of its own (its own anti-forgery cookie).</summary>
    private static async Task<HttpResponseMessage> Attempt(TestApp app, string email, string password)
    {
        var client = app.Anonymous();
        var page = await client.GetAsync("/signin");
        var token = TokenField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["email"] = email, ["password"] = password, ["returnUrl"] = "/",
            }),
        };
        request.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        return await client.SendAsync(request);
    }

    [Fact]
    public async Task ApiKeys_ManyUnknownKeysFromOneAddress_Get429_AndRealKeysOfOtherCallersStillWork()
    {
        using var timed = new TestApp(engine, null, clock);
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 14; i++)
        {
            var client = timed.Anonymous();
            client.DefaultRequestHeaders.Authorization = new("Bearer", $"chs_{i:x12}_{new string('0', 48)}");
            statuses.Add((await client.GetAsync("/api/v1/portfolio")).StatusCode);
        }
        statuses.Take(10).ShouldAllBe(s => s == HttpStatusCode.Unauthorized);
        statuses.Last().ShouldBe(HttpStatusCode.TooManyRequests);
        clock.Now = Start.AddHours(2);
        (await timed.KeyClient("read").GetAsync("/api/v1/portfolio")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/%0A/x")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task SignIn_ReturnUrlThatIsNotAPlainPath_GoesHome(string returnUrl)
    {
        var client = app.Anonymous();
        var page = await client.GetAsync("/signin?returnUrl=" + returnUrl);
        page.StatusCode.ShouldBe(HttpStatusCode.OK);
        var token = TokenField().Match(await page.Content.ReadAsStringAsync()).Groups[1].Value;
        var request = new HttpRequestMessage(HttpMethod.Post, "/signin")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["email"] = "viewer@example.com", ["password"] = TestApp.Password + "viewer",
                ["returnUrl"] = Uri.UnescapeDataString(returnUrl),
            }),
        };
        request.Headers.Add("Cookie", string.Join("; ", page.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0])));
        var r = await client.SendAsync(request);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.OriginalString.ShouldBe("/");
    }
}

public sealed class SessionTestsOnSqlite() : SessionTests(TestEngine.Sqlite);

public sealed class SessionTestsOnPostgres() : SessionTests(TestEngine.Postgres);
