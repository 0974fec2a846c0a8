namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Today page on <see cref="PageBook"/>: the accounts to act on with why and what next, and the tasks due.</summary>
public abstract class TodayPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Today_ASharpDropOfItsOwnDoing_IsListedWithWhyAndTheNextStep()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("manager");

        // bob's Globex: 80 → 50 on its health metric over 35 days, all of it its own measures.
        var html = await TestApp.Page(client, "/today?owner=bob%40example.com");

        var accounts = html[html.IndexOf("data-testid=\"today-accounts\"", StringComparison.Ordinal)..];
        accounts.ShouldContain("data-kind=\"SharpDrop\"");
        accounts.ShouldContain("Globex");
        accounts.ShouldContain("Its own measures lowered the score 30.0 points.");
        accounts.ShouldContain("Look at what changed and ask the customer about it.");
        html.ShouldContain("<label for=\"owner\" class=\"form-label\">CSM</label>");
    }

    [Fact]
    public async Task Today_ARenewalAtRiskAndTheTasksDue_AreListedAndEscaped()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        // eve's =Initech renews in 10 days and is red (30 → 35: no sharp drop, red already a week ago).
        var eve = await TestApp.Page(client, "/today?owner=%3Cb%3Eeve%3C%2Fb%3E%40example.com");
        eve.ShouldContain("data-kind=\"RenewalAtRisk\"");
        eve.ShouldContain("Renews in 10 days and is red.");
        eve.ShouldNotContain("<b>eve</b>");
        // ann's book is green, but her task is overdue.
        var ann = await TestApp.Page(client, "/today?owner=ann%40example.com");
        ann.ShouldContain("Nothing urgent today");
        var tasks = ann[ann.IndexOf("data-testid=\"today-tasks\"", StringComparison.Ordinal)..];
        tasks.ShouldContain("overdue since");
    }

    [Fact]
    public async Task Today_ACsm_SeesTheirOwnDayOnly_AndLandsThereAfterSigningIn()
    {
        await PageBook.Build(app);
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var r = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["email"] = "csm@example.com", ["password"] = TestApp.Password + "csm", ["returnUrl"] = "/",
        }));
        r.Headers.Location!.ToString().ShouldBe("/today");

        // Asking for bob's day shows the CSM's own (an empty book here), with no choice of whose.
        var html = await TestApp.Page(client, "/today?owner=bob%40example.com");
        html.ShouldNotContain("Globex");
        html.ShouldContain("csm@example.com, 0 accounts in the book");
        html.ShouldNotContain("<label for=\"owner\"");
    }
}

public sealed class TodayPageTestsOnSqlite() : TodayPageTests(TestEngine.Sqlite);

public sealed class TodayPageTestsOnPostgres() : TodayPageTests(TestEngine.Postgres);
