namespace CustomerHealth.Core.Scoring;

/// <summary>
/// Which days can be scored. A day after today in the model's timezone cannot be: its signals do not exist yet, and
/// a stored snapshot dated in the future would stay an account's latest one over every later model and rescore.
/// </summary>
public static class ScoringDays
{
    /// <summary>Today's date in the model's timezone (an IANA or Windows id the model loader accepted).</summary>
    public static DateOnly Today(DateTimeOffset now, string timezone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, TimeZoneInfo.FindSystemTimeZoneById(timezone)).DateTime);

    /// <summary>Why a day cannot be scored (to follow the name of the option or field that gave it), or null when it can.</summary>
    public static string? Refusal(DateOnly day, DateTimeOffset now, string timezone)
    {
        var today = Today(now, timezone);
        return day > today
            ? $"{day:yyyy-MM-dd} is after today ({today:yyyy-MM-dd} in the model's timezone {timezone}): a day after today cannot be scored"
            : null;
    }
}
