using CustomerHealth.Web.Deliveries;
using CustomerHealth.Web.Jobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CustomerHealth.Web.Tests.Jobs;

/// <summary>
/// Several servers on one store: the daily rescore is run once, never twice (split by share on PostgreSQL, where its
/// parts are tested in Store.Tests' SplitRescoreTests), and a server that died while running a model that cannot be
/// split (its claim left behind) has the run taken over once its claim runs out.
/// </summary>
public abstract class DailyRescoreSharingTests(TestEngine engine)
{
    private static readonly DateTimeOffset Start = new(2026, 3, 10, 9, 0, 0, TimeSpan.Zero);

    /// <summary>An app whose own daily run is done for today, with three more servers' daily jobs on its store.</summary>
    /// <param name="engine">The store.</param>
    /// <param name="whole">Publish a model that cannot be split by share (parents scored from their children): one server scores it whole.</param>
    private static (TestApp App, FakeTimeProvider Clock, DailyRescore[] Servers) Servers(TestEngine engine, bool whole = false)
    {
        var clock = new FakeTimeProvider(Start);
        var app = new TestApp(engine, new() { ["Scoring:DailyAt"] = "02:00", ["Scoring:DebounceMilliseconds"] = "600000" }, clock);
        using (var db = app.OpenStore())
        {
            new CustomerHealth.Store.Models.ModelVersions(db, clock).Publish((whole ? "hierarchy: children\n" : "") + CustomerHealth.Store.Models.ModelVersions.Builtin("saas"), "saas.yaml", null);
            db.SetSetting("daily_rescore_last", Start.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        }
        var s = app.Services;
        var servers = new[] { s.GetRequiredService<DailyRescore>() }.Concat(Enumerable.Range(0, 3).Select(_ => new DailyRescore(
            s.GetRequiredService<StoreAccess>(), clock, s.GetRequiredService<ServerSettings>(), s.GetRequiredService<DeliveryWorker>(), s.GetRequiredService<RescoreQueue>(), NullLogger<DailyRescore>.Instance))).ToArray();
        return (app, clock, servers);
    }

    [Fact]
    public async Task FourServersDueAtOnce_RunTheDailyRescoreOnce()
    {
        var (app, clock, servers) = Servers(engine);
        using var _ = app;
        servers.All(s => !s.RunIfDue()).ShouldBeTrue("not due before 02:00 tomorrow");
        clock.Now = new DateTimeOffset(2026, 3, 11, 2, 0, 30, TimeSpan.Zero);
        using var go = new ManualResetEventSlim();
        var asked = servers.Skip(1).Select(s => Task.Run(() => { go.Wait(); return s.RunIfDue(); })).ToArray();
        go.Set();
        var ran = await Task.WhenAll(asked);
        // The app's own job may have woken at the new time too: of all four, one ran.
        for (var i = 0; i < 50 && servers.Sum(s => s.Runs) == 0; i++)
        {
            await Task.Delay(100);
        }
        await Task.Delay(300);
        servers.Sum(s => s.Runs).ShouldBe(1);
        ran.Count(r => r).ShouldBeLessThanOrEqualTo(1);
        servers.All(s => !s.RunIfDue()).ShouldBeTrue("done for the day");
        using var db = app.OpenStore();
        if (engine == TestEngine.Sqlite)
        {
            db.Setting("daily_rescore_claim").ShouldBe("", "released once done");
        }
        else
        {
            // Started split by share, and done by the one server on the store (it holds every share).
            db.Setting("daily_rescore_claim").ShouldBeNull("a split run is not claimed");
            Dapper.SqlMapper.ExecuteScalar<long>(db.Connection, "SELECT COUNT(*) FROM rescore_parts").ShouldBe(0);
            DateTimeOffset.Parse(db.Setting("daily_rescore_last")!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(new DateTimeOffset(2026, 3, 11, 2, 0, 0, TimeSpan.Zero));
        }
    }

    [Fact]
    public void AServerThatDiedWhileRunningIt_HasTheRunTakenOver_OnceItsClaimRunsOut()
    {
        var (app, clock, servers) = Servers(engine, whole: true);
        using var _ = app;
        var due = new DateTimeOffset(2026, 3, 11, 2, 0, 0, TimeSpan.Zero);
        clock.Now = due.AddSeconds(10);
        // A server claimed the run at 02:00:05 and was killed: its claim stays behind.
        using (var db = app.OpenStore())
        {
            db.Claim("daily_rescore_claim", due.AddSeconds(5), due.AddSeconds(5) + DailyRescore.Lease).ShouldBeTrue();
        }
        servers[1].RunIfDue().ShouldBeFalse();
        clock.Now = due.AddSeconds(5) + DailyRescore.Lease - TimeSpan.FromSeconds(1);
        servers[2].RunIfDue().ShouldBeFalse();
        clock.Now = due.AddSeconds(5) + DailyRescore.Lease + TimeSpan.FromSeconds(1);
        servers[3].RunIfDue().ShouldBeTrue();
        servers.Sum(s => s.Runs).ShouldBe(1);
    }
}

public sealed class DailyRescoreSharingTestsOnSqlite() : DailyRescoreSharingTests(TestEngine.Sqlite);

public sealed class DailyRescoreSharingTestsOnPostgres() : DailyRescoreSharingTests(TestEngine.Postgres);
