using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using CustomerHealth.Store.Engines;
using Microsoft.Data.Sqlite;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// `usage-blocks STORE`: the usage of an SQLite store read in another shape, beside the shape it has. Today a rescore
/// reads one roll-up row per account, day and event (usage_daily); here the same roll-ups are copied, per account and
/// block of 32 days, into one row each (`usage_blocks`: every cell is the day within the block, the event, the count,
/// the sum when it differs from the count, and the users as deltas of their sorted keys), into a file beside the store.
/// Both are then read the same way — in one part a core over the account keys, into one array of cells and one of
/// distinct users per account, as the rescore's loader builds them — and timed, three times each, in turn. The store
/// is only read.
/// </summary>
internal static class UsageBlocks
{
    private const int BlockDays = 32;

    public static void Run(string store)
    {
        var blocks = store + ".blocks";
        var build = Stopwatch.StartNew();
        var (rows, count, bytes) = Build(store, blocks);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rows:N0} roll-up rows copied into {count:N0} blocks of {BlockDays} days ({bytes / 1e6:N1} MB of cells) in {build.Elapsed.TotalSeconds:F1} s"));
        var byRow = new List<double>();
        var byBlock = new List<double>();
        for (var i = 0; i < 3; i++)
        {
            byRow.Add(Time(() => ReadRows(store), "one row per account, day and event"));
            byBlock.Add(Time(() => ReadBlocks(blocks), "one row per account and block"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"usage read (medians): by row {byRow.Order().ElementAt(1):F2} s, by block {byBlock.Order().ElementAt(1):F2} s"));
        File.Delete(blocks);
    }

    private static double Time(Func<(long Cells, long Users)> read, string what)
    {
        GC.Collect();
        var clock = Stopwatch.StartNew();
        var (cells, users) = read();
        var seconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {what}: {cells:N0} cells, {users:N0} distinct users of a day and event, in {seconds:F2} s"));
        return seconds;
    }

    private static SqliteConnection Open(string file, bool write = false)
    {
        var c = new SqliteConnection($"Data Source={file};Mode={(write ? "ReadWriteCreate" : "ReadOnly")};Pooling=False");
        c.Open();
        return c;
    }

    private static (long Rows, long Blocks, long Bytes) Build(string store, string blocks)
    {
        File.Delete(blocks);
        using var from = Open(store);
        using var to = Open(blocks, write: true);
        using (var create = new SqliteCommand(
            "PRAGMA page_size=65536; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; " +
            "CREATE TABLE usage_blocks (account_key INTEGER NOT NULL, block INTEGER NOT NULL, cells BLOB NOT NULL, PRIMARY KEY (account_key, block)) WITHOUT ROWID", to))
        {
            create.ExecuteNonQuery();
        }
        using var tx = to.BeginTransaction();
        using var insert = new SqliteCommand("INSERT INTO usage_blocks VALUES ($account, $block, $cells)", to, tx);
        var account = insert.Parameters.Add("$account", SqliteType.Integer);
        var block = insert.Parameters.Add("$block", SqliteType.Integer);
        var cells = insert.Parameters.Add("$cells", SqliteType.Blob);
        using var read = new SqliteCommand("SELECT account_key, day, event_key, count, sum, users FROM usage_daily ORDER BY account_key, day, event_key", from);
        using var r = read.ExecuteReader();
        var buffer = new MemoryStream();
        long currentAccount = -1, currentBlock = -1, rows = 0, written = 0, bytes = 0;
        void Flush()
        {
            if (buffer.Length > 0)
            {
                account.Value = currentAccount;
                block.Value = currentBlock;
                cells.Value = buffer.ToArray();
                insert.ExecuteNonQuery();
                written++;
                bytes += buffer.Length;
            }
            buffer.SetLength(0);
        }
        Span<byte> sum = stackalloc byte[8];
        while (r.Read())
        {
            long key = r.GetInt64(0), day = r.GetInt64(1), ev = r.GetInt64(2), n = r.GetInt64(3);
            var total = r.GetDouble(4);
            if (key != currentAccount || day / BlockDays != currentBlock)
            {
                Flush();
                currentAccount = key;
                currentBlock = day / BlockDays;
            }
            buffer.WriteByte((byte)(day % BlockDays));
            Write(buffer, (ulong)ev);
            Write(buffer, (ulong)n);
            if (total == n)
            {
                buffer.WriteByte(0);
            }
            else
            {
                buffer.WriteByte(1);
                BinaryPrimitives.WriteDoubleLittleEndian(sum, total);
                buffer.Write(sum);
            }
            var users = r.IsDBNull(5) ? [] : r.GetFieldValue<byte[]>(5);
            Write(buffer, (ulong)UserSet.Count(users));
            long last = 0;
            for (var i = 0; i < UserSet.Count(users); i++)
            {
                var user = UserSet.KeyAt(users, i);
                Write(buffer, (ulong)(user - last));
                last = user;
            }
            rows++;
        }
        Flush();
        tx.Commit();
        return (rows, written, bytes);
    }

