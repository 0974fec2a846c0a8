using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using static CustomerHealth.Store.Alerts.NoiseReportText;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>
/// The Alert rules page: the rules in force as sentences and as YAML without their secrets, for everyone; the replay of
/// the rules (or of an admin's draft) over the scored history with the figures <see cref="AlertBook.Simulate"/> reports;
/// putting a draft in force; and the roles of SPEC §10 enforced on the posted form, not only by hiding it.
/// </summary>
public abstract partial class AlertRulesPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private const string WebhookSecret = "webhook-secret-4711";

    private const string SlackUrl = "https://hooks.slack.com/services/T0/B0/slack-secret-4711";

    private const string Rules =
        $$"""
        rules:
          - id: unhappy
            when: { measure: { id: nps, below: 0 } }
            cooldown: 14d
            severity: high
            notify: [ inbox, owner, "webhook:crm", "slack:cs-alerts" ]
            task: { title: "Call {account.name}", assignee: owner, due_in: 3d, steps: [ "Read the comments", "Call the sponsor" ] }
            auto_resolve: true
          - id: low-enterprise
            when: { score_below: 40 }
            scope: { segments: [ Enterprise ], lifecycle_stages: [ adopted ] }
            severity: low
            notify: [ "email:cs-leads@example.com" ]
            holdout: 15%
        destinations:
          crm: { kind: webhook, url: "https://crm.example.com/hooks/health", secret: "{{WebhookSecret}}" }
          cs-alerts: { kind: slack, url: "{{SlackUrl}}" }
        """;

    private static DateOnly Today => TimeProvider.System.Today();

    private static string Day(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private AlertBook Book(CustomerHealth.Store.StoreDb db) => new(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System);

    /// <summary>
    /// Three accounts scored weekly over six weeks on their NPS alone, with <see cref="Rules"/> in force: A1 answers as a
    /// detractor five weeks ago and churns 15 days later; A3 is a detractor four weeks ago and a promoter two weeks ago,
    /// and stays; A2 is a promoter throughout.
    /// </summary>
    private async Task Seed(bool withRules = true)
    {
        using (var db = app.OpenStore())
        {
            new ModelVersions(db, TimeProvider.System).Publish("min_coverage: 0\n" + ModelVersions.Builtin("saas"), "saas.yaml", "graded on NPS alone");
        }
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts",
            """
            [{"account_id":"A1","name":"Acme <b>Ltd</b>","owner":"ann@example.com","arr":1000,"segment":"Enterprise"},
             {"account_id":"A2","name":"Beta","owner":"bob@example.com","arr":3000},
             {"account_id":"A3","name":"Gamma","owner":"ann@example.com","arr":2000}]
            """);
        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""
            [{"account_id":"A2","kind":"nps","score":10,"responded_at":"{{Day(42)}}T09:00:00Z","response_id":"s1"},
             {"account_id":"A1","kind":"nps","score":0,"responded_at":"{{Day(35)}}T09:00:00Z","response_id":"s2"},
             {"account_id":"A3","kind":"nps","score":2,"responded_at":"{{Day(28)}}T09:00:00Z","response_id":"s3"},
             {"account_id":"A3","kind":"nps","score":10,"responded_at":"{{Day(14)}}T09:00:00Z","response_id":"s4"}]
            """);
        await ingest.PostJson("/api/v1/ingest/subscriptions", $$"""[{"account_id":"A1","kind":"churned","occurred_on":"{{Day(20)}}"}]""");
        using var store = app.OpenStore();
        new ScoringRun(store, new ModelVersions(store, TimeProvider.System)).ScoreRange(Today.AddDays(-42), Today, 7);
        if (withRules)
        {
            Book(store).SetRules(Rules, "rules.yaml");
        }
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    [GeneratedRegex("name=\"_handler\" value=\"([^\"]+)\"")]
    private static partial Regex HandlerPattern();

    /// <summary>Posts the page's form as the browser does: the page's antiforgery token and Blazor's form name with the fields.</summary>
    private static async Task<(HttpStatusCode Status, string Html, Uri? Location)> Submit(HttpClient client, Dictionary<string, string> fields)
    {
        var html = await TestApp.Page(client, "/alerts/rules");
        var token = TokenPattern().Match(html).Groups[1].Value;
        token.ShouldNotBeEmpty("every page carries an antiforgery token (the sign-out form has one)");
        fields["__RequestVerificationToken"] = token;
        fields["_handler"] = "rules";
        var r = await client.PostAsync("/alerts/rules", new FormUrlEncodedContent(fields));
        return (r.StatusCode, WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync()), r.Headers.Location);
    }

    /// <summary>What is stored about the rules: their versions, the stored YAML and the sealed secrets.</summary>
    private (long Versions, string? Yaml, string Secrets) Stored()
    {
        using var db = app.OpenStore();
        return (db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM alert_rules"), Book(db).RulesYaml(),
            string.Join(",", db.Connection.Query<string>("SELECT sealed FROM secrets WHERE name LIKE 'destination:%' ORDER BY name")));
    }

    /// <summary>The cells of a table row of the replay, by the cells' test ids.</summary>
    private static Dictionary<string, string> Row(string html, string table, string? rule, int? cooldown = null)
    {
        var pattern = (rule is null ? $"<tr[^>]* data-testid=\"{table}-all\"" : $"<tr data-testid=\"{table}-row\" data-rule=\"{Regex.Escape(rule)}\"")
            + (cooldown is { } c ? $" data-cooldown=\"{c}\"" : "") + "[^>]*>(.*?)</tr>";
        var row = Regex.Match(html, pattern, RegexOptions.Singleline);
        row.Success.ShouldBeTrue($"no {table} row for {rule ?? "all rules"}");
        return Regex.Matches(row.Groups[1].Value, "data-testid=\"([a-z-]+)\">([^<]*)<").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value.Trim());
    }

    /// <summary>The page's figures are the report's, cell by cell, as `chs alerts rules test` prints them.</summary>
    private static void ShowsReport(string html, NoiseReport report)
    {
        html.ShouldContain(Stretch(report));
        html.ShouldContain(Judging(report));
        html.ShouldContain(Baseline(report));
        foreach (var (with, without) in report.WithCooldown.Zip(report.WithoutCooldown))
        {
            foreach (var r in with.CooldownDays > 0 ? new[] { with, without } : [with])
            {
                var cells = Row(html, "noise", r.RuleId, r.CooldownDays);
                (cells["per-week"], cells["busiest-week"], cells["held-back"], cells["open-at-end"])
                    .ShouldBe((Dec(r.PerWeek), Num(r.BusiestWeek), Num(r.HeldBackByCooldown), Num(r.OpenAtEnd)), r.RuleId);
            }
            var outcome = Row(html, "outcome", with.RuleId);
            (outcome["per-csm-week"], outcome["precision"], outcome["lift"], outcome["lead"], outcome["arr-covered"])
                .ShouldBe((Dec(with.AlertsPerOwnerWeek), Pct(with.Precision), Times(with.Lift), Lead(with.MedianLeadDays), Covered(with.ArrCovered, with.ArrCoveredShare)), with.RuleId);
        }
        var all = Row(html, "outcome", null);
        (all["per-csm-week"], all["precision"], all["lift"], all["lead"], all["arr-covered"])
            .ShouldBe((Dec(report.All.AlertsPerOwnerWeek), Pct(report.All.Precision), Times(report.All.Lift), Lead(report.All.MedianLeadDays),
                Covered(report.All.ArrCovered, report.All.ArrCoveredShare)));
        foreach (var line in OutcomeColumns(report))
        {
            html.ShouldContain(line);
        }
    }

    [Fact]
    public async Task Rules_ForAViewer_ShowEachRuleAsASentence_AndTheYamlWithoutItsSecrets()
    {
        await Seed();
        var viewer = await app.SignedIn("viewer");

        var raw = await TestApp.Page(viewer, "/alerts/rules");
        var html = WebUtility.HtmlDecode(raw);

        html.ShouldContain("<strong>unhappy</strong>: Alerts when “NPS, 180 days” (nps) is below 0, for every account; high severity; notifies the alerts inbox, " +
            "the account's owner by e-mail, the webhook “crm” and the Slack channel “cs-alerts”; creates the task “Call {account.name}” for the account's owner, " +
            "due in 3 days, with 2 steps; after its alert on an account is resolved, stays quiet on that account for 14 days; resolves itself when the condition clears.");
        html.ShouldContain("<strong>low-enterprise</strong>: Alerts when the score is below 40, for the accounts in the Enterprise segment, at the adopted lifecycle stage; " +
            "low severity; notifies cs-leads@example.com by e-mail; creates no task; no cooldown: it may alert again as soon as its alert is resolved; " +
            "stays open until someone resolves it; holds out 15% of the accounts it alerts, chosen at random: their alerts are recorded but nobody is told " +
            "and no task is made, so `chs alerts effect low-enterprise` can measure whether the play helps.");
        // The YAML as the API and `chs alerts rules show` give it: every secret behind the placeholder.
        var shown = Regex.Match(raw, "<pre[^>]*data-testid=\"rules-yaml\">(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value;
        var api = await app.KeyClient("read").GetStringAsync("/api/v1/alerts/rules");
        WebUtility.HtmlDecode(shown).ShouldBe(api);
        api.ShouldContain($"\"{RuleSecrets.Placeholder}\"");
        foreach (var secret in new[] { WebhookSecret, "slack-secret-4711" })
        {
            html.ShouldNotContain(secret);
        }
        // A viewer reads; the replay is for managers and admins.
        HandlerPattern().Matches(raw).ShouldBeEmpty();
        html.ShouldContain("Managers and admins can replay the rules here.");
    }

    [Fact]
    public async Task Rules_NoneInForce_SayHowToStart_WithTheShippedRules()
    {
        var viewer = WebUtility.HtmlDecode(await TestApp.Page(await app.SignedIn("viewer"), "/alerts/rules"));
        viewer.ShouldContain("No alert rules are in force");
        viewer.ShouldContain("chs alerts rules show --shipped");
        viewer.ShouldContain("an admin can also do it on this page");
        viewer.ShouldNotContain("data-testid=\"rules-yaml\"");

        var admin = WebUtility.HtmlDecode(await TestApp.Page(await app.SignedIn("admin"), "/alerts/rules"));
        admin.ShouldContain("below, start from the shipped rules, test them on your history and put them in force here");
        var (status, html, _) = await Submit(await app.SignedIn("admin"), new() { ["act"] = "shipped", ["draft"] = "" });
        status.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain(AlertBook.ShippedRules.Split('\n')[5]);
        Stored().Versions.ShouldBe(0, "starting a draft changes nothing");
        // With nothing in force, a replay of the rules in force says so.
        var replay = await Submit(await app.SignedIn("manager"), new() { ["act"] = "replay" });
        replay.Status.ShouldBe(HttpStatusCode.OK);
        replay.Html.ShouldContain("No rules are in force, so there is nothing to replay.");
    }

    [Fact]
    public async Task Replay_ForAManager_ShowsWhatSimulateReports_ForTheChosenAndTheDefaultRange()
    {
        await Seed();
        var manager = await app.SignedIn("manager");
        var page = WebUtility.HtmlDecode(await TestApp.Page(manager, "/alerts/rules"));
        HandlerPattern().Matches(page).Select(m => m.Groups[1].Value).ShouldBe(["rules"]);
        page.ShouldNotContain("data-testid=\"draft\"", customMessage: "the draft is for admins");
        // The default range: the last 26 weeks of scored history up to the latest scored day.
        page.ShouldContain($"value=\"{Day(26 * 7 - 1)}\" data-testid=\"replay-from\"");
        page.ShouldContain($"value=\"{Day(0)}\" data-testid=\"replay-to\"");

        var (status, html, _) = await Submit(manager, new() { ["act"] = "replay", ["from"] = Day(42), ["to"] = Day(0), ["horizon"] = "21" });

        status.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain("Replay of the rules in force");
        NoiseReport expected;
        using (var db = app.OpenStore())
        {
            var book = Book(db);
            expected = book.Simulate(book.Rules(), Today.AddDays(-42), Today, 21);
        }
        // The history makes the figures worth comparing: an alert judged and followed by churn, and one not.
        var unhappy = expected.WithCooldown.Single(r => r.RuleId == "unhappy");
        (unhappy.Judged, unhappy.FollowedByChurn, expected.JudgedUntil).ShouldBe((2, 1, Day(21)));
        unhappy.Precision.ShouldBe(0.5);
        ShowsReport(html, expected);

        var defaults = await Submit(manager, new() { ["act"] = "replay", ["from"] = "", ["to"] = "", ["horizon"] = "" });
        defaults.Status.ShouldBe(HttpStatusCode.OK, defaults.Html);
        using (var db = app.OpenStore())
        {
            var book = Book(db);
            ShowsReport(defaults.Html, book.Simulate(book.Rules(), Today.AddDays(-(26 * 7 - 1)), Today, 90));
        }
        defaults.Html.ShouldContain("judged for no alert: none has had 90 days after it yet.");
    }

    [Fact]
    public async Task Replay_WhileTheSamePersonsRunIsGoing_SaysSoAndRunsNothing()
    {
        await Seed();
        using var turn = app.Services.GetRequiredService<DraftRuns>().TryStart("manager@example.com");
        turn.ShouldNotBeNull();

        var (status, html, _) = await Submit(await app.SignedIn("manager"), new() { ["act"] = "replay" });

        status.ShouldBe(HttpStatusCode.TooManyRequests);
        html.ShouldContain("a replay, preview or backtest of yours is already running");
        html.ShouldNotContain("data-testid=\"replay-result\"");
    }

    [Fact]
    public async Task DraftTest_ReplaysTheDraft_WithStoredSecretsBehindPlaceholders_AndChangesNothing()
    {
        await Seed();
        var before = Stored();
        // The rules in force as shown (secrets behind placeholders, the Slack URL too), with another threshold and a rule more.
        var draft = before.Yaml!.Replace("score_below: 40", "score_below: 90", StringComparison.Ordinal)
            .Replace("destinations:", "  - id: detractors\n    when: { measure: { id: nps, below: -50 } }\n    cooldown: 30d\ndestinations:", StringComparison.Ordinal);
        var admin = await app.SignedIn("admin");

        var (status, html, _) = await Submit(admin, new() { ["act"] = "test", ["from"] = Day(42), ["to"] = "", ["horizon"] = "30", ["draft"] = draft });

        status.ShouldBe(HttpStatusCode.OK, html);
        html.ShouldContain("Replay of the draft (nothing was changed)");
        html.ShouldContain("<strong>detractors</strong>: Alerts when “NPS, 180 days” (nps) is below -50");
        using (var db = app.OpenStore())
        {
            var book = Book(db);
            ShowsReport(html, book.Simulate(book.ValidateDraft(draft, "draft.yaml"), Today.AddDays(-42), Today, 30));
        }
        // The draft stays in the box to be worked on; nothing stored changed.
        html.ShouldContain("- id: detractors");
        Stored().ShouldBe(before);
        using (var db = app.OpenStore())
        {
            Book(db).Rules().Rules.Select(r => r.Id).ShouldBe(["unhappy", "low-enterprise"]);
            db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM alerts").ShouldBe(0);
        }
    }

    [Fact]
    public async Task PutInForce_ByAnAdmin_ReplacesTheRules_KeepingAPlaceholdersSecret_AndSealingANewOne()
    {
        await Seed();
        var before = Stored();
        var draft = before.Yaml!.Replace("cooldown: 14d", "cooldown: 21d", StringComparison.Ordinal)
            .Replace($"url: \"{RuleSecrets.Placeholder}\"", "url: \"https://hooks.slack.com/services/T0/B0/new-slack-secret\"", StringComparison.Ordinal);
        var admin = await app.SignedIn("admin");

        var (status, html, location) = await Submit(admin, new() { ["act"] = "set", ["from"] = "not a day", ["draft"] = draft });

        status.ShouldBe(HttpStatusCode.Redirect, html);
        location!.ToString().ShouldEndWith("/alerts/rules?done=set");
        var after = Stored();
        after.Versions.ShouldBe(before.Versions + 1);
        after.Yaml!.ShouldNotContain("new-slack-secret");
        using (var db = app.OpenStore())
        {
            var rules = Book(db).Rules();
            rules.Find("unhappy")!.CooldownDays.ShouldBe(21);
            rules.Destinations["crm"].Secret.ShouldBe(WebhookSecret, "the placeholder keeps the stored secret");
            rules.Destinations["cs-alerts"].Url.ToString().ShouldBe("https://hooks.slack.com/services/T0/B0/new-slack-secret");
        }
        var page = WebUtility.HtmlDecode(await TestApp.Page(admin, "/alerts/rules?done=set"));
        page.ShouldContain("The rules below are in force.");
        page.ShouldContain("stays quiet on that account for 21 days");
        page.ShouldNotContain("new-slack-secret");
        // A placeholder with nothing stored behind it is refused, as `PUT /api/v1/alerts/rules` refuses it.
        var unknown = await Submit(admin, new() { ["act"] = "set", ["draft"] = draft.Replace("crm:", "erp:", StringComparison.Ordinal).Replace("webhook:crm", "webhook:erp", StringComparison.Ordinal) });
        unknown.Status.ShouldBe(HttpStatusCode.BadRequest);
        unknown.Html.ShouldContain($"`{RuleSecrets.Placeholder}` stands for the stored secret of destination `erp`, but none is stored");
        Stored().ShouldBe(after);
    }

    [Theory]
    [InlineData("manager")]
    [InlineData("csm")]
    [InlineData("viewer")]
    public async Task PutInForceAndDraftTest_ByAnyoneButAnAdmin_AreRefused_AndNothingChanges(string role)
    {
        await Seed();
        var before = Stored();
        var client = await app.SignedIn(role);

        foreach (var act in new[] { "set", "test", "shipped" })
        {
            var (status, html, _) = await Submit(client, new() { ["act"] = act, ["draft"] = "rules: []\n" });

            status.ShouldBe(HttpStatusCode.Forbidden, $"{act}: {html}");
            html.ShouldContain(role == "manager" ? "only admins change the alert rules" : $"your role ({role}) can read the rules in force but not replay them");
            html.ShouldContain("Nothing was changed.");
            html.ShouldNotContain("data-testid=\"replay-result\"");
        }
        var replay = await Submit(client, new() { ["act"] = "replay" });
        replay.Status.ShouldBe(role == "manager" ? HttpStatusCode.OK : HttpStatusCode.Forbidden, replay.Html);
        Stored().ShouldBe(before);
    }

    [Fact]
    public async Task InvalidDraftOrRange_ShowWhereAndWhy_AndStoreNothing()
    {
        await Seed();
        var before = Stored();
        var admin = await app.SignedIn("admin");
        const string Broken = "rules:\n  - id: x\n    when: { score_below: 40 }\n    severity: huge\n    cooldown: soon\n";

        foreach (var act in new[] { "test", "set" })
        {
            var (status, html, _) = await Submit(admin, new() { ["act"] = act, ["draft"] = Broken });

            status.ShouldBe(HttpStatusCode.BadRequest, html);
            html.ShouldContain("The draft is refused (2 problems); nothing was changed.");
            html.ShouldContain("line 4, column 15: `severity` must be `low`, `medium` or `high`");
            html.ShouldContain("line 5, column 15: ");
            html.ShouldContain(Broken.Split('\n')[3], customMessage: "the draft stays in the box to be fixed");
        }
        var unfit = await Submit(admin, new() { ["act"] = "set", ["draft"] = "rules:\n  - id: y\n    when: { measure: { id: nope, below: 1 } }\n" });
        unfit.Status.ShouldBe(HttpStatusCode.UnprocessableEntity);
        unfit.Html.ShouldContain("The draft does not fit the published model, so nothing was changed: rule `y`: the model has no measure `nope`.");
        var empty = await Submit(admin, new() { ["act"] = "set", ["draft"] = "  " });
        empty.Status.ShouldBe(HttpStatusCode.BadRequest);
        empty.Html.ShouldContain("The box is empty");

        foreach (var (fields, message) in new (Dictionary<string, string>, string)[]
        {
            (new() { ["from"] = "2025-02-30" }, "The first day (from) is not a date: “2025-02-30”."),
            (new() { ["to"] = "yesterday" }, "The last day (to) is not a date: “yesterday”."),
            (new() { ["from"] = Day(0), ["to"] = Day(7) }, $"The first day ({Day(0)}) is after the last ({Day(7)}): swap them."),
            (new() { ["horizon"] = "0" }, "The horizon must be a whole number of days from 1 to 3,650, such as 90; “0” is not."),
            (new() { ["horizon"] = "2147483648" }, "The horizon must be a whole number of days"),
            (new() { ["from"] = "2000-01-01", ["to"] = "2000-12-31" }, "The replay did not run: no scores between 2000-01-01 and 2000-12-31"),
        })
        {
            fields["act"] = "replay";
            var (status, html, _) = await Submit(admin, fields);
            status.ShouldBe(HttpStatusCode.BadRequest, html);
            html.ShouldContain(message);
        }
        var unknown = await Submit(admin, new() { ["act"] = "drop" });
        unknown.Status.ShouldBe(HttpStatusCode.BadRequest);
        Stored().ShouldBe(before);
    }

    [Fact]
    public async Task AlertsPageAndNavigation_LinkToTheRulesPage_WhichIsTheOnlyActiveEntryThere()
    {
        var manager = await app.SignedIn("manager");
        var alerts = await TestApp.Page(manager, "/alerts?severity=high");
        alerts.ShouldContain("href=\"/alerts/rules\" data-testid=\"rules-link\"");
        Regex.Matches(alerts, "class=\"nav-link active\"[^>]*>([^<]*)<").Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ShouldBe(["Alerts & tasks"]);
        var rules = await TestApp.Page(manager, "/alerts/rules");
        Regex.Matches(rules, "class=\"nav-link active\"[^>]*>([^<]*)<").Select(m => m.Groups[1].Value).ShouldBe(["Rules"]);
    }
}

public sealed class AlertRulesPageTestsOnSqlite() : AlertRulesPageTests(TestEngine.Sqlite);

public sealed class AlertRulesPageTestsOnPostgres() : AlertRulesPageTests(TestEngine.Postgres);
