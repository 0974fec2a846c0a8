using System.Data.Common;
using Dapper;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// Usage accepted over HTTP waits in the inbox (table usage_inbox, one row per identity, its latest accepted version)
/// until it is merged into the stored events and the usage blocks. A request only appends to it, after looking its
/// events up among the stored and the pending ones, so that its counts are exact; the merge then does in one pass
/// for many requests what each request would have done alone (every page of the events and roll-ups it changes is
/// written once per merge instead of once per request). Settling the usage is merging the inbox: whatever reads usage
/// settles it first, through the one way signals are read (Scoring's SignalLoader: a scoring run, a preview, a
/// backtest), and an import of usage settles it within its own transaction (it must come after the events accepted
/// before it). It sits beside <see cref="UsageMerge"/>, below both the side that writes signals and the side that reads them.
/// </summary>
public static class UsageInbox
{
    /// <summary>Settles the usage: merges the inbox, in a transaction of its own under the import lock; one look-up when it is empty.</summary>
    public static void Settle(StoreDb db)
    {
        if (db.Connection.ExecuteScalar<long>(UsageMerge.InboxHasEvents) == 0)
        {
            return;
        }
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        db.Engine.LockForImport(db.Connection, tx);
        SettleWithin(db, tx);
        tx.Commit();
    }

    /// <summary>Settles the usage within a transaction that holds the import lock.</summary>
    internal static void SettleWithin(StoreDb db, DbTransaction tx)
    {
        if (db.Connection.ExecuteScalar<long>(UsageMerge.InboxHasEvents, transaction: tx) == 0)
        {
            return;
        }
        db.Engine.MemoryForMerges(db.Connection, tx);
        // The inbox fills and empties faster than autovacuum analyses it: without fresh statistics the planner would
        // take it for tiny when joining it with the stored events (which only corrections of stored events need).
        using var blocks = db.Engine.OpenUsageBlocks(db.Connection, tx);
        new UsageMerge(db.Engine, "usage_inbox", "usage_events", blocks).MergeInbox(
            sql => db.Connection.Execute(sql, transaction: tx), sql => db.Connection.ExecuteScalar<long>(sql, transaction: tx),
            accounts => db.Engine.MarkTouched(db.Connection, tx, accounts), db.Engine.Analyze("usage_inbox"));
    }

    /// <summary>Events accepted and not merged yet.</summary>
    public static long Pending(StoreDb db) => db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM usage_inbox");
}