    private static void Write(MemoryStream buffer, ulong value)
    {
        while (value >= 0x80)
        {
            buffer.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }
        buffer.WriteByte((byte)value);
    }

    private static ulong Read(ReadOnlySpan<byte> cells, ref int at)
    {
        ulong value = 0;
        for (var shift = 0; ; shift += 7)
        {
            var b = cells[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }

    /// <summary>
    /// Reads a table in one part a core over the account keys, each part on a connection of its own: the rows
    /// <paramref name="select"/> gives for a range of keys (its columns after `SELECT`, its order after `ORDER BY`).
    /// </summary>
    private static (long Cells, long Users) InParts(string file, string table, string select, string order, Func<SqliteDataReader, Accounts, (long, long)> read)
    {
        long max;
        using (var c = Open(file))
        using (var cmd = new SqliteCommand($"SELECT MAX(account_key) FROM {table}", c))
        {
            max = Convert.ToInt64(cmd.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        var parts = Environment.ProcessorCount;
        long cells = 0, users = 0;
        Parallel.For(0, parts, p =>
        {
            var lo = p * (max + parts) / parts;
            var hi = (p + 1) * (max + parts) / parts - 1;
            using var c = Open(file);
            using var cmd = new SqliteCommand($"SELECT {select} FROM {table} WHERE account_key BETWEEN {lo} AND {hi} ORDER BY {order}", c);
            using var r = cmd.ExecuteReader();
            var (n, u) = read(r, new Accounts());
            Interlocked.Add(ref cells, n);
            Interlocked.Add(ref users, u);
        });
        return (cells, users);
    }

    private static (long Cells, long Users) ReadRows(string store) => InParts(store, "usage_daily",
        "account_key, day, event_key, count, sum, users", "account_key, day, event_key", (r, accounts) =>
    {
        long cells = 0, users = 0;
        while (r.Read())
        {
            accounts.At(r.GetInt64(0));
            int day = r.GetInt32(1), ev = r.GetInt32(2);
            accounts.Cells.Add((day, ev, r.GetInt64(3), r.GetDouble(4)));
            cells++;
            if (r.IsDBNull(5))
            {
                continue;
            }
            var set = r.GetFieldValue<byte[]>(5);
            var last = long.MinValue;
            for (var i = 0; i < UserSet.Count(set); i++)
            {
                var user = UserSet.KeyAt(set, i);
                if (user != last)
                {
                    accounts.Users.Add((day, ev, (int)user));
                    users++;
                    last = user;
                }
            }
        }
        accounts.At(-1);
        return (cells, users);
    });

    private static (long Cells, long Users) ReadBlocks(string blocks) => InParts(blocks, "usage_blocks",
        "account_key, block, cells", "account_key, block", (r, accounts) =>
    {
        long cells = 0, users = 0;
        while (r.Read())
        {
            accounts.At(r.GetInt64(0));
            var first = (int)(r.GetInt64(1) * BlockDays);
            ReadOnlySpan<byte> span = r.GetFieldValue<byte[]>(2);
            for (var at = 0; at < span.Length;)
            {
                var day = first + span[at++];
                var ev = (int)Read(span, ref at);
                var n = (long)Read(span, ref at);
                double total = n;
                if (span[at++] != 0)
                {
                    total = BinaryPrimitives.ReadDoubleLittleEndian(span[at..]);
                    at += 8;
                }
                accounts.Cells.Add((day, ev, n, total));
                cells++;
                var count = (int)Read(span, ref at);
                long user = 0;
                for (var k = 0; k < count; k++)
                {
                    var delta = (long)Read(span, ref at);
                    user += delta;
                    if (k == 0 || delta != 0)
                    {
                        accounts.Users.Add((day, ev, (int)user));
                        users++;
                    }
                }
            }
        }
        accounts.At(-1);
        return (cells, users);
    });

    /// <summary>One array of cells and one of users per account, as the rescore's loader keeps them.</summary>
    private sealed class Accounts
    {
        private readonly Dictionary<long, ((int, int, long, double)[] Cells, (int, int, int)[] Users)> byAccount = [];
        private long current = -1;

        public List<(int Day, int Event, long Count, double Sum)> Cells { get; } = [];

        public List<(int Day, int Event, int User)> Users { get; } = [];

        /// <summary>Rows of <paramref name="key"/> follow (-1: no more rows); the rows of the account before are kept.</summary>
        public void At(long key)
        {
            if (key == current)
            {
                return;
            }
            if (current >= 0)
            {
                byAccount[current] = ([.. Cells], [.. Users]);
            }
            Cells.Clear();
            Users.Clear();
            current = key;
        }
    }
}
