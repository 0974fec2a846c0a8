using System.Text.RegularExpressions;

namespace CustomerHealth.Store;

/// <summary>
/// Hides passwords in text that may name a store: `Host=...;Password=...` connection strings and
/// `postgres://user:password@host/db` addresses, wherever they appear in a message. Host, port, database and user stay.
/// </summary>
public static partial class Secrets
{
    public const string Mask = "***";

    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }
        var redacted = UrlPassword().Replace(text, "${head}" + Mask + "@");
        return KeyValuePassword().Replace(redacted, "${key}" + Mask);
    }

    // scheme://user:password@host — the password is what lies between the user's colon and the @.
    [GeneratedRegex(@"(?<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)[^\s/]*@")]
    private static partial Regex UrlPassword();

    // Password=..., PWD=..., SSL Password=... (also as URL query parameters); a quoted value may hold ';', an unquoted
    // one runs to the next ';' (it may hold spaces), so a little too much is hidden rather than too little.
    [GeneratedRegex(@"(?<key>(?:^|(?<=[;?&\s(,""']))(?:ssl[ _]?)?(?:password|passwd|pwd|psw)\s*=\s*)(?:""(?:[^""]|"""")*""|'(?:[^']|'')*'|[^;&\r\n]*)",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex KeyValuePassword();
}
