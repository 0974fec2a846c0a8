using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests;

/// <summary>
/// Holds the store's writes from a thread of its own, as a long import does: a preview or backtest started meanwhile
/// waits in its first step (merging the usage that arrived over HTTP) until the holder lets go, so a test knows it is
/// under way when it acts.
/// </summary>
internal sealed class HeldWrites : IDisposable
{
    private readonly ManualResetEventSlim held = new();
    private readonly ManualResetEventSlim release = new();
    private readonly Thread thread;

    public HeldWrites(IServiceProvider services)
    {
        thread = new Thread(() =>
        {
            using var db = services.GetRequiredService<StoreAccess>().Open();
            // SQLite writers of one server take turns; PostgreSQL ones take the import lock.
            using var turn = db.WriteTurn();
            using var tx = db.Connection.BeginTransaction();
            db.Engine.LockForImport(db.Connection, tx);
            held.Set();
            release.Wait();
        });
        thread.Start();
        held.Wait(TimeSpan.FromMinutes(1)).ShouldBeTrue("the store's write lock was not taken");
    }

    public void Dispose()
    {
        release.Set();
        thread.Join();
        held.Dispose();
        release.Dispose();
    }

    /// <summary>Waits for what the server does in the background to show; fails with <paramref name="what"/> after a minute.</summary>
    public static async Task Until(Func<bool> condition, string what)
    {
        for (var i = 0; i < 3000 && !condition(); i++)
        {
            await Task.Delay(20);
        }
        condition().ShouldBeTrue(what);
    }
}
