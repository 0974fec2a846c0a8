using System.Buffers.Binary;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// A batch of staged usage events held in memory until its merge, so that the store is handed them in the orders its
/// B-trees are kept in and need not sort a million rows itself: in identity order (the stored events' key; an identity
/// staged twice keeps the order its versions came in) and, once each event's state is known, summed per account, day
/// and event in key order (the roll-ups' key).
/// </summary>
internal sealed class StagedBatch
{
    // Rows without references (the few properties aside), so that a million of them cost the collector nothing to keep.
    private readonly List<BatchedEvent> events = [];
    private readonly List<string> properties = [];

    public int Count => events.Count;

    /// <summary>An event by its position in the batch (its `seq`).</summary>
    public BatchedEvent this[int seq] => events[seq];

    /// <summary>An event's properties (JSON text), if it has any.</summary>
    public string? PropertiesOf(in BatchedEvent e) => e.Properties < 0 ? null : properties[e.Properties];

    /// <summary>Adds an event whose user is keyed.</summary>
    public void Add(in StagedEvent e)
    {
        var at = -1;
        if (e.Properties is { } p)
        {
            at = properties.Count;
            properties.Add(p);
        }
        events.Add(new BatchedEvent(BinaryPrimitives.ReadUInt128BigEndian(e.Identity), e.Account, e.Day, e.Event, e.UserKey, e.Count, e.Value, e.OccurredAt, at));
    }

