using System.Globalization;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Web.Deliveries;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Web.Jobs;

/// <summary>
/// The daily full rescore, at `Scoring:DailyAt` (default 02:00) in `Scoring:TimeZone` (default UTC). The last run
/// is kept in the store, so a server that was down at that time runs it as soon as it starts again. Of several servers
/// on one store (PostgreSQL), one starts it split by their shares of the accounts, and each server's live rescoring
/// (<see cref="RescoreQueue"/>) does its shares' part, a dead server's part done by those that take its shares
/// (<see cref="ScoringRun.StartSplit"/>). A model that cannot be split, and a store of one server, is scored whole by
/// one server: each claims it first (<see cref="StoreDb.Claim"/>), and a server that dies while running it leaves a
/// claim that runs out after <see cref="Lease"/>, when another server takes the run over.
/// </summary>
public sealed class DailyRescore(StoreAccess store, TimeProvider clock, ServerSettings settings, DeliveryWorker deliveries, RescoreQueue rescore, ILogger<DailyRescore> log)
    : BackgroundService
{
    private const string LastRunSetting = ScoringRun.DailyRescoreLast;
    private const string ClaimSetting = "daily_rescore_claim";

    /// <summary>How long a server's claim on the daily rescore holds before another server may take the run over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromMinutes(30);

    private long runs;

    /// <summary>How many daily rescores this server has run since start.</summary>
    public long Runs => Interlocked.Read(ref runs);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                RunIfDue();
                // While the run due is claimed by another server and not done, look again in a minute (it may have died).
                wait = Waiting() ? TimeSpan.Zero : NextDue() - clock.GetUtcNow();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "the daily rescore failed; it is tried again in a minute");
                wait = TimeSpan.Zero;
            }
            try
            {
                await Task.Delay(wait < TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : wait > TimeSpan.FromHours(1) ? TimeSpan.FromHours(1) : wait, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Runs the full rescore when the latest due time has passed since the last run; true when it ran.</summary>
    public bool RunIfDue()
    {
        using var db = store.Open();
        var models = new ModelVersions(db, clock);
        var due = LatestDue();
        if (models.Current() is null || Done(db, due))
        {
            return false;
        }
        var now = clock.GetUtcNow();
        // Several servers on the store split the run by their shares of the accounts: it is done (and recorded) by their
        // live rescoring, share by share.
        var started = new ScoringRun(db, models).StartSplit(models.Today(), due, out var splits);
        if (splits)
        {
            if (started)
            {
                Interlocked.Increment(ref runs);
                log.LogInformation("daily rescore started as of {AsOf}, split between the servers of the store by their shares of the accounts",
                    models.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            }
            // This server's part now (all of it when it is alone on the store); the others' with their next look.
            rescore.RescoreToday();
            return started;
        }
        if (!db.Claim(ClaimSetting, now, now + Lease))
        {
            return false;
        }
        try
        {
            // Another server may have finished it between the look and the claim.
            if (Done(db, due))
            {
                return false;
            }
            var today = models.Today();
            var summary = new ScoreAndAlert(db, models, clock).ScoreRange(today, today, 1).Scores[0];
            deliveries.Notify();
            db.SetSetting(LastRunSetting, clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            Interlocked.Increment(ref runs);
            log.LogInformation("daily rescore: {Accounts} accounts scored as of {AsOf}", summary.AccountsScored, summary.AsOf);
            return true;
        }
        finally
        {
            db.Release(ClaimSetting);
        }
    }

    /// <summary>Whether the run due is not done yet (another server holds it, or it failed here).</summary>
    private bool Waiting()
    {
        using var db = store.Open();
        return new ModelVersions(db, clock).Current() is not null && !Done(db, LatestDue());
    }

    private static bool Done(StoreDb db, DateTimeOffset due) =>
        db.Setting(LastRunSetting) is { } last && DateTimeOffset.Parse(last, CultureInfo.InvariantCulture) >= due;

    /// <summary>The most recent time the daily run was due (today's if it has passed, else yesterday's).</summary>
    public DateTimeOffset LatestDue()
    {
        var now = clock.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, settings.DailyRescoreZone);
        var day = DateOnly.FromDateTime(local.DateTime);
        var due = At(day);
        return due <= now ? due : At(day.AddDays(-1));
    }

    private DateTimeOffset NextDue()
    {
        var last = LatestDue();
        return At(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(last, settings.DailyRescoreZone).DateTime).AddDays(1));
    }

    private DateTimeOffset At(DateOnly day)
    {
        var local = day.ToDateTime(settings.DailyRescoreAt, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, settings.DailyRescoreZone.GetUtcOffset(local));
    }
}
