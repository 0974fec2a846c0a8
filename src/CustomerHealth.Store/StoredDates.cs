using System.Globalization;

namespace CustomerHealth.Store;

/// <summary>Dates as the store keeps them: `YYYY-MM-DD` text, which sorts and compares as dates on both databases.</summary>
internal static class StoredDates
{
    public static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static int DayNumber(string text) => Date(text).DayNumber;

    // The stored form read by position (a scoring run reads hundreds of thousands of them); anything else goes to ParseExact.
    public static DateOnly Date(string text) =>
        text.Length == 10 && text[4] == '-' && text[7] == '-' && Digits(text, 0, 4) is var y and > 0 && Digits(text, 5, 2) is var m and >= 1 and <= 12
            && Digits(text, 8, 2) is var d and >= 1 && d <= DateTime.DaysInMonth(y, m)
            ? new DateOnly(y, m, d)
            : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>An instant as imported signals keep it: UTC, to the tick, `YYYY-MM-DDTHH:MM:SS.FFFFFFFZ`.</summary>
    public static DateTimeOffset Instant(string text)
    {
        if (text.Length == 28 && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == '.' && text[27] == 'Z'
            && Date(text[..10]) is var day && Digits(text, 11, 2) is var h and >= 0 and < 24 && Digits(text, 14, 2) is var m and >= 0 and < 60
            && Digits(text, 17, 2) is var s and >= 0 and < 60 && Digits(text, 20, 7) is var ticks and >= 0)
        {
            return new DateTimeOffset(day.ToDateTime(new TimeOnly(h, m, s), DateTimeKind.Utc).AddTicks(ticks));
        }
        return DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }

    /// <summary>The day number of an instant in a timezone (UTC's without converting).</summary>
    public static int Day(DateTimeOffset t, TimeZoneInfo zone) =>
        zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime
            ? (int)(t.UtcTicks / TimeSpan.TicksPerDay)
            : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).DateTime).DayNumber;

    /// <summary>The number written in <paramref name="length"/> ASCII digits from <paramref name="at"/>; -1 when one is not a digit.</summary>
    private static int Digits(string text, int at, int length)
    {
        var n = 0;
        for (var i = at; i < at + length; i++)
        {
            var c = text[i] - '0';
            if ((uint)c > 9)
            {
                return -1;
            }
            n = n * 10 + c;
        }
        return n;
    }

    /// <summary>An instant as the store keeps it: UTC, to the second, `YYYY-MM-DDTHH:MM:SSZ`.</summary>
    public static string Stamp(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