    /// <summary>Gives the users keyed from <paramref name="first"/> on other keys: key first + i becomes rekeyed[i].</summary>
    public void Rekey(long first, long[] rekeyed)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(events);
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i].UserKey is { } key && key >= first)
            {
                span[i] = span[i] with { UserKey = rekeyed[key - first] };
            }
        }
    }

    /// <summary>Gives the users held by a place among those to key (as the key -(place + 1)) their keys: place i gets keys[i].</summary>
    public void KeyPending(long[] keys)
    {
        var span = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(events);
        for (var i = 0; i < span.Length; i++)
        {
            if (span[i].UserKey is < 0 and var key)
            {
                span[i] = span[i] with { UserKey = keys[-key - 1] };
            }
        }
    }

    public void Clear()
    {
        events.Clear();
        properties.Clear();
    }

    /// <summary>The events' positions, in identity order.</summary>
    /// <param name="repeats">Whether an identity was staged more than once.</param>
    public int[] IdentityOrder(out bool repeats)
    {
        repeats = false;
        var keys = new UInt128[events.Count];
        var order = new int[events.Count];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = events[i].Identity;
            order[i] = i;
        }
        if (keys.Length < FewToDeal)
        {
            Array.Sort(keys, order);
        }
        else
        {
            // Identities are hashes, spread evenly over their range: dealt by their first bits, a bucket holds a few.
            var bits = Math.Min(16, System.Numerics.BitOperations.Log2((uint)keys.Length) - 3);
            (keys, order) = SortInBuckets(keys, order, 1 << bits, identity => (int)(identity >> (128 - bits)));
        }
        // The versions of an identity staged more than once stay in the order they came in.
        for (var i = 0; i < keys.Length;)
        {
            var j = i + 1;
            while (j < keys.Length && keys[j] == keys[i])
            {
                j++;
            }
            if (j - i > 1)
            {
                Array.Sort(order, i, j - i);
                repeats = true;
            }
            i = j;
        }
        return order;
    }

    /// <summary>Whether the event at place <paramref name="i"/> of the identity order is its identity's last version (the one that stands).</summary>
    private bool IsLastVersion(int[] identityOrder, int i) =>
        i + 1 == identityOrder.Length || events[identityOrder[i + 1]].Identity != events[identityOrder[i]].Identity;

    /// <summary>
    /// Whether an event stores the same values as a stored row read with the columns of <see cref="UsageMerge.StageColumns"/>
    /// (identity first): the merge's comparison, as the engines' row comparison makes it (a missing user, value or
    /// properties is the same only as a missing one).
    /// </summary>
    public bool SameAsStored(int seq, IRowReader stored)
    {
        var e = events[seq];
        return stored.GetInt64(1) == e.Account && stored.GetInt64(2) == e.Day && stored.GetInt64(3) == e.Event
            && (stored.IsDBNull(4) ? e.UserKey is null : e.UserKey == stored.GetInt64(4))
            && stored.GetInt64(5) == e.Count
            && (stored.IsDBNull(6) ? e.Value is null : e.Value == stored.GetDouble(6))
            && stored.GetInt64(7) == e.OccurredAt
            && (stored.IsDBNull(8) ? e.Properties < 0 : e.Properties >= 0 && stored.GetString(8) == properties[e.Properties]);
    }

    /// <summary>
    /// The positions of the events that change the store, in identity order: the last version of each identity, when
    /// its state (by position) is new (0) or changed (1).
    /// </summary>
    /// <param name="identityOrder">The batch's positions in identity order (<see cref="IdentityOrder"/>).</param>
    /// <param name="states">Each event's state against the store, by position.</param>
    /// <param name="repeats">Whether an identity was staged more than once (else every event is its identity's last version).</param>
    public List<int> Changing(int[] identityOrder, int[] states, bool repeats)
    {
        var changing = new List<int>(identityOrder.Length);
        for (var i = 0; i < identityOrder.Length; i++)
        {
            if (states[identityOrder[i]] < 2 && (!repeats || IsLastVersion(identityOrder, i)))
            {
                changing.Add(identityOrder[i]);
            }
        }
        return changing;
    }

    /// <summary>
    /// The roll-up rows of the events that change the store (by position, <see cref="Changing"/>), summed per account,
    /// day and event — count, value (a missing value adds nothing) and users — in key order.
    /// </summary>
    public List<RolledUpEvents> RollUp(IReadOnlyList<int> changing)
    {
        var sortedKeys = new GroupKey[changing.Count];
        var sorted = new int[changing.Count];
        for (var k = 0; k < changing.Count; k++)
        {
            var e = events[changing[k]];
            sortedKeys[k] = new GroupKey(e.Account, e.Day, e.Event);
            sorted[k] = changing[k];
        }
        Sort(ref sortedKeys, ref sorted);
        var rollUps = new List<RolledUpEvents>();
        var users = new List<long>();
        for (var i = 0; i < sorted.Length;)
        {
            var key = sortedKeys[i];
            long count = 0;
            double sum = 0, compensation = 0;
            users.Clear();
            for (; i < sorted.Length && sortedKeys[i] == key; i++)
            {
                var e = events[sorted[i]];
                count = checked(count + e.Count);
                // Compensated (Neumaier) summation, as SQLite's SUM: the order of the events does not move the total.
                var v = e.Value ?? 0;
                var t = sum + v;
                compensation += Math.Abs(sum) >= Math.Abs(v) ? sum - t + v : v - t + sum;
                sum = t;
                if (e.UserKey is { } user)
                {
                    users.Add(user);
                }
            }
            rollUps.Add(new RolledUpEvents(key.Account, key.Day, key.Event, count, sum + compensation, UserSet.Pack(users)));
        }
        return rollUps;
    }

    /// <summary>
    /// Sorts roll-up keys (and their items) in key order. Accounts are keys numbered from 1: the keys are dealt by
    /// account when the accounts' range is not much wider than the batch, and each account's few are then sorted.
    /// </summary>
    private static void Sort(ref GroupKey[] keys, ref int[] items)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var k in keys)
        {
            min = Math.Min(min, k.Account);
            max = Math.Max(max, k.Account);
        }
        if (keys.Length < FewToDeal || (ulong)(max - min) >= 4UL * (ulong)keys.Length)
        {
            Array.Sort(keys, items);
            return;
        }
        (keys, items) = SortInBuckets(keys, items, (int)(max - min) + 1, k => (int)(k.Account - min));
    }

    // Below this many keys, a plain sort costs less than dealing them first.
    private const int FewToDeal = 1 << 12;

    /// <summary>
    /// Sorts keys and their items by dealing them into buckets (<paramref name="bucketOf"/> must give a later key the
    /// same or a later bucket), then sorting each bucket on its own: a sort of the whole compares each key about
    /// log2(n) times, a bucket's few keys far fewer.
    /// </summary>
    private static (TKey[] Keys, int[] Items) SortInBuckets<TKey>(TKey[] keys, int[] items, int buckets, Func<TKey, int> bucketOf)
    {
        var starts = new int[buckets + 1];
        foreach (var k in keys)
        {
            starts[bucketOf(k) + 1]++;
        }
        for (var b = 1; b < starts.Length; b++)
        {
            starts[b] += starts[b - 1];
        }
        var next = starts[..^1];
        var dealtKeys = new TKey[keys.Length];
        var dealtItems = new int[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            var at = next[bucketOf(keys[i])]++;
            dealtKeys[at] = keys[i];
            dealtItems[at] = items[i];
        }
        for (var b = 0; b < buckets; b++)
        {
            if (starts[b + 1] - starts[b] > 1)
            {
                Array.Sort(dealtKeys, dealtItems, starts[b], starts[b + 1] - starts[b]);
            }
        }
        return (dealtKeys, dealtItems);
    }

    private readonly record struct GroupKey(long Account, int Day, long Event) : IComparable<GroupKey>
    {
        public int CompareTo(GroupKey other) =>
            Account != other.Account ? Account.CompareTo(other.Account) : Day != other.Day ? Day.CompareTo(other.Day) : Event.CompareTo(other.Event);
    }
}

/// <summary>A staged event as a batch holds it: its identity as a number (in the order of its bytes), its properties by position.</summary>
internal readonly record struct BatchedEvent(UInt128 Identity, long Account, int Day, long Event, long? UserKey, long Count, double? Value, long OccurredAt, int Properties);

/// <summary>Events of one account, day and event summed as a cell of the usage blocks adds them (<see cref="UsageBlocks"/>); a correction takes them back with the count and sum negative.</summary>
internal readonly record struct RolledUpEvents(long Account, int Day, long Event, long Count, double Sum, byte[]? Users);
