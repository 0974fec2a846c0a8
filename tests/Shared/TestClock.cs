namespace CustomerHealth.Tests;

/// <summary>
/// A clock that says what the test tells it to: its time moves only when the test sets it, forward or back. Its
/// timers and timestamps are the system's, so an app's background loops keep their own pace while a test moves the
/// date under them.
/// </summary>
public sealed class FakeTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    /// <summary>Sets the clock to noon (UTC) of a day.</summary>
    public void SetDate(DateOnly day) => Now = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The day a clock says it is.</summary>
public static class ClockDays
{
    /// <summary>
    /// Today (UTC) on a clock. A test that drives something reading the system's clock (a `chs` process, the web app
    /// on its default clock) names its days by <c>TimeProvider.System.Today()</c>, so that both mean the same day.
    /// </summary>
    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
