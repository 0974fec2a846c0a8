using System.Buffers.Binary;
using CustomerHealth.Store.Engines;

namespace CustomerHealth.Store.Tests.Engines;

/// <summary>
/// The orders a staged batch hands the merge (Engines/StagedBatch): its events in identity order and the roll-ups of
/// those that change the store, each against a plain sort and grouping of the same events. Batches of a few events and
/// of tens of thousands (which the batch sorts by dealing them into buckets first) are both compared.
/// </summary>
public sealed class StagedBatchTests
{
    private static (StagedBatch Batch, List<StagedEvent> Events) Batch(int count, int accounts, int seed, bool repeat)
    {
        var rnd = new Random(seed);
        var batch = new StagedBatch();
        var events = new List<StagedEvent>();
        for (var i = 0; i < count; i++)
        {
            var identity = new byte[16];
            if (repeat && i > 0 && rnd.Next(10) == 0)
            {
                // A version of an identity staged before.
                events[rnd.Next(i)].Identity.CopyTo(identity, 0);
            }
            else
            {
                rnd.NextBytes(identity);
            }
            var e = new StagedEvent(identity, 1 + rnd.Next(accounts), 739_000 + rnd.Next(90), 1 + rnd.Next(8), null,
                rnd.Next(4) == 0 ? null : rnd.Next(50), 1 + rnd.Next(3), rnd.Next(3) == 0 ? null : Math.Round(rnd.NextDouble() * 100, 2), i, null);
            events.Add(e);
            batch.Add(e);
        }
        return (batch, events);
    }

    public static TheoryData<int, int, bool> Sizes => new()
    {
        { 10, 3, false },
        { 500, 40, true },
        { 40_000, 1_000, false },
        { 40_000, 1_000, true },
        // Accounts spread wider than the batch: roll-ups sorted without dealing them by account.
        { 20_000, 1_000_000, true },
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void IdentityOrder_IsTheEventsSortedByIdentity_VersionsOfOneIdentityInTheOrderTheyCame(int count, int accounts, bool repeat)
    {
        var (batch, events) = Batch(count, accounts, seed: count + accounts, repeat);
        var expected = Enumerable.Range(0, count)
            .OrderBy(i => BinaryPrimitives.ReadUInt128BigEndian(events[i].Identity))
            .ThenBy(i => i)
            .ToArray();

        var order = batch.IdentityOrder(out var repeats);

        order.ShouldBe(expected);
        repeats.ShouldBe(events.Select(e => Convert.ToHexString(e.Identity)).Distinct().Count() < count);
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void RollUp_SumsTheLastVersionOfEachIdentityThatChangesTheStore_PerAccountDayAndEvent_InKeyOrder(int count, int accounts, bool repeat)
    {
        var (batch, events) = Batch(count, accounts, seed: count * 7 + accounts, repeat);
        var rnd = new Random(count);
        // Each staged event's state against the store: new, changed or unchanged.
        var states = Enumerable.Range(0, count).Select(_ => rnd.Next(3)).ToArray();
        var lastVersions = Enumerable.Range(0, count)
            .GroupBy(i => Convert.ToHexString(events[i].Identity))
            .Select(g => g.Max())
            .Where(i => states[i] < 2)
            .Select(i => events[i]);
        var expected = lastVersions
            .GroupBy(e => (e.Account, e.Day, e.Event))
            .OrderBy(g => g.Key.Account).ThenBy(g => g.Key.Day).ThenBy(g => g.Key.Event)
            .Select(g => (g.Key.Account, g.Key.Day, g.Key.Event, Count: g.Sum(e => e.Count), Sum: g.Sum(e => e.Value ?? 0),
                Users: g.Where(e => e.UserKey is not null).Select(e => e.UserKey!.Value).Order().ToArray()))
            .ToList();

        var order = batch.IdentityOrder(out var repeats);
        var rollUps = batch.RollUp(batch.Changing(order, states, repeats));

        rollUps.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (account, day, ev, n, sum, users) = expected[i];
            var r = rollUps[i];
            (r.Account, r.Day, r.Event, r.Count).ShouldBe((account, day, ev, n));
            r.Sum.ShouldBe(sum, 1e-9);
            UserKeysOf(r.Users).ShouldBe(users);
        }
    }

    [Fact]
    public void SameAsStored_IsTrueOnlyWhenEveryStoredValueIsTheSame_AMissingOneOnlyAsAMissingOne()
    {
        var batch = new StagedBatch();
        batch.Add(new StagedEvent(new byte[16], 7, 739_100, 3, null, 42, 2, 1.5, 1_700_000_000_000, "{\"plan\":\"pro\"}"));
        batch.Add(new StagedEvent(new byte[16], 7, 739_100, 3, null, null, 2, null, 1_700_000_000_000, null));
        // A stored row as the merge reads it: identity, account, day, event, user, count, value, occurred at, properties.
        object?[] full = [new byte[16], 7L, 739_100L, 3L, 42L, 2L, 1.5, 1_700_000_000_000L, "{\"plan\":\"pro\"}"];
        object?[] bare = [new byte[16], 7L, 739_100L, 3L, null, 2L, null, 1_700_000_000_000L, null];

        batch.SameAsStored(0, new Stored(full)).ShouldBeTrue();
        batch.SameAsStored(1, new Stored(bare)).ShouldBeTrue();
        object?[] other = [null, 8L, 739_101L, 4L, 43L, 3L, 1.25, 1_700_000_000_001L, "{\"plan\":\"team\"}"];
        for (var column = 1; column < full.Length; column++)
        {
            batch.SameAsStored(0, new Stored(full.Select((v, i) => i == column ? other[i] : v).ToArray())).ShouldBeFalse($"column {column} differs");
            batch.SameAsStored(1, new Stored(bare.Select((v, i) => i == column ? other[i] : v).ToArray())).ShouldBeFalse($"column {column} differs from a missing one");
            if (full[column] is not null && bare[column] is null)
            {
                batch.SameAsStored(0, new Stored(full.Select((v, i) => i == column ? null : v).ToArray())).ShouldBeFalse($"column {column} missing");
            }
        }
    }

    // A stored row of values in order (null for NULL).
    private sealed class Stored(object?[] values) : IRowReader
    {
        public long GetInt64(int i) => (long)values[i]!;

        public int GetInt32(int i) => checked((int)(long)values[i]!);

        public double GetDouble(int i) => (double)values[i]!;

        public string GetString(int i) => (string)values[i]!;

        public ReadOnlySpan<byte> GetBytes(int i) => (byte[])values[i]!;

        public ReadOnlySpan<byte> GetUtf8(int i) => System.Text.Encoding.UTF8.GetBytes((string)values[i]!);

        public bool IsDBNull(int i) => values[i] is null;
    }

    // The user keys a roll-up's packed users hold (a key once per event of that user).
    private static long[] UserKeysOf(byte[]? packed) =>
        packed is null ? [] : [.. Enumerable.Range(0, UserSet.Count(packed)).Select(i => UserSet.KeyAt(packed, i))];
}
