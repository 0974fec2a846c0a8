using System.Collections.Concurrent;

namespace CustomerHealth.Web.Jobs;

/// <summary>
/// At most one draft preview or backtest, or rules replay (the Alert rules page), runs per caller (a signed-in user or
/// an API key): each can read or score the whole portfolio's history, so a second one at the same time would only
/// double the load. The API answers 429 and the model editor
/// says so; a run ends when its request or editor does, and is counted as stopped.
/// </summary>
internal sealed class DraftRuns(ILogger<DraftRuns> log)
{
    public const string AlreadyRunning = "a preview or backtest of yours is already running; wait for it to finish, or cancel it, and try again";

    private readonly ConcurrentDictionary<string, byte> running = new(StringComparer.Ordinal);
    private long stopped;

    /// <summary>Runs that ended early because their client left (or the editor closed, or a newer run replaced them).</summary>
    public long Stopped => Interlocked.Read(ref stopped);

    /// <summary>The run's turn, released when disposed; null when the caller already has one running.</summary>
    public IDisposable? TryStart(string caller) => running.TryAdd(caller, 0) ? new Turn(this, caller) : null;

    /// <summary>How many runs are going, over all callers.</summary>
    public int Running => running.Count;

    /// <summary>Counts and logs a run that stopped before its end.</summary>
    public void NoteStopped(string what)
    {
        Interlocked.Increment(ref stopped);
        log.LogInformation("A draft {What} stopped before its end: its client left", what);
    }

    private sealed class Turn(DraftRuns owner, string caller) : IDisposable
    {
        private int disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref disposed, 1) == 0)
            {
                owner.running.TryRemove(caller, out _);
            }
        }
    }
}
