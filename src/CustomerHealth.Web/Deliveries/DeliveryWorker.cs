using CustomerHealth.Store.Deliveries;

namespace CustomerHealth.Web.Deliveries;

/// <summary>
/// The server's side of the outbox: woken when an alert evaluation may have queued deliveries, and every
/// `Deliveries:PollMilliseconds` for retries that fall due and deliveries queued by other processes (`chs score`,
/// another server). Queues the weekly digest when `Digest:Day` is set; the outbox keeps it to one per owner and week.
/// </summary>
public sealed class DeliveryWorker(StoreAccess store, DeliverySettings settings, TimeProvider clock, ILogger<DeliveryWorker> log) : BackgroundService
{
    private readonly SemaphoreSlim wake = new(0);
    private int pending;
    private DateOnly? digestQueued;
    private long passes;

    /// <summary>How many passes over the outbox have finished since start.</summary>
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
        // Without PublicUrl, links point at the address served, known once the server listens.
        // A server that stops before it listened (an address in use) has nothing to send.
        await settings.LinksReady.WaitAsync(stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (stoppingToken.IsCancellationRequested)
        {
            return;
        }
        using var sender = new DeliverySender(settings, clock);
        while (!stoppingToken.IsCancellationRequested)
        {
            Interlocked.Exchange(ref pending, 0);
            try
            {
                using var db = store.Open();
                if (settings.DigestDue(clock.GetUtcNow()) is { } week && week != digestQueued)
                {
                    var queued = new Outbox(db, clock).EnqueueDigests(week);
                    digestQueued = week;
                    if (queued > 0)
                    {
                        log.LogInformation("queued {Count} weekly digests for the week of {Week}", queued, week);
                    }
                }
                var summary = await sender.SendDueAsync(db, stoppingToken);
                foreach (var error in summary.Errors)
                {
                    log.LogWarning("{Error}", error);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                log.LogError(e, "sending deliveries failed; they stay in the outbox and are tried again");
            }
            Interlocked.Increment(ref passes);
            try
            {
                await wake.WaitAsync(settings.Poll, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
