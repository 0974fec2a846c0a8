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

        var rollUps = batch.RollUp(batch.IdentityOrder(out _), states);

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

    // The user keys a roll-up's packed users hold (a key once per event of that user).
    private static long[] UserKeysOf(byte[]? packed) =>
        packed is null ? [] : [.. Enumerable.Range(0, UserSet.Count(packed)).Select(i => UserSet.KeyAt(packed, i))];
}
