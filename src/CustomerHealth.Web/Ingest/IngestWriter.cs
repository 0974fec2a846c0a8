using System.Threading.Channels;
using CustomerHealth.Store;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Web.Ingest;

/// <summary>
/// The one writer of HTTP ingest (group commit): requests that arrive while a write is in progress wait in a queue
/// and are then written together in one transaction, one import lock and one commit, each getting its own results.
/// A store commits a few thousand pages per transaction however few rows it holds, so twenty requests landed at once
/// cost little more than one. Rows are read and checked by the request before it queues; the writer only writes.
/// When the group's transaction fails, nothing of it lands and every request in it gets the exception.
/// Where the store says so (<see cref="StoreWriting.Checkpoints"/>: SQLite) the writer does not copy the write-ahead log
/// back into the file itself: a checkpointer does, on its own connection, at most every few seconds, so that the next
/// group is written meanwhile.
/// Usage events go to the inbox (<see cref="UsageInbox"/>). The writer merges it, between two groups, when the
/// rescoring asks (before each pass), when it has appended many events since (so that the inbox stays small) and when
/// it stops having appended some: on its own long-lived connection, whose cache holds the pages the merge changes.
/// </summary>
public sealed class IngestWriter : IDisposable, IAsyncDisposable
{
    // A group stops growing at this many records, so that one group's transaction stays short.
    private const int GroupRecords = 100_000;

    private readonly Channel<Job> queue = Channel.CreateUnbounded<Job>();
    private readonly StoreAccess store;
    private readonly TimeProvider clock;
    private readonly ILogger<IngestWriter> log;
    private readonly Task loop;
    private readonly Task checkpoints;
    // At most one checkpoint waits: a signal while one is due is dropped.
    private readonly Channel<bool> checkpointDue = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private long lastCheckpoint;
    // A checkpoint copies each page changed since the last one once, however often the groups changed it: under a
    // steady load, one every few seconds copies far less than one after every group.
    private static readonly TimeSpan CheckpointEvery = TimeSpan.FromSeconds(5);
    // The writer merges the inbox itself after appending this many usage events (the rescoring merges it sooner).
    private int InboxLimit => writing.InboxEvents;
    private long appended;
    private readonly StoreWriting writing;
    private StoreDb? db;
    private long groups;
    private long received;

    public IngestWriter(StoreAccess store, TimeProvider clock, ILogger<IngestWriter> log)
    {
        this.store = store;
        this.clock = clock;
        this.log = log;
        writing = StoreDb.Writing(store.Target);
        loop = Task.Run(Run);
        checkpoints = writing.Checkpoints ? Task.Run(Checkpoints) : Task.CompletedTask;
    }

    /// <summary>Requests waiting for the writer.</summary>
    internal int Queued => queue.Reader.Count;

    /// <summary>Requests handed to the writer since start.</summary>
    internal long Received => Interlocked.Read(ref received);

    /// <summary>Transactions committed since start.</summary>
    internal long Groups => Interlocked.Read(ref groups);

    /// <summary>
    /// Writes the batches of one request, in order, in the transaction of the group it joins; one result per batch.
    /// Batches that do not land are answered without writing. Once queued, a request is written even if its caller
    /// goes away: ingest is idempotent, so a client that retries loses nothing.
    /// </summary>
    public Task<IReadOnlyList<ImportResult>> Write(IReadOnlyList<CheckedRows> batches)
    {
        var job = new Job(batches);
        if (!queue.Writer.TryWrite(job))
        {
            throw new ObjectDisposedException(nameof(IngestWriter), "the server is stopping");
        }
        Interlocked.Increment(ref received);
        return job.Done.Task;
    }

    /// <summary>
    /// Merges the usage inbox between two groups; done when merged. A failure is logged, not thrown: whatever reads
    /// usage merges the inbox itself first.
    /// </summary>
    public Task MergeInboxSoon()
    {
        var job = new Job([]) { MergesInbox = true };
        return queue.Writer.TryWrite(job) ? job.Done.Task : Task.CompletedTask;
    }

