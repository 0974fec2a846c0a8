using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Sharing;

namespace CustomerHealth.Store.Tests.Sharing;

/// <summary>
/// Several servers on one store share the accounts: each holds shares with PostgreSQL's advisory locks, the shares are
/// split fairly and never held twice, a server that goes away leaves its shares to the others, and each rescores and
/// alerts only the touched accounts of its shares.
/// </summary>
public abstract class ShareKeeperTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 1));

    public void Dispose()
    {
        store.Dispose();
        GC.SuppressFinalize(this);
    }

    [Fact]
    public async Task AServer_HearsWhenAnotherWritesMarksOrUsage_AndNotWhenItWritesNothing()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id", "A1").Applied.ShouldBeTrue();
        using var other = StoreDb.Open(store.Target);
        var heard = 0;
        var listening = new TaskCompletionSource();
        using var hearing = other.HearWork(() =>
        {
            Interlocked.Increment(ref heard);
            listening.TrySetResult();
        });
        if (engine == TestEngine.Sqlite)
        {
            // One server writes to an SQLite store: there is nobody to hear.
            hearing.ShouldBeNull();
            return;
        }
        hearing.ShouldNotBeNull();
        // It says once that it listens (whatever came before is for the looks), then each write of work is heard.
        await listening.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var before = Volatile.Read(ref heard);
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "A1,nps,9,2025-05-30T10:00:00Z").Changed.ShouldBe(1);
        await WaitFor(() => Volatile.Read(ref heard) > before);
        before = Volatile.Read(ref heard);
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,event_id", "A1,2025-05-30T10:00:00Z,login,e1").Changed.ShouldBe(1);
        await WaitFor(() => Volatile.Read(ref heard) > before);
        // The same event again changes nothing and marks nothing: nobody is told.
        before = Volatile.Read(ref heard);
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,event_id", "A1,2025-05-30T10:00:00Z,login,e1").Changed.ShouldBe(0);
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "A1,nps,9,2025-05-30T10:00:00Z").Changed.ShouldBe(0);
        // A write that is told after them shows that they were not (notifications come in order).
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "A1,nps,3,2025-05-31T10:00:00Z").Changed.ShouldBe(1);
        await WaitFor(() => Volatile.Read(ref heard) > before);
        await Task.Delay(500);
        Volatile.Read(ref heard).ShouldBe(before + 1);

        // Stopped, it closes its connection.
        const string listeners = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'";
        store.Scalar<long>(listeners).ShouldBe(1);
        hearing.Dispose();
        await WaitFor(() => store.Scalar<long>(listeners) == 0);
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            TimeProvider.System.GetElapsedTime(started).ShouldBeLessThan(TimeSpan.FromSeconds(30), "nothing was heard within 30 s");
            await Task.Delay(20);
        }
    }

    [Fact]
    public void TheServersOfAStore_SplitTheSharesFairly_AndThoseOfAServerThatGoesAwayAreTakenOver()
    {
        var keepers = Enumerable.Range(0, 3).Select(_ => new ShareKeeper(() => StoreDb.Open(store.Target))).ToList();
        try
        {
            if (engine == TestEngine.Sqlite)
            {
                // One server writes to an SQLite store: it works on every account.
                keepers[0].Balance().IsAll.ShouldBeTrue();
                return;
            }
            // The first balance of each takes what is free; the next ones give back what is over a fair part and take the rest.
            for (var round = 0; round < 3; round++)
            {
                keepers.ForEach(k => k.Balance());
            }
            keepers.ShouldAllBe(k => k.Servers == 3);
            Disjoint(keepers);
            keepers.Sum(k => k.Current.List.Count).ShouldBe(AccountShares.Count);
            keepers.ShouldAllBe(k => k.Current.List.Count <= 22 && k.Current.List.Count >= 20);

            // A server gone (its connection closed, as when its process dies): the two left take its shares.
            keepers[1].Dispose();
            keepers.RemoveAt(1);
            for (var round = 0; round < 2; round++)
            {
                keepers.ForEach(k => k.Balance());
            }
            keepers.ShouldAllBe(k => k.Servers == 2);
            Disjoint(keepers);
            keepers.Sum(k => k.Current.List.Count).ShouldBe(AccountShares.Count);
            keepers.ShouldAllBe(k => k.Current.List.Count == 32);
        }
        finally
        {
            keepers.ForEach(k => k.Dispose());
        }
    }

    [Fact]
    public async Task AServerStoppingWhileItBalances_GivesItsSharesBackOnceTheBalanceIsDone_AndHoldsNothingAfter()
    {
        // A server that cannot listen stops as it starts, maybe while its first pass balances on the keeper's connection:
        // the two never use that connection at the same time (which could wait forever), and a balance after the stop
        // takes nothing (it would hold shares nobody gives back).
        const string held = "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())";
        for (var round = 0; round < 20; round++)
        {
            var keeper = new ShareKeeper(() => StoreDb.Open(store.Target));
            keeper.Balance();
            using var go = new Barrier(2);
            var balancing = Task.Run(() =>
            {
                go.SignalAndWait();
                for (var i = 0; i < 5; i++)
                {
                    keeper.Balance();
                }
            });
            var stopping = Task.Run(() =>
            {
                go.SignalAndWait();
                keeper.Dispose();
            });
            await Task.WhenAll(balancing, stopping).WaitAsync(TimeSpan.FromSeconds(30));
            keeper.Balance().List.ShouldBeEmpty();
            keeper.Current.List.ShouldBeEmpty();
            if (engine == TestEngine.Postgres)
            {
                store.Scalar<long>(held).ShouldBe(0, $"round {round}: shares still held after the keeper stopped");
            }
        }
    }

    [Fact]
    public void AServer_RescoresAndAlertsOnlyTheTouchedAccountsOfItsShares_AndAWholeRescoreIsSplitByShare()
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts, ["account_id,name", .. Enumerable.Range(1, 40).Select(i => $"A{i},Account {i}")]).Applied.ShouldBeTrue();
        var today = new DateOnly(2025, 6, 1);
        foreach (var i in Enumerable.Range(1, 40))
        {
            store.Metric($"A{i}", today.AddDays(-3), i);
        }
        var book = new AlertBook(store.Db, store.Models, store.Clock);
        book.SetRules("rules:\n  - id: any\n    when: { score_below: 101 }\n", "r.yaml");
        var even = new AccountShares(Enumerable.Range(0, AccountShares.Count).Where(s => s % 2 == 0));
        var odd = new AccountShares(Enumerable.Range(0, AccountShares.Count).Where(s => s % 2 == 1));
        var alerting = new ScoreAndAlert(store.Db, store.Models, store.Clock);
        var keys = store.Query<long>("SELECT account_key FROM accounts");
        var evenKeys = keys.Count(even.Holds);
        evenKeys.ShouldBeInRange(1, 39);

        // A new day needs every account scored: the servers split it by share. Each first computes its accounts' values
        // (the odd server then waits for the even one's), then scores its own against the others' values.
        alerting.ScoreShares(today, odd).ShouldBeNull();
        store.Count("snapshots").ShouldBe(0);
        var evenPart = alerting.ScoreShares(today, even).ShouldNotBeNull();
        evenPart.Scores[0].AccountsScored.ShouldBe(evenKeys);
        evenPart.Alerts!.Opened.ShouldBe(evenKeys);
        var oddPart = alerting.ScoreShares(today, odd).ShouldNotBeNull();
        oddPart.Scores[0].AccountsScored.ShouldBe(40 - evenKeys);
        oddPart.Alerts!.Opened.ShouldBe(40 - evenKeys);
        store.Count("snapshots").ShouldBe(40);
        store.Count("dirty_accounts").ShouldBe(0);
        store.Count("rescore_parts").ShouldBe(0, "the run is over once every share is scored");

        // New signals for every account: each server rescores and alerts only those of its shares, and leaves the others' marks.
        foreach (var i in Enumerable.Range(1, 40))
        {
            store.Metric($"A{i}", today.AddDays(-1), 100 - i);
        }
        store.Count("dirty_accounts").ShouldBe(40);
        var first = alerting.ScoreShares(today, even).ShouldNotBeNull();
        store.Query<long>("SELECT account_key FROM dirty_accounts").ShouldAllBe(k => odd.Holds(k));
        store.Count("dirty_accounts").ShouldBe(40 - evenKeys);
        first.Alerts!.Updated.ShouldBe(evenKeys);
        // A server that stores its scores and dies before its alerts (here: the scoring alone) leaves the marks: the
        // server that has the shares next scores and alerts them again.
        store.Scoring.ScoreShares(today, odd).ShouldNotBeNull().Marks.Count.ShouldBe(40 - evenKeys);
        store.Count("dirty_accounts").ShouldBe(40 - evenKeys);
        var second = alerting.ScoreShares(today, odd).ShouldNotBeNull();
        second.Alerts!.Updated.ShouldBe(40 - evenKeys);
        store.Count("dirty_accounts").ShouldBe(0);
        // Every account's latest score reads its newest signal, each rescored once.
        store.Count("alerts").ShouldBe(40);
    }

    private static void Disjoint(List<ShareKeeper> keepers)
    {
        var all = keepers.SelectMany(k => k.Current.List).ToList();
        all.Distinct().Count().ShouldBe(all.Count, "a share is held by two servers");
    }
}

public sealed class ShareKeeperTestsOnSqlite() : ShareKeeperTests(TestEngine.Sqlite);

public sealed class ShareKeeperTestsOnPostgres() : ShareKeeperTests(TestEngine.Postgres);
