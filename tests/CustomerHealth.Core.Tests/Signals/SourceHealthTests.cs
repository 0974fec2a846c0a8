using CustomerHealth.Core.Signals;

namespace CustomerHealth.Core.Tests.Signals;

public sealed class SourceHealthTests
{
    private static readonly DateOnly Today = new(2025, 6, 30);

    private static SignalDays Days(string first, string last, int days) => new(DateOnly.Parse(first, System.Globalization.CultureInfo.InvariantCulture), DateOnly.Parse(last, System.Globalization.CultureInfo.InvariantCulture), days);

    [Fact]
    public void State_DailySignalsSilentForTheQuietDays_AreQuiet_OneDayLess_AreNot()
    {
        // Every day of May: the usual gap is one day, so the quiet days decide.
        var may = Days("2025-05-01", "2025-05-31", 31);
        may.UsualGap.ShouldBe(1);
        SourceHealth.State(may, Today, quietDays: 30).ShouldBe(SourceState.Quiet);
        SourceHealth.State(may, Today, quietDays: 31).ShouldBe(SourceState.Flowing);
    }

    [Fact]
    public void State_MonthlySignals_AreQuietOnlyAfterThreeUsualGaps()
    {
        // Four invoices a month apart (92 days over three gaps): quiet after 92 days, not after 14.
        var monthly = Days("2025-03-01", "2025-06-01", 4);
        SourceHealth.SilenceDays(monthly, 14).ShouldBe(92);
        SourceHealth.State(monthly, Today, 14).ShouldBe(SourceState.Flowing);
        SourceHealth.State(monthly, new DateOnly(2025, 9, 1), 14).ShouldBe(SourceState.Quiet);
        SourceHealth.State(monthly, new DateOnly(2025, 8, 31), 14).ShouldBe(SourceState.Flowing);
    }

    [Fact]
    public void State_SignalsOnFewerThanThreeDays_NeverUsedToCome_NoneAtAll_IsNone()
    {
        SourceHealth.State(Days("2025-01-01", "2025-01-02", 2), Today, 14).ShouldBe(SourceState.Flowing);
        SourceHealth.State(Days("2025-01-01", "2025-01-01", 1), Today, 14).ShouldBe(SourceState.Flowing);
        SourceHealth.State(Days("2025-01-01", "2025-01-03", 3), Today, 14).ShouldBe(SourceState.Quiet);
        SourceHealth.State(null, Today, 14).ShouldBe(SourceState.None);
        Days("2025-01-01", "2025-01-01", 1).UsualGap.ShouldBeNull();
        Should.Throw<ArgumentOutOfRangeException>(() => SourceHealth.State(null, Today, 0));
    }

    [Fact]
    public void State_ASourceThatPausedAsLongBefore_IsNotQuiet_UntilThePauseIsLonger()
    {
        // Answers daily for 14 days in January and again in April (a quarterly survey): the pause between was 76 days.
        var days = SourceHealth.Of(Enumerable.Range(0, 14).Select(i => new DateOnly(2025, 1, 1).AddDays(i))
            .Concat(Enumerable.Range(0, 14).Select(i => new DateOnly(2025, 4, 1).AddDays(i))));
        (days.Days, days.LongestGap).ShouldBe((28, 77));
        // The usual gap is 104 / 27 days: three of them are 12 days, so only the pause sets the silence.
        SourceHealth.SilenceDays(days, 14).ShouldBe(78);
        SourceHealth.State(days, new DateOnly(2025, 6, 30), 14).ShouldBe(SourceState.Flowing);
        SourceHealth.State(days, new DateOnly(2025, 7, 1), 14).ShouldBe(SourceState.Quiet);
        Should.Throw<ArgumentException>(() => SourceHealth.Of([]));
    }

    [Fact]
    public void LookbackAndWeeks_CountFromToday_WeeksStartOnMonday()
    {
        SourceHealth.LookbackFrom(Today).ShouldBe(Today.AddDays(-179));
        SourceHealth.WeekOf(new DateOnly(2025, 6, 29)).ShouldBe(new DateOnly(2025, 6, 23));
        SourceHealth.WeekOf(new DateOnly(2025, 6, 30)).ShouldBe(new DateOnly(2025, 6, 30));
        SourceHealth.IsLowCoverage(0.49).ShouldBeTrue();
        SourceHealth.IsLowCoverage(0.5).ShouldBeFalse();
    }
}
