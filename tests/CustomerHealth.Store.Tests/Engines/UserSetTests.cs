using CustomerHealth.Store.Engines;

namespace CustomerHealth.Store.Tests.Engines;

/// <summary>The packed users of a roll-up as a merge sums them: sorted, a user once per event.</summary>
public sealed class UserSetTests
{
    private static long[] Keys(byte[]? set) => set is null ? [] : [.. Enumerable.Range(0, UserSet.Count(set)).Select(i => UserSet.KeyAt(set, i))];

    [Fact]
    public void Pack_SortsTheKeysAndKeepsRepeats_NoKeysIsNoSet()
    {
        Keys(UserSet.Pack([7, 3, 900_000_000_000, 3])).ShouldBe([3, 3, 7, 900_000_000_000]);
        UserSet.Pack([]).ShouldBeNull();
    }
}
