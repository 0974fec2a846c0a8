using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Import;
using System.Data.Common;
using System.Net;
using System.Text;
using System.Text.Json;
using CustomerHealth.Store;
using CustomerHealth.Web.Ingest;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Ingest;

/// <summary>
/// Group commit: requests that arrive while a write is in progress land together in one transaction, each with its
/// own result. The tests hold the store's import lock from outside, so that the writer is stuck on its first
/// request while the next ones queue behind it; releasing the lock lets the queued ones land as one group.
/// </summary>
public abstract class IngestWriterTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private static string Events(string prefix, int n, string account = "G1", int count = 1) =>
        string.Concat(Enumerable.Range(0, n).Select(i =>
            $$"""{"account_id":"{{account}}","occurred_at":"2025-05-01T10:00:00Z","event":"login","user_id":"u{{i % 3}}","event_id":"{{prefix}}{{i}}","count":{{count}}}""" + "\n"));

    private static async Task<(HttpStatusCode Status, JsonElement Body)> Post(Task<HttpResponseMessage> request)
    {
        var r = await request;
        return (r.StatusCode, await r.ReadJson());
    }

    /// <summary>Takes the import lock the writer needs (SQLite's write lock, PostgreSQL's advisory lock) until disposed.</summary>
    private sealed class ImportLock : IDisposable
    {
        private readonly StoreDb db;
        private readonly DbTransaction tx;

        public ImportLock(TestApp app)
        {
            db = app.OpenStore();
            tx = db.Connection.BeginTransaction();
            db.Connection.Execute(app.Engine == TestEngine.Postgres ? "SELECT pg_advisory_xact_lock(720418)" : "INSERT INTO settings (key, value) VALUES ('test_lock', 'x')", transaction: tx);
        }

        public void Dispose()
        {
            tx.Rollback();
            db.Dispose();
        }
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; !condition(); i++)
        {
            i.ShouldBeLessThan(1000, "the writer did not get there within 10 s");
            await Task.Delay(10);
        }
    }

    /// <summary>
    /// Sends the first request and waits until the writer is stuck on it, then sends the others one after the other,
    /// each once the one before is queued (so that they queue in this order).
    /// </summary>
    private static async Task<List<Task<(HttpStatusCode Status, JsonElement Body)>>> SendBehindALockedWrite(IngestWriter writer, params Func<Task<HttpResponseMessage>>[] requests)
    {
        var sent = new List<Task<(HttpStatusCode, JsonElement)>>();
        foreach (var request in requests)
        {
            sent.Add(Post(request()));
            await Until(() => writer.Received == sent.Count && (sent.Count > 1 || writer.Queued == 0));
        }
        return sent;
    }

    [Fact]
    public async Task Ingest_RequestsArrivingDuringAWrite_LandInOneTransactionEachWithItsOwnCounts()
    {
        var writer = app.Services.GetRequiredService<IngestWriter>();
        var client = app.KeyClient("ingest");
        HttpContent Lines(string body) => new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        List<Task<(HttpStatusCode Status, JsonElement Body)>> sent;
        using (new ImportLock(app))
        {
            sent = await SendBehindALockedWrite(writer,
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("a", 5))),
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("b", 10, account: "G2"))),
                // A client re-sending its batch while the first send is still queued.
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("b", 10, account: "G2"))),
                // A changed version of events stored by the first request, and one new event.
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("a", 2, count: 4) + Events("c", 1, account: "G3"))),
                () => client.PostAsync("/api/v1/ingest/usage?partial=true", Lines(Events("d", 3, account: "G4") + "{\"account_id\":\"G4\",\"event\":\"login\"}\n")));
            // A request with a bad record is answered without the writer, while the others wait for the lock.
            await client.PostJson("/api/v1/ingest/accounts", """[{"account_id":"G1","name":"Acme"},{"account_id":"G5","arr":"lots"}]""", 422);
            sent.ShouldAllBe(t => !t.IsCompleted);
        }
        var results = await Task.WhenAll(sent);

        results.ShouldAllBe(r => r.Status == HttpStatusCode.OK);
        results.Select(r => (r.Body.GetProperty("accepted").GetInt32(), r.Body.GetProperty("duplicates").GetInt32()))
            .ShouldBe([(5, 0), (10, 0), (0, 10), (3, 0), (3, 0)]);
        results[4].Body.GetProperty("rejected").EnumerateArray().ShouldHaveSingleItem().GetProperty("index").GetInt32().ShouldBe(3);
        // The first request alone (the writer was stuck on it), then the four queued behind it together.
        writer.Groups.ShouldBe(2);
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(5 + 10 + 1 + 3);
        StoredUsage.Cells(db.Connection).Sum(c => c.Count).ShouldBe(3 + 2 * 4 + 10 + 1 + 3);
        db.Connection.Query<string>("SELECT a.account_id FROM dirty_accounts d JOIN accounts a ON a.account_key = d.account_key ORDER BY a.account_id")
            .ShouldBe(["G1", "G2", "G3", "G4"]);
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM accounts WHERE name IS NOT NULL").ShouldBe(0);
    }

    [Fact]
    public async Task Ingest_WhenTheGroupsTransactionFails_EveryRequestInItGets503AndNothingOfThemIsStored()
    {
        using (var db = app.OpenStore())
        {
            // A trigger stands in for a database error on one request's rows.
            db.Connection.Execute(app.Engine == TestEngine.Postgres
                ? """
                  CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.count = 666 THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
                  CREATE TRIGGER refuse BEFORE INSERT ON usage_inbox FOR EACH ROW EXECUTE FUNCTION refuse();
                  """
                : "CREATE TRIGGER refuse BEFORE INSERT ON usage_inbox WHEN NEW.count = 666 BEGIN SELECT RAISE(ABORT, 'refused'); END");
        }
        var writer = app.Services.GetRequiredService<IngestWriter>();
        var client = app.KeyClient("ingest");
        var segment = app.CreateClient();
        segment.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes(app.Keys["ingest"] + ":")));
        HttpContent Lines(string body) => new StringContent(body, Encoding.UTF8, "application/x-ndjson");
        List<Task<(HttpStatusCode Status, JsonElement Body)>> sent;
        using (new ImportLock(app))
        {
            sent = await SendBehindALockedWrite(writer,
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("a", 5))),
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("b", 5, account: "G2"))),
                () => client.PostAsync("/api/v1/ingest/usage", Lines(Events("x", 1, account: "G3", count: 666))),
                () => segment.PostAsync("/v1/track", Http.Json("""{"userId":"u1","event":"login","messageId":"m1","timestamp":"2025-05-01T10:00:00Z","context":{"groupId":"G4"}}""")));
        }
        var results = await Task.WhenAll(sent);

        results.Select(r => r.Status).ShouldBe([HttpStatusCode.OK, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable, HttpStatusCode.ServiceUnavailable]);
        results[1].Body.GetProperty("title").GetString()!.ShouldContain("nothing was stored");
        using var store = app.OpenStore();
        UsageInbox.Settle(store);
        store.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(5);
        store.Connection.Query<string>("SELECT account_id FROM accounts ORDER BY account_id").ShouldBe(["G1"]);
        // Sent again, the good ones land.
        var again = await client.PostJson("/api/v1/ingest/usage", Events("b", 5, account: "G2"));
        again.GetProperty("accepted").GetInt32().ShouldBe(5);
    }
    [Fact]
    public async Task MergeInboxSoon_MergesTheAcceptedUsageBetweenWrites_AndMarksItsAccounts()
    {
        var writer = app.Services.GetRequiredService<IngestWriter>();
        var client = app.KeyClient("ingest");
        (await client.PostJson("/api/v1/ingest/usage", Events("a", 5))).GetProperty("accepted").GetInt32().ShouldBe(5);
        (await client.PostJson("/api/v1/ingest/usage", Events("a", 5, count: 2) + Events("b", 2, account: "G2"))).GetProperty("accepted").GetInt32().ShouldBe(7);
        using var db = app.OpenStore();
        UsageInbox.Pending(db).ShouldBe(7);
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(0);

        await writer.MergeInboxSoon();

        UsageInbox.Pending(db).ShouldBe(0);
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(7);
        StoredUsage.Cells(db.Connection).Sum(c => c.Count).ShouldBe(5 * 2 + 2);
        db.Connection.Query<string>("SELECT a.account_id FROM dirty_accounts d JOIN accounts a ON a.account_key = d.account_key ORDER BY a.account_id")
            .ShouldBe(["G1", "G2"]);
    }

    [Fact]
    public async Task Writer_WhenStopped_MergesTheInbox()
    {
        var settings = app.Services.GetRequiredService<ServerSettings>();
        var writer = new IngestWriter(new StoreAccess(settings), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<IngestWriter>.Instance);
        var rows = Importer.Check(CustomerHealth.Core.Signals.ImportKind.Usage,
            Events("s", 4).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((l, i) => new SourceRow(i + 1, RowSource.ParseObject(l, i + 1), null, l)),
            "request", new ImportOptions());
        (await writer.Write([rows])).Single().Changed.ShouldBe(4);
        using var db = app.OpenStore();
        UsageInbox.Pending(db).ShouldBe(4);

        await writer.DisposeAsync();

        UsageInbox.Pending(db).ShouldBe(0);
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(4);
    }
}

public sealed class IngestWriterTestsOnSqlite() : IngestWriterTests(TestEngine.Sqlite);

public sealed class IngestWriterTestsOnPostgres() : IngestWriterTests(TestEngine.Postgres);
