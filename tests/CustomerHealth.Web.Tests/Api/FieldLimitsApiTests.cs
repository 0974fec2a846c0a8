using System.Globalization;
using System.Text.Json;
using CustomerHealth.Store.Engines;
using Dapper;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>Text the API writes is held to the field limits of Core: a 400 or 422 naming the field and the limit, and nothing stored.</summary>
public abstract class FieldLimitsApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private static string Until => TimeProvider.System.Today().AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private long Count(string table)
    {
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        return db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    private async Task Account(string id = "A1") =>
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", $$"""[{"account_id":"{{id}}","name":"Acme"}]""");

    private static void ShouldName(JsonElement problem, string field, string words)
    {
        problem.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(field, problem.ToString());
        problem.GetProperty("detail").GetString()!.ShouldContain(words);
    }

    [Fact]
    public async Task Ingest_NulInAnIdAndAHugeTitleSizedName_Returns422NamingRecordAndField()
    {
        var body = JsonSerializer.Serialize(new object[]
        {
            new Dictionary<string, string> { ["account_id"] = "OK1" },
            new Dictionary<string, string> { ["account_id"] = "BAD\u00002" },
            new Dictionary<string, string> { ["account_id"] = "OK3", ["name"] = new string('n', 20_000) },
        });

        var problem = await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", body, 422);

        var rejected = problem.GetProperty("rejected").EnumerateArray().Select(e => (e.GetProperty("index").GetInt32(), e.GetProperty("field").GetString())).ToList();
        rejected.ShouldBe([(1, "account_id"), (2, "name")]);
        Count("accounts").ShouldBe(0);
    }

    [Fact]
    public async Task Ingest_JsonLinesWithAControlCharacterInAnEventName_IsRefused()
    {
        var line = JsonSerializer.Serialize(new Dictionary<string, string> { ["account_id"] = "A1", ["occurred_at"] = "2025-03-01T10:00:00Z", ["event"] = "log\u001bin" });

        var problem = await app.KeyClient("ingest").PostJson("/api/v1/ingest/usage", line + "\n", 422);

        problem.GetProperty("rejected")[0].GetProperty("field").GetString().ShouldBe("event");
        Count("usage_events").ShouldBe(0);
    }

    [Fact]
    public async Task SegmentIdentify_UserIdWithANul_Returns400AndStoresNoUser()
    {
        var before = Count("people");

        var problem = await app.KeyClient("ingest").PostJson("/v1/identify", JsonSerializer.Serialize(new { userId = "u\u00001", traits = new { email = "u@example.com" } }), 400);

        ShouldName(problem, "userId", "NUL");
        Count("people").ShouldBe(before);
    }

    [Fact]
    public async Task CreateTask_HugeTitle_Returns400NamingTitleAndStoresNothing()
    {
        await Account();

        var problem = await app.KeyClient("admin").PostJson("/api/v1/tasks",
            JsonSerializer.Serialize(new { account_id = "A1", title = new string('t', 5_000_000 / 10) }), 400);

        ShouldName(problem, "title", "at most 500 characters");
        Count("tasks").ShouldBe(0);
    }

    [Fact]
    public async Task CreateTask_ANulInAStepOrTheAssignee_Returns400NamingIt()
    {
        await Account();
        var admin = app.KeyClient("admin");

        ShouldName(await admin.PostJson("/api/v1/tasks", JsonSerializer.Serialize(new { account_id = "A1", title = "Call", steps = new[] { "ok", "b\0ad" } }), 400), "steps[1]", "NUL");
        ShouldName(await admin.PostJson("/api/v1/tasks", JsonSerializer.Serialize(new { account_id = "A1", title = "Call", assignee = "a\u0007@example.com" }), 400), "assignee", "control character");
        Count("tasks").ShouldBe(0);
    }

    [Fact]
    public async Task UpdateTask_HugeOutcome_Returns400AndLeavesTheTask()
    {
        await Account();
        var admin = app.KeyClient("admin");
        var id = (await admin.PostJson("/api/v1/tasks", """{"account_id":"A1","title":"Call the champion"}""", 201)).GetProperty("id").GetInt64();

        var r = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Patch, $"/api/v1/tasks/{id}")
        {
            Content = Http.Json(JsonSerializer.Serialize(new { status = "done", outcome = new string('o', 10_001) })),
        });

        ((int)r.StatusCode).ShouldBe(400);
        ShouldName(await r.ReadJson(), "outcome", "at most 10,000 characters");
        var task = await app.KeyClient("read").GetJson("/api/v1/tasks");
        task[0].GetProperty("status").GetString().ShouldBe("open");
    }

    [Fact]
    public async Task Override_ReasonOverItsLimit_Returns400NamingReason()
    {
        await Account();

        var problem = await app.KeyClient("admin").PostJson("/api/v1/accounts/A1/override",
            JsonSerializer.Serialize(new { score = 70, reason = new string('r', 2_001), until = Until }), 400);

        ShouldName(problem, "reason", "at most 2,000 characters");
        Count("overrides").ShouldBe(0);
    }

    [Fact]
    public async Task Sentiment_NoteWithANul_Returns422NamingNote()
    {
        await Account();

        var problem = await app.KeyClient("admin").PostJson("/api/v1/accounts/A1/sentiment", JsonSerializer.Serialize(new { rating = "red", note = "bad\0note" }), 422);

        ShouldName(problem, "note", "NUL");
        Count("sentiment").ShouldBe(0);
    }
}

public sealed class FieldLimitsApiTestsOnSqlite() : FieldLimitsApiTests(TestEngine.Sqlite);

public sealed class FieldLimitsApiTestsOnPostgres() : FieldLimitsApiTests(TestEngine.Postgres);
