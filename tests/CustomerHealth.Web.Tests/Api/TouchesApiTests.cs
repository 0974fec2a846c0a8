using System.Globalization;
using System.Text.Json;
using Dapper;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>Notes, calls and meetings through the API: recorded with an optional follow-up task by whoever may, refused whole, and found.</summary>
public abstract class TouchesApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private static string Day(int days) => TimeProvider.System.Today().AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private long Count(string table)
    {
        using var db = app.OpenStore();
        return db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    private async Task Accounts() =>
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts",
            """[{"account_id":"MINE","name":"Mine Inc","owner":"csm@example.com"},{"account_id":"THEIRS","name":"Theirs Ltd","owner":"manager@example.com"}]""");

    [Fact]
    public async Task Record_ACallWithAFollowUp_StoresBoth_WithThePersonAsAuthorAndAssignee_AndTheSearchFindsIt()
    {
        await Accounts();
        var csm = await app.SignedIn("csm");

        var recorded = await csm.PostJson("/api/v1/accounts/MINE/touches",
            $$$"""{"kind":"Call","occurred_on":"{{{Day(-3)}}}","text":"Budget frozen until Q3","follow_up":{"title":"Check back in July","due_on":"{{{Day(30)}}}"}}""", 201);

        recorded.GetProperty("kind").GetString().ShouldBe("call");
        var taskId = recorded.GetProperty("task_id").GetInt64();
        var task = await app.KeyClient("read").GetJson("/api/v1/tasks?all=true");
        var opened = task.EnumerateArray().Single(t => t.GetProperty("id").GetInt64() == taskId);
        opened.GetProperty("title").GetString().ShouldBe("Check back in July");
        opened.GetProperty("assignee").GetString().ShouldBe("csm@example.com");
        opened.GetProperty("due_on").GetString().ShouldBe(Day(30));

        var found = await app.KeyClient("read").GetJson("/api/v1/touches?q=budget%20FROZEN");
        var touch = found.EnumerateArray().ShouldHaveSingleItem();
        touch.GetProperty("account_id").GetString().ShouldBe("MINE");
        touch.GetProperty("account_name").GetString().ShouldBe("Mine Inc");
        touch.GetProperty("author").GetString().ShouldBe("csm@example.com");
        touch.GetProperty("occurred_at").GetString().ShouldBe(Day(-3) + "T12:00:00.0000000Z");
        (await app.KeyClient("read").GetJson("/api/v1/touches?account_id=THEIRS")).GetArrayLength().ShouldBe(0);
        (await app.KeyClient("read").GetJson("/api/v1/touches?kind=meeting")).GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public async Task Record_WithoutAFollowUp_OpensNoTask_AndAKeyWithTheIngestScopeMayRecord()
    {
        await Accounts();

        var recorded = await app.KeyClient("ingest").PostJson("/api/v1/accounts/THEIRS/touches", """{"kind":"email","text":"Sent the renewal quote"}""", 201);

        recorded.GetProperty("task_id").ValueKind.ShouldBe(JsonValueKind.Null);
        Count("touches").ShouldBe(1);
        Count("tasks").ShouldBe(0);
    }

    [Theory]
    [InlineData("csm", "THEIRS", 403)]
    [InlineData("viewer", "MINE", 403)]
    [InlineData("manager", "NOBODY", 404)]
    public async Task Record_NotYoursOrUnknown_IsRefused_AndNothingLands(string role, string account, int status)
    {
        await Accounts();
        var person = await app.SignedIn(role);

        var r = await person.PostAsync($"/api/v1/accounts/{account}/touches", Http.Json("""{"kind":"call","text":"x","follow_up":{"title":"t"}}"""));

        ((int)r.StatusCode).ShouldBe(status);
        Count("touches").ShouldBe(0);
        Count("tasks").ShouldBe(0);
    }

    [Theory]
    [InlineData("""{"kind":"visit","text":"x"}""", "kind", "must be one of note, call, meeting, email, got `visit`")]
    [InlineData("""{"text":"x"}""", "kind", "must be one of note, call, meeting, email")]
    [InlineData("""{"kind":"note","occurred_on":"yesterday"}""", "occurred_on", "must be a day as yyyy-MM-dd, got `yesterday`")]
    [InlineData("""{"kind":"note","occurred_on":"2999-01-01"}""", "occurred_on", "after today")]
    [InlineData("""{"kind":"note","follow_up":{"title":"Call","assignee":"bob"}}""", "follow_up.assignee", "must be a person's e-mail address")]
    [InlineData("""{"kind":"note","follow_up":{"due_on":"2030-01-01"}}""", "follow_up.title", "is required for a follow-up task")]
    [InlineData("""{"kind":"note","follow_up":{"title":"Call","due_on":"soon"}}""", "follow_up.due_on", "must be a day as yyyy-MM-dd")]
    public async Task Record_WithABadField_Is422NamingIt_AndNothingLands(string body, string field, string problem)
    {
        await Accounts();

        var r = await app.KeyClient("admin").PostAsync("/api/v1/accounts/MINE/touches", Http.Json(body));

        ((int)r.StatusCode).ShouldBe(422);
        var error = (await r.ReadJson()).GetProperty("errors").EnumerateArray().ShouldHaveSingleItem();
        error.GetProperty("field").GetString().ShouldBe(field);
        error.GetProperty("error").GetString()!.ShouldContain(problem);
        Count("touches").ShouldBe(0);
        Count("tasks").ShouldBe(0);
    }

    [Theory]
    [InlineData("/api/v1/touches?limit=0", "limit")]
    [InlineData("/api/v1/touches?limit=501", "limit")]
    [InlineData("/api/v1/touches?kind=visit", "kind")]
    [InlineData("/api/v1/touches?accountId=A", "accountId")]
    public async Task Search_WithABadParameter_Is400NamingIt(string url, string field)
    {
        var r = await app.KeyClient("read").GetAsync(url);

        ((int)r.StatusCode).ShouldBe(400);
        (await r.ReadJson()).GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(field);
    }

    [Fact]
    public async Task Ingest_TouchesLikeAnyKind_AreFoundToo()
    {
        await Accounts();

        var r = await app.KeyClient("ingest").PostJson("/api/v1/ingest/touches",
            $$"""[{"touch_id":"HS-1","account_id":"MINE","kind":"meeting","occurred_at":"{{Day(-1)}}T09:00:00Z","author":"ann@example.com","text":"QBR"}]""");

        r.GetProperty("accepted").GetInt32().ShouldBe(1);
        (await app.KeyClient("read").GetJson("/api/v1/touches?q=qbr")).EnumerateArray().ShouldHaveSingleItem().GetProperty("touch_id").GetString().ShouldBe("HS-1");
    }
}

public sealed class TouchesApiTestsOnSqlite() : TouchesApiTests(TestEngine.Sqlite);

public sealed class TouchesApiTestsOnPostgres() : TouchesApiTests(TestEngine.Postgres);
