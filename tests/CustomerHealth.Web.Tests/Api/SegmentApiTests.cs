using CustomerHealth.Store.Engines;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>
/// The Segment-compatible endpoints, called the way Segment's HTTP Tracking API documents them: payloads shaped as
/// in Segment's docs, and the write key (here an API key) sent as the Basic user name with an empty password.
/// </summary>
public abstract class SegmentApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = new(engine);

    public void Dispose() => app.Dispose();

    /// <summary>A client that authenticates as a Segment SDK does: `Authorization: Basic base64(writeKey + ":")`.</summary>
    private HttpClient Segment(string writeKey)
    {
        var client = app.Anonymous();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(writeKey + ":")));
        return client;
    }

    private HttpClient IngestKey() => Segment(app.Keys["ingest"]);

    /// <summary>The rows of a table once the usage inbox is merged (as whatever reads usage merges it first).</summary>
    private long Count(string table)
    {
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        return db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    /// <summary>Every stored usage event (the inbox merged): its account, event name, user and time (Unix milliseconds).</summary>
    private List<(string AccountId, string Event, string? UserId, long OccurredAt, string? Properties)> UsageEvents()
    {
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        return db.Connection.Query<(string, string, string?, long, string?)>(
            """
            SELECT a.account_id, n.name, u.user_id, e.occurred_at, e.properties
            FROM usage_events e
            JOIN accounts a ON a.account_key = e.account_key
            JOIN event_names n ON n.event_key = e.event_key
            LEFT JOIN users u ON u.user_key = e.user_key
            ORDER BY e.occurred_at
            """).ToList();
    }

    private (string? AccountId, string? Traits)? Person(string userId)
    {
        using var db = app.OpenStore();
        var row = db.Connection.QueryFirstOrDefault<(string UserId, string? AccountId, string? Traits)>(
            "SELECT user_id, account_id, traits FROM people WHERE user_id = @userId", new { userId });
        return row.UserId is null ? null : (row.AccountId, row.Traits);
    }

    private const string GroupCall =
        """
        {
          "userId": "019mr8mf4r",
          "groupId": "8e9df332ac",
          "traits": {
            "name": "Initech",
            "industry": "Technology",
            "employees": 420,
            "plan": "Enterprise",
            "website": "https://initech.example.com",
            "createdAt": "2015-02-23T22:28:55.111Z"
          },
          "context": {
            "ip": "24.5.68.47",
            "library": { "name": "analytics.js", "version": "2.11.1" }
          },
          "timestamp": "2015-02-23T22:28:55.111Z",
          "messageId": "022bb90c-bbac-11e4-8dfc-aa07a5b093db"
        }
        """;

    private static string TrackCall(string messageId, string? groupId = "8e9df332ac", string? eventName = "Item Purchased", string userId = "019mr8mf4r")
    {
        var context = new Dictionary<string, object> { ["ip"] = "24.5.68.47", ["library"] = new { name = "analytics-node", version = "6.2.0" } };
        if (groupId is not null)
        {
            context["groupId"] = groupId;
        }
        var call = new Dictionary<string, object>
        {
            ["userId"] = userId,
            ["properties"] = new Dictionary<string, object> { ["name"] = "Leap to Conclusions Mat", ["revenue"] = 14.99 },
            ["context"] = context,
            ["timestamp"] = "2015-02-23T22:28:55.111Z",
            ["messageId"] = messageId,
        };
        if (eventName is not null)
        {
            call["event"] = eventName;
        }
        return JsonSerializer.Serialize(call);
    }

    [Fact]
    public async Task Group_WithTraits_CreatesTheAccountWithItsTraits()
    {
        var result = await IngestKey().PostJson("/v1/group", GroupCall);
        result.GetProperty("success").GetBoolean().ShouldBeTrue();
        result.GetProperty("accepted").GetInt32().ShouldBe(1);
        result.GetProperty("rejected").GetArrayLength().ShouldBe(0);

        var account = await app.KeyClient("read").GetJson("/api/v1/accounts/8e9df332ac");
        account.GetProperty("account_id").GetString().ShouldBe("8e9df332ac");
        account.GetProperty("name").GetString().ShouldBe("Initech");
        var profile = account.GetProperty("profile");
        profile.GetProperty("plan").GetString().ShouldBe("Enterprise");
        profile.GetProperty("started_on").GetString().ShouldBe("2015-02-23");

        using var db = app.OpenStore();
        var attributes = db.Connection.ExecuteScalar<string>("SELECT attributes FROM accounts WHERE account_id = '8e9df332ac'");
        var attrs = JsonDocument.Parse(attributes!).RootElement;
        attrs.GetProperty("industry").GetString().ShouldBe("Technology");
        attrs.GetProperty("employees").GetString().ShouldBe("420");
        attrs.GetProperty("website").GetString().ShouldBe("https://initech.example.com");
        Person("019mr8mf4r")!.Value.AccountId.ShouldBe("8e9df332ac");
    }

    [Fact]
    public async Task Identify_WithTraits_RecordsThePerson()
    {
        const string identify =
            """
            {
              "userId": "019mr8mf4r",
              "traits": {
                "email": "pgibbons@example.com",
                "name": "Peter Gibbons",
                "industry": "Technology"
              },
              "context": {
                "ip": "24.5.68.47"
              },
              "timestamp": "2012-12-02T00:30:08.276Z",
              "messageId": "7f5c1d1e-5e4b-4a43-9c5e-0f6d6b1f4a01"
            }
            """;
        var result = await IngestKey().PostJson("/v1/identify", identify);
        result.GetProperty("accepted").GetInt32().ShouldBe(1);
        Count("people").ShouldBe(1);
        var person = Person("019mr8mf4r");
        person.ShouldNotBeNull();
        person.Value.AccountId.ShouldBeNull();
        var traits = JsonDocument.Parse(person.Value.Traits!).RootElement;
        traits.GetProperty("email").GetString().ShouldBe("pgibbons@example.com");
        traits.GetProperty("name").GetString().ShouldBe("Peter Gibbons");
    }

    [Fact]
    public async Task Track_WithContextGroupId_StoresAUsageEvent()
    {
        var result = await IngestKey().PostJson("/v1/track", TrackCall("1b6f4c4e-0c1d-4d7e-9a3f-6a1b2c3d4e01"));
        result.GetProperty("success").GetBoolean().ShouldBeTrue();
        result.GetProperty("accepted").GetInt32().ShouldBe(1);
        result.GetProperty("duplicates").GetInt32().ShouldBe(0);

        var events = UsageEvents();
        events.Count.ShouldBe(1);
        var e = events[0];
        e.AccountId.ShouldBe("8e9df332ac");
        e.Event.ShouldBe("Item Purchased");
        e.UserId.ShouldBe("019mr8mf4r");
        e.OccurredAt.ShouldBe(DateTimeOffset.Parse("2015-02-23T22:28:55.111Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds());
        e.Properties.ShouldNotBeNull();
        e.Properties.ShouldContain("revenue");
    }

    [Fact]
    public async Task Track_WithoutGroupId_LandsOnTheAccountTheUserWasGroupedWith()
    {
        var client = IngestKey();
        await client.PostJson("/v1/group", GroupCall);
        var result = await client.PostJson("/v1/track", TrackCall("2c7a5d5f-1d2e-4e8f-8b4a-7b2c3d4e5f02", groupId: null));
        result.GetProperty("accepted").GetInt32().ShouldBe(1);

        var events = UsageEvents();
        events.Count.ShouldBe(1);
        events[0].AccountId.ShouldBe("8e9df332ac");
    }

    [Fact]
    public async Task Track_SameMessageIdTwice_IsStoredOnce()
    {
        var client = IngestKey();
        var call = TrackCall("3d8b6e60-2e3f-4f90-9c5b-8c3d4e5f6a03");
        var first = await client.PostJson("/v1/track", call);
        first.GetProperty("accepted").GetInt32().ShouldBe(1);
        first.GetProperty("duplicates").GetInt32().ShouldBe(0);

        var again = await client.PostJson("/v1/track", call);
        again.GetProperty("accepted").GetInt32().ShouldBe(0);
        again.GetProperty("duplicates").GetInt32().ShouldBe(1);
        Count("usage_events").ShouldBe(1);
    }

    [Fact]
    public async Task Batch_TrackBeforeItsGroupCallInTheSameBatch_StillLands()
    {
        const string batch =
            """
            {
              "batch": [
                {
                  "type": "track",
                  "userId": "97980cfea0067",
                  "event": "Report Exported",
                  "properties": { "format": "csv", "rows": 1200 },
                  "timestamp": "2025-03-01T09:15:02.123Z",
                  "messageId": "4e9c7f71-3f40-4a01-8d6c-9d4e5f6a7b04"
                },
                {
                  "type": "group",
                  "userId": "97980cfea0067",
                  "groupId": "acme-corp",
                  "traits": { "name": "Acme Corp", "industry": "Manufacturing", "employees": 250, "plan": "Growth" },
                  "timestamp": "2025-03-01T09:15:01.001Z",
                  "messageId": "5fa08082-4051-4b12-9e7d-ae5f6a7b8c05"
                },
                {
                  "type": "identify",
                  "userId": "97980cfea0067",
                  "traits": { "email": "wile.e@acme.example", "name": "Wile E. Coyote" },
                  "timestamp": "2025-03-01T09:15:00.500Z",
                  "messageId": "60b19193-5162-4c23-af8e-bf6a7b8c9d06"
                }
              ],
              "context": {
                "device": { "type": "phone", "name": "Apple iPhone 6" },
                "library": { "name": "analytics-ios", "version": "4.1.8" }
              }
            }
            """;
        var result = await IngestKey().PostJson("/v1/batch", batch);
        result.GetProperty("rejected").GetArrayLength().ShouldBe(0, result.ToString());
        result.GetProperty("accepted").GetInt32().ShouldBe(3);

        var events = UsageEvents();
        events.Count.ShouldBe(1);
        events[0].AccountId.ShouldBe("acme-corp");
        events[0].Event.ShouldBe("Report Exported");
        events[0].UserId.ShouldBe("97980cfea0067");
        var account = await app.KeyClient("read").GetJson("/api/v1/accounts/acme-corp");
        account.GetProperty("name").GetString().ShouldBe("Acme Corp");
        Person("97980cfea0067")!.Value.AccountId.ShouldBe("acme-corp");
    }

    [Fact]
    public async Task Batch_MissingEventAndUnknownAccount_AreRejectedByIndexWhileTheValidOnesLand()
    {
        const string batch =
            """
            {
              "batch": [
                {
                  "type": "group",
                  "userId": "user-1",
                  "groupId": "globex",
                  "traits": { "name": "Globex", "plan": "Pro" },
                  "messageId": "71c2a2a4-6273-4d34-b09f-c07b8c9d0e07"
                },
                {
                  "type": "track",
                  "userId": "user-1",
                  "event": "Dashboard Viewed",
                  "properties": { "dashboard": "pipeline" },
                  "timestamp": "2025-03-02T10:00:00.000Z",
                  "messageId": "82d3b3b5-7384-4e45-81a0-d18c9d0e1f08"
                },
                {
                  "type": "track",
                  "userId": "user-1",
                  "properties": { "dashboard": "forecast" },
                  "timestamp": "2025-03-02T10:01:00.000Z",
                  "messageId": "93e4c4c6-8495-4f56-92b1-e29d0e1f2a09"
                },
                {
                  "type": "track",
                  "userId": "nobody-grouped-this-user",
                  "event": "Dashboard Viewed",
                  "timestamp": "2025-03-02T10:02:00.000Z",
                  "messageId": "a4f5d5d7-95a6-4067-a3c2-f3ae1f2a3b10"
                }
              ]
            }
            """;
        var result = await IngestKey().PostJson("/v1/batch", batch);
        result.GetProperty("accepted").GetInt32().ShouldBe(2);
        var rejected = result.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Count.ShouldBe(2, result.ToString());
        rejected[0].GetProperty("index").GetInt32().ShouldBe(2);
        rejected[0].GetProperty("field").GetString().ShouldBe("batch[2].event");
        rejected[1].GetProperty("index").GetInt32().ShouldBe(3);
        rejected[1].GetProperty("field").GetString().ShouldBe("batch[3].context.groupId");

        var events = UsageEvents();
        events.Count.ShouldBe(1);
        events[0].AccountId.ShouldBe("globex");
        events[0].Event.ShouldBe("Dashboard Viewed");
        using var db = app.OpenStore();
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM accounts").ShouldBe(1);
    }

    [Fact]
    public async Task Batch_OfOneBadMessage_NamesTheFieldByItsBatchIndex()
    {
        // analytics-node and most server SDKs flush a batch as soon as an interval passes, often with a single
        // message and no batch-level context: its problem must be addressed in the batch like any other.
        const string batch =
            """
            {
              "batch": [
                {
                  "type": "track",
                  "userId": "019mr8mf4r",
                  "properties": { "plan": "Pro" },
                  "context": { "groupId": "8e9df332ac" },
                  "timestamp": "2025-03-02T10:01:00.000Z",
                  "messageId": "b5a6e6e8-a6b7-4178-b4d3-04bf2a3b4c11"
                }
              ],
              "sentAt": "2025-03-02T10:01:05.000Z"
            }
            """;
        var result = await IngestKey().PostJson("/v1/batch", batch);
        var rejected = result.GetProperty("rejected").EnumerateArray().ToList();
        rejected.Count.ShouldBe(1, result.ToString());
        rejected[0].GetProperty("index").GetInt32().ShouldBe(0);
        rejected[0].GetProperty("field").GetString().ShouldBe("batch[0].event");
        Count("usage_events").ShouldBe(0);
    }

    [Fact]
    public async Task Track_WithoutEvent_Returns400ProblemNamingEvent()
    {
        var body = await IngestKey().PostJson("/v1/track", TrackCall("c6b7f7f9-b7c8-4289-85e4-15c03b4c5d12", eventName: null), 400);
        body.GetProperty("status").GetInt32().ShouldBe(400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("event");
        body.GetProperty("detail").GetString()!.ShouldStartWith("event:");
        Count("usage_events").ShouldBe(0);
    }

    [Fact]
    public async Task Track_InvalidJson_Returns400NamingTheBody()
    {
        var body = await IngestKey().PostJson("/v1/track", """{"userId": "019mr8mf4r", "event": "Item Purchased", """, 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("body");
        body.GetProperty("detail").GetString()!.ShouldContain("not valid JSON");
        Count("usage_events").ShouldBe(0);
    }

    [Fact]
    public async Task Track_WrongWriteKey_Returns401AndStoresNothing()
    {
        var key = app.Keys["ingest"];
        var wrong = key[..^1] + (key[^1] == '0' ? '1' : '0');
        var r = await Segment(wrong).PostAsync("/v1/track", Http.Json(TrackCall("d7c80809-c8d9-439a-96f5-26d14c5d6e13")));
        r.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        Count("usage_events").ShouldBe(0);
    }

    [Fact]
    public async Task Track_ReadOnlyKey_Returns403AndStoresNothing()
    {
        var r = await Segment(app.Keys["read"]).PostAsync("/v1/track", Http.Json(TrackCall("e8d9191a-d9ea-44ab-a706-37e25d6e7f14")));
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Count("usage_events").ShouldBe(0);
    }
}

public sealed class SegmentApiTestsOnSqlite() : SegmentApiTests(TestEngine.Sqlite);

public sealed class SegmentApiTestsOnPostgres() : SegmentApiTests(TestEngine.Postgres);
