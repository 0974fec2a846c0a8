using System.Buffers;
using System.Buffers.Binary;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// The usage as stored and read: one row per account and block of <see cref="Days"/> days (`usage_blocks(account_key,
/// block, cells)`, block = day number / 32), its cells packed in one value — a rescore reads an account's months in a
/// few rows instead of one row per day and event. A cell is an account's day and event: how many events, the sum of
/// their values and their users, each user with how many of its events (so that a correction can take one back and
/// leave the user in when others remain). This is the format's one home: the merges write blocks through
/// <see cref="Merge"/> and the readers decode them with <see cref="CellReader"/>.
/// </summary>
/// <remarks>
/// Cells follow each other in day and event order, each: a varint of (day within the block &lt;&lt; 2 | has a sum &lt;&lt; 1
/// | has users); the event's key (varint); the count (zigzag varint); the sum (8 bytes, little-endian) when it is not
/// 0; with users, how many (varint), then each user as the difference of its key from the previous one (varint,
/// ascending from 0) and its number of events (varint, at least 1).
/// </remarks>
internal static class UsageBlocks
{
    /// <summary>How many days a block holds.</summary>
    public const int Days = 32;

    /// <summary>The block of a day number.</summary>
    public static int BlockOf(int day) => day >> 5;

    /// <summary>The first day number of a block.</summary>
    public static int FirstDay(int block) => block << 5;

    /// <summary>The columns of the blocks' table.</summary>
    public const string Columns = "account_key, block, cells";

    /// <summary>The migration after whose script the day roll-ups (usage_daily) are moved into blocks by <see cref="FromRollUps"/>.</summary>
    public const int MigrationVersion = 28;

