using System.Globalization;
using System.Text;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CustomerHealth.Web.Tests.Browser;

/// <summary>
/// The real app on a loopback port, on a store with a small portfolio and its history (weekly scores for four
/// months, the shipped alert rules replayed over them), and Debian's Chromium driven by Playwright. One per test
/// class; each test opens its own browser context (its own cookies).
/// </summary>
public sealed class BrowserApp : IAsyncLifetime
{
    /// <summary>
    /// Browser tests run one class at a time and apart from the other tests (a collection without parallelism runs
    /// after the parallel ones): two apps, two browsers and the load test at once starve two cores.
    /// </summary>
    public const string Collection = "Browser";

    public const string Chromium = "/usr/bin/chromium";

    private readonly string dir = Path.Combine(Path.GetTempPath(), "chs-browser-tests", Guid.NewGuid().ToString("N"));
    private WebApplication? app;

    /// <summary>The running app's services, for what a test observes or holds on the server's side.</summary>
    public IServiceProvider Services => app?.Services ?? throw new InvalidOperationException("the app is not started");
    private IPlaywright? playwright;

    public string Target => Path.Combine(dir, "chs.db");

    public string Url { get; private set; } = "";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>Waiting for a page means waiting for its document, not for every script and chart to finish.</summary>
    public static readonly PageWaitForURLOptions Loaded = new() { WaitUntil = WaitUntilState.DOMContentLoaded };

    /// <summary>Waits for the page to reach an address; a failure says where it is instead.</summary>
    public static async Task Arrive(IPage page, System.Text.RegularExpressions.Regex url)
    {
        try
        {
            await Reach(page, url);
        }
        catch (TimeoutException)
        {
            await Screenshot(page, "failed-" + Guid.NewGuid().ToString("N")[..6]);
            var text = "(unreadable)";
            try
            {
                text = await page.Locator("body").InnerTextAsync(new LocatorInnerTextOptions { Timeout = 5_000 });
            }
            catch (PlaywrightException)
            {
                // the page has no body to read yet
            }
            throw new ShouldAssertException($"expected an address matching {url}, but the page is at {page.Url}, showing: {text[..Math.Min(text.Length, 600)]}");
        }
    }

