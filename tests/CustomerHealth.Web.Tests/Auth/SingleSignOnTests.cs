using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Tests.Browser;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;

namespace CustomerHealth.Web.Tests.Auth;

/// <summary>A real OpenID Connect provider and Debian's Chromium, shared by the single sign-on tests.</summary>
public sealed class SingleSignOnFixture : IAsyncLifetime
{
    public TestIdentityProvider Provider { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    private IPlaywright? playwright;

    public async Task InitializeAsync()
    {
        if (!File.Exists(BrowserApp.Chromium))
        {
            throw new InvalidOperationException($"{BrowserApp.Chromium} is missing: the browser tests drive Debian's Chromium; run them with scripts/test, which installs it");
        }
        await Provider.InitializeAsync();
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = BrowserApp.Chromium,
            Headless = true,
            Args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }
        playwright?.Dispose();
        await Provider.DisposeAsync();
    }
}

/// <summary>
/// Signing in with the company's identity provider, in the browser: a real OpenIddict server on a loopback port, the
/// real app configured with it (each test its own app and store; the tests that change users on both stores), and the
/// person chosen on the provider's page.
/// </summary>
[Collection(BrowserApp.Collection)]
public sealed partial class SingleSignOnTests(SingleSignOnFixture fixture) : IClassFixture<SingleSignOnFixture>
{
    private const string Button = "Sign in with Test IdP";