    /// <summary>
    /// Writes the blocks of the day roll-ups (usage_daily: one row per account, day and event, its users a
    /// <see cref="UserSet"/>), a range of <see cref="MigrationAccounts"/> account keys at a time.
    /// </summary>
    public static void FromRollUps(IUsageBlockStore io)
    {
        long? first = null, last = null;
        foreach (var r in io.Rows("SELECT MIN(account_key), MAX(account_key) FROM usage_daily"))
        {
            if (!r.IsDBNull(0))
            {
                (first, last) = (r.GetInt64(0), r.GetInt64(1));
            }
        }
        var output = new ArrayBufferWriter<byte>(4096);
        var users = new List<(long User, long N)>();
        var merged = new List<(long User, long N)>();
        for (var from = first ?? 1; from <= (last ?? 0); from += MigrationAccounts)
        {
            var blocks = new List<(BlockKey Key, byte[]? Cells)>();
            BlockKey? current = null;
            // The range read whole before it is written: PostgreSQL runs one command at a time on a connection.
            foreach (var r in io.Rows(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"SELECT account_key, day, event_key, count, sum, users FROM usage_daily WHERE account_key BETWEEN {from} AND {from + MigrationAccounts - 1} ORDER BY account_key, day, event_key")))
            {
                var day = r.GetInt32(1);
                var key = new BlockKey(r.GetInt64(0), BlockOf(day));
                if (current != key)
                {
                    if (current is { } done)
                    {
                        blocks.Add((done, output.WrittenSpan.ToArray()));
                    }
                    output.ResetWrittenCount();
                    current = key;
                }
                users.Clear();
                if (!r.IsDBNull(5))
                {
                    Change(users, merged, r.GetBytes(5), 1);
                }
                WriteCell(output, day - FirstDay(key.Block), r.GetInt64(2), r.GetInt64(3), r.GetDouble(4), users);
            }
            if (current is { } end)
            {
                blocks.Add((end, output.WrittenSpan.ToArray()));
            }
            io.Save(blocks);
        }
    }

    /// <summary>How many account keys' roll-ups the migration to blocks holds at a time.</summary>
    internal static long MigrationAccounts { get; set; } = 10_000;

    /// <summary>
    /// Adds roll-ups to the stored blocks and takes others back (the old versions of corrected events), through
    /// <paramref name="io"/> in the merge's transaction: each block touched is read once and written once. A cell a
    /// correction leaves with no events, no sum and no users is dropped, and a block left with no cell is deleted.
    /// </summary>
    /// <param name="io">The blocks, in the merge's transaction.</param>
    /// <param name="takeBack">Roll-ups to take back (their counts and sums negative, their users to take out).</param>
    /// <param name="add">Roll-ups to add.</param>
    public static void Merge(IUsageBlockStore io, IReadOnlyList<RolledUpEvents> takeBack, IReadOnlyList<RolledUpEvents> add)
    {
        if (takeBack.Count + add.Count == 0)
        {
            return;
        }
        // Taken back before added, as the events were stored (the old version out, then the new one in).
        var deltas = new Delta[takeBack.Count + add.Count];
        for (var i = 0; i < takeBack.Count; i++)
        {
            deltas[i] = new Delta(takeBack[i], true, i);
        }
        for (var i = 0; i < add.Count; i++)
        {
            deltas[takeBack.Count + i] = new Delta(add[i], false, takeBack.Count + i);
        }
        // The roll-ups of a batch come summed in key order: sorted already, they are not sorted again.
        var sorted = true;
        for (var i = 1; i < deltas.Length && sorted; i++)
        {
            sorted = deltas[i - 1].CompareTo(deltas[i]) < 0;
        }
        if (!sorted)
        {
            Array.Sort(deltas);
        }
        var keys = new List<BlockKey>();
        foreach (var d in deltas)
        {
            var key = new BlockKey(d.Rows.Account, BlockOf(d.Rows.Day));
            if (keys.Count == 0 || keys[^1] != key)
            {
                keys.Add(key);
            }
        }
        var stored = io.Load(keys);
        var written = new List<(BlockKey Key, byte[]? Cells)>(keys.Count);
        var output = new ArrayBufferWriter<byte>(4096);
        var users = new List<(long User, long N)>();
        var merged = new List<(long User, long N)>();
        var at = 0;
        for (var k = 0; k < keys.Count; k++)
        {
            var key = keys[k];
            var end = at;
            while (end < deltas.Length && deltas[end].Rows.Account == key.Account && BlockOf(deltas[end].Rows.Day) == key.Block)
            {
                end++;
            }
            output.ResetWrittenCount();
            MergeBlock(stored[k], deltas.AsSpan(at, end - at), FirstDay(key.Block), output, users, merged);
            at = end;
            if (output.WrittenCount > 0 || stored[k] is not null)
            {
                written.Add((key, output.WrittenCount == 0 ? null : output.WrittenSpan.ToArray()));
            }
        }
        io.Save(written);
    }

    /// <summary>
    /// The cells of each block asked for (<paramref name="keys"/>, in key order) among stored rows of
    /// <see cref="Columns"/> in key order (rows of blocks not asked for are passed over); null where none is stored.
    /// </summary>
    public static byte[]?[] Matched(IReadOnlyList<BlockKey> keys, IEnumerable<IRowReader> rows)
    {
        var found = new byte[]?[keys.Count];
        var j = 0;
        foreach (var r in rows)
        {
            var key = new BlockKey(r.GetInt64(0), r.GetInt32(1));
            while (j < keys.Count && keys[j].CompareTo(key) < 0)
            {
                j++;
            }
            if (j < keys.Count && keys[j] == key)
            {
                found[j] = r.GetBytes(2).ToArray();
            }
        }
        return found;
    }

    /// <summary>Writes a block's cells with the deltas (of that block, in cell order) added.</summary>
    private static void MergeBlock(byte[]? stored, ReadOnlySpan<Delta> deltas, int firstDay, ArrayBufferWriter<byte> output,
        List<(long User, long N)> users, List<(long User, long N)> merged)
    {
        var cells = new CellReader(stored, firstDay);
        var has = cells.Next();
        var i = 0;
        while (has || i < deltas.Length)
        {
            var order = !has ? 1 : i == deltas.Length ? -1 : Compare(cells.Day, cells.Event, deltas[i].Rows.Day, deltas[i].Rows.Event);
            if (order < 0)
            {
                output.Write(cells.Raw);
                has = cells.Next();
                continue;
            }
            // A cell that deltas change: the stored one (if any) and every delta of its day and event.
            int day = deltas[i].Rows.Day;
            long ev = deltas[i].Rows.Event;
            long count = 0;
            double sum = 0;
            users.Clear();
            if (order == 0)
            {
                count = cells.Count;
                sum = cells.Sum;
                var u = cells.Users();
                while (u.Next())
                {
                    users.Add((u.User, u.N));
                }
                has = cells.Next();
            }
            var tookBack = false;
            for (; i < deltas.Length && deltas[i].Rows.Day == day && deltas[i].Rows.Event == ev; i++)
            {
                var d = deltas[i];
                count = checked(count + d.Rows.Count);
                sum += d.Rows.Sum;
                tookBack |= d.TakeBack;
                if (d.Rows.Users is { } set)
                {
                    Change(users, merged, set, d.TakeBack ? -1 : 1);
                }
            }
            // A correction can empty a cell: an emptied cell must not count as activity.
            if (tookBack && count <= 0 && Math.Abs(sum) < 1e-9 && users.Count == 0)
            {
                continue;
            }
            WriteCell(output, day - firstDay, ev, count, sum, users);
        }
    }

    /// <summary>Adds (sign 1) or takes out (sign -1) one event of each entry of a packed set (<see cref="UserSet"/>) to the users, kept in key order.</summary>
    /// <param name="users">The cell's users so far.</param>
    /// <param name="merged">A list to merge into (left empty).</param>
    /// <param name="set">The entries.</param>
    /// <param name="sign">1 to add, -1 to take out.</param>
    private static void Change(List<(long User, long N)> users, List<(long User, long N)> merged, ReadOnlySpan<byte> set, int sign)
    {
        var entries = UserSet.Count(set);
        // A new cell's users (most cells of an import): counted straight in.
        var had = users.Count;
        var into = had == 0 && sign > 0 ? users : merged;
        int a = 0, b = 0;
        while (a < had || b < entries)
        {
            if (b == entries || (a < had && users[a].User < UserSet.KeyAt(set, b)))
            {
                into.Add(users[a++]);
                continue;
            }
            var user = UserSet.KeyAt(set, b);
            long n = 0;
            for (; b < entries && UserSet.KeyAt(set, b) == user; b++)
            {
                n++;
            }
            if (a < had && users[a].User == user)
            {
                n = users[a++].N + sign * n;
            }
            else if (sign < 0)
            {
                // Taking out a user the cell does not hold leaves it as it is.
                continue;
            }
            if (n > 0)
            {
                into.Add((user, n));
            }
        }
        if (into == merged)
        {
            users.Clear();
            users.AddRange(merged);
            merged.Clear();
        }
    }

    private static int Compare(int dayA, long eventA, int dayB, long eventB) =>
        dayA != dayB ? dayA.CompareTo(dayB) : eventA.CompareTo(eventB);

    /// <summary>Appends one cell.</summary>
    public static void WriteCell(IBufferWriter<byte> output, int dayInBlock, long ev, long count, double sum, List<(long User, long N)> users)
    {
        var span = output.GetSpan(40 + users.Count * 20);
        var n = 0;
        var hasSum = sum != 0;
        n += WriteVarint(span[n..], ((ulong)dayInBlock << 2) | (hasSum ? 2u : 0u) | (users.Count > 0 ? 1u : 0u));
        n += WriteVarint(span[n..], (ulong)ev);
        n += WriteVarint(span[n..], (ulong)((count << 1) ^ (count >> 63)));
        if (hasSum)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(span[n..], sum);
            n += 8;
        }
        if (users.Count > 0)
        {
            n += WriteVarint(span[n..], (ulong)users.Count);
            long previous = 0;
            foreach (var (user, times) in users)
            {
                n += WriteVarint(span[n..], (ulong)(user - previous));
                n += WriteVarint(span[n..], (ulong)times);
                previous = user;
            }
        }
        output.Advance(n);
    }

    /// <summary>
    /// A number 7 bits a byte, least significant first, the high bit of each byte but the last set (LEB128: also how
    /// .NET's BinaryWriter writes a text's length); returns the bytes written.
    /// </summary>
    internal static int WriteVarint(Span<byte> span, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }
        span[n++] = (byte)value;
        return n;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static ulong ReadVarint(ReadOnlySpan<byte> span, ref int at)
    {
        // Most numbers of a block (days, events, counts, user keys' gaps) take one byte.
        if ((uint)at < (uint)span.Length && span[at] < 0x80)
        {
            return span[at++];
        }
        return ReadLongVarint(span, ref at);
    }

    private static ulong ReadLongVarint(ReadOnlySpan<byte> span, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            if (at >= span.Length || shift > 63)
            {
                throw new StoreException("a usage block of the store is damaged (a number runs past its end)");
            }
            var b = span[at++];
            value |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>The cells of a block, one after the other (<see cref="Next"/>), in day and event order.</summary>
    public ref struct CellReader
    {
        private readonly ReadOnlySpan<byte> cells;
        private readonly int firstDay;
        private int at, start, usersAt;

        public CellReader(ReadOnlySpan<byte> cells, int firstDay)
        {
            this.cells = cells;
            this.firstDay = firstDay;
        }

        public int Day { get; private set; }

        public long Event { get; private set; }

        public long Count { get; private set; }

        public double Sum { get; private set; }

        /// <summary>How many distinct users the cell has.</summary>
        public int UserCount { get; private set; }

        /// <summary>The cell's bytes as stored.</summary>
        public readonly ReadOnlySpan<byte> Raw => cells[start..at];

        /// <summary>Moves to the next cell; false after the last.</summary>
        public bool Next()
        {
            if (at >= cells.Length)
            {
                return false;
            }
            start = at;
            var head = ReadVarint(cells, ref at);
            Day = firstDay + (int)(head >> 2);
            Event = (long)ReadVarint(cells, ref at);
            var zigzag = ReadVarint(cells, ref at);
            Count = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
            Sum = 0;
            if ((head & 2) != 0)
            {
                if (at + 8 > cells.Length)
                {
                    throw new StoreException("a usage block of the store is damaged (a sum runs past its end)");
                }
                Sum = BinaryPrimitives.ReadDoubleLittleEndian(cells[at..]);
                at += 8;
            }
            UserCount = 0;
            usersAt = at;
            if ((head & 1) != 0)
            {
                UserCount = checked((int)ReadVarint(cells, ref at));
                usersAt = at;
                // Passed over (Users reads them): two numbers a user, each ending with a byte below 0x80.
                for (var left = 2L * UserCount; left > 0; at++)
                {
                    if (at >= cells.Length)
                    {
                        throw new StoreException("a usage block of the store is damaged (a number runs past its end)");
                    }
                    if (cells[at] < 0x80)
                    {
                        left--;
                    }
                }
            }
            return true;
        }

        /// <summary>The current cell's users, in key order.</summary>
        public readonly UserReader Users() => new(cells[usersAt..at], UserCount);
    }

    /// <summary>A cell's users: each key and its number of events.</summary>
    public ref struct UserReader(ReadOnlySpan<byte> span, int count)
    {
        private readonly ReadOnlySpan<byte> span = span;
        private int at, left = count;

        public long User { get; private set; }

        public long N { get; private set; }

        public bool Next()
        {
            if (left == 0)
            {
                return false;
            }
            left--;
            User += (long)ReadVarint(span, ref at);
            N = (long)ReadVarint(span, ref at);
            return true;
        }
    }

    /// <summary>A roll-up to add or take back, in the order a block's cells are written.</summary>
    private readonly record struct Delta(RolledUpEvents Rows, bool TakeBack, int Seq) : IComparable<Delta>
    {
        public int CompareTo(Delta other)
        {
            var c = Rows.Account.CompareTo(other.Rows.Account);
            if (c == 0)
            {
                c = Rows.Day.CompareTo(other.Rows.Day);
            }
            if (c == 0)
            {
                c = Rows.Event.CompareTo(other.Rows.Event);
            }
            return c != 0 ? c : Seq.CompareTo(other.Seq);
        }
    }
}

/// <summary>An account's block of days.</summary>
internal readonly record struct BlockKey(long Account, int Block) : IComparable<BlockKey>
{
    public int CompareTo(BlockKey other) => Account != other.Account ? Account.CompareTo(other.Account) : Block.CompareTo(other.Block);
}

/// <summary>The blocks of usage as a merge reads and writes them, in its transaction (see <see cref="UsageBlocks"/>).</summary>
internal interface IUsageBlockStore : IDisposable
{
    /// <summary>Rows of a query run in the merge's transaction.</summary>
    IEnumerable<IRowReader> Rows(string sql);

    /// <summary>The stored cells of each block (given in key order), null where there is none.</summary>
    byte[]?[] Load(IReadOnlyList<BlockKey> keys);

    /// <summary>Writes blocks (in key order): a block's new cells, or null to delete it.</summary>
    void Save(IReadOnlyList<(BlockKey Key, byte[]? Cells)> blocks);
}
