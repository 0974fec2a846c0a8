using CustomerHealth.Store;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Web.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Jobs;

/// <summary>
/// A source computed where the data lives, with a schedule: the server scores again when it comes due (a new row in
/// the source's file changes the score without any import), once per time due, catching up the days not scored.
/// </summary>
public sealed class ScheduledPushdownTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("chs-scheduled-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        condition().ShouldBeTrue();
    }

    [Fact]
    public async Task ASourceWithAnHourlySchedule_IsScoredAgainWhenDue_OnceByOneClaim_AndItsNewRowsCount()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 9, 15, 0, TimeSpan.Zero));
        using var app = new TestApp(TestEngine.Sqlite, new() { ["Scoring:DailyAt"] = "02:00" }, clock);
        _ = app.Server;
        var file = Path.Combine(dir, "events.csv");
        await File.WriteAllTextAsync(file, "account_id,occurred_at,event,user_id\nA1,2026-03-09T10:00:00Z,login,u1\n");
        using (var db = app.OpenStore())
        {
            new ModelVersions(db, clock).Publish("min_coverage: 0\n" + ModelVersions.Builtin("saas"), "saas.yaml", null);
        }
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"A1","name":"Acme","seats":4}]""");
        using (var db = app.OpenStore())
        {
            var sources = new ExternalSources(db, clock);
            Should.Throw<StoreException>(() => sources.Add("lake", "usage", "duckdb", "", RelationType.Files, file, null, "test", "every hour"))
                .Message.ShouldContain("--schedule `every hour`: not a cron expression of five fields");
            sources.Add("lake", "usage", "duckdb", "", RelationType.Files, file, null, "test", "0 * * * *");
            ExternalSources.NextRun(sources.Find("lake")!).ShouldBe(new DateTimeOffset(2026, 3, 10, 10, 0, 0, TimeSpan.Zero));
        }
        var job = app.Services.GetRequiredService<ScheduledPushdown>();
        job.RunIfDue().ShouldBeFalse();

        // Due at 10:00: one run claims it (the server's own loop or this call), and scores A1 from the file.
        clock.Now = new DateTimeOffset(2026, 3, 10, 10, 0, 30, TimeSpan.Zero);
        job.RunIfDue();
        await WaitUntil(() => Stored().LastRun == "2026-03-10T10:00:30Z");
        job.RunIfDue().ShouldBeFalse();
        var before = Stored().Detail;

        // A row lands in the file: the next hour's run reads it, with no import.
        await File.AppendAllTextAsync(file, "A1,2026-03-10T10:30:00Z,login,u2\nA1,2026-03-10T10:40:00Z,login,u3\n");
        clock.Now = new DateTimeOffset(2026, 3, 10, 11, 0, 5, TimeSpan.Zero);
        job.RunIfDue();
        await WaitUntil(() => Stored().LastRun == "2026-03-10T11:00:05Z");
        await WaitUntil(() => Stored().Detail != before);

        (string? LastRun, string? Detail) Stored()
        {
            using var db = app.OpenStore();
            var detail = db.Connection.ExecuteScalar<byte[]?>("SELECT s.detail FROM snapshots s JOIN accounts a ON a.account_key = s.account_key WHERE a.account_id = 'A1' AND s.as_of = '2026-03-10'");
            return (new ExternalSources(db, clock).Find("lake")!.LastRunAt, detail is null ? null : Convert.ToBase64String(detail));
        }
    }
}