    private TestIdentityProvider Provider => fixture.Provider;

    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public async Task SignIn_FirstSignInWithDefaultRole_CreatesTheUserAsViewerAndOpensTheDashboard(TestEngine engine)
    {
        await using var app = await SsoApp.Start(fixture, engine, "--Oidc:DefaultRole=viewer");
        var issued = Provider.TokensIssued;

        var page = await SignInWithProvider(app, "new.person@example.com");

        await Arrive(app, page, new Regex("^" + Regex.Escape(app.Url) + "/$"));
        (await page.GetByTestId("who").TextContentAsync())!.ShouldContain("new.person@example.com (viewer)");
        var user = app.Book(b => b.User("new.person@example.com")).ShouldNotBeNull();
        (user.Role, user.PasswordHash, user.Disabled).ShouldBe((Roles.Viewer, AccessBook.NoPassword, false));
        Provider.TokensIssued.ShouldBe(issued + 1);
        // The session is the app's own cookie: the next page needs no trip to the provider.
        await page.GotoAsync(app.Url + "/accounts");
        await Arrive(app, page, new Regex(Regex.Escape(app.Url) + "/accounts$"));
        await page.Context.CloseAsync();
    }

    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public async Task SignIn_NoDefaultRole_RefusesTheUninvitedAndCreatesNobodyButLetsTheInvitedInWithTheirRole(TestEngine engine)
    {
        await using var app = await SsoApp.Start(fixture, engine);
        app.Book(b => b.SaveUser("invited@example.com", Roles.Csm, new PasswordHasher<AppUser>().HashPassword(null!, "password-invited")));
        var before = app.Book(b => b.Users().Count);

        var refused = await SignInWithProvider(app, "stranger@example.com");

        await Arrive(app, refused, new Regex(Regex.Escape(app.Url) + "/signin\\?sso=uninvited$"));
        (await refused.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("not a user of this Customer Health yet");
        (await refused.GetByRole(AriaRole.Link, new() { Name = Button }).CountAsync()).ShouldBe(1);
        app.Book(b => b.User("stranger@example.com")).ShouldBeNull();
        app.Book(b => b.Users().Count).ShouldBe(before);
        await refused.Context.CloseAsync();

        var invited = await SignInWithProvider(app, "Invited@Example.com");

        await Arrive(app, invited, new Regex("^" + Regex.Escape(app.Url) + "/$"));
        (await invited.GetByTestId("who").TextContentAsync())!.ShouldContain("invited@example.com (csm)");
        app.Book(b => b.User("invited@example.com"))!.Role.ShouldBe(Roles.Csm);
        await invited.Context.CloseAsync();
    }

    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public async Task SignIn_MappedProviderGroup_GivesThatRoleToNewAndExistingUsers(TestEngine engine)
    {
        await using var app = await SsoApp.Start(fixture, engine, "--Oidc:Roles:cs-leads=manager", "--Oidc:Roles:Platform-Admins=admin");
        app.Book(b => b.SaveUser("lead@example.com", Roles.Viewer, new PasswordHasher<AppUser>().HashPassword(null!, "password-lead")));

        var newcomer = await SignInWithProvider(app, "newcomer@example.com", "staff, cs-leads");
        await Arrive(app, newcomer, new Regex("^" + Regex.Escape(app.Url) + "/$"));
        (await newcomer.GetByTestId("who").TextContentAsync())!.ShouldContain("newcomer@example.com (manager)");
        await newcomer.Context.CloseAsync();

        var lead = await SignInWithProvider(app, "lead@example.com", "cs-leads,platform-admins");
        await Arrive(app, lead, new Regex("^" + Regex.Escape(app.Url) + "/$"));
        (await lead.GetByTestId("who").TextContentAsync())!.ShouldContain("lead@example.com (admin)");
        await lead.Context.CloseAsync();

        app.Book(b => b.User("newcomer@example.com"))!.Role.ShouldBe(Roles.Manager);
        var stored = app.Book(b => b.User("lead@example.com"))!;
        stored.Role.ShouldBe(Roles.Admin);
        // The role changed; the password the user had is kept.
        new PasswordHasher<AppUser>().VerifyHashedPassword(stored, stored.PasswordHash, "password-lead").ShouldBe(PasswordVerificationResult.Success);
    }

    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public async Task SignIn_DisabledUser_IsRefusedEvenWithAMappedGroup(TestEngine engine)
    {
        await using var app = await SsoApp.Start(fixture, engine, "--Oidc:DefaultRole=viewer", "--Oidc:Roles:cs-leads=manager");
        app.Book(b => b.SaveUser("gone@example.com", Roles.Csm, new PasswordHasher<AppUser>().HashPassword(null!, "password-gone")));
        app.Execute("UPDATE app_users SET disabled = 1 WHERE email = 'gone@example.com'");

        var page = await SignInWithProvider(app, "gone@example.com", "cs-leads");

        await Arrive(app, page, new Regex(Regex.Escape(app.Url) + "/signin\\?sso=disabled$"));
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("is disabled");
        var user = app.Book(b => b.User("gone@example.com"))!;
        (user.Role, user.Disabled).ShouldBe((Roles.Csm, true));
        // Not signed in: the dashboard sends the browser back to the sign-in page.
        await page.GotoAsync(app.Url + "/");
        await Arrive(app, page, new Regex("/signin"));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_ProviderGivesNoEmailOrAnUnverifiedOne_IsRefusedWithTheReason()
    {
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite, "--Oidc:DefaultRole=viewer");

        var noEmail = await SignInWithProvider(app, "");
        await Arrive(app, noEmail, new Regex("/signin\\?sso=no-email$"));
        (await noEmail.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("did not tell which e-mail address");
        await noEmail.Context.CloseAsync();

        var unverified = await SignInWithProvider(app, "unverified@example.com", unverified: true);
        await Arrive(app, unverified, new Regex("/signin\\?sso=unverified$"));
        (await unverified.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("not verified");
        await unverified.Context.CloseAsync();

        app.Book(b => b.User("unverified@example.com")).ShouldBeNull();
    }

    [Fact]
    public async Task SignIn_LocalPasswordsOff_HidesThePasswordFormAndRefusesAPasswordPost()
    {
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite, "--Oidc:LocalPasswords=false");
        app.Book(b => b.SaveUser("admin@example.com", Roles.Admin, new PasswordHasher<AppUser>().HashPassword(null!, "password-admin")));
        var context = await NewContext();
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.Url + "/signin");

        (await page.GetByRole(AriaRole.Link, new() { Name = Button }).CountAsync()).ShouldBe(1);
        (await page.GetByLabel("Password").CountAsync()).ShouldBe(0);
        (await page.Locator("form[action='/signin']").CountAsync()).ShouldBe(0);
        await context.CloseAsync();

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() });
        var r = await client.PostAsync(app.Url + "/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["email"] = "admin@example.com", ["password"] = "password-admin", ["returnUrl"] = "/",
        }));
        var body = await r.Content.ReadAsStringAsync();
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        body.ShouldContain("Passwords are turned off here");
        r.Headers.TryGetValues("Set-Cookie", out var cookies);
        (cookies ?? []).ShouldNotContain(c => c.StartsWith("chs_session", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignInPage_SingleSignOnOn_ShowsTheButtonBesideThePasswordForm()
    {
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite);
        app.Book(b => b.SaveUser("csm@example.com", Roles.Csm, new PasswordHasher<AppUser>().HashPassword(null!, "password-csm")));
        var context = await NewContext();
        var page = await context.NewPageAsync();

        await page.GotoAsync(app.Url + "/accounts");
        await Arrive(app, page, new Regex("/signin"));

        var button = page.GetByRole(AriaRole.Link, new() { Name = Button });
        (await button.GetAttributeAsync("href"))!.ShouldBe("/signin/sso?returnUrl=%2Faccounts");
        (await page.GetByLabel("Password").CountAsync()).ShouldBe(1);
        (await page.ContentAsync()).ShouldNotContain(Provider.ClientSecret);
        await BrowserApp.Screenshot(page, "sign-in-sso");
        // Back where the person was going, after the provider.
        await button.ClickAsync();
        await Arrive(app, page, AtProvider);
        await page.GetByLabel("Person's e-mail").FillAsync("csm@example.com");
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        await Arrive(app, page, new Regex(Regex.Escape(app.Url) + "/accounts$"));
        await context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_WrongClientSecret_ShowsTheFailureAndNeverLogsTheSecret()
    {
        var wrong = "wrong-secret-" + Guid.NewGuid().ToString("N");
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite, "--Oidc:DefaultRole=viewer", "--Oidc:ClientSecret=" + wrong);

        var page = await SignInWithProvider(app, "someone@example.com");

        await Arrive(app, page, new Regex("/signin\\?sso=failed$"));
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("did not complete");
        app.Book(b => b.User("someone@example.com")).ShouldBeNull();
        app.Logs.ShouldContain(l => l.Contains("failed", StringComparison.Ordinal));
        app.Logs.ShouldNotContain(l => l.Contains(wrong, StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task SignIn_ProviderUnreachable_ComesBackToTheSignInPageWithAMessage()
    {
        using var closed = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        var port = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite, $"--Oidc:Authority=http://127.0.0.1:{port}/");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var r = await client.GetAsync(app.Url + "/signin/sso?returnUrl=%2F");

        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        r.Headers.Location!.ToString().ShouldBe("/signin?sso=unreachable");
        (await client.GetStringAsync(app.Url + "/signin?sso=unreachable")).ShouldContain("could not be reached");
    }

    [Fact]
    public async Task Callback_ForgedOrRefusedAnswer_ComesBackToTheSignInPageWithoutAnErrorPage()
    {
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite, "--Oidc:DefaultRole=viewer");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        var before = app.Book(b => b.Users().Count);

        foreach (var query in (string[])["code=made-up&state=made-up", "error=access_denied&state=made-up", "state=" + new string('x', 5000), ""])
        {
            var r = await client.GetAsync(app.Url + "/signin-oidc?" + query);

            ((int)r.StatusCode).ShouldBe(302, query);
            r.Headers.Location!.ToString().ShouldBe("/signin?sso=failed", query);
        }
        // The page says only the messages it knows: nothing from the address is shown.
        var page = await client.GetStringAsync(app.Url + "/signin?sso=%3Cscript%3Ealert(1)%3C%2Fscript%3E");
        page.ShouldNotContain("<script>");
        page.ShouldNotContain("role=\"alert\"");
        app.Book(b => b.Users().Count).ShouldBe(before);
    }

    [Fact]
    public async Task Start_PublicUrlSet_AsksForCodeWithPkceAndThePublicCallbackAddress()
    {
        await using var app = await SsoApp.Start(fixture, TestEngine.Sqlite, "--PublicUrl=https://health.example.com/");
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });

        var r = await client.GetAsync(app.Url + "/signin/sso?returnUrl=%2Faccounts");

        r.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        var location = r.Headers.Location!.ToString();
        location.ShouldStartWith(Provider.Authority + "connect/authorize?");
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(location).Query);
        query["redirect_uri"].ToString().ShouldBe("https://health.example.com/signin-oidc");
        query["response_type"].ToString().ShouldBe("code");
        query["code_challenge_method"].ToString().ShouldBe("S256");
        // `query` is the default for the code flow, so the handler may leave it out; a form post it must not ask for.
        (query.TryGetValue("response_mode", out var mode) ? mode.ToString() : "query").ShouldBe("query");
        query["scope"].ToString().Split(' ').ShouldBe(["openid", "profile", "email"], ignoreOrder: true);
        location.ShouldNotContain(Provider.ClientSecret);
    }

    private async Task<IBrowserContext> NewContext()
    {
        var context = await fixture.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1200, Height = 900 } });
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        return context;
    }

    /// <summary>From the dashboard to the sign-in page, its button, and the provider's page, where the person is chosen.</summary>
    /// <summary>Waits for the page to reach the address; when it does not, the failure carries the app's last log lines (the sign-in's own steps).</summary>
    private static async Task Arrive(SsoApp app, IPage page, Regex url)
    {
        try
        {
            await BrowserApp.Arrive(page, url);
        }
        catch (ShouldAssertException e)
        {
            throw new ShouldAssertException(e.Message + "\nthe app's last log lines:\n" + string.Join("\n", app.Logs.TakeLast(40)), e);
        }
    }

    // The test provider's page where a person signs in.
    private Regex AtProvider => new("^" + Regex.Escape(Provider.Authority + "connect/authorize"));

    private async Task<IPage> SignInWithProvider(SsoApp app, string email, string groups = "", bool unverified = false)
    {
        var page = await (await NewContext()).NewPageAsync();
        await page.GotoAsync(app.Url + "/");
        await Arrive(app, page, new Regex("/signin"));
        await page.GetByRole(AriaRole.Link, new() { Name = Button }).ClickAsync();
        await Arrive(app, page, AtProvider);
        await page.GetByLabel("Person's e-mail").FillAsync(email);
        await page.GetByLabel("Groups").FillAsync(groups);
        if (unverified)
        {
            await page.GetByLabel("E-mail not verified").CheckAsync();
        }
        await page.GetByRole(AriaRole.Button, new() { Name = "Continue" }).ClickAsync();
        return page;
    }

    /// <summary>The app on a loopback port and a store of its own (an SQLite file or a new PostgreSQL database), configured with the test provider.</summary>
    private sealed class SsoApp : IAsyncDisposable
    {
        private readonly string dir = Path.Combine(Path.GetTempPath(), "chs-sso-tests", Guid.NewGuid().ToString("N"));
        private string? postgres;
        private WebApplication app = null!;

        public string Url { get; private set; } = "";

        private string Db => postgres ?? Path.Combine(dir, "chs.db");

        public ConcurrentQueue<string> Logs { get; } = new();

        public static async Task<SsoApp> Start(SingleSignOnFixture fixture, TestEngine engine, params string[] settings)
        {
            var sso = new SsoApp();
            Directory.CreateDirectory(sso.dir);
            sso.postgres = engine == TestEngine.Postgres ? TestPostgres.CreateDatabase() : null;
            using (var db = StoreDb.Open(sso.Db))
            {
                new ModelVersions(db, TimeProvider.System).Publish(ModelVersions.Builtin("saas"), "saas.yaml", "default");
                db.SetSetting("daily_rescore_last", TimeProvider.System.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            }
            var p = fixture.Provider;
            // Settings given later win, so a test can replace the provider's address or secret.
            string[] args =
            [
                "--Db=" + sso.Db, "--urls=http://127.0.0.1:0",
                "--Oidc:Authority=" + p.Authority, "--Oidc:ClientId=" + TestIdentityProvider.ClientId, "--Oidc:ClientSecret=" + p.ClientSecret,
                "--Oidc:DisplayName=Test IdP", "--Oidc:RoleClaim=" + TestIdentityProvider.GroupsClaim, .. settings,
            ];
            // The recorder hears everything down to Debug, the authentication handlers' own lines too.
            sso.app = ChsWebApp.Build(args, b => b.Logging.AddProvider(new RecordingLoggerProvider(sso.Logs))
                .AddFilter<RecordingLoggerProvider>(null, LogLevel.Debug).SetMinimumLevel(LogLevel.Debug));
            await sso.app.StartAsync();
            sso.Url = sso.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            p.AllowRedirect(sso.Url + "/signin-oidc");
            return sso;
        }

        public T Book<T>(Func<AccessBook, T> action)
        {
            using var db = StoreDb.Open(Db);
            return action(new AccessBook(db, TimeProvider.System));
        }

        public void Book(Action<AccessBook> action) => Book(b =>
        {
            action(b);
            return 0;
        });

        public void Execute(string sql)
        {
            using var db = StoreDb.Open(Db);
            db.Connection.Execute(sql);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
            if (postgres is not null)
            {
                TestPostgres.DropDatabase(postgres);
            }
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
                // a file still held by a stopping job; the temporary folder is cleaned by the system
            }
        }
    }

    /// <summary>Keeps every log line (with its exception), to check what the app writes about a sign-in.</summary>
    private sealed class RecordingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Recorder(categoryName, lines);

        public void Dispose()
        {
        }

        private sealed class Recorder(string category, ConcurrentQueue<string> lines) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
        }
    }
}
