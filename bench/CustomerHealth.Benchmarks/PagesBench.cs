using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// The Accounts and Account pages on a large portfolio (SPEC §12: p95 server time ≤ 100 ms with 100,000 accounts):
/// the store gets N accounts with usage, surveys, tickets and invoices and a weekly score history, the app serves it
/// on loopback, and each page variant is requested one after another; times are measured by the client on loopback,
/// so they include the server's whole work and a negligible transfer.
/// </summary>
internal static class PagesBench
{
    public static async Task Run(int accounts, int weeks, string? store)
    {
        var dir = Path.Combine(Path.GetTempPath(), "chs-bench-pages-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        try
        {
            var target = store ?? Path.Combine(dir, "bench.db");
            string key;
            int listed;
            var build = Stopwatch.StartNew();
            using (var db = StoreDb.Open(target))
            {
                var models = new ModelVersions(db, TimeProvider.System);
                // A store given in CHS_BENCH_STORE that already holds the portfolio is measured as it is.
                if (Dapper.SqlMapper.ExecuteScalar<long>(db.Connection, "SELECT COUNT(*) FROM accounts") < accounts)
                {
                    models.Publish(ModelVersions.Builtin("saas"), "saas.yaml");
                    Portfolios.WriteOthers(dir, accounts, 5);
                    Portfolios.WriteSessionUsage(Path.Combine(dir, "usage.csv"), accounts, accounts * 20L, 7 * weeks + 90, 6);
                    // Subscriptions as a book has them: every account started, one in twelve churned two months ago,
                    // one in five of those reactivated a month later (the list leaves out the accounts churned now).
                    using (var w = new StreamWriter(Path.Combine(dir, "subscriptions.csv")))
                    {
                        w.WriteLine("account_id,kind,occurred_on");
                        for (var i = 0; i < accounts; i++)
                        {
                            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"A{i:000000},started,{Portfolios.End.AddDays(-7 * weeks - 120):yyyy-MM-dd}"));
                            if (i % 12 == 0)
                            {
                                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"A{i:000000},churned,{Portfolios.End.AddDays(-60):yyyy-MM-dd}"));
                            }
                            if (i % 60 == 0)
                            {
                                w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"A{i:000000},reactivated,{Portfolios.End.AddDays(-30):yyyy-MM-dd}"));
                            }
                        }
                    }
                    new Importer(db, TimeProvider.System).ImportDirectory(dir, new ImportOptions());
                    new ScoringRun(db, models).ScoreRange(Portfolios.End.AddDays(-7 * (weeks - 1)), Portfolios.End, 7);
                    if (db.Engine is CustomerHealth.Store.Engines.PostgresEngine)
                    {
                        // Measured as a running database is, once (auto)vacuum has analysed the freshly loaded tables:
                        // straight after the bulk load, before that, plans are worse for a minute or two.
                        Dapper.SqlMapper.Execute(db.Connection, "VACUUM ANALYZE");
                    }
                }
                key = new AccessBook(db, TimeProvider.System).CreateKey("bench", [Scopes.Read]).Secret;
                // The accounts the list shows (those not churned now): deep pages are picked among its pages.
                listed = new AccountReader(db, models).Count(new AccountQuery());
                // The daily full rescore counted as done, so that it does not run under the measurement.
                db.SetSetting("daily_rescore_last", TimeProvider.System.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            }
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"store: {accounts:N0} accounts, {weeks} weekly scores each, built in {build.Elapsed.TotalSeconds:0} s"));
            if (File.Exists(target))
            {
                // Measured as a running server's store is: in the operating system's file cache. A store built in an earlier
                // run may have left it, and a page would then measure disk reads (an account's snapshots lie on as many pages).
                using var file = File.OpenRead(target);
                file.CopyTo(Stream.Null);
            }
            var app = ChsWebApp.Build(["--Db=" + target, "--urls=http://127.0.0.1:0", "--Limits:RequestsPerSecond=100000", "--Limits:Burst=100000"]);
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var rnd = new Random(3);
            string Id() => string.Create(CultureInfo.InvariantCulture, $"A{rnd.Next(accounts):000000}");
            // A score changed by another writer (untimed) before a view: the server reads what changed since the last view.
            using var writer = StoreDb.Open(target);
            void ChangeAScore() => Dapper.SqlMapper.Execute(writer.Connection,
                "UPDATE current_scores SET trend = trend WHERE account_key = (SELECT MIN(account_key) FROM current_scores)");
            var variants = new (string Name, Func<string> Url, Action? Before)[]
            {
                ("Accounts, least healthy first", () => "/accounts", null),
                ("Accounts, by ARR, a deep page", () => $"/accounts?sort=-arr&page={1 + rnd.Next(listed / 50)}", null),
                ("Accounts, one segment and grade", () => "/accounts?segment=SMB&grade=red", null),
                ("Accounts, search by name", () => $"/accounts?q=Account%20{rnd.Next(accounts)}", null),
                ("Account page", () => "/accounts/" + Id(), null),
                // The figures as the server keeps them until a change, and the first view after one.
                ("Portfolio page", () => "/", null),
                ("Portfolio page, first view after a change", () => "/", ChangeAScore),
            };
            foreach (var (name, url, before) in variants)
            {
                for (var i = 0; i < 3; i++)
                {
                    (await http.GetAsync(url())).EnsureSuccessStatusCode();
                }
                var times = new List<double>();
                for (var i = 0; i < 100; i++)
                {
                    before?.Invoke();
                    var watch = Stopwatch.StartNew();
                    using var r = await http.GetAsync(url());
                    r.EnsureSuccessStatusCode();
                    await r.Content.ReadAsByteArrayAsync();
                    times.Add(watch.Elapsed.TotalMilliseconds);
                }
                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{name,-42} p50 {times[49],7:0.0} ms   p95 {times[94],7:0.0} ms   max {times[^1],7:0.0} ms"));
            }
            await app.StopAsync();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }
}
