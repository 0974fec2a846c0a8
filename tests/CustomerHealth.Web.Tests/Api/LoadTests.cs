using CustomerHealth.Store.Engines;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>
/// Real HTTP on loopback (Kestrel): 20 clients post batches of 1,000 usage events for 10 seconds, each client
/// re-sending some of its batches; every event accepted is stored exactly once and the roll-ups count each once.
/// </summary>
public abstract class LoadTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = new(engine, new() { ["Limits:RequestsPerSecond"] = "100000", ["Limits:Burst"] = "100000" });

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task TwentyClientsPostingBatches_StoreEveryAcceptedEventExactlyOnce()
    {
        app.UseKestrel(0);
        app.StartServer();
        var key = app.Keys["ingest"];
        long accepted = 0, duplicates = 0, sent = 0;
        var failures = new List<string>();
        var until = Stopwatch.StartNew();
        async Task Client(int c)
        {
            using var client = app.CreateClient();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var sentBatches = new List<string>();
            for (var b = 0; b < 3 || until.Elapsed < TimeSpan.FromSeconds(10); b++)
            {
                string body;
                if (b % 3 == 2)
                {
                    // A client retrying a batch it already sent.
                    body = sentBatches[b - 1];
                }
                else
                {
                    var sb = new StringBuilder();
                    for (var i = 0; i < 1000; i++)
                    {
                        sb.Append("{\"account_id\":\"C").Append(c).Append('-').Append(i % 50).Append("\",\"occurred_at\":\"2026-01-")
                            .Append((1 + (i % 28)).ToString("00", System.Globalization.CultureInfo.InvariantCulture)).Append("T10:00:00Z\",\"event\":\"ev").Append(i % 5).Append("\",\"user_id\":\"u").Append(i % 13)
                            .Append("\",\"event_id\":\"").Append(c).Append('-').Append(b).Append('-').Append(i).Append("\"}\n");
                    }
                    body = sb.ToString();
                    Interlocked.Add(ref sent, 1000);
                }
                sentBatches.Add(body);
                var r = await client.PostAsync("/api/v1/ingest/usage", new StringContent(body, Encoding.UTF8, "application/x-ndjson"));
                var text = await r.Content.ReadAsStringAsync();
                if (!r.IsSuccessStatusCode)
                {
                    lock (failures)
                    {
                        failures.Add($"{(int)r.StatusCode}: {text}");
                    }
                    continue;
                }
                using var json = JsonDocument.Parse(text);
                Interlocked.Add(ref accepted, json.RootElement.GetProperty("accepted").GetInt32());
                Interlocked.Add(ref duplicates, json.RootElement.GetProperty("duplicates").GetInt32());
            }
        }
        await Task.WhenAll(Enumerable.Range(0, 20).Select(c => Task.Run(() => Client(c))));
        failures.ShouldBeEmpty();
        accepted.ShouldBe(sent);
        duplicates.ShouldBeGreaterThan(0);
        using var db = app.OpenStore();
        // Accepted events wait in the inbox until something reads usage (the rescoring, or the writer past its limit).
        (UsageInbox.Pending(db) + db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events")).ShouldBeGreaterThanOrEqualTo(sent);
        UsageInbox.Settle(db);
        UsageInbox.Pending(db).ShouldBe(0);
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(sent);
        StoredUsage.Cells(db.Connection).Sum(c => c.Count).ShouldBe(sent);
    }
}

public sealed class LoadTestsOnSqlite() : LoadTests(TestEngine.Sqlite);

public sealed class LoadTestsOnPostgres() : LoadTests(TestEngine.Postgres);
