using CustomerHealth.Web.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Jobs;

public sealed class DailyRescoreTests
{
    private static async Task WaitUntil(Func<bool> condition)
    {
        for (var i = 0; i < 300 && !condition(); i++)
        {
            await Task.Delay(100);
        }
        condition().ShouldBeTrue();
    }

    [Fact]
    public async Task AStoreNeverRescoredDaily_IsRescoredAtStart_ThenOncePerDayAfterTheConfiguredTime()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 10, 9, 0, 0, TimeSpan.Zero));
        using var app = new TestApp(TestEngine.Sqlite, new() { ["Scoring:DailyAt"] = "02:00" }, clock);
        _ = app.Server;
        // The catch-up at start: the run due at 02:00 today has not happened.
        await WaitUntil(() => { using var db = app.OpenStore(); return db.Setting("daily_rescore_last") is not null; });
        var job = app.Services.GetRequiredService<DailyRescore>();
        job.RunIfDue().ShouldBeFalse();
        clock.Now = new DateTimeOffset(2026, 3, 11, 1, 59, 0, TimeSpan.Zero);
        job.RunIfDue().ShouldBeFalse();
        clock.Now = new DateTimeOffset(2026, 3, 11, 2, 0, 0, TimeSpan.Zero);
        job.RunIfDue().ShouldBeTrue();
        job.RunIfDue().ShouldBeFalse();
        // Down for three days: one run catches up, not three.
        clock.Now = new DateTimeOffset(2026, 3, 14, 12, 0, 0, TimeSpan.Zero);
        job.RunIfDue().ShouldBeTrue();
        job.RunIfDue().ShouldBeFalse();
    }

    [Fact]
    public void LatestDue_IsTheConfiguredTimeInTheConfiguredZone()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 15, 6, 0, 0, TimeSpan.Zero));
        using var app = new TestApp(TestEngine.Sqlite, new() { ["Scoring:DailyAt"] = "02:00", ["Scoring:TimeZone"] = "America/New_York" }, clock);
        var job = app.Services.GetRequiredService<DailyRescore>();
        // 06:00 UTC is 01:00 in New York (EST, UTC-5): today's 02:00 has not come, so the latest due is yesterday's, 07:00 UTC.
        job.LatestDue().ShouldBe(new DateTimeOffset(2026, 1, 14, 7, 0, 0, TimeSpan.Zero));
        clock.Now = new DateTimeOffset(2026, 7, 15, 6, 30, 0, TimeSpan.Zero);
        // In summer (EDT, UTC-4) 02:00 is 06:00 UTC.
        job.LatestDue().ShouldBe(new DateTimeOffset(2026, 7, 15, 6, 0, 0, TimeSpan.Zero));
    }
}
