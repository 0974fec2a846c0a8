using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Xunit.Abstractions;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>
/// Several `chs serve` on one PostgreSQL store, as a team runs them: three servers, 20 clients ingesting usage through
/// them, one server killed with kill -9 mid-burst. Nothing accepted is lost and nothing is counted twice, the survivors
/// take over the dead server's accounts and keep scores fresh, every account ends scored from all of its signals, and
/// each alert is opened and delivered once.
/// </summary>
public sealed class SharedServersTests(ITestOutputHelper output) : IDisposable
{
    private const int Accounts = 200;
    private const int Clients = 20;
    private const int Batch = 1_000;
    private readonly ChsRunner chs = new(TestEngine.Postgres);

    public void Dispose() => chs.Dispose();

    private sealed record Server(Process Process, Uri Address, StringBuilder Log);

    [Fact]
    public async Task ThreeServers_OneKilledMidBurst_LoseNothing_DoubleNothing_StayFresh_AndDeliverEachAlertOnce()
    {
        await using var receiver = await WebhookReceiver.Start();
        chs.Run("init").ExitCode.ShouldBe(0);
        var accounts = new StringBuilder("account_id,name,seats\n");
        for (var i = 0; i < Accounts; i++)
        {
            accounts.Append(CultureInfo.InvariantCulture, $"A{i:000},Account {i},10\n");
        }
        chs.Run("import", "accounts", chs.Write("accounts.csv", accounts.ToString())).ExitCode.ShouldBe(0);
        var rules = chs.Write("rules.yaml",
            $"""
            rules:
              - id: watch
                when: {"{"} score_below: 101 {"}"}
                severity: low
                notify: [ "webhook:crm" ]
            destinations:
              crm: {"{"} kind: webhook, url: "{receiver.Url}hooks", secret: "k" {"}"}
            """);
        chs.Run("alerts", "rules", "set", rules).ExitCode.ShouldBe(0);
        var key = chs.Run("apikey", "create", "burst", "--scope", "ingest", "--scope", "read").Out.Trim();
        var env = new Dictionary<string, string>
        {
            ["CHS_Limits__RequestsPerSecond"] = "100000",
            ["CHS_Limits__Burst"] = "100000",
            ["CHS_Deliveries__LeaseSeconds"] = "2",
            ["CHS_Deliveries__PollMilliseconds"] = "200",
        };
        var servers = new List<Server>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                var p = chs.Start(env, "serve", "--urls", "http://127.0.0.1:0");
                // What a server logs before it prints its address (its shares, under load) counts too.
                var log = new StringBuilder();
                var address = await ChsRunner.ServedAddress(p, log);
                // Their output is read all along, so that no server waits on a full pipe.
                _ = Task.Run(async () => { while (await p.StandardOutput.ReadLineAsync() is { } l) { lock (log) { log.AppendLine(l); } } });
                _ = Task.Run(async () => { while (await p.StandardError.ReadLineAsync() is { } l) { lock (log) { log.AppendLine(l); } } });
                servers.Add(new Server(p, address, log));
            }
            string Log(Server s)
            {
                lock (s.Log)
                {
                    return s.Log.ToString();
                }
            }
            string Logs() => string.Join("\n---\n", servers.Select(Log));
            // The three split the accounts between them (each says so once it holds its part) before the burst.
            var split = Stopwatch.StartNew();
            while (split.Elapsed < TimeSpan.FromSeconds(30) && !servers.All(s => Log(s).Contains("(3 server(s) on the store)", StringComparison.Ordinal)))
            {
                await Task.Delay(100);
            }
            servers.All(s => Log(s).Contains("(3 server(s) on the store)", StringComparison.Ordinal)).ShouldBeTrue(Logs());
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var dead = new bool[3];
            var sent = new ConcurrentBag<string>();
            var watch = Stopwatch.StartNew();
            var burst = TimeSpan.FromSeconds(12);

