using System.Globalization;

namespace CustomerHealth.Store;

/// <summary>Dates as the store keeps them: `YYYY-MM-DD` text, which sorts and compares as dates on both databases.</summary>
internal static class StoredDates
{
    public static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A date that may be missing as the store keeps it (null when missing).</summary>
    public static string? Text(DateOnly? d) => d is { } day ? Text(day) : null;

    public static int DayNumber(string text) => Date(text).DayNumber;

    // The stored forms are read by position (a scoring run reads hundreds of thousands of them, as text or as the
    // store's UTF-8 bytes); anything else goes to ParseExact, which reads it or refuses it as it always did.
    public static DateOnly Date(string text) =>
        TryDate(Ascii(text, stackalloc byte[10]), out var date) ? date : DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The day number of a stored date given as UTF-8 bytes.</summary>
    public static int DayNumber(ReadOnlySpan<byte> utf8) =>
        TryDate(utf8, out var date) ? date.DayNumber : DayNumber(System.Text.Encoding.UTF8.GetString(utf8));

    /// <summary>An instant as imported signals keep it: UTC, to the tick, `YYYY-MM-DDTHH:MM:SS.FFFFFFFZ`.</summary>
    public static DateTimeOffset Instant(string text) =>
        TryInstant(Ascii(text, stackalloc byte[28]), out var at) ? at
            : DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>A stored instant given as UTF-8 bytes.</summary>
    public static DateTimeOffset Instant(ReadOnlySpan<byte> utf8) =>
        TryInstant(utf8, out var at) ? at : Instant(System.Text.Encoding.UTF8.GetString(utf8));

    /// <summary>The day number of an instant in a timezone (UTC's without converting).</summary>
    public static int Day(DateTimeOffset t, TimeZoneInfo zone) =>
        zone.BaseUtcOffset == TimeSpan.Zero && !zone.SupportsDaylightSavingTime
            ? (int)(t.UtcTicks / TimeSpan.TicksPerDay)
            : DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).DateTime).DayNumber;

    private static bool TryDate(ReadOnlySpan<byte> t, out DateOnly date)
    {
        date = default;
        if (t.Length != 10 || t[4] != '-' || t[7] != '-')
        {
            return false;
        }
        int y = Digits(t, 0, 4), m = Digits(t, 5, 2), d = Digits(t, 8, 2);
        if (y < 1 || m < 1 || m > 12 || d < 1 || d > DateTime.DaysInMonth(y, m))
        {
            return false;
        }
        date = new DateOnly(y, m, d);
        return true;
    }

    // The stored form is the round-trip form in UTC ('O', ending in Z), which .NET reads from UTF-8 itself.
    private static bool TryInstant(ReadOnlySpan<byte> t, out DateTimeOffset at)
    {
        at = default;
        return t.Length == 28 && t[27] == 'Z' && System.Buffers.Text.Utf8Parser.TryParse(t, out at, out var read, 'O') && read == t.Length;
    }

    /// <summary>A text's bytes when it is ASCII and as long as <paramref name="buffer"/>; else nothing (not a stored form).</summary>
    private static ReadOnlySpan<byte> Ascii(string text, Span<byte> buffer)
    {
        if (text.Length != buffer.Length)
        {
            return [];
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] > 127)
            {
                return [];
            }
            buffer[i] = (byte)text[i];
        }
        return buffer;
    }

    /// <summary>The number written in <paramref name="length"/> ASCII digits from <paramref name="at"/>; -1 when one is not a digit.</summary>
    private static int Digits(ReadOnlySpan<byte> text, int at, int length)
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
