using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Sharing;
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
/// The marks live in the store, so another server process or a later start finishes what this one did not. Of several
/// servers on one store, each works on its shares of the accounts (<see cref="ShareKeeper"/>): it looks for marks of its
/// shares, whoever made them, and for usage accepted by any server and not merged yet (a server that died leaves it
/// there) as soon as another server says it wrote some (PostgreSQL's NOTIFY), and each second in any case; it scores and
/// alerts only the accounts of its shares.
/// </summary>
public sealed class RescoreQueue(
    StoreAccess store, TimeProvider clock, ServerSettings settings, DeliveryWorker deliveries, IngestWriter writer, ShareKeeper keeper, ILogger<RescoreQueue> log)
    : BackgroundService
{
    /// <summary>How often the server looks for marks of its shares that it was not told of, and balances its shares.</summary>
    public static readonly TimeSpan LookEvery = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim wake = new(0);
    // Shares are balanced only between passes: a share given back is another server's at once.
    private readonly Lock pass = new();
    private AccountShares held = AccountShares.None;
    private int pending;
    private int heard;
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

    // Another server wrote marks or usage: look at once whether some are of this server's shares.
    private void Heard()
    {
        if (Interlocked.Exchange(ref heard, 1) == 0)
        {
            wake.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var hearing = Hear();
        // Marks left by an earlier run are scored at start.
        Notify();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await wake.WaitAsync(LookEvery, stoppingToken);
                Interlocked.Exchange(ref heard, 0);
                // Told by this server's own writes, work waits; heard from another server, or a second gone by, it may.
                if (Volatile.Read(ref pending) == 0 && !WorkWaits())
                {
                    continue;
                }
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

    /// <summary>Hears the other servers' writes where several may work on the store; the looks each second remain.</summary>
    private IDisposable? Hear()
    {
        try
        {
            using var db = store.Open();
            return db.HearWork(Heard);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogWarning(e, "could not listen for the other servers' writes; looking for work each second");
            return null;
        }
    }

    /// <summary>
    /// Balances this server's shares, then says whether marked accounts of its shares, or usage not merged yet, wait.
    /// A store that cannot be read now says no: the next look tries again.
    /// </summary>
    private bool WorkWaits()
    {
        try
        {
            lock (pass)
            {
                var shares = Balance();
                using var db = store.Open();
                return new ScoringRun(db, new ModelVersions(db, clock)).WorkWaits(shares);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            log.LogDebug(e, "looking for work failed; looking again in a second");
            return false;
        }
    }

    private AccountShares Balance()
    {
        var before = held;
        held = keeper.Balance();
        if (!held.List.SequenceEqual(before.List))
        {
            log.LogInformation("this server works on shares {Shares} of {Count} of the accounts ({Servers} server(s) on the store)", held, AccountShares.Count, keeper.Servers);
        }
        return held;
    }

    /// <summary>
    /// Scores today (in the model's timezone, as `chs score` does) for the accounts of this server's shares whose signals
    /// changed; null when there is no model, or when another server has claimed the whole rescore that today needs.
    /// </summary>
    public ScoreSummary? RescoreToday()
    {
        lock (pass)
        {
            var shares = Balance();
            using var db = store.Open();
            var models = new ModelVersions(db, clock);
            if (models.Current() is null)
            {
                return null;
            }
            var today = models.Today();
            var summary = new ScoreAndAlert(db, models, clock).ScoreShares(today, shares)?.Scores[0];
            deliveries.Notify();
            return summary;
        }
    }
}
