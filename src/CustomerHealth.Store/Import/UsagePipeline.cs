using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Import;

/// <summary>
/// A usage CSV file read on another core while the import writes what was read: the reading thread runs the CSV reader
/// and the plain lane (<see cref="PlainUsageLane"/>), makes each plain row ready to stage (its identity, its user's id
/// as one string and one number per id) and hands the rows over in batches, in file order, the lane's rows between the others; the
/// import's thread keys and stages them (<see cref="Sink"/>) and checks the others as it always does (<see cref="Rows"/>).
/// A plain row's text is copied into its batch's own buffer, which comes back to the reading thread once written. What
/// the reading thread throws (a refused header, a file that cannot be read) is thrown on the import's thread after the
/// rows before it; an import that stops early stops the reading.
/// </summary>
internal sealed class UsagePipeline : IDisposable
{
    // Batches waiting to be written (a few: the reading runs ahead of the writing by at most that many).
    private readonly BlockingCollection<Batch> ready = new(boundedCapacity: 4);
    private readonly ConcurrentBag<Batch> spare = [];
    private readonly CancellationTokenSource stop = new();
    private readonly Stream? progressStream;
    private readonly long length;
    private readonly Task reading;
    private ExceptionDispatchInfo? failed;

    /// <param name="lane">The plain lane the rows are read with (its header is told by the reading).</param>
    /// <param name="rows">The file's rows, read with the given plain lane (<see cref="RowSource.Csv"/>).</param>
    /// <param name="progressStream">The file, whose position the reading records with each batch for the progress (read on the reading thread only).</param>
    public UsagePipeline(PlainUsageLane lane, Func<Func<ReadOnlyMemory<char>, bool>, IEnumerable<SourceRow>> rows, Stream? progressStream)
    {
        this.progressStream = progressStream is { CanSeek: true } ? progressStream : null;
        length = Math.Max(this.progressStream?.Length ?? 1, 1);
        reading = Task.Factory.StartNew(() => Read(lane, rows), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>Where the plain rows go, on the import's thread, in file order.</summary>
    public Action<PreparedUsage>? Sink { get; set; }

    /// <summary>Told on the import's thread after each batch: how far into the file (0 to 1) the reading had reached.</summary>
    public Action<double>? Progress { get; set; }

    /// <summary>The rows the plain lane did not take, on the import's thread, in file order (the lane's rows go to <see cref="Sink"/> between them).</summary>
    public IEnumerable<SourceRow> Rows()
    {
        foreach (var batch in ready.GetConsumingEnumerable(stop.Token))
        {
            foreach (var item in batch.Items)
            {
                if (item.Row is { } row)
                {
                    yield return row;
                }
                else
                {
                    Sink!(item.Usage);
                }
            }
            Progress?.Invoke((double)batch.Position / length);
            batch.Clear();
            spare.Add(batch);
        }
        failed?.Throw();
    }

    private void Read(PlainUsageLane lane, Func<Func<ReadOnlyMemory<char>, bool>, IEnumerable<SourceRow>> rows)
    {
        try
        {
            // Each user id once, numbered as met (its slot).
            var users = new Dictionary<string, int>(StringComparer.Ordinal);
            var usersByText = users.GetAlternateLookup<ReadOnlySpan<char>>();
            var ids = new List<string>();
            var batch = new Batch();
            lane.Sink = usage =>
            {
                if (!batch.Fits(usage))
                {
                    batch = Hand(batch);
                }
                var copied = batch.Copy(usage);
                string? user = null;
                var slot = -1;
                if (!copied.UserId.IsEmpty)
                {
                    if (!usersByText.TryGetValue(copied.UserId.Span, out slot))
                    {
                        slot = ids.Count;
                        ids.Add(copied.UserId.ToString());
                        users.Add(ids[slot], slot);
                    }
                    user = ids[slot];
                }
                batch.Items.Add(new Item(null, SignalWriter.Prepare(copied, user, slot)));
            };
            foreach (var row in rows(lane.Take))
            {
                if (batch.Items.Count >= Batch.MostItems)
                {
                    batch = Hand(batch);
                }
                batch.Items.Add(new Item(row, default));
            }
            if (batch.Items.Count > 0)
            {
                Hand(batch);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The import stopped early: nothing more is read.
        }
        catch (Exception e)
        {
            failed = ExceptionDispatchInfo.Capture(e);
        }
        finally
        {
            ready.CompleteAdding();
        }
    }

    // Hands a batch over (waiting while the import is that far behind), and returns the next one to fill.
    private Batch Hand(Batch batch)
    {
        batch.Position = progressStream?.Position ?? 0;
        ready.Add(batch, stop.Token);
        return spare.TryTake(out var next) ? next : new Batch();
    }

    public void Dispose()
    {
        stop.Cancel();
        try
        {
            reading.Wait();
        }
        catch (AggregateException)
        {
            // The reading's failures are told through Rows.
        }
        stop.Dispose();
        ready.Dispose();
    }

    // A row the lane took (Row null, its usage ready) or another row.
    private readonly record struct Item(SourceRow? Row, PreparedUsage Usage);

    /// <summary>Rows read together, the text of the plain ones copied into the batch's buffer.</summary>
    private sealed class Batch
    {
        public const int MostItems = 4096;
        private const int BufferChars = 1 << 16;
        private readonly char[] buffer = new char[BufferChars];
        private int used;

        public List<Item> Items { get; } = new(MostItems);

        public long Position { get; set; }

        private static int Length(in PlainUsage u) => u.AccountId.Length + u.Event.Length + u.UserId.Length + u.EventId.Length;

        /// <summary>Whether a row goes in this batch: its text fits in what is left of the buffer, or the batch is empty (a row longer than the whole buffer then gets one of its own).</summary>
        public bool Fits(in PlainUsage u) => Items.Count == 0 || (Items.Count < MostItems && used + Length(u) <= BufferChars);

        /// <summary>The row with its text in this batch's buffer.</summary>
        public PlainUsage Copy(in PlainUsage u)
        {
            var length = Length(u);
            Memory<char> into;
            if (used + length <= BufferChars)
            {
                into = buffer.AsMemory(used, length);
                used += length;
            }
            else
            {
                into = new char[length];
            }
            var at = 0;
            ReadOnlyMemory<char> Take(ReadOnlyMemory<char> text)
            {
                text.Span.CopyTo(into.Span[at..]);
                var copy = into[at..(at + text.Length)];
                at += text.Length;
                return copy;
            }
            return u with { AccountId = Take(u.AccountId), Event = Take(u.Event), UserId = Take(u.UserId), EventId = Take(u.EventId) };
        }

        public void Clear()
        {
            Items.Clear();
            used = 0;
        }
    }
}
