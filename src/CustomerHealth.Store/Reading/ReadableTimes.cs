using System.Globalization;

namespace CustomerHealth.Store.Reading;

/// <summary>
/// Days and times as the views show them: a day as `YYYY-MM-DD` (as everywhere on the dashboard and in the CLI), a
/// timestamp as its day and minute in UTC ("2026-11-30 20:35 UTC") rather than the stored round-trip form.
/// </summary>
public static class ReadableTimes
{
    /// <summary>Text that is neither a day nor a timestamp is returned as it is.</summary>
    public static string Text(string stored)
    {
        if (stored.Length == 10 && DateOnly.TryParseExact(stored, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            return stored;
        }
        return DateTimeOffset.TryParse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t)
            ? t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC"
            : stored;
    }
}
