using CustomerHealth.Store.Engines;
using System.Net;
using System.Text;
using Dapper;

namespace CustomerHealth.Web.Tests.Api;

public abstract class IngestApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = new(engine);

    public void Dispose() => app.Dispose();

    /// <summary>The rows of a table once the usage inbox is merged (as whatever reads usage merges it first).</summary>
    private long Count(string table)
    {
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        return db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    [Fact]
    public async Task Ingest_ValidArray_StoresEveryRecordAndCountsResendsAsDuplicates()
    {
        var client = app.KeyClient("ingest");
        const string body = """[{"account_id":"A1","name":"Acme","arr":1200},{"account_id":"A2","name":"Globex","segment":"SMB"}]""";
        var first = await client.PostJson("/api/v1/ingest/accounts", body);
        first.GetProperty("accepted").GetInt32().ShouldBe(2);
        first.GetProperty("duplicates").GetInt32().ShouldBe(0);
        first.GetProperty("rejected").GetArrayLength().ShouldBe(0);
        var again = await client.PostJson("/api/v1/ingest/accounts", body);
        again.GetProperty("accepted").GetInt32().ShouldBe(0);
        again.GetProperty("duplicates").GetInt32().ShouldBe(2);
        Count("accounts").ShouldBe(2);
    }

    [Fact]
    public async Task Ingest_JsonLines_StoresUsageOnceByEventId()
    {
        var client = app.KeyClient("ingest");
        var lines = """
            {"account_id":"A1","occurred_at":"2025-05-01T10:00:00Z","event":"login","user_id":"u1","event_id":"e1"}
            {"account_id":"A1","occurred_at":"2025-05-01T11:00:00Z","event":"login","user_id":"u2","event_id":"e2"}
            """;
        var r = await client.PostAsync("/api/v1/ingest/usage", new StringContent(lines, Encoding.UTF8, "application/x-ndjson"));
        var json = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.OK, json.ToString());
        json.GetProperty("accepted").GetInt32().ShouldBe(2);
        (await client.PostAsync("/api/v1/ingest/usage", new StringContent(lines, Encoding.UTF8, "application/x-ndjson"))).EnsureSuccessStatusCode();
        Count("usage_events").ShouldBe(2);
    }

    [Fact]
    public async Task Ingest_OneBadRecordInAtomicMode_Returns422NamingIndexAndFieldAndStoresNothing()
    {
        var client = app.KeyClient("ingest");
        var body = await client.PostJson("/api/v1/ingest/accounts",
            """[{"account_id":"A1","arr":100},{"account_id":"A2","arr":"lots"},{"name":"no id"}]""", 422);
        body.GetProperty("title").GetString()!.ShouldContain("nothing was stored");
        var rejected = body.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Count.ShouldBe(2);
        rejected[0].GetProperty("index").GetInt32().ShouldBe(1);
        rejected[0].GetProperty("field").GetString().ShouldBe("arr");
        rejected[1].GetProperty("index").GetInt32().ShouldBe(2);
        rejected[1].GetProperty("field").GetString().ShouldBe("account_id");
        Count("accounts").ShouldBe(0);
    }

    [Fact]
    public async Task Ingest_Partial_KeepsTheValidRecordsAndListsTheOthers()
    {
        var client = app.KeyClient("ingest");
        var body = await client.PostJson("/api/v1/ingest/surveys?partial=true",
            """[{"account_id":"A1","kind":"nps","score":9,"responded_at":"2025-05-01T10:00:00Z"},{"account_id":"A1","kind":"nps","score":"nine","responded_at":"2025-05-01T10:00:00Z"}]""");
        body.GetProperty("accepted").GetInt32().ShouldBe(1);
        var rejected = body.GetProperty("rejected")[0];
        rejected.GetProperty("index").GetInt32().ShouldBe(1);
        rejected.GetProperty("field").GetString().ShouldBe("score");
        Count("surveys").ShouldBe(1);
    }

    [Fact]
    public async Task Ingest_UnknownKind_Returns400NamingKind()
    {
        var body = await app.KeyClient("ingest").PostJson("/api/v1/ingest/widgets", "[]", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("kind");
        body.GetProperty("detail").GetString()!.ShouldContain("usage");
    }

    [Fact]
    public async Task Ingest_MalformedJson_Returns400NamingTheBody()
    {
        var body = await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"A1",""", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("body");
        body.GetProperty("detail").GetString()!.ShouldContain("not valid JSON");
        Count("accounts").ShouldBe(0);
    }

    [Fact]
    public async Task Ingest_MalformedJsonLine_IsRejectedByItsIndex()
    {
        var body = await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", "{\"account_id\":\"A1\"}\n{oops\n", 422);
        var rejected = body.GetProperty("rejected")[0];
        rejected.GetProperty("index").GetInt32().ShouldBe(1);
        rejected.GetProperty("error").GetString()!.ShouldContain("not valid JSON");
        Count("accounts").ShouldBe(0);
    }

    [Fact]
    public async Task Ingest_EmptyBody_Returns400()
    {
        var body = await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", "  ", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("body");
    }

    [Fact]
    public async Task Ingest_AMillionRecordBatch_IsRefusedWith413AndNothingLands()
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < 1_000_000; i++)
        {
            sb.Append(i == 0 ? "" : ",").Append("{\"account_id\":\"A").Append(i % 100).Append("\",\"occurred_at\":\"2025-05-01T10:00:00Z\",\"event\":\"login\",\"event_id\":\"e").Append(i).Append("\"}");
        }
        sb.Append(']');
        var r = await app.KeyClient("ingest").PostAsync("/api/v1/ingest/usage", Http.Json(sb.ToString()));
        r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        var body = await r.ReadJson();
        body.GetProperty("detail").GetString()!.ShouldContain("smaller batches");
        Count("usage_events").ShouldBe(0);
    }
}

public sealed class IngestApiTestsOnSqlite() : IngestApiTests(TestEngine.Sqlite);

public sealed class IngestApiTestsOnPostgres() : IngestApiTests(TestEngine.Postgres);
