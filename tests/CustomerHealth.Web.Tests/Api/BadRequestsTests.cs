using System.Text.Json;
using CustomerHealth.Store.Engines;
using Dapper;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>Requests the framework cannot bind, or that hold what no store can take, are 400 problems naming the parameter, never 500.</summary>
public abstract class BadRequestsTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private long Count(string table)
    {
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        return db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    private static async Task<JsonElement> Problem(HttpResponseMessage r, int status, string field)
    {
        var body = await r.ReadJson();
        ((int)r.StatusCode).ShouldBe(status, body.ToString());
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe(field, body.ToString());
        return body;
    }

    [Theory]
    [InlineData("/api/v1/accounts?limit=ten", "limit", "must be a whole number, got 'ten'")]
    [InlineData("/api/v1/accounts?include_churned=perhaps", "include_churned", "must be true or false")]
    [InlineData("/api/v1/deliveries?alert_id=1e309", "alert_id", "must be a whole number")]
    public async Task Get_AQueryValueOfTheWrongType_Is400NamingIt(string url, string field, string words)
    {
        var body = await Problem(await app.KeyClient("admin").GetAsync(url), 400, field);

        body.GetProperty("detail").GetString()!.ShouldContain(words);
    }

    [Theory]
    [InlineData("/api/v1/accounts?grade=%00", "grade")]
    [InlineData("/api/v1/tasks?assignee=a%00b", "assignee")]
    public async Task Get_ANulInAQueryValue_Is400NamingIt(string url, string field) =>
        await Problem(await app.KeyClient("admin").GetAsync(url), 400, field);

    [Fact]
    public async Task Post_ABodyThatIsNotTheJsonExpected_Is400NamingTheField()
    {
        await Problem(await app.KeyClient("admin").PostAsync("/api/v1/tasks", Http.Json("""{"account_id":"A1","title":{"a":1}}""")), 400, "title");
        await Problem(await app.KeyClient("admin").PostAsync("/api/v1/tasks", Http.Json("{")), 400, "body");
        Count("tasks").ShouldBe(0);
    }

    [Fact]
    public async Task AccountsCsv_AnUnknownSortOrder_Is400NamingSort()
    {
        var cookie = await app.SignedIn("admin");

        await Problem(await cookie.GetAsync("/accounts.csv?sort=bogus"), 400, "sort");
    }

    [Fact]
    public async Task AccountsPage_APageNumberThatIsNotANumber_Is400NamingIt()
    {
        var cookie = await app.SignedIn("admin");

        await Problem(await cookie.GetAsync("/accounts?page=two"), 400, "page");
    }

    [Fact]
    public async Task IngestAndSegment_ALoneSurrogateEscape_IsRefusedNamingWhereAndStoresNothing()
    {
        var ingest = await app.KeyClient("ingest").PostAsync("/api/v1/ingest/accounts", Http.Json("""[{"account_id":"OK"},{"account_id":"\ud800"}]"""));
        ((int)ingest.StatusCode).ShouldBe(422);
        (await ingest.ReadJson()).GetProperty("rejected")[0].GetProperty("index").GetInt32().ShouldBe(1);

        var segment = await app.KeyClient("ingest").PostAsync("/v1/batch", Http.Json("""{"batch":[{"type":"identify","userId":"u1"},{"type":"group","groupId":"g1","traits":{"name":"\ud800"}}]}"""));
        await Problem(segment, 400, "batch[1].traits.name");

        Count("accounts").ShouldBe(0);
        Count("people").ShouldBe(0);
    }

    [Fact]
    public async Task Override_ANaNScore_IsRefusedAndStoresNothing()
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"A1"}]""");

        var r = await app.KeyClient("admin").PostAsync("/api/v1/accounts/A1/override", Http.Json("""{"score":"NaN","reason":"why","until":"2099-01-01"}"""));

        ((int)r.StatusCode).ShouldBeOneOf(400, 422);
        Count("overrides").ShouldBe(0);
    }
}

public sealed class BadRequestsTestsOnSqlite() : BadRequestsTests(TestEngine.Sqlite);

public sealed class BadRequestsTestsOnPostgres() : BadRequestsTests(TestEngine.Postgres);
