using CustomerHealth.Web.Components;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>The one home of the dashboard's number formats.</summary>
public sealed class DashboardFormatTests
{
    [Theory]
    [InlineData(-0.04, "0.0")]
    [InlineData(-0.0, "0.0")]
    [InlineData(-0.05, "-0.1")]
    [InlineData(12.34, "12.3")]
    public void Score_NegativeThatRoundsToZero_HasNoSign(double value, string expected) => Dashboard.Score(value).ShouldBe(expected);

    [Theory]
    [InlineData(-0.04, "0.0")]
    [InlineData(-0.0, "0.0")]
    [InlineData(0.04, "0.0")]
    [InlineData(1.25, "+1.3")]
    [InlineData(-2, "-2.0")]
    public void Signed_ChangeThatRoundsToZero_HasNoSign(double value, string expected) => Dashboard.Signed(value).ShouldBe(expected);

    [Fact]
    public void Number_NegativeZeroInAnyFormat_HasNoSign()
    {
        Dashboard.Percent(-0.001).ShouldBe("0%");
        Dashboard.Money(-0.4).ShouldBe("0");
        Dashboard.Number(-0.001, "0.##").ShouldBe("0");
        Dashboard.Number(-1e-9, "0.00").ShouldBe("0.00");
        Dashboard.Number(-10.5, "0.#").ShouldBe("-10.5");
        Dashboard.Score(null).ShouldBe("—");
    }
}