    /// <summary>
    /// Waits up to a minute for the page to be at an address matching <paramref name="url"/>, its document loaded. The
    /// address is also read again every two seconds: Playwright's wait for it can miss the navigation that ends a
    /// chain of redirects from another origin, and go on waiting on a page already there (seen in the sign-in tests).
    /// </summary>
    private static async Task Reach(IPage page, System.Text.RegularExpressions.Regex url)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await page.WaitForURLAsync(url, new PageWaitForURLOptions { WaitUntil = WaitUntilState.DOMContentLoaded, Timeout = 2_000 });
                return;
            }
            catch (TimeoutException) when (waited.Elapsed < TimeSpan.FromMinutes(1))
            {
                if (url.IsMatch(page.Url))
                {
                    await page.WaitForLoadStateAsync(LoadState.DOMContentLoaded, new PageWaitForLoadStateOptions { Timeout = 10_000 });
                    return;
                }
            }
        }
    }

    public static DateOnly Today => TimeProvider.System.Today();

    /// <summary>Where screenshots go: `CHS_SCREENSHOTS`, else a folder beside the tests.</summary>
    public static string Screenshots => Environment.GetEnvironmentVariable("CHS_SCREENSHOTS") is { Length: > 0 } s ? s : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium))
        {
            throw new InvalidOperationException($"{Chromium} is missing: the browser tests drive Debian's Chromium; run them with scripts/test, which installs it");
        }
        Directory.CreateDirectory(dir);
        Seed();
        app = ChsWebApp.Build(["--Db=" + Target, "--urls=http://127.0.0.1:0", "--Scoring:DebounceMilliseconds=300"]);
        await app.StartAsync();
        Url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
        playwright = await Playwright.CreateAsync();
        Browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
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
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
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

    /// <summary>
    /// A page signed in as the test user of a role (password "password-ROLE"). <paramref name="bypassCsp"/> lets the
    /// accessibility checker be injected into the page.
    /// </summary>
    public async Task<IPage> SignIn(string role, bool bypassCsp = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 }, BypassCSP = bypassCsp });
        // Generous: on a loaded 2-core machine a page can take seconds.
        context.SetDefaultTimeout(60_000);
        context.SetDefaultNavigationTimeout(60_000);
        var page = await context.NewPageAsync();
        await page.GotoAsync(Url + "/");
        await page.WaitForURLAsync("**/signin**", Loaded);
        await page.GetByLabel("E-mail").FillAsync($"{role}@example.com");
        await page.GetByLabel("Password").FillAsync("password-" + role);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        try
        {
            // A CSM starts on their day (/today), everyone else on the portfolio.
            await page.WaitForURLAsync(Url + (role == "csm" ? "/today" : "/"), Loaded);
        }
        catch (TimeoutException)
        {
            throw new ShouldAssertException($"signing in as {role} did not reach their start page; the page is at {page.Url}: {await page.Locator("body").InnerTextAsync()}");
        }
        return page;
    }

    public static async Task Screenshot(IPage page, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png"), FullPage = true });
    }

    /// <summary>A picture of one part of a page (what the README shows of a long page).</summary>
    public static async Task ScreenshotOf(ILocator part, string name)
    {
        Directory.CreateDirectory(Screenshots);
        await part.ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(Screenshots, name + ".png") });
    }

    /// <summary>The accessibility check: axe-core's WCAG 2.1 A and AA rules on the page as it is; the violations found, in words.</summary>
    public static async Task<IReadOnlyList<string>> AccessibilityProblems(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = Path.Combine(AppContext.BaseDirectory, "Browser", "lib", "axe.min.js") });
        var json = await page.EvaluateAsync<string>(
            """
            async () => {
              const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
              return JSON.stringify(r.violations.map(v => v.id + ': ' + v.help + ' — ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')));
            }
            """);
        return System.Text.Json.JsonSerializer.Deserialize<List<string>>(json)!;
    }

    // Forty accounts of three segments over four months: most steady, some fading, a few recovering, with surveys
    // (and comments), tickets, invoices and renewals, scored weekly; the shipped alert rules replayed over the history.
    private void Seed()
    {
        using var db = StoreDb.Open(Target);
        var clock = TimeProvider.System;
        var models = new ModelVersions(db, clock);
        models.Publish(ModelVersions.Builtin("saas"), "saas.yaml", "default SaaS model");
        var book = new AccessBook(db, clock);
        var hasher = new PasswordHasher<AppUser>();
        foreach (var role in Roles.All)
        {
            book.SaveUser($"{role}@example.com", role, hasher.HashPassword(null!, "password-" + role));
        }
        var today = Today;
        var start = today.AddDays(-120);
        var accounts = new StringBuilder("account_id,name,segment,owner,lifecycle_stage,plan,arr,seats,started_on,renewal_on\n");
        var usage = new StringBuilder("account_id,occurred_at,event,user_id,event_id,count\n");
        var surveys = new StringBuilder("account_id,kind,score,responded_at,comment\n");
        var tickets = new StringBuilder("ticket_id,account_id,opened_at,priority,status,closed_at,escalated\n");
        var invoices = new StringBuilder("invoice_id,account_id,amount,due_on,paid_on,status\n");
        string[] segments = ["SMB", "Mid-Market", "Enterprise"];
        string[] owners = ["csm@example.com", "manager@example.com", "ann@example.com"];
        for (var i = 0; i < 40; i++)
        {
            var id = $"B{i:00}";
            var fading = i % 5 == 0;
            var seats = 10 + i % 7 * 5;
            accounts.Append(CultureInfo.InvariantCulture,
                $"{id},{Names[i % Names.Length]} {i:00},{segments[i % 3]},{owners[i % 3]},{(i % 4 == 0 ? "onboarding" : "adopted")},{(i % 2 == 0 ? "pro" : "team")},{(i + 1) * 2500},{seats},{start.AddDays(-400 + i):yyyy-MM-dd},{today.AddDays(15 + i * 9):yyyy-MM-dd}\n");
            for (var d = 0; d <= 120; d++)
            {
                var day = start.AddDays(d);
                var activeUsers = fading && d > 80 ? Math.Max(1, seats / 6) : seats * 2 / 3;
                for (var u = 0; u < activeUsers; u += 3)
                {
                    usage.Append(CultureInfo.InvariantCulture, $"{id},{day:yyyy-MM-dd}T10:00:00Z,login,{id}-u{u},{id}-{d}-{u},1\n");
                }
            }
            surveys.Append(CultureInfo.InvariantCulture, $"{id},nps,{(fading ? 3 : 9)},{today.AddDays(-20 - i):yyyy-MM-dd}T09:00:00Z,\"{(fading ? "Support takes too long, thinking about alternatives" : "Great product, the team loves it")}\"\n");
            surveys.Append(CultureInfo.InvariantCulture, $"{id},csat,{(fading ? 2 : 5)},{today.AddDays(-60 - i):yyyy-MM-dd}T09:00:00Z,\n");
            if (fading || i % 7 == 0)
            {
                tickets.Append(CultureInfo.InvariantCulture, $"T{i:00},{id},{today.AddDays(-10):yyyy-MM-dd}T08:00:00Z,{(fading ? "urgent" : "normal")},open,,{(fading ? "true" : "false")}\n");
            }
            invoices.Append(CultureInfo.InvariantCulture, $"I{i:00},{id},{(i + 1) * 625},{today.AddDays(-30):yyyy-MM-dd},{(fading ? "" : today.AddDays(-32).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))},{(fading ? "open" : "paid")}\n");
        }
        var files = Path.Combine(dir, "import");
        Directory.CreateDirectory(files);
        File.WriteAllText(Path.Combine(files, "accounts.csv"), accounts.ToString());
        File.WriteAllText(Path.Combine(files, "usage.csv"), usage.ToString());
        File.WriteAllText(Path.Combine(files, "surveys.csv"), surveys.ToString());
        File.WriteAllText(Path.Combine(files, "tickets.csv"), tickets.ToString());
        File.WriteAllText(Path.Combine(files, "invoices.csv"), invoices.ToString());
        foreach (var r in new Importer(db, clock).ImportDirectory(files, new ImportOptions()))
        {
            r.Applied.ShouldBeTrue($"{r.Kind}: {string.Join("; ", r.Errors.Take(3).Select(e => e.Field + " " + e.Reason))}");
        }
        var days = Enumerable.Range(0, 17).Select(w => today.AddDays(-7 * (16 - w))).ToList();
        new ScoringRun(db, models).ScoreRange(days[0], today, 7);
        var alerts = new AlertBook(db, models, clock);
        alerts.SetRules(AlertBook.ShippedRules, "saas-rules.yaml");
        for (var i = 0; i < days.Count; i++)
        {
            alerts.Evaluate(days[i], i == days.Count - 1 ? AlertEffects.Tasks : AlertEffects.None);
        }
        // Tasks people made themselves, so that the inbox has work whatever the rules opened on the last day.
        alerts.CreateTask("B05", "Call the sponsor about the open escalation", "csm@example.com", today.AddDays(-1), ["Read the ticket", "Call"]);
        alerts.CreateTask("B10", "Plan the renewal", "manager@example.com", today.AddDays(7), []);
        // Marks the daily rescore as done today, so that the background job does not rescore under the tests.
        db.SetSetting("daily_rescore_last", TimeProvider.System.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
    }

    private static readonly string[] Names = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent"];
}

[CollectionDefinition(BrowserApp.Collection, DisableParallelization = true)]
public sealed class BrowserCollection;
