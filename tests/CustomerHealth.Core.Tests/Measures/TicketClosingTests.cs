using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Tests.Measures;

public class TicketClosingTests
{
    private static readonly DateTimeOffset Opened = new(2025, 3, 1, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Answered = Opened.AddHours(5);
    private static readonly DateTimeOffset Closed = Opened.AddDays(2);

    [Theory]
    [InlineData("open")]
    [InlineData("solved")]
    [InlineData("pending")]
    public void ClosedAt_WithAClosingTime_IsThatTimeWhateverTheStatus(string status)
    {
        TicketClosing.ClosedAt(Opened, Closed, Answered, status).ShouldBe(Closed);
    }

    [Theory]
    [InlineData("solved")]
    [InlineData("closed")]
    public void ClosedAt_SolvedOrClosedWithoutAClosingTime_IsWhenItWasAnswered(string status)
    {
        TicketClosing.ClosedAt(Opened, null, Answered, status).ShouldBe(Answered);
    }

    [Fact]
    public void ClosedAt_ClosedNeverAnswered_IsWhenItOpened()
    {
        TicketClosing.ClosedAt(Opened, null, null, "closed").ShouldBe(Opened);
    }

    [Theory]
    [InlineData("open")]
    [InlineData("pending")]
    public void ClosedAt_AnyOtherStatusWithoutAClosingTime_IsOpen(string status)
    {
        TicketClosing.ClosedAt(Opened, null, Answered, status).ShouldBeNull();
    }
}
