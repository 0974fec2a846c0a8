namespace CustomerHealth.Core.Signals;

/// <summary>
/// The days on which signals of one kind came, within the look-back (<see cref="SourceHealth.LookbackDays"/>): for one
/// account, or for the whole source (any account).
/// </summary>
/// <param name="First">The first day with a signal.</param>
/// <param name="Last">The last day with a signal.</param>
/// <param name="Days">How many distinct days had a signal.</param>
/// <param name="LongestGap">The longest run of days between two days with a signal, when known (null: not read).</param>
public readonly record struct SignalDays(DateOnly First, DateOnly Last, int Days, int? LongestGap = null)
{
    /// <summary>The usual number of days between two days with a signal: the span over the gaps (null with a single day).</summary>
    public double? UsualGap => Days > 1 ? (double)(Last.DayNumber - First.DayNumber) / (Days - 1) : null;
}

/// <summary>Whether signals of a kind still come (for an account, or for the whole source).</summary>
public enum SourceState
{
    /// <summary>They come as they used to.</summary>
    Flowing,
    /// <summary>They used to come and have not for longer than usual: for a whole source, a connection or export that may be broken.</summary>
    Quiet,
    /// <summary>None came within the look-back.</summary>
    None,
}

/// <summary>
/// The rules of data health (the Sources page, `chs sources`): which sources went quiet, for an account or as a
/// whole, and which of the model's measures rest on a source that covers few accounts. One rule serves accounts and
/// sources, so that a monthly invoice or a quarterly survey is not taken for a broken connection after two weeks:
/// signals went quiet when they came on at least <see cref="MinDays"/> days of the look-back and none has come for
/// at least the quiet days asked for, three times the usual gap between their days, and, where it is known, longer
/// than the longest gap between them before (a survey sent each quarter is answered for two weeks, then nothing for
/// ten: that pause is its rhythm, not a stop). The longest gap is known for whole sources; for each account it is not
/// read (it would need every account's days), so an account's rule rests on its usual gap.
/// </summary>
public static class SourceHealth
{
    /// <summary>How far back the figures look, in days (today included).</summary>
    public const int LookbackDays = 180;

    /// <summary>The quiet days when none are asked for.</summary>
    public const int DefaultQuietDays = 14;

    /// <summary>Signals that came on fewer days than this did not "use to come": their silence is not flagged.</summary>
    public const int MinDays = 3;

    /// <summary>How many usual gaps without a signal make a silence.</summary>
    public const double GapsOfSilence = 3;

    /// <summary>A measure whose source covers a smaller share of the active accounts than this is flagged.</summary>
    public const double LowCoverage = 0.5;

    /// <summary>The first day of the look-back ending <paramref name="today"/>.</summary>
    public static DateOnly LookbackFrom(DateOnly today) => today.AddDays(-(LookbackDays - 1));

    /// <summary>How many days without a signal make a silence for these days: at least <paramref name="quietDays"/>.</summary>
    public static int SilenceDays(SignalDays days, int quietDays) =>
        Math.Max(days.UsualGap is { } gap ? Math.Max(quietDays, (int)Math.Ceiling(GapsOfSilence * gap)) : quietDays, days.LongestGap is { } longest ? longest + 1 : 0);

    /// <summary>The days with a signal summed up, with the longest gap between them.</summary>
    public static SignalDays Of(IEnumerable<DateOnly> days)
    {
        var sorted = days.Distinct().Order().ToList();
        if (sorted.Count == 0)
        {
            throw new ArgumentException("no days", nameof(days));
        }
        var longest = 0;
        for (var i = 1; i < sorted.Count; i++)
        {
            longest = Math.Max(longest, sorted[i].DayNumber - sorted[i - 1].DayNumber);
        }
        return new SignalDays(sorted[0], sorted[^1], sorted.Count, longest);
    }

    /// <summary>The state of signals that came on <paramref name="days"/> (null: none in the look-back), as of <paramref name="today"/>.</summary>
    public static SourceState State(SignalDays? days, DateOnly today, int quietDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quietDays, 1);
        if (days is not { } d)
        {
            return SourceState.None;
        }
        return d.Days >= MinDays && DaysSince(d, today) >= SilenceDays(d, quietDays) ? SourceState.Quiet : SourceState.Flowing;
    }

    /// <summary>Days from the last signal to <paramref name="today"/>.</summary>
    public static int DaysSince(SignalDays days, DateOnly today) => today.DayNumber - days.Last.DayNumber;

    /// <summary>Whether a measure over a source with this coverage (0–1 of the active accounts) is flagged.</summary>
    public static bool IsLowCoverage(double coverage) => coverage < LowCoverage;

    /// <summary>A usual gap in words: "every day" (under a day and a half), else "every N days".</summary>
    public static string Rhythm(double gap) =>
        gap < 1.5 ? "every day" : "every " + gap.ToString("0", System.Globalization.CultureInfo.InvariantCulture) + " days";

    /// <summary>The Monday that starts the week of <paramref name="day"/>.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));
}
