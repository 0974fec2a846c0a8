using System.Globalization;

namespace CustomerHealth.Store.Tests;

/// <summary>
/// Dates and instants as the store keeps them, read by position (a scoring run reads hundreds of thousands): the same
/// values as the formats' exact parsing, and anything else refused as that parsing refuses it.
/// </summary>
public sealed class StoredDatesTests
{
    [Theory]
    [InlineData("2025-06-30")]
    [InlineData("2024-02-29")]
    [InlineData("0001-01-01")]
    [InlineData("9999-12-31")]
    public void Date_TheStoredForm_IsReadAsTheExactFormatReadsIt(string text)
    {
        var exact = DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        StoredDates.Date(text).ShouldBe(exact);
        StoredDates.DayNumber(System.Text.Encoding.UTF8.GetBytes(text)).ShouldBe(exact.DayNumber);
    }

    [Theory]
    [InlineData("2025-02-29")]
    [InlineData("2025-13-01")]
    [InlineData("2025-00-10")]
    [InlineData("2025-01-32")]
    [InlineData("0000-01-01")]
    [InlineData("2025-1-01x")]
    [InlineData("2025/01/01")]
    [InlineData("2025-06-30T00:00:00Z")]
    [InlineData("")]
    [InlineData("２０２５-01-01")]
    public void Date_AnythingElse_IsRefusedAsTheExactFormatRefusesIt(string text)
    {
        Should.Throw<FormatException>(() => StoredDates.Date(text));
        Should.Throw<FormatException>(() => StoredDates.DayNumber(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Theory]
    [InlineData("2025-06-30T23:59:59.9999999Z")]
    [InlineData("2025-03-23T09:00:00.0000000Z")]
    [InlineData("2024-02-29T12:34:56.1234567Z")]
    [InlineData("0001-01-01T00:00:00.0000000Z")]
    public void Instant_TheStoredForm_IsReadAsTheExactFormatReadsIt(string text)
    {
        var exact = DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
        StoredDates.Instant(text).ShouldBe(exact);
        StoredDates.Instant(System.Text.Encoding.UTF8.GetBytes(text)).ShouldBe(exact);
    }

    [Theory]
    [InlineData("2025-06-30T24:00:00.0000000Z")]
    [InlineData("2025-06-30T23:60:00.0000000Z")]
    [InlineData("2025-06-30T23:59:60.0000000Z")]
    [InlineData("2025-02-30T10:00:00.0000000Z")]
    [InlineData("2025-06-30T10:00:00.000000aZ")]
    [InlineData("2025-06-30T10:00:00Z")]
    [InlineData("2025-06-30 10:00:00.0000000Z")]
    public void Instant_AnythingElse_IsRefusedAsTheExactFormatRefusesIt(string text)
    {
        Should.Throw<FormatException>(() => StoredDates.Instant(text));
        Should.Throw<FormatException>(() => StoredDates.Instant(System.Text.Encoding.UTF8.GetBytes(text)));
    }

    [Fact]
    public void Day_InUtcAndInAnotherZone_IsTheDayOnTheCalendarThere()
    {
        var late = StoredDates.Instant("2025-06-30T23:30:00.0000000Z");
        StoredDates.Day(late, TimeZoneInfo.Utc).ShouldBe(new DateOnly(2025, 6, 30).DayNumber);
        StoredDates.Day(late, TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris")).ShouldBe(new DateOnly(2025, 7, 1).DayNumber);
        StoredDates.Day(late, TimeZoneInfo.FindSystemTimeZoneById("America/New_York")).ShouldBe(new DateOnly(2025, 6, 30).DayNumber);
        StoredDates.Day(StoredDates.Instant("2025-07-01T02:00:00.0000000Z"), TimeZoneInfo.FindSystemTimeZoneById("America/New_York"))
            .ShouldBe(new DateOnly(2025, 6, 30).DayNumber);
    }
}