            // 20 clients, each posting batches of 1,000 events to its server; a batch the killed server did not answer is
            // posted again to another server (the same event ids: counted once).
            var clients = Enumerable.Range(0, Clients).Select(c => Task.Run(async () =>
            {
                var rng = new Random(c);
                for (var n = 0; watch.Elapsed < burst; n++)
                {
                    var body = new StringBuilder("[");
                    for (var e = 0; e < Batch; e++)
                    {
                        body.Append(CultureInfo.InvariantCulture,
                            $"{(e == 0 ? "" : ",")}{{\"account_id\":\"A{rng.Next(0, Accounts - 10):000}\",\"occurred_at\":\"{TimeProvider.System.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\",\"event\":\"login\",\"user_id\":\"u{rng.Next(0, 8)}\",\"event_id\":\"c{c}-{n}-{e}\"}}");
                    }
                    var json = body.Append(']').ToString();
                    for (var target = c % 3; ; target = (target + 1) % 3)
                    {
                        if (dead[target])
                        {
                            continue;
                        }
                        try
                        {
                            using var answer = await http.PostAsync(new Uri(servers[target].Address, "/api/v1/ingest/usage"), new StringContent(json, Encoding.UTF8, "application/json"));
                            answer.EnsureSuccessStatusCode();
                            break;
                        }
                        catch (HttpRequestException) when (dead[target])
                        {
                            // The server died with the batch in flight: the next one takes it again.
                        }
                    }
                    for (var e = 0; e < Batch; e++)
                    {
                        sent.Add($"c{c}-{n}-{e}");
                    }
                }
            })).ToList();

            // A new model published mid-burst: every account is scored again, split between the three servers by share.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var model = CustomerHealth.Store.Models.ModelVersions.Builtin("saas").Replace("name: SaaS default", "name: SaaS default, published mid-burst", StringComparison.Ordinal);
            chs.Run("model", "publish", chs.Write("model.yaml", model)).ExitCode.ShouldBe(0);
            // kill -9 one server mid-burst.
            await Task.Delay(TimeSpan.FromSeconds(1));
            dead[1] = true;
            servers[1].Process.Kill(entireProcessTree: true);
            await servers[1].Process.WaitForExitAsync();

            // Freshness during the burst, through the survivors: a survey on an account no client sends usage to.
            var fresh = new List<double>();
            for (var probe = 0; probe < 3; probe++)
            {
                await Task.Delay(TimeSpan.FromSeconds(1));
                var account = $"A{Accounts - 1 - probe:000}";
                var started = Stopwatch.StartNew();
                (await http.PostAsync(new Uri(servers[probe % 2 == 0 ? 0 : 2].Address, "/api/v1/ingest/surveys"),
                    new StringContent($"[{{\"account_id\":\"{account}\",\"kind\":\"nps\",\"score\":3,\"responded_at\":\"{TimeProvider.System.GetUtcNow().UtcDateTime:yyyy-MM-dd'T'HH:mm:ss'Z'}\"}}]",
                        Encoding.UTF8, "application/json"))).EnsureSuccessStatusCode();
                while (started.Elapsed < TimeSpan.FromSeconds(30))
                {
                    var shown = JsonDocument.Parse(await http.GetStringAsync(new Uri(servers[probe % 2 == 0 ? 2 : 0].Address, $"/api/v1/accounts/{account}"))).RootElement;
                    if (shown.TryGetProperty("score", out var score) && score.ValueKind == JsonValueKind.Number)
                    {
                        break;
                    }
                    await Task.Delay(50);
                }
                fresh.Add(started.Elapsed.TotalSeconds);
            }
            await Task.WhenAll(clients);

            // The burst over: the survivors settle what is left (the dead server's unmerged usage too).
            var settle = Stopwatch.StartNew();
            while (settle.Elapsed < TimeSpan.FromSeconds(120) &&
                   chs.Count("SELECT (SELECT COUNT(*) FROM dirty_accounts) + (SELECT COUNT(*) FROM usage_inbox) + (SELECT COUNT(*) FROM deliveries WHERE state <> 'sent') + (SELECT COUNT(*) FROM rescore_parts)") > 0)
            {
                await Task.Delay(200);
            }
            chs.Count("SELECT COUNT(*) FROM dirty_accounts").ShouldBe(0, Logs());
            chs.Count("SELECT COUNT(*) FROM usage_inbox").ShouldBe(0);
            // The daily rescore due at start and the whole rescore of the new model, split between the servers by share, are done.
            chs.Count("SELECT COUNT(*) FROM rescore_parts").ShouldBe(0);
            chs.Count("SELECT COUNT(*) FROM settings WHERE key = 'daily_rescore_last'").ShouldBe(1);

