using CustomerHealth.Store.Alerts;
using CustomerHealth.Web.Deliveries;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Ingest;

namespace CustomerHealth.Web.Jobs;

/// <summary>
/// Live scores: an accepted signal marks its accounts in the store (dirty_accounts) and wakes this worker, which
/// waits for the burst to settle (the debounce) and rescores today's scores of the marked accounts. Signals that
/// arrive while it works wake it again, so a long burst is scored every few seconds and its end within one debounce.
/// Each pass ends with the alert rules evaluated on the new scores.
/// The marks live in the store, so another server process or a later start finishes what this one did not.
/// </summary>
public sealed class RescoreQueue(
    StoreAccess store, TimeProvider clock, ServerSettings settings, DeliveryWorker deliveries, IngestWriter writer, ILogger<RescoreQueue> log) : BackgroundService
{
    private readonly SemaphoreSlim wake = new(0);
    private int pending;
    private long passes;

    /// <summary>How many rescoring passes have finished since start.</summary>
    public long Passes => Interlocked.Read(ref passes);

    public void Notify()
    {
        if (Interlocked.Exchange(ref pending, 1) == 0)
        {
            wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Marks left by an earlier run are scored at start.
        Notify();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(stoppingToken);
                await Task.Delay(settings.RescoreDebounce, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            Interlocked.Exchange(ref pending, 0);
            try
            {
                // The usage accepted until now is merged by the ingest writer, on its own connection between two of its
                // writes, rather than here, where the writes would wait for each other; the scoring then merges only what
                // was accepted since (usually nothing).
                var start = clock.GetTimestamp();
                await writer.MergeInboxSoon();
                var merged = clock.GetElapsedTime(start);
                RescoreToday();
                log.LogDebug("rescoring pass: usage merged in {Merge:0.00} s, accounts scored and alerts evaluated in {Score:0.00} s",
                    merged.TotalSeconds, (clock.GetElapsedTime(start) - merged).TotalSeconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "rescoring the changed accounts failed; it is tried again with the next signal");
            }
            Interlocked.Increment(ref passes);
        }
    }

    /// <summary>Scores today (in the model's timezone, as `chs score` does) for the accounts whose signals changed.</summary>
    public ScoreSummary? RescoreToday()
    {
        using var db = store.Open();
        var models = new ModelVersions(db, clock);
        if (models.Current() is null)
        {
            return null;
        }
        var today = models.Today();
        var summary = new ScoreAndAlert(db, models, clock).Score(today).Scores[0];
        deliveries.Notify();
        return summary;
    }
}
