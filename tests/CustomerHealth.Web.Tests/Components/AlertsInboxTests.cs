using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>
/// The alerts inbox a CSM can clear: one line per account with all its open alerts' reasons, ranked by expected
/// revenue at risk (or severity then ARR without a churn probability), filtered and paged by query string, and the
/// chosen accounts' alerts acknowledged or snoozed at once, with the roles of SPEC §10.
/// </summary>
public abstract partial class AlertsInboxTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private static string Today => TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string InDays(int days) => TimeProvider.System.Today().AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static AlertBook Book(CustomerHealth.Store.StoreDb db) => new(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System);

    /// <summary>
    /// N1 (the CSM's, ARR 10,000) and N2 (Ann's, ARR 20,000) are unhappy: a high alert each; every scored account,
    /// H1 (the CSM's, ARR 1,000,000) too, has a low "watch" alert. So N1 has two alerts.
    /// </summary>
    private async Task Seed()
    {
        using (var db = app.OpenStore())
        {
            Book(db).SetRules(
                """
                rules:
                  - id: unhappy
                    when: { measure: { id: nps, below: 0 } }
                    severity: high
                  - id: watch
                    when: { score_below: 101 }
                    severity: low
                """, "rules.yaml");
        }
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts",
            """
            [{"account_id":"N1","name":"Northwind","owner":"csm@example.com","arr":10000},
             {"account_id":"N2","name":"Initech","owner":"ann@example.com","arr":20000},
             {"account_id":"H1","name":"Happy Co","owner":"csm@example.com","arr":1000000}]
            """);
        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""
            [{"account_id":"N1","kind":"nps","score":1,"responded_at":"{{Today}}T08:00:00Z"},
             {"account_id":"N2","kind":"nps","score":2,"responded_at":"{{Today}}T08:00:00Z"},
             {"account_id":"H1","kind":"nps","score":10,"responded_at":"{{Today}}T08:00:00Z"}]
            """);
        app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
    }

    /// <summary>A calibration of the scoring model that gives every score a churn probability of one half.</summary>
    private void CalibrateEvenly()
    {
        using var db = app.OpenStore();
        var version = db.Connection.ExecuteScalar<string>("SELECT model_version FROM current_scores LIMIT 1")!;
        new ChurnCalibration(version, 90, 0, 0, 100, Today, Today).Save(db);
    }

    private static List<string> Rows(string html) =>
        RowPattern().Matches(html).Select(m => m.Groups[1].Value).ToList();

    [GeneratedRegex("data-testid=\"inbox-row\" data-account-id=\"([^\"]+)\"")]
    private static partial Regex RowPattern();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static async Task<HttpResponseMessage> Submit(HttpClient client, string url, List<KeyValuePair<string, string>> fields)
    {
        var html = await TestApp.Page(client, url);
        fields.Add(new("__RequestVerificationToken", TokenPattern().Match(html).Groups[1].Value));
        fields.Add(new("_handler", "inbox"));
        return await client.PostAsync(url, new FormUrlEncodedContent(fields));
    }

    private List<AlertView> Open(string accountId)
    {
        using var db = app.OpenStore();
        return Book(db).Alerts(accountId: accountId).ToList();
    }

    [Fact]
    public async Task Inbox_TwoAlertsOfOneAccount_AreOneLineWithBothReasons()
    {
        await Seed();
        var html = await TestApp.Page(await app.SignedIn("manager"), "/alerts");
        Rows(html).ShouldBe(["N2", "N1", "H1"]);
        html.ShouldContain("5 open alerts on 3 accounts.");
        var line = html[html.IndexOf("data-account-id=\"N1\"", StringComparison.Ordinal)..html.IndexOf("data-account-id=\"H1\"", StringComparison.Ordinal)];
        line.ShouldContain("Rule “unhappy”");
        line.ShouldContain("Rule “watch”");
        Open("N1").Count.ShouldBe(2);
        html.ShouldContain("Ranked by expected revenue at risk");
    }

    [Fact]
    public async Task Inbox_WithoutAChurnProbability_RanksBySeverityThenArr()
    {
        await Seed();
        Rows(await TestApp.Page(await app.SignedIn("manager"), "/alerts")).ShouldBe(["N2", "N1", "H1"]);
    }

    [Fact]
    public async Task Inbox_WithAChurnProbability_RanksByProbabilityTimesArr()
    {
        await Seed();
        CalibrateEvenly();
        var html = await TestApp.Page(await app.SignedIn("manager"), "/alerts");
        Rows(html).ShouldBe(["H1", "N2", "N1"], "half of 1,000,000 is more at risk than half of 20,000, whatever the severity");
        html.ShouldContain("500,000");
        html.ShouldContain("50%");
    }

    [Fact]
    public async Task Inbox_Filters_ByOwnerRuleAndSeverity_InTheAddress()
    {
        await Seed();
        var csm = await app.SignedIn("csm");
        Rows(await TestApp.Page(csm, "/alerts?owner=ann%40example.com")).ShouldBe(["N2"]);
        Rows(await TestApp.Page(csm, "/alerts?rule=unhappy")).ShouldBe(["N2", "N1"]);
        Rows(await TestApp.Page(csm, "/alerts?severity=low&owner=csm%40example.com")).ShouldBe(["N1", "H1"]);
        Rows(await TestApp.Page(csm, "/alerts?mine=1&severity=high")).ShouldBe(["N1"]);
        (await TestApp.Page(csm, "/alerts?rule=nope")).ShouldContain("No open alert matches");
    }

    [Fact]
    public async Task Inbox_WithMoreThan25Accounts_ShowsThemAPageAtATime()
    {
        var ingest = app.KeyClient("ingest");
        using (var db = app.OpenStore())
        {
            Book(db).SetRules("rules:\n  - id: watch\n    when: { score_below: 101 }\n    severity: low\n", "rules.yaml");
        }
        var accounts = string.Join(",", Enumerable.Range(1, 30).Select(i => $$"""{"account_id":"P{{i:00}}","arr":{{i * 1000}}}"""));
        await ingest.PostJson("/api/v1/ingest/accounts", $"[{accounts}]");
        var surveys = string.Join(",", Enumerable.Range(1, 30).Select(i => $$"""{"account_id":"P{{i:00}}","kind":"nps","score":5,"responded_at":"{{Today}}T08:00:00Z"}"""));
        await ingest.PostJson("/api/v1/ingest/surveys", $"[{surveys}]");
        app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
        var viewer = await app.SignedIn("viewer");
        var first = await TestApp.Page(viewer, "/alerts");
        Rows(first).Count.ShouldBe(25);
        Rows(first)[0].ShouldBe("P30", "the largest ARR first among equally severe alerts");
        first.ShouldContain("Page 1 of 2");
        first.ShouldContain("href=\"/alerts?page=2\"");
        var second = await TestApp.Page(viewer, "/alerts?page=2");
        Rows(second).ShouldBe(["P05", "P04", "P03", "P02", "P01"]);
        second.ShouldContain("Page 2 of 2");
    }

    [Fact]
    public async Task Inbox_BulkAcknowledge_ChangesEveryOpenAlertOfTheChosenAccounts()
    {
        await Seed();
        var manager = await app.SignedIn("manager");
        var r = await Submit(manager, "/alerts?severity=high", [new("accounts", "N1"), new("accounts", "N2"), new("action", "acknowledge")]);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect, await r.Content.ReadAsStringAsync());
        r.Headers.Location!.ToString().ShouldEndWith("/alerts?severity=high&done=accounts-acknowledged");
        Open("N1").Select(a => a.State).ShouldBe(["acknowledged", "acknowledged"]);
        Open("N2").Select(a => a.State).ShouldAllBe(s => s == "acknowledged");
        Open("H1").Single().State.ShouldBe("open");
        (await TestApp.Page(manager, "/alerts?done=accounts-acknowledged")).ShouldContain("open alerts are acknowledged: everyone can see");
    }

    [Fact]
    public async Task Inbox_BulkSnooze_NeedsALaterDay_AndSnoozesUntilIt()
    {
        await Seed();
        var csm = await app.SignedIn("csm");
        var early = await Submit(csm, "/alerts", [new("accounts", "N1"), new("action", "snooze"), new("until", Today)]);
        early.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        Open("N1").ShouldAllBe(a => a.State == "open");
        var r = await Submit(csm, "/alerts", [new("accounts", "N1"), new("accounts", "H1"), new("action", "snooze"), new("until", InDays(9))]);
        r.StatusCode.ShouldBe(HttpStatusCode.Redirect, await r.Content.ReadAsStringAsync());
        Open("N1").Concat(Open("H1")).ShouldAllBe(a => a.State == "snoozed" && a.SnoozedUntil == InDays(9));
    }

    [Fact]
    public async Task Inbox_BulkAction_RefusedToAViewer_AndToACsmOnAnotherOwnersAccount()
    {
        await Seed();
        var viewer = await app.SignedIn("viewer");
        var html = await TestApp.Page(viewer, "/alerts");
        html.ShouldNotContain("data-testid=\"inbox-choose\"");
        html.ShouldNotContain("data-testid=\"bulk-actions\"");
        var refused = await Submit(viewer, "/alerts", [new("accounts", "N1"), new("action", "acknowledge")]);
        refused.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await refused.Content.ReadAsStringAsync()).ShouldContain("your role (viewer) can read alerts and tasks but not change them");
        Open("N1").ShouldAllBe(a => a.State == "open");

        var csm = await app.SignedIn("csm");
        var mixed = await Submit(csm, "/alerts", [new("accounts", "N1"), new("accounts", "N2"), new("action", "acknowledge")]);
        mixed.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Open("N1").Concat(Open("N2")).ShouldAllBe(a => a.State == "open", "a refusal changes none of the chosen accounts");
        var none = await Submit(csm, "/alerts", [new("action", "acknowledge")]);
        none.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }
}

public sealed class AlertsInboxTestsOnSqlite() : AlertsInboxTests(TestEngine.Sqlite);

public sealed class AlertsInboxTestsOnPostgres() : AlertsInboxTests(TestEngine.Postgres);