    private async Task Run()
    {
        var group = new List<Job>();
        var merges = new List<Job>();
        while (await queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            group.Clear();
            var records = 0;
            while (records < GroupRecords && queue.Reader.TryRead(out var job))
            {
                if (job.MergesInbox)
                {
                    merges.Add(job);
                    continue;
                }
                group.Add(job);
                records += job.Batches.Sum(b => b.Lands ? b.Rows : 0);
            }
            if (group.Count > 0)
            {
                Land(group);
            }
            if (merges.Count > 0)
            {
                MergeInbox();
                merges.ForEach(m => m.Done.SetResult([]));
                merges.Clear();
            }
        }
    }

    private void Land(List<Job> group)
    {
        IReadOnlyList<ImportResult> results;
        try
        {
            results = new Importer(Connection(), clock).Import(group.SelectMany(j => j.Batches).ToList());
        }
        catch (Exception e)
        {
            // The connection may be what failed: the next group opens a new one.
            db?.Dispose();
            db = null;
            log.LogError(e, "writing a group of {Requests} ingest requests failed; none of them was stored", group.Count);
            foreach (var job in group)
            {
                job.Done.SetException(new IngestFailedException(e));
            }
            return;
        }
        Interlocked.Increment(ref groups);
        appended += group.Sum(j => j.Batches.Sum(b => b.Kind == ImportKind.Usage && b.Lands ? b.Rows - b.Rejected : 0));
        if (appended >= InboxLimit)
        {
            MergeInbox();
        }
        if (writing.Checkpoints && clock.GetElapsedTime(lastCheckpoint) >= CheckpointEvery)
        {
            lastCheckpoint = clock.GetTimestamp();
            checkpointDue.Writer.TryWrite(true);
        }
        var next = 0;
        foreach (var job in group)
        {
            job.Done.SetResult(results.Skip(next).Take(job.Batches.Count).ToList());
            next += job.Batches.Count;
        }
    }

    /// <summary>The writer's own connection, opened when first needed (and again after a failure).</summary>
    private StoreDb Connection()
    {
        if (db is null)
        {
            db = store.Open();
            db.KeepKeys();
            // A larger cache than other connections': the inbox's merges change pages all over the usage tables.
            db.TuneForBusyWriter();
        }
        return db;
    }

    private void MergeInbox()
    {
        try
        {
            UsageInbox.Settle(Connection());
            appended = 0;
        }
        catch (Exception e)
        {
            // What reads usage merges the inbox first: nothing is lost, the inbox is only larger meanwhile.
            db?.Dispose();
            db = null;
            log.LogWarning(e, "merging the usage inbox failed");
        }
    }

    /// <summary>Copies the write-ahead log into the store file when due, without blocking the writer (a passive checkpoint).</summary>
    private async Task Checkpoints()
    {
        StoreDb? own = null;
        try
        {
            await foreach (var _ in checkpointDue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                try
                {
                    own ??= store.Open();
                    own.Checkpoint();
                }
                catch (Exception e)
                {
                    // The next group tries again; until then the log only grows.
                    own?.Dispose();
                    own = null;
                    log.LogWarning(e, "copying the write-ahead log into the store failed");
                }
            }
        }
        finally
        {
            own?.Dispose();
        }
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    public async ValueTask DisposeAsync()
    {
        queue.Writer.TryComplete();
        await loop.ConfigureAwait(false);
        if (appended > 0)
        {
            MergeInbox();
        }
        checkpointDue.Writer.TryComplete();
        await checkpoints.ConfigureAwait(false);
        db?.Dispose();
        db = null;
    }

    private sealed record Job(IReadOnlyList<CheckedRows> Batches)
    {
        public bool MergesInbox { get; init; }

        public TaskCompletionSource<IReadOnlyList<ImportResult>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

/// <summary>The transaction a request was written in failed: nothing of the request was stored.</summary>
internal sealed class IngestFailedException(Exception inner) : Exception("the transaction of this request's group failed: " + inner.Message, inner);
