using System.Globalization;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Api;

public abstract class AlertsApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Alerts_AfterARescore_AreListedAndCanBeSnoozedAndResolved()
    {
        using (var db = app.OpenStore())
        {
            new AlertBook(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System)
                .SetRules("rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n    severity: high\n", "rules.yaml");
        }
        var today = TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/surveys",
            $$"""[{"account_id":"N1","kind":"nps","score":1,"responded_at":"{{today}}T08:00:00Z"},{"account_id":"N1","kind":"nps","score":2,"responded_at":"{{today}}T09:00:00Z"}]""");
        app.Services.GetRequiredService<CustomerHealth.Web.Jobs.RescoreQueue>().RescoreToday();
        var reader = app.KeyClient("read");
        var alerts = await reader.GetJson("/api/v1/alerts");
        var alert = alerts.EnumerateArray().Single();
        alert.GetProperty("rule_id").GetString().ShouldBe("unhappy");
        alert.GetProperty("account_id").GetString().ShouldBe("N1");
        var id = alert.GetProperty("id").GetInt64();
        var admin = app.KeyClient("admin");
        var noDay = await admin.PostJson($"/api/v1/alerts/{id}/snooze", "{}", 400);
        noDay.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("until");
        (await admin.PostAsync($"/api/v1/alerts/{id}/snooze", Http.Json("""{"until":"2099-01-01"}"""))).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
        (await reader.GetJson("/api/v1/alerts"))[0].GetProperty("state").GetString().ShouldBe("snoozed");
        (await admin.PostAsync($"/api/v1/alerts/{id}/resolve", Http.Json("{}"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
        (await reader.GetJson("/api/v1/alerts")).GetArrayLength().ShouldBe(0);
        (await admin.PostAsync($"/api/v1/alerts/{id}/resolve", Http.Json("{}"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.NotFound);
        (await reader.GetJson("/api/v1/alerts?all=true")).GetArrayLength().ShouldBe(1);
        // A read key looks but does not act.
        (await reader.PostAsync($"/api/v1/alerts/{id}/acknowledge", Http.Json("{}"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await reader.GetJson("/api/v1/tasks")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task ACsm_WorksTheAlertsAndTasksOfTheirOwnAccounts_NotOthers()
    {
        using (var db = app.OpenStore())
        {
            new AlertBook(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System)
                .SetRules("rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n", "rules.yaml");
        }
        var today = TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts", """[{"account_id":"MINE","owner":"csm@example.com"},{"account_id":"THEIRS","owner":"manager@example.com"}]""");
        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""[{"account_id":"MINE","kind":"nps","score":1,"responded_at":"{{today}}T08:00:00Z"},{"account_id":"THEIRS","kind":"nps","score":1,"responded_at":"{{today}}T08:00:00Z"}]""");
        app.Services.GetRequiredService<CustomerHealth.Web.Jobs.RescoreQueue>().RescoreToday();
        var alerts = (await app.KeyClient("read").GetJson("/api/v1/alerts")).EnumerateArray().ToDictionary(a => a.GetProperty("account_id").GetString()!, a => a.GetProperty("id").GetInt64());
        var csm = await app.SignedIn("csm");
        (await csm.PostAsync($"/api/v1/alerts/{alerts["MINE"]}/acknowledge", Http.Json("{}"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
        var refused = await csm.PostAsync($"/api/v1/alerts/{alerts["THEIRS"]}/acknowledge", Http.Json("{}"));
        refused.StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        (await refused.ReadJson()).GetProperty("detail").GetString()!.ShouldContain("accounts you own");
        (await csm.PostAsync("/api/v1/tasks", Http.Json("""{"account_id":"THEIRS","title":"Call"}"""))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        var task = await csm.PostJson("/api/v1/tasks", """{"account_id":"MINE","title":"Call"}""", 201);
        var theirs = await (await app.SignedIn("manager")).PostJson("/api/v1/tasks", """{"account_id":"THEIRS","title":"Visit"}""", 201);
        (await csm.PatchAsync($"/api/v1/tasks/{task.GetProperty("id").GetInt64()}", Http.Json("""{"status":"done"}"""))).StatusCode.ShouldBe(System.Net.HttpStatusCode.OK);
        (await csm.PatchAsync($"/api/v1/tasks/{theirs.GetProperty("id").GetInt64()}", Http.Json("""{"status":"done"}"""))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
        // A manager works on every account.
        (await (await app.SignedIn("manager")).PostAsync($"/api/v1/alerts/{alerts["THEIRS"]}/resolve", Http.Json("{}"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Rules_PutThroughTheApi_AreValidatedWithLineNumbersAndPutInForce()
    {
        var admin = app.KeyClient("admin");
        var bad = await admin.PutAsync("/api/v1/alerts/rules", new System.Net.Http.StringContent("rules:\n  - id: x\n    when: { score_below: 40 }\n    severity: urgent\n"));
        ((int)bad.StatusCode).ShouldBe(422);
        var error = (await bad.ReadJson()).GetProperty("errors")[0];
        error.GetProperty("line").GetInt32().ShouldBe(4);
        var unknownGrade = await admin.PutAsync("/api/v1/alerts/rules", new System.Net.Http.StringContent("rules:\n  - id: x\n    when: { grade_entered: purple }\n"));
        ((int)unknownGrade.StatusCode).ShouldBe(422);
        var ok = await admin.PutAsync("/api/v1/alerts/rules", new System.Net.Http.StringContent("rules:\n  - id: low\n    when: { score_below: 40 }\n"));
        ((int)ok.StatusCode).ShouldBe(200);
        (await ok.ReadJson())[0].GetString().ShouldBe("low");
        (await app.KeyClient("read").GetStringAsync("/api/v1/alerts/rules")).ShouldContain("score_below: 40");
        (await app.KeyClient("read").PutAsync("/api/v1/alerts/rules", new System.Net.Http.StringContent("rules: []"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Rules_PutNested40000Deep_Refused422AtTheLineAndColumnAndTheRulesInForceStay()
    {
        var admin = app.KeyClient("admin");
        ((int)(await admin.PutAsync("/api/v1/alerts/rules", new System.Net.Http.StringContent("rules:\n  - id: low\n    when: { score_below: 40 }\n"))).StatusCode).ShouldBe(200);
        var deep = "rules: " + new string('[', 40_000) + new string(']', 40_000) + "\n";

        var r = await admin.PutAsync("/api/v1/alerts/rules", new System.Net.Http.StringContent(deep));

        var body = await r.ReadJson();
        ((int)r.StatusCode).ShouldBe(422, body.ToString());
        var error = body.GetProperty("errors").EnumerateArray().ShouldHaveSingleItem();
        (error.GetProperty("line").GetInt32(), error.GetProperty("column").GetInt32()).ShouldBe((1, 8 + CustomerHealth.Core.Model.YamlLimits.MaxDepth - 1));
        error.GetProperty("message").GetString()!.ShouldContain("nesting deeper than");
        (await app.KeyClient("read").GetStringAsync("/api/v1/alerts/rules")).ShouldContain("id: low");
    }

    [Fact]
    public async Task Tasks_CreatedAndCompletedThroughTheApi_WithErrorsNamingTheField()
    {
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts", """[{"account_id":"T1","name":"Tasked","owner":"ann@example.com"}]""");
        (await ingest.PostJson("/api/v1/tasks", """{"account_id":"T1"}""", 400)).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("title");
        (await ingest.PostJson("/api/v1/tasks", """{"account_id":"NOPE","title":"x"}""", 422)).GetProperty("detail").GetString()!.ShouldContain("NOPE");
        var created = await ingest.PostJson("/api/v1/tasks", """{"account_id":"T1","title":"Plan the renewal","assignee":"ann@example.com","due_on":"2099-01-31","steps":["Check usage"]}""", 201);
        var id = created.GetProperty("id").GetInt64();
        created.GetProperty("status").GetString().ShouldBe("open");
        created.GetProperty("steps")[0].GetString().ShouldBe("Check usage");
        var bad = await ingest.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tasks/{id}") { Content = Http.Json("""{"status":"finished"}""") });
        ((int)bad.StatusCode).ShouldBe(400);
        var done = await ingest.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tasks/{id}") { Content = Http.Json("""{"status":"done","outcome":"Renewed for two years"}""") });
        var doneJson = await done.ReadJson();
        ((int)done.StatusCode).ShouldBe(200, doneJson.ToString());
        doneJson.GetProperty("outcome").GetString().ShouldBe("Renewed for two years");
        doneJson.GetProperty("completed_on").GetString().ShouldNotBeNull();
        (await app.KeyClient("read").GetJson("/api/v1/tasks")).GetArrayLength().ShouldBe(0);
        (await app.KeyClient("read").GetJson("/api/v1/tasks?all=true")).GetArrayLength().ShouldBe(1);
        var missing = await ingest.SendAsync(new HttpRequestMessage(HttpMethod.Patch, "/api/v1/tasks/999") { Content = Http.Json("{}") });
        ((int)missing.StatusCode).ShouldBe(404);
    }

    [Fact]
    public async Task Snooze_UntilTodayOrEarlier_Refused400NamingUntil_AsOnTheAlertsPage_AndTheAlertStaysOpen()
    {
        using (var db = app.OpenStore())
        {
            new AlertBook(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System)
                .SetRules("rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n", "rules.yaml");
        }
        var today = TimeProvider.System.Today();
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/surveys",
            $$"""[{"account_id":"N1","kind":"nps","score":1,"responded_at":"{{today:yyyy-MM-dd}}T08:00:00Z"}]""");
        app.Services.GetRequiredService<CustomerHealth.Web.Jobs.RescoreQueue>().RescoreToday();
        var id = (await app.KeyClient("read").GetJson("/api/v1/alerts"))[0].GetProperty("id").GetInt64();
        var admin = app.KeyClient("admin");

        foreach (var day in new[] { today, today.AddDays(-1) })
        {
            var refused = await admin.PostJson($"/api/v1/alerts/{id}/snooze", $$"""{"until":"{{day:yyyy-MM-dd}}"}""", 400);
            refused.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("until");
            refused.GetProperty("detail").GetString()!.ShouldContain("a day after today");
        }

        (await app.KeyClient("read").GetJson("/api/v1/alerts"))[0].GetProperty("state").GetString().ShouldBe("open");
        (await admin.PostAsync($"/api/v1/alerts/{id}/snooze", Http.Json($$"""{"until":"{{today.AddDays(1):yyyy-MM-dd}}"}"""))).StatusCode
            .ShouldBe(System.Net.HttpStatusCode.NoContent);
    }

    [Theory]
    [InlineData("bob")]
    [InlineData(" ann.example.com ")]
    public async Task Tasks_AnAssigneeThatIsNotAnEmailAddress_Refused400NamingAssignee_AsOnTheAlertsPage_AndNothingChanges(string assignee)
    {
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts", """[{"account_id":"T1","name":"Tasked","owner":"ann@example.com"}]""");
        var manager = await app.SignedIn("manager");

        var notCreated = await manager.PostJson("/api/v1/tasks", $$"""{"account_id":"T1","title":"Call","assignee":"{{assignee}}"}""", 400);

        notCreated.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("assignee");
        notCreated.GetProperty("detail").GetString()!.ShouldContain("e-mail address");
        (await app.KeyClient("read").GetJson("/api/v1/tasks?all=true")).GetArrayLength().ShouldBe(0);
        var task = await manager.PostJson("/api/v1/tasks", """{"account_id":"T1","title":"Call","assignee":"ann@example.com"}""", 201);
        var id = task.GetProperty("id").GetInt64();
        var notChanged = await manager.PatchAsync($"/api/v1/tasks/{id}", Http.Json($$"""{"assignee":"{{assignee}}","status":"done"}"""));
        ((int)notChanged.StatusCode).ShouldBe(400);
        (await notChanged.ReadJson()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("assignee");
        var kept = (await app.KeyClient("read").GetJson("/api/v1/tasks"))[0];
        (kept.GetProperty("assignee").GetString(), kept.GetProperty("status").GetString()).ShouldBe(("ann@example.com", "open"));
    }
}

public sealed class AlertsApiTestsOnSqlite() : AlertsApiTests(TestEngine.Sqlite);

public sealed class AlertsApiTestsOnPostgres() : AlertsApiTests(TestEngine.Postgres);
