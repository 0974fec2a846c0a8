using System.Buffers.Binary;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// The users of one account, day and event, kept in its roll-up row (`usage_daily.users`): the user keys as 8-byte
/// big-endian integers, ascending, a key repeated once per event of that user, so that taking a corrected event's
/// user out leaves the user in when other events of theirs remain. Byte order is number order (keys are positive),
/// so both stores sort and compare the entries as bytes; PostgreSQL merges them with the SQL functions of migration
/// 0018, SQLite with the ones registered here on every connection, under the same names.
/// </summary>
internal static class UserSet
{
    /// <summary>`users_merge(a, b)`: both sets' entries, ascending (null or empty is no users).</summary>
    public const string MergeFunction = "users_merge";

    /// <summary>`users_remove(a, b)`: the entries of a, one of each entry of b taken out.</summary>
    public const string RemoveFunction = "users_remove";

    private const int Width = 8;

    public static byte[]? Merge(byte[]? a, byte[]? b)
    {
        if (a is not { Length: > 0 })
        {
            return b;
        }
        if (b is not { Length: > 0 })
        {
            return a;
        }
        var merged = new byte[a.Length + b.Length];
        int i = 0, j = 0, k = 0;
        while (i < a.Length || j < b.Length)
        {
            var fromA = j == b.Length || (i < a.Length && Key(a, i) <= Key(b, j));
            (fromA ? a.AsSpan(i, Width) : b.AsSpan(j, Width)).CopyTo(merged.AsSpan(k));
            k += Width;
            if (fromA)
            {
                i += Width;
            }
            else
            {
                j += Width;
            }
        }
        return merged;
    }

    public static byte[]? Remove(byte[]? a, byte[]? b)
    {
        if (a is not { Length: > 0 } || b is not { Length: > 0 })
        {
            return a;
        }
        var kept = new byte[a.Length];
        int j = 0, k = 0;
        for (var i = 0; i < a.Length; i += Width)
        {
            var key = Key(a, i);
            while (j < b.Length && Key(b, j) < key)
            {
                j += Width;
            }
            if (j < b.Length && Key(b, j) == key)
            {
                j += Width;
                continue;
            }
            a.AsSpan(i, Width).CopyTo(kept.AsSpan(k));
            k += Width;
        }
        return k == kept.Length ? kept : kept[..k];
    }

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

    private static long Key(byte[] set, int at) => BinaryPrimitives.ReadInt64BigEndian(set.AsSpan(at));
}
