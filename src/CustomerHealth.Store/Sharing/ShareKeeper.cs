using System.Data.Common;

namespace CustomerHealth.Store.Sharing;

/// <summary>
/// A server's hold on its shares of the accounts (<see cref="AccountShares"/>), with the store's own locks (PostgreSQL's
/// session advisory locks, behind the engine): each share is a lock held on this keeper's connection, and each server
/// holds a shared presence lock, so the servers count each other. <see cref="Balance"/> takes free shares up to this server's fair part
/// (⌈shares ÷ servers⌉) and gives back what is over it; a server that dies loses its connection and with it its locks at
/// once, and the others take its shares at their next balance (each second). On SQLite one server works on a store: it
/// holds every share. The keeper's connection serves one call at a time: a server stopping while a pass balances (an
/// address in use stops it as it starts) gives its shares back once the balance is done, never on the same connection
/// at the same time, and a balance after that holds nothing.
/// </summary>
public sealed class ShareKeeper : IDisposable
{
    private readonly Func<StoreDb> open;
    private readonly HashSet<int> held = [];
    private readonly Lock use = new();
    private StoreDb? db;
    private bool alone;
    private bool disposed;

    /// <param name="open">Opens the store: the keeper keeps a connection of its own, whose locks are its shares.</param>
    public ShareKeeper(Func<StoreDb> open)
    {
        this.open = open;
    }

    /// <summary>The shares held since the last balance.</summary>
    public AccountShares Current { get; private set; } = AccountShares.None;

    /// <summary>How many servers of the store were counted at the last balance (1 on SQLite).</summary>
    public int Servers { get; private set; } = 1;

    /// <summary>
    /// Takes or gives back shares so that this server holds its fair part; call it between pieces of work, never during
    /// one (a share given back is another server's at once). When the store cannot be reached the keeper holds nothing
    /// until it can again.
    /// </summary>
    public AccountShares Balance()
    {
        lock (use)
        {
            return disposed ? AccountShares.None : alone ? Current : BalanceNow();
        }
    }

    private AccountShares BalanceNow()
    {
        try
        {
            if (db is null)
            {
                db = open();
                if (!db.Engine.SharesWork)
                {
                    // One server writes to an SQLite store.
                    Drop();
                    alone = true;
                    return Current = AccountShares.All;
                }
                db.Engine.JoinServers(db.Connection);
            }
            var (engine, c) = (db.Engine, db.Connection);
            Servers = Math.Max(1, engine.Servers(c));
            var fair = (AccountShares.Count + Servers - 1) / Servers;
            foreach (var extra in held.OrderByDescending(s => s).Take(Math.Max(0, held.Count - fair)).ToList())
            {
                engine.GiveBackShare(c, extra);
                held.Remove(extra);
            }
            if (held.Count < fair)
            {
                var taken = engine.TakenShares(c);
                // Each server starts looking at a place of its own, so that servers starting together seldom reach for the same share.
                var start = Environment.ProcessId % AccountShares.Count;
                for (var i = 0; i < AccountShares.Count && held.Count < fair; i++)
                {
                    var s = (start + i) % AccountShares.Count;
                    if (!held.Contains(s) && !taken.Contains(s) && engine.TryTakeShare(c, s))
                    {
                        held.Add(s);
                    }
                }
            }
            return Current = new AccountShares(held);
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            // The connection is gone, and with it every lock: hold nothing until a new one takes shares again.
            Drop();
            return Current = AccountShares.None;
        }
    }

    private void Drop()
    {
        held.Clear();
        try
        {
            db?.Dispose();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException)
        {
            // Already broken: nothing to give back.
        }
        db = null;
    }

    /// <summary>Gives every share back, then closes the keeper's connection.</summary>
    public void Dispose()
    {
        lock (use)
        {
            if (disposed)
            {
                return;
            }
            disposed = true;
            Current = AccountShares.None;
            try
            {
                if (db is { } open && open.Connection.State == System.Data.ConnectionState.Open)
                {
                    open.Engine.LeaveServers(open.Connection);
                }
            }
            catch (Exception e) when (e is DbException or InvalidOperationException)
            {
                // A broken connection holds nothing any more.
            }
            Drop();
        }
    }
}
