using System.Buffers;
using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace CustomerHealth.Store.Import;

/// <summary>
/// Identity keys of rows: a 128-bit MurmurHash3 (x64) of the row's identity text. A non-cryptographic hash is
/// enough to tell rows apart (collisions are negligible at 128 bits) and costs a fraction of SHA-256 per row;
/// the BCL has none and the package that does is not available here.
/// </summary>
internal static class Identity
{
    public static byte[] Hash(string text) => Hash(text.AsSpan());

    public static byte[] Hash(ReadOnlySpan<char> text)
    {
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var rented = max <= 512 ? null : ArrayPool<byte>.Shared.Rent(max);
        Span<byte> buffer = rented ?? stackalloc byte[512];
        var n = Encoding.UTF8.GetBytes(text, buffer);
        var (h1, h2) = Murmur3(buffer[..n]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        var result = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(result, h1);
        BinaryPrimitives.WriteUInt64BigEndian(result.AsSpan(8), h2);
        return result;
    }

    /// <summary>The identity of a usage event that has an event id: the hash of `id`, a record separator and the id.</summary>
    public static byte[] OfEventId(ReadOnlySpan<char> eventId)
    {
        var length = EventIdPrefix.Length + eventId.Length;
        var rented = length <= 256 ? null : ArrayPool<char>.Shared.Rent(length);
        Span<char> text = rented ?? stackalloc char[256];
        EventIdPrefix.CopyTo(text);
        eventId.CopyTo(text[EventIdPrefix.Length..]);
        var hash = Hash(text[..length]);
        if (rented is not null)
        {
            ArrayPool<char>.Shared.Return(rented);
        }
        return hash;
    }

    private const string EventIdPrefix = "id\u001e";

    public static string HashText(string text) => Convert.ToHexStringLower(Hash(text));

    public static string Join(params object?[] parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            sb.Append(p switch
            {
                null => "",
                DateTimeOffset t => t.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture),
                double d => d.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                IReadOnlyDictionary<string, string> props => string.Join("\u001f", props.OrderBy(k => k.Key, StringComparer.Ordinal).Select(k => k.Key + "=" + k.Value)),
                _ => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture),
            }).Append('\u001e');
        }
        return sb.ToString();
    }

    /// <summary>MurmurHash3_x64_128 with seed 0 (Austin Appleby's reference algorithm).</summary>
    internal static (ulong H1, ulong H2) Murmur3(ReadOnlySpan<byte> data)
    {
        const ulong c1 = 0x87c37b91114253d5UL, c2 = 0x4cf5ad432745937fUL;
        ulong h1 = 0, h2 = 0;
        var blocks = data.Length / 16;
        for (var i = 0; i < blocks; i++)
        {
            var k1 = BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 16)..]);
            var k2 = BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 16 + 8)..]);
            k1 *= c1; k1 = BitOperations.RotateLeft(k1, 31); k1 *= c2; h1 ^= k1;
            h1 = BitOperations.RotateLeft(h1, 27); h1 += h2; h1 = h1 * 5 + 0x52dce729;
            k2 *= c2; k2 = BitOperations.RotateLeft(k2, 33); k2 *= c1; h2 ^= k2;
            h2 = BitOperations.RotateLeft(h2, 31); h2 += h1; h2 = h2 * 5 + 0x38495ab5;
        }
        var tail = data[(blocks * 16)..];
        ulong t1 = 0, t2 = 0;
        for (var i = tail.Length - 1; i >= 8; i--)
        {
            t2 ^= (ulong)tail[i] << ((i - 8) * 8);
        }
        if (tail.Length > 8)
        {
            t2 *= c2; t2 = BitOperations.RotateLeft(t2, 33); t2 *= c1; h2 ^= t2;
        }
        for (var i = Math.Min(tail.Length, 8) - 1; i >= 0; i--)
        {
            t1 ^= (ulong)tail[i] << (i * 8);
        }
        if (tail.Length > 0)
        {
            t1 *= c1; t1 = BitOperations.RotateLeft(t1, 31); t1 *= c2; h1 ^= t1;
        }
        h1 ^= (ulong)data.Length; h2 ^= (ulong)data.Length;
        h1 += h2; h2 += h1;
        h1 = Mix(h1); h2 = Mix(h2);
        h1 += h2; h2 += h1;
        return (h1, h2);
    }

    private static ulong Mix(ulong k)
    {
        k ^= k >> 33; k *= 0xff51afd7ed558ccdUL;
        k ^= k >> 33; k *= 0xc4ceb9fe1a85ec53UL;
        k ^= k >> 33;
        return k;
    }
}
