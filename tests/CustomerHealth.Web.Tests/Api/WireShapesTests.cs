using System.Text;
using System.Text.Json;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Jobs;
using CustomerHealth.Web.Tests.Components;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>
/// The JSON of every API answer, held to the shape clients are written against (SPEC §6, docs/api.md): each field's
/// path, in the order it is written, with the kinds of value it took. A renamed, dropped, added or reordered field
/// fails here naming the endpoint.
/// </summary>
public abstract class WireShapesTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    /// <summary>
    /// <see cref="PageBook"/> with a rule that raises an alert (delivered to the inbox) and a task on the accounts
    /// scoring below 60 (W2, W3), and an override on W1.
    /// </summary>
    private async Task Seed()
    {
        await PageBook.Build(app);
        using (var db = app.OpenStore())
        {
            new AlertBook(db, new ModelVersions(db, TimeProvider.System), TimeProvider.System).SetRules(
                """
                rules:
                  - id: low
                    when: { score_below: 60 }
                    severity: high
                    notify: [ inbox ]
                    task: { title: "Call {account.name}", assignee: owner, due_in: 3d, steps: [ "Read the breakdown" ] }
                """, "rules.yaml");
        }
        app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
    }

    /// <summary>Each field's path (`[]` for an array's items) and the kinds of value it took, in the order first written.</summary>
    private static string Shape(JsonElement root)
    {
        var kinds = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var order = new List<string>();
        void Walk(JsonElement e, string path)
        {
            if (!kinds.TryGetValue(path, out var seen))
            {
                kinds[path] = seen = new SortedSet<string>(StringComparer.Ordinal);
                order.Add(path);
            }
            seen.Add(e.ValueKind.ToString().ToLowerInvariant());
            if (e.ValueKind == JsonValueKind.Object)
            {
                foreach (var p in e.EnumerateObject())
                {
                    Walk(p.Value, path.Length == 0 ? p.Name : path + "." + p.Name);
                }
            }
            else if (e.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in e.EnumerateArray())
                {
                    Walk(item, path + "[]");
                }
            }
        }
        Walk(root, "");
        return string.Join("\n", order.Select(p => $"{(p.Length == 0 ? "." : p)}: {string.Join("|", kinds[p])}"));
    }

    private static async Task<string> ShapeOf(HttpResponseMessage r, int expected)
    {
        var body = await r.Content.ReadAsStringAsync();
        ((int)r.StatusCode).ShouldBe(expected, body);
        return Shape(JsonDocument.Parse(body).RootElement);
    }

    private static StringContent Yaml(string text) => new(text, Encoding.UTF8, "application/yaml");

    [Fact]
    public async Task EveryJsonAnswer_KeepsItsFieldsTheirOrderAndKinds()
    {
        await Seed();
        var read = app.KeyClient("read");
        var admin = app.KeyClient("admin");
        var actual = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GET /api/v1/accounts"] = await ShapeOf(await read.GetAsync("/api/v1/accounts"), 200),
            ["GET /api/v1/accounts/{id}"] = await ShapeOf(await read.GetAsync("/api/v1/accounts/W1"), 200),
            ["GET /api/v1/accounts/{id}/history"] = await ShapeOf(await read.GetAsync("/api/v1/accounts/W1/history"), 200),
            ["GET /api/v1/accounts/{id}/explain"] = await ShapeOf(await read.GetAsync($"/api/v1/accounts/W1/explain?from={PageBook.Day(-35)}&to={PageBook.Day(0)}"), 200),
            ["GET /api/v1/portfolio"] = await ShapeOf(await read.GetAsync("/api/v1/portfolio"), 200),
            ["GET /api/v1/sources"] = await ShapeOf(await read.GetAsync("/api/v1/sources"), 200),
            ["GET /api/v1/alerts"] = await ShapeOf(await read.GetAsync("/api/v1/alerts"), 200),
            ["GET /api/v1/tasks"] = await ShapeOf(await read.GetAsync("/api/v1/tasks"), 200),
            ["GET /api/v1/deliveries"] = await ShapeOf(await read.GetAsync("/api/v1/deliveries"), 200),
            ["GET /api/v1/model"] = await ShapeOf(await read.GetAsync("/api/v1/model"), 200),
            ["GET /api/v1/model/versions"] = await ShapeOf(await read.GetAsync("/api/v1/model/versions"), 200),
            ["POST /api/v1/model/preview"] = await ShapeOf(await admin.PostAsync("/api/v1/model/preview", Yaml(PageBook.Model.Replace("min: 40", "min: 55", StringComparison.Ordinal))), 200),
            ["PUT /api/v1/model"] = await ShapeOf(await admin.PutAsync("/api/v1/model?note=same", Yaml(PageBook.Model)), 200),
            ["PUT /api/v1/alerts/rules"] = await ShapeOf(await admin.PutAsync("/api/v1/alerts/rules", Yaml("rules:\n  - id: low\n    when: { score_below: 60 }\n")), 200),
            ["POST /api/v1/accounts/{id}/override"] = await ShapeOf(await admin.PostAsync("/api/v1/accounts/W1/override",
                Http.Json($$"""{"score":55,"reason":"Sponsor left","until":"{{PageBook.Day(30)}}"}""")), 201),
            ["POST /api/v1/accounts/{id}/sentiment"] = await ShapeOf(await admin.PostAsync("/api/v1/accounts/W1/sentiment", Http.Json("""{"rating":"red","note":"n"}""")), 200),
            ["POST /api/v1/accounts/{id}/touches"] = await ShapeOf(await admin.PostAsync("/api/v1/accounts/W1/touches",
                Http.Json($$$"""{"kind":"call","occurred_on":"{{{PageBook.Day(-1)}}}","text":"Renewal call","follow_up":{"title":"Send the report","assignee":"ann@example.com"}}""")), 201),
            ["GET /api/v1/touches"] = await ShapeOf(await read.GetAsync("/api/v1/touches?q=renewal"), 200),
            ["POST /api/v1/tasks"] = await ShapeOf(await admin.PostAsync("/api/v1/tasks",
                Http.Json($$"""{"account_id":"W1","title":"Visit","assignee":"ann@example.com","due_on":"{{PageBook.Day(5)}}","steps":["Book"]}""")), 201),
            ["PATCH /api/v1/tasks/{id}"] = await ShapeOf(await admin.PatchAsync("/api/v1/tasks/1", Http.Json("""{"status":"in_progress"}""")), 200),
            ["POST /api/v1/deliveries/retry"] = await ShapeOf(await admin.PostAsync("/api/v1/deliveries/retry", Http.Json("{}")), 200),
            ["POST /api/v1/ingest/{kind}"] = await ShapeOf(await admin.PostAsync("/api/v1/ingest/accounts?partial=true", Http.Json("""[{"account_id":"W9"},{"name":"no id"}]""")), 200),
        };

        foreach (var (endpoint, shape) in Expected)
        {
            actual.ShouldContainKey(endpoint);
            actual[endpoint].ShouldBe(shape, $"{endpoint} answers with another shape:\n{actual[endpoint]}");
        }
        actual.Keys.Order(StringComparer.Ordinal).ShouldBe(Expected.Keys.Order(StringComparer.Ordinal));
    }

    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["GET /api/v1/accounts"] = """
            .: array
            []: object
            [].account_id: string
            [].name: string
            [].segment: string
            [].owner: string
            [].arr: number
            [].score: null|number
            [].grade: null|string
            [].trend: null|number
            [].direction: null|string
            [].scored_on: string
            [].lifecycle_stage: string
            [].plan: string
            [].renewal_on: null|string
            [].status: string
            [].churn_probability: null
            [].churn_interval: null
            [].churn_drivers: null
            [].churn_predictor: null
            """,
        ["GET /api/v1/accounts/{id}"] = """
            .: object
            account_id: string
            name: string
            score: number
            grade: string
            grade_label: string
            scorecard: string
            model_version: string
            as_of: string
            computed_score: number
            override_reason: null
            trend: number
            direction: string
            note: null
            profile: object
            profile.segment: string
            profile.lifecycle_stage: string
            profile.owner: string
            profile.arr: number
            profile.seats: null
            profile.plan: string
            profile.started_on: null
            profile.renewal_on: string
            profile.parent_id: null
            profile.status: string
            profile.churned_on: null
            dimensions: array
            dimensions[]: object
            dimensions[].id: string
            dimensions[].label: string
            dimensions[].score: number
            dimensions[].effective_weight: number
            dimensions[].contribution: number
            dimensions[].measures: array
            dimensions[].measures[]: object
            dimensions[].measures[].id: string
            dimensions[].measures[].label: string
            dimensions[].measures[].value: number
            dimensions[].measures[].score: number
            dimensions[].measures[].effective_weight: number
            dimensions[].measures[].contribution: number
            dimensions[].measures[].missing: false
            dimensions[].measures[].stale: false
            stored: true
            churn_probability: null
            churn_horizon_days: null
            coverage: number
            churn_interval: null
            churn_drivers: null
            churn_predictor: null
            stale_source: null
            """,
        ["GET /api/v1/accounts/{id}/explain"] = """
            .: object
            account_id: string
            from: string
            to: string
            from_score: number
            to_score: number
            change: number
            from_grade: string
            to_grade: string
            from_model_version: string
            to_model_version: string
            model_changed: false
            changes: array
            changes[]: object
            changes[].dimension: string
            changes[].measure: string
            changes[].label: string
            changes[].from_value: null|number
            changes[].to_value: number
            changes[].from_contribution: number
            changes[].to_contribution: number
            changes[].change: number
            changes[].cause: null|string
            """,
        ["GET /api/v1/accounts/{id}/history"] = """
            .: array
            []: object
            [].as_of: string
            [].score: number
            [].grade: string
            [].model_version: string
            [].computed_score: number
            [].override_reason: null
            [].model_changed: false
            """,
        ["GET /api/v1/alerts"] = """
            .: array
            []: object
            [].id: number
            [].rule_id: string
            [].account_id: string
            [].account_name: string
            [].owner: string
            [].severity: string
            [].state: string
            [].reason: string
            [].score: number
            [].grade: string
            [].previous_score: number
            [].previous_grade: string
            [].opened_on: string
            [].updated_on: string
            [].snoozed_until: null
            [].resolved_on: null
            [].resolved_by: null
            """,
        ["GET /api/v1/deliveries"] = """
            .: object
            counts: object
            counts.pending: number
            counts.sent: number
            counts.failed: number
            deliveries: array
            deliveries[]: object
            deliveries[].id: number
            deliveries[].idempotency_key: string
            deliveries[].kind: string
            deliveries[].alert_id: number
            deliveries[].account_id: string
            deliveries[].channel: string
            deliveries[].target: string
            deliveries[].notify: string
            deliveries[].state: string
            deliveries[].attempts: number
            deliveries[].next_attempt_at: string
            deliveries[].last_error: null
            deliveries[].created_at: string
            deliveries[].sent_at: string
            """,
        ["GET /api/v1/model"] = """
            .: object
            version_id: string
            name: string
            published_at: string
            note: string
            current: true
            yaml: string
            """,
        ["GET /api/v1/model/versions"] = """
            .: array
            []: object
            [].version_id: string
            [].name: string
            [].published_at: string
            [].note: string
            [].current: false|true
            [].yaml: null
            """,
        ["GET /api/v1/sources"] = """
            .: object
            as_of: string
            quiet_days: number
            lookback_days: number
            active_accounts: number
            sources: array
            sources[]: object
            sources[].kind: string
            sources[].status: string
            sources[].accounts: number
            sources[].coverage: number
            sources[].last_signal_on: null|string
            sources[].days_since_last: null|number
            sources[].usual_gap_days: null|number
            sources[].silence_days: null|number
            sources[].last_received_at: null|string
            sources[].rows_received: number
            sources[].weekly: array
            sources[].weekly[]: object
            sources[].weekly[].week: string
            sources[].weekly[].count: number
            sources[].quiet_accounts: number
            sources[].quiet: array
            measures: array
            measures[]: object
            measures[].dimension: string
            measures[].measure: string
            measures[].label: string
            measures[].source: string
            measures[].coverage: number
            measures[].low_coverage: false
            """,
        ["GET /api/v1/portfolio"] = """
            .: object
            scored_on: string
            model_version: string
            accounts: number
            scored: number
            unscored: number
            churned: number
            arr: number
            average_score: number
            by_grade: array
            by_grade[]: object
            by_grade[].grade: string
            by_grade[].label: string
            by_grade[].color: string
            by_grade[].accounts: number
            by_grade[].arr: number
            """,
        ["GET /api/v1/tasks"] = """
            .: array
            []: object
            [].id: number
            [].account_id: string
            [].account_name: string
            [].alert_id: null|number
            [].title: string
            [].assignee: string
            [].due_on: string
            [].steps: array
            [].status: string
            [].outcome: null
            [].created_on: string
            [].completed_on: null
            [].overdue: false|true
            [].steps[]: string
            """,
        ["PATCH /api/v1/tasks/{id}"] = """
            .: object
            id: number
            account_id: string
            account_name: string
            alert_id: null
            title: string
            assignee: string
            due_on: string
            steps: array
            status: string
            outcome: null
            created_on: string
            completed_on: null
            overdue: true
            """,
        ["POST /api/v1/accounts/{id}/override"] = """
            .: object
            account_id: string
            name: string
            score: number
            grade: string
            grade_label: string
            scorecard: string
            model_version: string
            as_of: string
            computed_score: number
            override_reason: string
            trend: number
            direction: string
            note: null
            profile: object
            profile.segment: string
            profile.lifecycle_stage: string
            profile.owner: string
            profile.arr: number
            profile.seats: null
            profile.plan: string
            profile.started_on: null
            profile.renewal_on: string
            profile.parent_id: null
            profile.status: string
            profile.churned_on: null
            dimensions: array
            dimensions[]: object
            dimensions[].id: string
            dimensions[].label: string
            dimensions[].score: number
            dimensions[].effective_weight: number
            dimensions[].contribution: number
            dimensions[].measures: array
            dimensions[].measures[]: object
            dimensions[].measures[].id: string
            dimensions[].measures[].label: string
            dimensions[].measures[].value: number
            dimensions[].measures[].score: number
            dimensions[].measures[].effective_weight: number
            dimensions[].measures[].contribution: number
            dimensions[].measures[].missing: false
            dimensions[].measures[].stale: false
            stored: true
            churn_probability: null
            churn_horizon_days: null
            coverage: number
            churn_interval: null
            churn_drivers: null
            churn_predictor: null
            stale_source: null
            """,
        ["POST /api/v1/accounts/{id}/sentiment"] = """
            .: object
            accepted: number
            duplicates: number
            rejected: array
            """,
        ["POST /api/v1/accounts/{id}/touches"] = """
            .: object
            account_id: string
            kind: string
            task_id: number
            """,
        ["GET /api/v1/touches"] = """
            .: array
            []: object
            [].account_id: string
            [].account_name: string
            [].touch_id: null
            [].kind: string
            [].occurred_at: string
            [].author: string
            [].text: string
            """,
        ["POST /api/v1/deliveries/retry"] = """
            .: object
            retried: number
            """,
        ["POST /api/v1/ingest/{kind}"] = """
            .: object
            accepted: number
            duplicates: number
            rejected: array
            rejected[]: object
            rejected[].field: string
            rejected[].error: string
            rejected[].index: number
            """,
        ["POST /api/v1/model/preview"] = """
            .: object
            as_of: string
            current_version: string
            draft_version: string
            accounts_scored: number
            current: object
            current.by_grade: object
            current.by_grade.green: number
            current.by_grade.yellow: number
            current.by_grade.red: number
            current.histogram: array
            current.histogram[]: number
            current.average_score: number
            draft: object
            draft.by_grade: object
            draft.by_grade.green: number
            draft.by_grade.yellow: number
            draft.by_grade.red: number
            draft.histogram: array
            draft.histogram[]: number
            draft.average_score: number
            grade_changes_count: number
            grade_changes: array
            grade_changes[]: object
            grade_changes[].account_id: string
            grade_changes[].name: string
            grade_changes[].from_grade: string
            grade_changes[].to_grade: string
            grade_changes[].from_score: number
            grade_changes[].to_score: number
            """,
        ["POST /api/v1/tasks"] = """
            .: object
            id: number
            account_id: string
            account_name: string
            alert_id: null
            title: string
            assignee: string
            due_on: string
            steps: array
            steps[]: string
            status: string
            outcome: null
            created_on: string
            completed_on: null
            overdue: false
            """,
        ["PUT /api/v1/alerts/rules"] = """
            .: array
            []: string
            """,
        ["PUT /api/v1/model"] = """
            .: object
            version_id: string
            name: string
            published_at: string
            note: string
            current: true
            yaml: string
            already_published: true
            """,
    };
}

public sealed class WireShapesTestsOnSqlite() : WireShapesTests(TestEngine.Sqlite);

public sealed class WireShapesTestsOnPostgres() : WireShapesTests(TestEngine.Postgres);
