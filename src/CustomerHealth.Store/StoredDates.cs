using System.Globalization;

namespace CustomerHealth.Store;

/// <summary>Dates as the store keeps them: `YYYY-MM-DD` text, which sorts and compares as dates on both databases.</summary>
internal static class StoredDates
{
    public static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static int DayNumber(string text) => Date(text).DayNumber;

    public static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An instant as the store keeps it: UTC, to the second, `YYYY-MM-DDTHH:MM:SSZ`.</summary>
    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
