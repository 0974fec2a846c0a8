using CustomerHealth.Store.Engines;

namespace CustomerHealth.Store.Tests.Engines;

/// <summary>The packed users of a roll-up row: packed sorted, merged in order, and an event's user taken out once.</summary>
public sealed class UserSetTests
{
    private static long[] Keys(byte[]? set) => set is null ? [] : [.. Enumerable.Range(0, UserSet.Count(set)).Select(i => UserSet.KeyAt(set, i))];

    [Fact]
    public void Pack_SortsTheKeysAndKeepsRepeats_NoKeysIsNoSet()
    {
        Keys(UserSet.Pack([7, 3, 900_000_000_000, 3])).ShouldBe([3, 3, 7, 900_000_000_000]);
        UserSet.Pack([]).ShouldBeNull();
    }

    [Fact]
    public void Merge_KeepsEveryEntryOfBothInOrder()
    {
        Keys(UserSet.Merge(UserSet.Pack([1, 5, 9]), UserSet.Pack([2, 5, 10]))).ShouldBe([1, 2, 5, 5, 9, 10]);
        Keys(UserSet.Merge(null, UserSet.Pack([4]))).ShouldBe([4]);
        Keys(UserSet.Merge(UserSet.Pack([4]), [])).ShouldBe([4]);
    }

    [Fact]
    public void Remove_TakesOutOneEntryForEachEntryRemoved()
    {
        Keys(UserSet.Remove(UserSet.Pack([1, 5, 5, 9]), UserSet.Pack([5, 9, 12]))).ShouldBe([1, 5]);
        UserSet.Remove(UserSet.Pack([3]), UserSet.Pack([3])).ShouldBeEmpty();
        Keys(UserSet.Remove(UserSet.Pack([3, 8]), null)).ShouldBe([3, 8]);
    }
}
