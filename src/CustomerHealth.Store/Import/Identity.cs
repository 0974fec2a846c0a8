using System.Security.Cryptography;
using System.Text;

namespace CustomerHealth.Store.Import;

/// <summary>Identity keys of rows that have no id of their own: a hash of the whole row.</summary>
internal static class Identity
{
    public static byte[] Hash(string text)
    {
        Span<byte> full = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), full);
        return full[..16].ToArray();
    }

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
}
