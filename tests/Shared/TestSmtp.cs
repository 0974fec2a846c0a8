using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace CustomerHealth.Tests;

/// <summary>A message as the SMTP server received it, with its text and HTML parts decoded.</summary>
public sealed record ReceivedMail(string Raw, IReadOnlyDictionary<string, string> Headers, string Text, string Html)
{
    public string Header(string name) => Headers.TryGetValue(name, out var v) ? v : "";
}

/// <summary>
/// The real SMTP server `scripts/test` starts (aiosmtpd, keeping what it receives in a Maildir). Tests send to
/// addresses of their own and read back only those, so they can share the server.
/// </summary>
public static partial class TestSmtp
{
    public static (string Host, int Port) Server
    {
        get
        {
            var at = Environment.GetEnvironmentVariable("CHS_TEST_SMTP")
                ?? throw new InvalidOperationException("CHS_TEST_SMTP is not set: run the tests with scripts/test, which starts an SMTP server (aiosmtpd)");
            var parts = at.Split(':');
            return (parts[0], int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    private static string Maildir => Environment.GetEnvironmentVariable("CHS_TEST_MAILDIR")
        ?? throw new InvalidOperationException("CHS_TEST_MAILDIR is not set: run the tests with scripts/test");

    /// <summary>Settings that point the app at the test SMTP server.</summary>
    public static Dictionary<string, string?> Settings() => new()
    {
        ["Smtp:Host"] = Server.Host,
        ["Smtp:Port"] = Server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Smtp:From"] = "health@example.com",
    };

    /// <summary>A unique address for one test.</summary>
    public static string Address(string who) => $"{who}-{Guid.NewGuid():N}@example.com";

    /// <summary>The messages received for a recipient so far.</summary>
    public static List<ReceivedMail> To(string recipient)
    {
        var found = new List<ReceivedMail>();
        foreach (var sub in new[] { "new", "cur" })
        {
            var dir = Path.Combine(Maildir, sub);
            if (!Directory.Exists(dir))
            {
                continue;
            }
            foreach (var file in Directory.GetFiles(dir))
            {
                var raw = File.ReadAllText(file);
                if (raw.Contains(recipient, StringComparison.OrdinalIgnoreCase))
                {
                    var mail = Parse(raw);
                    if (mail.Header("X-RcptTo").Contains(recipient, StringComparison.OrdinalIgnoreCase))
                    {
                        found.Add(mail);
                    }
                }
            }
        }
        return found;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages reached the recipient.</summary>
    public static async Task<List<ReceivedMail>> WaitFor(string recipient, int count = 1, int seconds = 60)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var mails = To(recipient);
            if (mails.Count >= count || watch.Elapsed > TimeSpan.FromSeconds(seconds))
            {
                mails.Count.ShouldBeGreaterThanOrEqualTo(count, $"messages to {recipient}");
                return mails;
            }
            await Task.Delay(100);
        }
    }

    public static ReceivedMail Parse(string raw)
    {
        raw = raw.Replace("\r\n", "\n", StringComparison.Ordinal);
        var (headers, body) = Split(raw);
        string text = "", html = "";
        var boundary = BoundaryRe().Match(headers.GetValueOrDefault("Content-Type", ""));
        var parts = boundary.Success
            ? body.Split("--" + boundary.Groups[1].Value).Skip(1).Where(p => !p.StartsWith("--", StringComparison.Ordinal)).Select(p => Split(p.TrimStart('\n')))
            : [(headers, body)];
        foreach (var (h, b) in parts)
        {
            var decoded = Decode(b, h.GetValueOrDefault("Content-Transfer-Encoding", ""));
            var type = h.GetValueOrDefault("Content-Type", "text/plain");
            if (type.StartsWith("text/html", StringComparison.OrdinalIgnoreCase))
            {
                html += decoded;
            }
            else if (type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
            {
                text += decoded;
            }
        }
        return new ReceivedMail(raw, headers, text, html);
    }

    private static (Dictionary<string, string> Headers, string Body) Split(string part)
    {
        var end = part.IndexOf("\n\n", StringComparison.Ordinal);
        var head = end < 0 ? part : part[..end];
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var line in head.Split('\n'))
        {
            if (line.Length > 0 && char.IsWhiteSpace(line[0]) && last is not null)
            {
                headers[last] += " " + line.Trim();
            }
            else if (line.IndexOf(':', StringComparison.Ordinal) is var colon and > 0)
            {
                last = line[..colon].Trim();
                headers[last] = line[(colon + 1)..].Trim();
            }
        }
        foreach (var key in headers.Keys.ToList())
        {
            headers[key] = EncodedWordRe().Replace(EncodedGapRe().Replace(headers[key], "$1$2"), m => m.Groups[2].Value.ToUpperInvariant() == "B"
                ? Encoding.UTF8.GetString(Convert.FromBase64String(m.Groups[3].Value))
                : QuotedPrintable(m.Groups[3].Value.Replace('_', ' ')));
        }
        return (headers, end < 0 ? "" : part[(end + 2)..]);
    }

    private static string Decode(string body, string encoding) => encoding.ToLowerInvariant() switch
    {
        "base64" => Encoding.UTF8.GetString(Convert.FromBase64String(string.Concat(body.Where(c => !char.IsWhiteSpace(c))))),
        "quoted-printable" => QuotedPrintable(body.Replace("=\n", "", StringComparison.Ordinal)),
        _ => body,
    };

    private static string QuotedPrintable(string s)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '=' && i + 2 < s.Length && Uri.IsHexDigit(s[i + 1]) && Uri.IsHexDigit(s[i + 2]))
            {
                bytes.Add(Convert.ToByte(s.Substring(i + 1, 2), 16));
                i += 2;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString()));
            }
        }
        return Encoding.UTF8.GetString([.. bytes]);
    }

    [GeneratedRegex("boundary=\"?([^\";]+)\"?", RegexOptions.IgnoreCase)]
    private static partial Regex BoundaryRe();

    [GeneratedRegex(@"=\?([^?]+)\?([BbQq])\?([^?]*)\?=")]
    private static partial Regex EncodedWordRe();

    // Adjacent encoded words are joined without the space between them (RFC 2047).
    [GeneratedRegex(@"(\?=)\s+(=\?)")]
    private static partial Regex EncodedGapRe();
}
