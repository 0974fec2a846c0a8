using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// The web app over real HTTP on loopback: ingest throughput (20 clients posting batches of 1,000 usage events for
/// 30 seconds) and freshness (a survey accepted → the account's score changed, seen through the API), during that
/// burst and after it. The ten accounts the freshness probes survey get no usage, so only the survey changes them.
/// </summary>
internal static class HttpIngest
{
    public static async Task Run(int accounts, string? store)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chs-bench-http-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var target = store ?? Path.Combine(dir, "bench.db");
            string key;
            using (var db = StoreDb.Open(target))
            {
                new ModelVersions(db, TimeProvider.System).Publish(ModelVersions.Builtin("saas"), "saas.yaml");
                Portfolios.WriteOthers(dir, accounts, 5);
                File.Delete(Path.Combine(dir, "surveys.csv"));
                new Importer(db, TimeProvider.System).ImportDirectory(dir, new ImportOptions());
                new ScoringRun(db, new ModelVersions(db, TimeProvider.System)).Score(Today);
                key = new AccessBook(db, TimeProvider.System).CreateKey("bench", [Scopes.Ingest, Scopes.Read]).Secret;
            }
            var app = ChsWebApp.Build(["--Db=" + target, "--urls=http://127.0.0.1:0", "--Limits:RequestsPerSecond=100000", "--Limits:Burst=100000"]);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);

            long accepted = 0, batches = 0;
            var watch = Stopwatch.StartNew();
            var duration = TimeSpan.FromSeconds(30);
            var during = new List<double>();
            var probes = Task.Run(async () =>
            {
                // Ten seconds in, while the clients keep sending: the same probe as after the burst, on its own accounts.
                await Task.Delay(TimeSpan.FromSeconds(10));
                for (var i = 0; watch.Elapsed < duration - TimeSpan.FromSeconds(2); i++)
                {
                    // Each account's responses alternate between 0 and 10, so that each one changes its score.
                    during.Add(await Fresh(http, $"A{i % 10:000000}", i / 10 % 2 == 0 ? 0 : 10, $"burst-{i}"));
                }
            });
            await Task.WhenAll(Enumerable.Range(0, 20).Select(c => Task.Run(async () =>
            {
                var rnd = new Random(c);
                for (var b = 0; watch.Elapsed < duration; b++)
                {
                    var sb = new StringBuilder(120_000);
                    for (var i = 0; i < 1000; i++)
                    {
                        var a = rnd.Next(10, accounts);
                        sb.Append(CultureInfo.InvariantCulture,
                            $"{{\"account_id\":\"A{a:000000}\",\"occurred_at\":\"{Today.AddDays(-rnd.Next(30)):yyyy-MM-dd}T{rnd.Next(24):00}:00:00Z\",\"event\":\"ev{rnd.Next(8)}\",\"user_id\":\"A{a:000000}-u{rnd.Next(25)}\",\"event_id\":\"h{c}-{b}-{i}\"}}\n");
                    }
                    var r = await http.PostAsync("/api/v1/ingest/usage", new StringContent(sb.ToString(), Encoding.UTF8, "application/x-ndjson"));
                    var text = await r.Content.ReadAsStringAsync();
                    if (!r.IsSuccessStatusCode)
                    {
                        throw new InvalidOperationException($"{(int)r.StatusCode}: {text}");
                    }
                    using var json = JsonDocument.Parse(text);
                    Interlocked.Add(ref accepted, json.RootElement.GetProperty("accepted").GetInt32());
                    Interlocked.Increment(ref batches);
                }
            })));
            var seconds = watch.Elapsed.TotalSeconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"HTTP ingest, 20 clients, batches of 1,000 usage events, {accounts:N0} accounts: {accepted:N0} events in {batches:N0} batches in {seconds:0.0} s = {accepted / seconds:N0} events/s"));
            await probes;
            during.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"freshness during the burst (survey accepted → score changed, seen through the API), {during.Count} samples: p50 {during[during.Count / 2]:0.00} s, max {during[^1]:0.00} s"));

            // Let the rescoring after the burst finish before measuring freshness.
            await Task.Delay(TimeSpan.FromSeconds(15));
            var times = new List<double>();
            var pick = new Random(3);
            for (var i = 0; i < 20; i++)
            {
                times.Add(await Fresh(http, $"A{pick.Next(accounts):000000}", i % 2 == 0 ? 0 : 10, $"after-{i}"));
            }
            times.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"freshness (survey accepted → score changed, seen through the API), 20 samples: p50 {times[10]:0.00} s, max {times[^1]:0.00} s (debounce {app.Services.GetRequiredService<ServerSettings>().RescoreDebounce.TotalSeconds:0.0} s)"));
            await app.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Seconds from a survey that flips the account's NPS being accepted to its score changing, read through the API.</summary>
    private static async Task<double> Fresh(HttpClient http, string id, int nps, string responseId)
    {
        var before = (await Get(http, id)).GetProperty("score").ToString();
        var at = TimeProvider.System.GetUtcNow().AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var survey = $$"""[{"account_id":"{{id}}","kind":"nps","score":{{nps}},"responded_at":"{{at}}","response_id":"fresh-{{responseId}}"}]""";
        var watch = Stopwatch.StartNew();
        (await http.PostAsync("/api/v1/ingest/surveys", new StringContent(survey, Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
        while ((await Get(http, id)).GetProperty("score").ToString() == before)
        {
            if (watch.Elapsed > TimeSpan.FromSeconds(60))
            {
                throw new InvalidOperationException($"{id} not rescored within 60 s");
            }
            await Task.Delay(20);
        }
        return watch.Elapsed.TotalSeconds;
    }

    private static DateOnly Today => DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime);

    private static async Task<JsonElement> Get(HttpClient http, string id)
    {
        using var doc = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/accounts/{id}"));
        return doc.RootElement.Clone();
    }
}
