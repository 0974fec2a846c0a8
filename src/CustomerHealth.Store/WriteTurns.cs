namespace CustomerHealth.Store;

/// <summary>
/// Turns at writing, in the order they are asked for, among the connections of one process to one SQLite store.
/// SQLite lets one connection write at a time and makes the others poll for the lock (sleeping up to 100 ms between
/// tries): a connection that begins its next transaction as soon as it commits one, like the server's ingest writer
/// during a burst, can keep a polling one waiting for many seconds. Connections that share turns take one before each
/// write transaction (<see cref="StoreDb.WriteTurn"/>) and get the lock in turn instead. A thread that holds a turn
/// may take it again. PostgreSQL queues the waiters of its locks itself: its connections take no turns.
/// </summary>
public sealed class WriteTurns
{
    private readonly object gate = new();
    private long next;
    private long serving;
    private Thread? owner;
    private int depth;

    /// <summary>Threads waiting for a turn.</summary>
    internal int Waiting
    {
        get
        {
            lock (gate)
            {
                return (int)(next - serving) - (owner is null ? 0 : 1);
            }
        }
    }

    /// <summary>Waits for this thread's turn; disposing what is returned ends it.</summary>
    public IDisposable Take()
    {
        lock (gate)
        {
            if (owner == Thread.CurrentThread)
            {
                depth++;
                return new Turn(this);
            }
            var ticket = next++;
            while (ticket != serving)
            {
                Monitor.Wait(gate);
            }
            owner = Thread.CurrentThread;
            depth = 1;
        }
        return new Turn(this);
    }

    private void End()
    {
        lock (gate)
        {
            if (--depth > 0)
            {
                return;
            }
            owner = null;
            serving++;
            Monitor.PulseAll(gate);
        }
    }

    private sealed class Turn(WriteTurns turns) : IDisposable
    {
        private int ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref ended, 1) == 0)
            {
                turns.End();
            }
        }
    }
}
