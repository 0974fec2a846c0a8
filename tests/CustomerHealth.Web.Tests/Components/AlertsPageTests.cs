using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>
/// The Alerts &amp; tasks page as people use it: the inbox with reasons, scores, deliveries and links; forms that
/// acknowledge, snooze, resolve, change and create tasks, posted the way the browser posts them and answered with a
/// redirect; and the roles of SPEC §10 enforced by the server, not only by hiding the forms.
/// </summary>
public abstract partial class AlertsPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private static string Today => TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string InDays(int days) => TimeProvider.System.Today().AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private AlertBook Book(CustomerHealth.Store.StoreDb db) => new(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System);

    /// <summary>
    /// Two unhappy accounts (N1 owned by the test CSM, N2 by someone else) and one happy one; a rule that raises a high
    /// alert with a call task for the owner when the NPS is negative, scored as of today.
    /// </summary>
    private async Task<(long Mine, long Theirs)> Seed()
    {
        using (var db = app.OpenStore())
        {
            // The SaaS model, graded on the NPS alone (min_coverage 0): these accounts have nothing else.
            new ModelVersions(db, TimeProvider.System).Publish("min_coverage: 0\n" + ModelVersions.Builtin("saas"), "saas.yaml", "graded on NPS alone");
            Book(db).SetRules(
                """
                rules:
                  - id: unhappy
                    when: { measure: { id: nps, below: 0 } }
                    severity: high
                    notify: [ inbox ]
                    task: { title: "Call {account.name}", assignee: owner, due_in: 3d, steps: [ "Read the comments" ] }
                """, "rules.yaml");
        }
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts",
            """
            [{"account_id":"N1","name":"Northwind <b>Traders</b>","owner":"csm@example.com"},
             {"account_id":"N2","name":"Initech","owner":"ann@example.com"},
             {"account_id":"H1","name":"Happy Co","owner":"csm@example.com"}]
            """);
        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""
            [{"account_id":"N1","kind":"nps","score":1,"responded_at":"{{Today}}T08:00:00Z"},
             {"account_id":"N2","kind":"nps","score":2,"responded_at":"{{Today}}T08:00:00Z"},
             {"account_id":"H1","kind":"nps","score":10,"responded_at":"{{Today}}T08:00:00Z"}]
            """);
        app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
        using var store = app.OpenStore();
        var alerts = Book(store).Alerts();
        alerts.Count.ShouldBe(2);
        return (alerts.Single(a => a.AccountId == "N1").Id, alerts.Single(a => a.AccountId == "N2").Id);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("name=\"_handler\" value=\"([^\"]+)\"")]
    private static partial Regex HandlerPattern();

    private static List<string> Handlers(string html) => HandlerPattern().Matches(html).Select(m => m.Groups[1].Value).ToList();

    /// <summary>Posts a form of the page as the browser does: the page's antiforgery token and Blazor's form name (`_handler`) with the fields.</summary>
    private static async Task<HttpResponseMessage> Submit(HttpClient client, string url, string handler, Dictionary<string, string> fields)
    {
        var html = await TestApp.Page(client, url);
        var token = TokenPattern().Match(html).Groups[1].Value;
        token.ShouldNotBeEmpty("every page carries an antiforgery token (the sign-out form has one)");
        fields["__RequestVerificationToken"] = token;
        fields["_handler"] = handler;
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    private AlertView Alert(long id)
    {
        using var db = app.OpenStore();
        return Book(db).Alerts(includeResolved: true).Single(a => a.Id == id);
    }

    [Fact]
    public async Task Alerts_WithOpenAlerts_ShowReasonScoresAgeDeliveriesTasksAndLinks_Escaped()
    {
        var (mine, theirs) = await Seed();
        var html = await TestApp.Page(await app.SignedIn("manager"), "/alerts");
        html.ShouldContain("2 open alerts on 2 accounts.");
        html.ShouldContain($"data-alert-id=\"{mine}\"");
        html.ShouldContain($"data-alert-id=\"{theirs}\"");
        html.ShouldContain("href=\"/accounts/N1\"");
        html.ShouldContain("Northwind &lt;b&gt;Traders&lt;/b&gt;");
        html.ShouldNotContain("<b>Traders</b>");
        html.ShouldContain("Rule “unhappy”");
        html.ShouldContain("opened today");
        html.ShouldContain("data-grade=");
        // The inbox delivery of each alert is listed with the alert.
        html.ShouldContain("in this inbox");
        html.ShouldContain("data-testid=\"delivery\" data-state=\"sent\"");
        // The rule's tasks, with their steps, assignee and due day.
        html.ShouldContain("2 open tasks, soonest due first.");
        html.ShouldContain("Call Northwind &lt;b&gt;Traders&lt;/b&gt;");
        html.ShouldContain("Read the comments");
        html.ShouldContain("assigned to csm@example.com");
        html.ShouldContain($"due in 3 days ({InDays(3)})");
        // A manager may act on everything.
        var handlers = Handlers(html);
        handlers.ShouldContain($"alert-{mine}");
        handlers.ShouldContain($"alert-{theirs}");
        handlers.Count(h => h.StartsWith("task-", StringComparison.Ordinal)).ShouldBe(3, "the two tasks and the new-task form");
        html.ShouldContain("You can act on every alert and task.");
    }

    [Fact]
    public async Task Alerts_WithNothingOpen_ExplainWhatWouldBringAlertsAndTasks()
    {
        var client = await app.SignedIn("viewer");
        var none = await TestApp.Page(client, "/alerts");
        none.ShouldContain("No open alerts");
        none.ShouldContain("No alert rules are in force yet");
        none.ShouldContain("No open tasks");
        using (var db = app.OpenStore())
        {
            Book(db).SetRules("rules:\n  - id: low\n    when: { score_below: 10 }\n", "rules.yaml");
        }
        (await TestApp.Page(client, "/alerts")).ShouldContain("Every account is fine by the 1 rule in force.");
    }

    [Fact]
    public async Task Alerts_Filters_BySeverityRuleAndMine()
    {
        var (mine, theirs) = await Seed();
        var csm = await app.SignedIn("csm");
        var onlyMine = await TestApp.Page(csm, "/alerts?mine=1");
        onlyMine.ShouldContain("1 open alert on 1 account match");
        onlyMine.ShouldContain($"data-alert-id=\"{mine}\"");
        onlyMine.ShouldNotContain($"data-alert-id=\"{theirs}\"");
        onlyMine.ShouldContain("1 open task assigned to you");
        var low = await TestApp.Page(csm, "/alerts?severity=low");
        low.ShouldContain("No open alert matches");
        (await TestApp.Page(csm, "/alerts?rule=unhappy&owner=ann%40example.com")).ShouldContain($"data-alert-id=\"{theirs}\"");
    }

    [Fact]
    public async Task Alerts_ForAViewer_HaveNoForms_AndAPostedActionIsRefused()
    {
        var (mine, _) = await Seed();
        var viewer = await app.SignedIn("viewer");
        var html = await TestApp.Page(viewer, "/alerts");
        Handlers(html).ShouldBeEmpty();
        html.ShouldNotContain("data-testid=\"alert-form\"");
        html.ShouldNotContain("data-testid=\"task-new-form\"");
        html.ShouldContain("You can read the alerts and tasks.");
        var r = await Submit(viewer, "/alerts", $"alert-{mine}", new() { ["alert"] = mine.ToString(CultureInfo.InvariantCulture), ["action"] = "resolve" });
        var body = await r.Content.ReadAsStringAsync();
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden, body);
        body.ShouldContain("your role (viewer) can read alerts and tasks but not change them");
        Alert(mine).State.ShouldBe("open");
        var task = await Submit(viewer, "/alerts", "task-new", new() { ["account"] = "N1", ["title"] = "Sneaky" });
        task.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var db = app.OpenStore();
        Book(db).Tasks().ShouldNotContain(t => t.Title == "Sneaky");
    }

    [Fact]
    public async Task Alerts_AcknowledgeSnoozeResolve_ThroughTheForm_ChangeTheStoreAndRedirect()
    {
        var (mine, theirs) = await Seed();
        var manager = await app.SignedIn("manager");
        var id = mine.ToString(CultureInfo.InvariantCulture);
        var ack = await Submit(manager, "/alerts?severity=high", $"alert-{mine}", new() { ["alert"] = id, ["action"] = "acknowledge", ["until"] = InDays(7) });
        ack.StatusCode.ShouldBe(HttpStatusCode.Redirect, await ack.Content.ReadAsStringAsync());
        ack.Headers.Location!.ToString().ShouldEndWith($"/alerts?severity=high&done=acknowledged#alert-{mine}");
        Alert(mine).State.ShouldBe("acknowledged");
        (await TestApp.Page(manager, "/alerts?severity=high&done=acknowledged")).ShouldContain("The alert is acknowledged");

        var tooEarly = await Submit(manager, "/alerts", $"alert-{mine}", new() { ["alert"] = id, ["action"] = "snooze", ["until"] = Today });
        tooEarly.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await tooEarly.Content.ReadAsStringAsync()).ShouldContain("Choose the day the snooze ends");
        var snooze = await Submit(manager, "/alerts", $"alert-{mine}", new() { ["alert"] = id, ["action"] = "snooze", ["until"] = InDays(10) });
        snooze.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        Alert(mine).State.ShouldBe("snoozed");
        Alert(mine).SnoozedUntil.ShouldBe(InDays(10));
        (await TestApp.Page(manager, "/alerts")).ShouldContain($"Snoozed until {InDays(10)}");

        var resolve = await Submit(manager, "/alerts", $"alert-{theirs}", new() { ["alert"] = theirs.ToString(CultureInfo.InvariantCulture), ["action"] = "resolve" });
        resolve.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        resolve.Headers.Location!.ToString().ShouldEndWith("/alerts?done=resolved");
        Alert(theirs).State.ShouldBe("resolved");
        Alert(theirs).ResolvedBy.ShouldBe("manager@example.com");
        var after = await TestApp.Page(manager, "/alerts");
        after.ShouldNotContain($"data-alert-id=\"{theirs}\"");
        // Posting the same form again (a reload before the redirect) does not act twice; it says why.
        var again = await manager.PostAsync("/alerts", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TokenPattern().Match(after).Groups[1].Value, ["_handler"] = $"alert-{theirs}",
            ["alert"] = theirs.ToString(CultureInfo.InvariantCulture), ["action"] = "resolve",
        }));
        again.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await again.Content.ReadAsStringAsync()).ShouldContain("is already resolved");
    }

    [Fact]
    public async Task Alerts_ForACsm_AreWorkedOnlyOnTheirOwnAccounts()
    {
        var (mine, theirs) = await Seed();
        var csm = await app.SignedIn("csm");
        var html = await TestApp.Page(csm, "/alerts");
        var handlers = Handlers(html);
        handlers.ShouldContain($"alert-{mine}");
        handlers.ShouldNotContain($"alert-{theirs}");
        handlers.ShouldContain("task-new");
        var refused = await Submit(csm, "/alerts", $"alert-{theirs}", new() { ["alert"] = theirs.ToString(CultureInfo.InvariantCulture), ["action"] = "acknowledge" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("as a CSM you work on the alerts and tasks of the accounts you own");
        Alert(theirs).State.ShouldBe("open");
        var ok = await Submit(csm, "/alerts", $"alert-{mine}", new() { ["alert"] = mine.ToString(CultureInfo.InvariantCulture), ["action"] = "acknowledge" });
        ok.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        Alert(mine).State.ShouldBe("acknowledged");
    }

    [Fact]
    public async Task Tasks_ChangedAndCreatedThroughTheForm_WithTheCsmsLimits()
    {
        await Seed();
        TaskView Find(string accountId, string? title = null)
        {
            using var db = app.OpenStore();
            return Book(db).Tasks(all: true).Single(t => t.AccountId == accountId && (title is null || t.Title == title));
        }
        var csm = await app.SignedIn("csm");
        var own = Find("N1");
        var saved = await Submit(csm, "/alerts", $"task-{own.Id}", new()
        {
            ["task"] = own.Id.ToString(CultureInfo.InvariantCulture), ["status"] = "in_progress", ["outcome"] = "Left a voicemail", ["assignee"] = "csm@example.com",
        });
        saved.StatusCode.ShouldBe(HttpStatusCode.Redirect, await saved.Content.ReadAsStringAsync());
        saved.Headers.Location!.ToString().ShouldEndWith($"/alerts?done=task-saved#task-{own.Id}");
        Find("N1").Status.ShouldBe("in_progress");
        Find("N1").Outcome.ShouldBe("Left a voicemail");
        var reassigned = await Submit(csm, "/alerts", $"task-{own.Id}", new()
        {
            ["task"] = own.Id.ToString(CultureInfo.InvariantCulture), ["status"] = "done", ["outcome"] = "Agreed a plan", ["assignee"] = "bob@example.com",
        });
        reassigned.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        Find("N1").Status.ShouldBe("done");
        Find("N1").Assignee.ShouldBe("bob@example.com");
        Find("N1").CompletedOn.ShouldBe(Today);
        (await TestApp.Page(csm, "/alerts")).ShouldNotContain($"data-task-id=\"{own.Id}\"");

        var theirs = Find("N2");
        var refused = await Submit(csm, "/alerts", $"task-{theirs.Id}", new() { ["task"] = theirs.Id.ToString(CultureInfo.InvariantCulture), ["status"] = "done" });
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Find("N2").Status.ShouldBe("open");

        var created = await Submit(csm, "/alerts", "task-new", new()
        {
            ["account"] = "H1", ["title"] = "Ask for a case study", ["assignee"] = "csm@example.com", ["due"] = InDays(14), ["steps"] = "Pick the champion\r\nSend the form",
        });
        created.StatusCode.ShouldBe(HttpStatusCode.Redirect, await created.Content.ReadAsStringAsync());
        created.Headers.Location!.ToString().ShouldEndWith("/alerts?done=task-created");
        var task = Find("H1", "Ask for a case study");
        task.DueOn.ShouldBe(InDays(14));
        task.Steps.ShouldBe(["Pick the champion", "Send the form"]);
        var notMine = await Submit(csm, "/alerts", "task-new", new() { ["account"] = "N2", ["title"] = "Not my account" });
        notMine.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await notMine.Content.ReadAsStringAsync()).ShouldContain("You cannot create a task on N2");
        var noTitle = await Submit(await app.SignedIn("manager"), "/alerts", "task-new", new() { ["account"] = "N2", ["title"] = " " });
        noTitle.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await noTitle.Content.ReadAsStringAsync()).ShouldContain("the task needs a title");
    }
}

public sealed class AlertsPageTestsOnSqlite() : AlertsPageTests(TestEngine.Sqlite);

public sealed class AlertsPageTestsOnPostgres() : AlertsPageTests(TestEngine.Postgres);
