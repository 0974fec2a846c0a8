using System.Buffers.Binary;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// The users of roll-ups as a merge sums them (an account, day and event's new events, or the old versions a
/// correction takes back) before they join their cell of the usage blocks (<see cref="UsageBlocks"/>): the user keys as
/// 8-byte big-endian integers, ascending, a key repeated once per event of that user. Byte order is number order
/// (keys are positive), so both stores build them in SQL (the engines' PackUsers) as .NET does here.
/// </summary>
internal static class UserSet
{
    private const int Width = 8;

    /// <summary>A set of the given keys (sorted here; null when there are none).</summary>
    public static byte[]? Pack(List<long> keys)
    {
        if (keys.Count == 0)
        {
            return null;
        }
        keys.Sort();
        var set = new byte[keys.Count * Width];
        for (var i = 0; i < keys.Count; i++)
        {
            BinaryPrimitives.WriteInt64BigEndian(set.AsSpan(i * Width), keys[i]);
        }
        return set;
    }

    /// <summary>How many entries a set holds.</summary>
    public static int Count(ReadOnlySpan<byte> set) => set.Length / Width;

    /// <summary>The user key of a set's entry.</summary>
    public static long KeyAt(ReadOnlySpan<byte> set, int entry) => BinaryPrimitives.ReadInt64BigEndian(set[(entry * Width)..]);
}
