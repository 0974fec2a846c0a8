using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Scoring;

public sealed class ScoringDaysTests
{
    // 2026-03-10 23:30 UTC is already 2026-03-11 in Auckland and still 2026-03-10 in Los Angeles.
    private static readonly DateTimeOffset Now = new(2026, 3, 10, 23, 30, 0, TimeSpan.Zero);

    [Fact]
    public void Today_TimezoneAheadOfUtc_IsTheLocalDate()
    {
        ScoringDays.Today(Now, "Pacific/Auckland").ShouldBe(new DateOnly(2026, 3, 11));
        ScoringDays.Today(Now, "America/Los_Angeles").ShouldBe(new DateOnly(2026, 3, 10));
    }

    [Fact]
    public void Refusal_DayAfterTodayInTheModelsTimezone_SaysWhyAndTodayIsAllowed()
    {
        ScoringDays.Refusal(new DateOnly(2026, 3, 11), Now, "Pacific/Auckland").ShouldBeNull();
        ScoringDays.Refusal(new DateOnly(2026, 3, 11), Now, "UTC")
            .ShouldBe("2026-03-11 is after today (2026-03-10 in the model's timezone UTC): a day after today cannot be scored");
        ScoringDays.Refusal(new DateOnly(2026, 3, 10), Now, "UTC").ShouldBeNull();
    }
}
