using System.Globalization;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Deliveries;

namespace CustomerHealth.Web.Jobs;

/// <summary>
/// Scores again at the schedule of each source computed where the data lives (`chs sources add --schedule CRON`, in
/// UTC): its rows change in the engine, unseen by the store, so no import marks the accounts. A run scores the days
/// not scored yet up to today, each point in time (at most <see cref="MaxCatchUpDays"/> of them; today again when it
/// is already scored), then evaluates the alerts. Of several servers of one store, the one that claims the run
/// (<see cref="ExternalSources.ClaimDue"/>) does it.
/// </summary>
public sealed class ScheduledPushdown(StoreAccess store, TimeProvider clock, DeliveryWorker deliveries, ILogger<ScheduledPushdown> log) : BackgroundService
{
    /// <summary>How many days a run catches up at most, when the server was down or the schedule is rare.</summary>
    public const int MaxCatchUpDays = 31;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                RunIfDue();
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The source remembers what went wrong (the Sources page and `chs sources list` show it).
                log.LogError("the scheduled scoring with an external source failed: {Message}; it is tried again at the next time due", e.Message);
            }
            try
            {
                await Task.Delay(TimeSpan.FromMinutes(1), clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Scores when a source's schedule came due and this server claimed the run; true when it scored.</summary>
    public bool RunIfDue()
    {
        using var db = store.Open();
        var models = new ModelVersions(db, clock);
        if (models.Current() is null || !new ExternalSources(db, clock).ClaimDue(clock.GetUtcNow()))
        {
            return false;
        }
        var today = models.Today();
        var latest = new ScoringRun(db, models).LatestDay() is { } l ? DateOnly.ParseExact(l, "yyyy-MM-dd", CultureInfo.InvariantCulture) : (DateOnly?)null;
        var from = latest is { } last && last < today ? new[] { last.AddDays(1), today.AddDays(-MaxCatchUpDays + 1) }.Max() : today;
        var scored = new ScoreAndAlert(db, models, clock).ScoreRange(from, today, 1).Scores;
        deliveries.Notify();
        log.LogInformation("scheduled scoring with the external sources: {Days} day(s) up to {AsOf}, {Accounts} accounts", scored.Count, scored[^1].AsOf, scored[^1].AccountsScored);
        return true;
    }
}
