using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Reading;

public class CsvCellsTests
{
    [Theory]
    [InlineData("=HYPERLINK(\"http://evil.example\",\"click\")", "\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"click\"\")\"")]
    [InlineData("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A9)", "'@SUM(A1:A9)")]
    [InlineData("\t=1+1", "'\t=1+1")]
    public void Text_AFormula_IsDefused(string value, string expected) => CsvCells.Text(value).ShouldBe(expected);

    [Theory]
    [InlineData("Acme, Inc.", "\"Acme, Inc.\"")]
    [InlineData("plain", "plain")]
    [InlineData("", "")]
    [InlineData(null, "")]
    [InlineData("a=b", "a=b")]
    public void Text_OrdinaryText_IsQuotedOnlyWhenNeeded(string? value, string expected) => CsvCells.Text(value).ShouldBe(expected);

    [Fact]
    public void Number_ANegativeNumber_IsWrittenAsANumber() => CsvCells.Number(-12.345).ShouldBe("-12.35");
}
