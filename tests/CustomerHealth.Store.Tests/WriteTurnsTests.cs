using System.Collections.Concurrent;
using Dapper;

namespace CustomerHealth.Store.Tests;

/// <summary>
/// Turns at writing among the connections of one process to an SQLite store: given in the order asked, so that a
/// connection that writes back to back (the server's ingest writer during a burst) lets a waiting one in after at most
/// one of its transactions, instead of leaving it to poll for SQLite's lock.
/// </summary>
public sealed class WriteTurnsTests
{
    private static void Until(Func<bool> condition) =>
        SpinWait.SpinUntil(condition, TimeSpan.FromSeconds(10)).ShouldBeTrue("the threads did not get there within 10 s");

    [Fact]
    public void Take_ThreadsWaitingForATurn_GetItInTheOrderTheyAsked()
    {
        var turns = new WriteTurns();
        var order = new ConcurrentQueue<int>();
        var held = turns.Take();
        var threads = new List<Thread>();
        for (var i = 0; i < 4; i++)
        {
            var n = i;
            var thread = new Thread(() =>
            {
                using (turns.Take())
                {
                    order.Enqueue(n);
                }
            });
            thread.Start();
            threads.Add(thread);
            Until(() => turns.Waiting == n + 1);
        }
        order.ShouldBeEmpty();

        held.Dispose();
        threads.ForEach(t => t.Join());

        order.ShouldBe([0, 1, 2, 3]);
        turns.Waiting.ShouldBe(0);
    }

    [Fact]
    public void Take_AThreadHoldingATurn_TakesItAgainWithoutWaitingAndKeepsItUntilTheOuterTurnEnds()
    {
        var turns = new WriteTurns();
        var outer = turns.Take();
        var inner = turns.Take();
        inner.Dispose();
        // Ending a turn twice ends it once.
        inner.Dispose();
        var done = false;
        var other = new Thread(() =>
        {
            using (turns.Take())
            {
                Volatile.Write(ref done, true);
            }
        });
        other.Start();
        Until(() => turns.Waiting == 1);
        Volatile.Read(ref done).ShouldBeFalse();

        outer.Dispose();

        other.Join(TimeSpan.FromSeconds(10)).ShouldBeTrue();
        done.ShouldBeTrue();
        turns.Waiting.ShouldBe(0);
    }

    [Fact]
    public void Sqlite_AConnectionWaitingForItsTurn_WritesAfterAtMostOneTransactionOfAConnectionWritingBackToBack()
    {
        using var store = new TestStore(TestEngine.Sqlite);
        var turns = new WriteTurns();
        using var busy = StoreDb.Open(store.Db.Path);
        using var other = StoreDb.Open(store.Db.Path);
        busy.Turns = turns;
        other.Turns = turns;
        long committed = 0;
        var stop = false;
        var writer = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                using var turn = busy.WriteTurn();
                using var tx = busy.Connection.BeginTransaction();
                busy.Connection.Execute(
                    "INSERT INTO settings (key, value) VALUES ('busy', @n) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    new { n = Interlocked.Read(ref committed).ToString(System.Globalization.CultureInfo.InvariantCulture) }, tx);
                // A transaction that takes a while, begun again as soon as the last one ends.
                Thread.Sleep(20);
                tx.Commit();
                Interlocked.Increment(ref committed);
            }
        });
        writer.Start();
        Until(() => Interlocked.Read(ref committed) >= 3);

        var asked = Interlocked.Read(ref committed);
        long written;
        using (other.WriteTurn())
        {
            using var tx = other.Connection.BeginTransaction();
            other.Connection.Execute("INSERT INTO settings (key, value) VALUES ('other', 'written')", transaction: tx);
            tx.Commit();
            // Read before the turn ends: the busy connection commits nothing meanwhile.
            written = Interlocked.Read(ref committed);
        }
        Volatile.Write(ref stop, true);
        writer.Join();

        // At most the transaction the busy connection was in when the other one asked.
        (written - asked).ShouldBeLessThanOrEqualTo(1);
        store.Db.Setting("other").ShouldBe("written");
    }
}
