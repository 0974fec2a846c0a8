using CustomerHealth.Store.Engines;

namespace CustomerHealth.Store.Tests.Engines;

/// <summary>
/// The usage blocks' format and merge (Engines/UsageBlocks), on blocks held in memory: roll-ups added to and taken back
/// from the cells of each account's blocks of 32 days. The stores' own reads and writes of blocks are tested through
/// the imports, the inbox and the migration on both engines.
/// </summary>
public sealed class UsageBlocksTests
{
    private sealed class Blocks : IUsageBlockStore
    {
        public readonly SortedDictionary<BlockKey, byte[]> Stored = [];
        public int Loads, Saves;

        public IEnumerable<IRowReader> Rows(string sql) => throw new NotSupportedException();

        public byte[]?[] Load(IReadOnlyList<BlockKey> keys)
        {
            Loads++;
            keys.ShouldBe(keys.Order().ToList(), "blocks are asked for in key order");
            return [.. keys.Select(k => Stored.GetValueOrDefault(k))];
        }

        public void Save(IReadOnlyList<(BlockKey Key, byte[]? Cells)> blocks)
        {
            Saves++;
            foreach (var (key, cells) in blocks)
            {
                if (cells is null)
                {
                    Stored.Remove(key).ShouldBeTrue("only a stored block is deleted");
                }
                else
                {
                    Stored[key] = cells;
                }
            }
        }

        public void Dispose()
        {
        }

        public List<UsageCell> Cells() => [.. Stored.SelectMany(b => StoredUsage.Decode(b.Key.Account, b.Key.Block, b.Value))];
    }

    private const int Day = 739_371; // 2025-05-01: block 23105, its 12th day

    private static RolledUpEvents Add(long account, int day, long ev, long count, double sum, params long[] users) =>
        new(account, day, ev, count, sum, UserSet.Pack([.. users]));

    private static RolledUpEvents Back(long account, int day, long ev, long count, double sum, params long[] users) =>
        new(account, day, ev, -count, -sum, UserSet.Pack([.. users]));

    private static string Show(IEnumerable<UsageCell> cells) =>
        string.Join(" ", cells.Select(c => $"{c.Account}/{c.Day - Day}/{c.Event}:{c.Count}:{c.Sum.ToString("R", System.Globalization.CultureInfo.InvariantCulture)}[{string.Join(",", c.Users.Select(u => $"{u.User}x{u.N}"))}]"));

    [Fact]
    public void Merge_WritesEachAccountsDaysInBlocksOf32_CellsInDayAndEventOrder()
    {
        var blocks = new Blocks();
        UsageBlocks.Merge(blocks, [], [Add(2, Day, 1, 1, 0), Add(1, Day + 25, 3, 2, 1.5, 9, 4, 9), Add(1, Day, 7, 1, 0), Add(1, Day, 3, 5, -2, 900_000_000_000)]);

        blocks.Stored.Keys.ShouldBe([new BlockKey(1, 23105), new BlockKey(1, 23106), new BlockKey(2, 23105)]);
        Show(blocks.Cells()).ShouldBe("1/0/3:5:-2[900000000000x1] 1/0/7:1:0[] 1/25/3:2:1.5[4x1,9x2] 2/0/1:1:0[]");
        (blocks.Loads, blocks.Saves).ShouldBe((1, 1));
    }

    [Fact]
    public void Merge_AddsToTheStoredCells_AndKeepsTheOthersAsTheyWere()
    {
        var blocks = new Blocks();
        UsageBlocks.Merge(blocks, [], [Add(1, Day, 1, 2, 0.1, 5), Add(1, Day + 1, 1, 1, 0, 5), Add(1, Day + 2, 1, 1, 0)]);
        UsageBlocks.Merge(blocks, [], [Add(1, Day + 1, 1, 3, 0.2, 5, 6), Add(1, Day + 1, 2, 1, 0), Add(1, Day - 1, 1, 4, 0)]);

        Show(blocks.Cells()).ShouldBe("1/-1/1:4:0[] 1/0/1:2:0.1[5x1] 1/1/1:4:0.2[5x2,6x1] 1/1/2:1:0[] 1/2/1:1:0[]");
    }

    [Fact]
    public void Merge_TakingBackAnEvent_LeavesAUserWithOtherEventsIn_AndDropsAnEmptiedCellAndBlock()
    {
        var blocks = new Blocks();
        UsageBlocks.Merge(blocks, [], [Add(1, Day, 1, 3, 0, 5, 5, 6), Add(1, Day + 1, 1, 1, 2, 7), Add(2, Day + 40, 1, 1, 0, 8)]);
        // A correction: the event of user 6 becomes one of user 5; the only event of day +1 and of account 2 are taken back.
        UsageBlocks.Merge(blocks,
            [Back(1, Day, 1, 1, 0, 6), Back(1, Day + 1, 1, 1, 2, 7), Back(2, Day + 40, 1, 1, 0, 8)],
            [Add(1, Day, 1, 1, 0, 5)]);

        Show(blocks.Cells()).ShouldBe("1/0/1:3:0[5x3]");
        blocks.Stored.Keys.ShouldBe([new BlockKey(1, 23105)]);
    }

    [Fact]
    public void Merge_ACellLeftWithUsersButNoEvents_Stays_ItsUsersStillCount()
    {
        var blocks = new Blocks();
        UsageBlocks.Merge(blocks, [], [Add(1, Day, 1, 1, 0, 5), Add(1, Day, 1, 1, 0, 6)]);
        UsageBlocks.Merge(blocks, [Back(1, Day, 1, 2, 0, 5)], []);

        Show(blocks.Cells()).ShouldBe("1/0/1:0:0[6x1]");
    }

    [Fact]
    public void Decode_ADamagedBlock_SaysSo()
    {
        var blocks = new Blocks();
        UsageBlocks.Merge(blocks, [], [Add(1, Day, 1, 2, 0.5, 5)]);
        var cells = blocks.Stored.Values.Single();

        Should.Throw<StoreException>(() => StoredUsage.Decode(1, 23105, cells[..^3])).Message.ShouldContain("usage block");
        Should.Throw<StoreException>(() => StoredUsage.Decode(1, 23105, [0x80, 0x80])).Message.ShouldContain("damaged");
        // A cell (day 0, event 1, count 2) that says it has three users and holds one (user 5, once).
        Should.Throw<StoreException>(() => StoredUsage.Decode(1, 23105, [0x01, 0x01, 0x04, 0x03, 0x05, 0x01])).Message.ShouldContain("damaged");
        StoredUsage.Decode(1, 23105, [0x01, 0x01, 0x04, 0x01, 0x05, 0x01]).ShouldHaveSingleItem().Users.ShouldBe([(5L, 1L)]);
    }
}
