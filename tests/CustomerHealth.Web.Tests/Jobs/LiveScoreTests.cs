using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;

namespace CustomerHealth.Web.Tests.Jobs;

/// <summary>An accepted signal moves the account's current score without anyone running `chs score`.</summary>
public abstract class LiveScoreTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = new(engine);

    public void Dispose() => app.Dispose();

    private static string Today => TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Usage(string account, int events, int seed)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < events; i++)
        {
            var day = TimeProvider.System.GetUtcNow().UtcDateTime.Date.AddDays(-(i % 20));
            sb.Append(CultureInfo.InvariantCulture, $$"""{"account_id":"{{account}}","occurred_at":"{{day:yyyy-MM-dd}}T10:00:00Z","event":"login","user_id":"u{{i % 7}}","event_id":"{{account}}-{{seed}}-{{i}}"}""").Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>Polls the account until the condition holds; a generous bound, so that the test proves it happens on its own.</summary>
    private static async Task<JsonElement> WaitFor(HttpClient reader, string account, Func<JsonElement, bool> condition)
    {
        var watch = Stopwatch.StartNew();
        JsonElement last = default;
        while (watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            var r = await reader.GetAsync($"/api/v1/accounts/{account}");
            if (r.IsSuccessStatusCode)
            {
                last = await r.ReadJson();
                if (condition(last))
                {
                    return last;
                }
            }
            await Task.Delay(100);
        }
        throw new ShouldAssertException($"account {account} was not rescored; last seen: {last}");
    }

    [Fact]
    public async Task AcceptedUsage_RescoresTheAccountInTheBackground()
    {
        var ingest = app.KeyClient("ingest");
        var reader = app.KeyClient("read");
        await ingest.PostJson("/api/v1/ingest/accounts", """[{"account_id":"L1","name":"Live One","seats":20}]""");
        // An account with no signals yet is scored today, without a score.
        var first = await WaitFor(reader, "L1", a => a.GetProperty("as_of").GetString() == Today);
        first.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null);
        await ingest.PostJson("/api/v1/ingest/usage", Usage("L1", 200, 1));
        var after = await WaitFor(reader, "L1", a => a.GetProperty("score").ValueKind == JsonValueKind.Number);
        after.GetProperty("as_of").GetString().ShouldBe(Today);
        var scored = after.GetProperty("score").GetDouble();
        await ingest.PostJson("/api/v1/ingest/surveys", $$"""[{"account_id":"L1","kind":"nps","score":0,"responded_at":"{{Today}}T09:00:00Z"}]""");
        await WaitFor(reader, "L1", a => a.GetProperty("score").GetDouble() < scored);
    }

    [Fact]
    public async Task ABurstFromManyClients_LeavesEveryTouchedAccountScored()
    {
        var ingest = app.KeyClient("ingest");
        var accounts = Enumerable.Range(0, 20).Select(i => $"B{i:00}").ToList();
        await Task.WhenAll(accounts.Select(a => ingest.PostJson("/api/v1/ingest/usage", Usage(a, 50, 2))));
        var reader = app.KeyClient("read");
        foreach (var a in accounts)
        {
            await WaitFor(reader, a, x => x.GetProperty("as_of").GetString() == Today && x.GetProperty("score").ValueKind == JsonValueKind.Number);
        }
        using var db = app.OpenStore();
        db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM dirty_accounts").ShouldBe(0);
    }

    [Fact]
    public async Task PublishingAModel_RescoresWithTheNewVersion()
    {
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/usage", Usage("M1", 30, 3));
        var reader = app.KeyClient("read");
        var before = await WaitFor(reader, "M1", a => a.GetProperty("as_of").GetString() == Today);
        var yaml = (await reader.GetJson("/api/v1/model")).GetProperty("yaml").GetString()!;
        var changed = yaml.Replace("name: ", "name: Changed ", StringComparison.Ordinal);
        var put = await app.KeyClient("admin").PutAsync("/api/v1/model?note=renamed", new StringContent(changed, Encoding.UTF8, "application/yaml"));
        var published = await put.ReadJson();
        put.IsSuccessStatusCode.ShouldBeTrue(published.ToString());
        var version = published.GetProperty("version_id").GetString();
        version.ShouldNotBe(before.GetProperty("model_version").GetString());
        await WaitFor(reader, "M1", a => a.GetProperty("model_version").GetString() == version);
    }
}

public sealed class LiveScoreTestsOnSqlite() : LiveScoreTests(TestEngine.Sqlite);

public sealed class LiveScoreTestsOnPostgres() : LiveScoreTests(TestEngine.Postgres);