            // Nothing lost, nothing doubled.
            var events = sent.Distinct().Count();
            events.ShouldBe(sent.Count);
            chs.Count("SELECT COUNT(*) FROM usage_events").ShouldBe(events);
            chs.Count("SELECT SUM(count) FROM usage_events").ShouldBe(events);
            chs.UsageCells().Sum(c => c.Count).ShouldBe(events);
            // Each probe's account was scored by a survivor (how soon is a figure, printed here and measured by scripts/bench, not asserted).
            fresh.ShouldAllBe(s => s < 30, $"freshness {string.Join(", ", fresh.Select(f => f.ToString("0.00", CultureInfo.InvariantCulture)))} s");

            // The survivors took the dead server's shares (as each says, when its console log comes through).
            var logged = Stopwatch.StartNew();
            while (logged.Elapsed < TimeSpan.FromSeconds(10) && !(Log(servers[0]) + Log(servers[2])).Contains("(2 server(s) on the store)", StringComparison.Ordinal))
            {
                await Task.Delay(100);
            }
            (Log(servers[0]) + Log(servers[2])).ShouldContain("(2 server(s) on the store)", Case.Sensitive, Logs());
            output.WriteLine($"{events:N0} events in {burst.TotalSeconds:0} s through 3 servers, one killed at 4 s; freshness {string.Join(", ", fresh.Select(f => f.ToString("0.00", CultureInfo.InvariantCulture)))} s; settled {settle.Elapsed.TotalSeconds:0.0} s after the burst");

            // Each account's latest score is the one its signals give: scored again from nothing, the same.
            var today = TimeProvider.System.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var live = Scores(today);
            live.Count.ShouldBe(Accounts);
            chs.Count($"SELECT COUNT(*) FROM snapshots WHERE as_of = '{today}' AND model_version = (SELECT version_id FROM model_versions ORDER BY seq DESC LIMIT 1)").ShouldBe(Accounts);
            live.Values.Count(s => s is not null).ShouldBeGreaterThanOrEqualTo(Accounts - 7);
            // Each alert opened once and delivered once.
            var alerts = chs.Count("SELECT COUNT(*) FROM alerts");
            alerts.ShouldBe(live.Values.Count(s => s is not null));
            chs.Count("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'").ShouldBe(alerts);
            receiver.Effects.Count.ShouldBe((int)alerts);
            receiver.Requests.Select(r => r.IdempotencyKey).Distinct().Count().ShouldBe((int)alerts);

            foreach (var s in servers.Where((_, i) => !dead[i]))
            {
                s.Process.Kill(entireProcessTree: true);
                await s.Process.WaitForExitAsync();
            }
            using (var c = chs.Connect())
            {
                using var cmd = c.CreateCommand();
                cmd.CommandText = $"DELETE FROM snapshots WHERE as_of = '{today}'; DELETE FROM current_scores";
                cmd.ExecuteNonQuery();
            }
            chs.Run("score", "--as-of", today).ExitCode.ShouldBe(0);
            var again = Scores(today);
            foreach (var (account, score) in live)
            {
                (again[account] is null).ShouldBe(score is null, account);
                if (score is { } x)
                {
                    again[account]!.Value.ShouldBe(x, 1e-9, account);
                }
            }
        }
        finally
        {
            foreach (var s in servers.Where(s => !s.Process.HasExited))
            {
                s.Process.Kill(entireProcessTree: true);
                await s.Process.WaitForExitAsync();
            }
        }
    }

    private Dictionary<string, double?> Scores(string day)
    {
        using var c = chs.Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"SELECT a.account_id, s.score FROM snapshots s JOIN accounts a ON a.account_key = s.account_key WHERE s.as_of = '{day}'";
        using var r = cmd.ExecuteReader();
        var scores = new Dictionary<string, double?>();
        while (r.Read())
        {
            scores[r.GetString(0)] = r.IsDBNull(1) ? null : r.GetDouble(1);
        }
        return scores;
    }
}
