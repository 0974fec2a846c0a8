using CustomerHealth.Core.Model;
using CustomerHealth.Store.Pushdown;

namespace CustomerHealth.Store.Tests.Pushdown;

/// <summary>
/// ClickHouse's rows come back as text (TabSeparatedWithNames, which every release answers): what its escapes stand
/// for, null, infinities and the names are read back exactly, from a real server.
/// </summary>
public sealed class EngineConnectionTests
{
    [Fact]
    public void ClickHouseText_IsReadBackExactly_EscapesNullsAndInfinities()
    {
        var source = new ExternalSource("ch", SignalKind.Usage, SourceEngine.ClickHouse, RelationType.Table, "t", new Dictionary<string, string>(), "", null, null, null);
        using var c = EngineConnection.Open(source, TestClickHouse.Server);
        using var rows = c.Query("SELECT 'a\\tb' AS \"tab\", CAST(NULL AS Nullable(String)) AS \"null\", '\\\\N' AS \"backslash N\", 'one\\ntwo\\\\' AS \"lines\", " +
            "toFloat64(1) / 0 AS \"inf\", toFloat64(-1) / 0 AS \"minus inf\", toUInt64('18446744073709551614') AS \"big\", toInt64(-42) AS \"whole\", '' AS \"empty\", 'é ✓' AS \"utf8\"");
        Enumerable.Range(0, rows.FieldCount).Select(rows.Name).ShouldBe(["tab", "null", "backslash N", "lines", "inf", "minus inf", "big", "whole", "empty", "utf8"]);
        rows.Read().ShouldBeTrue();
        rows.Text(0).ShouldBe("a\tb");
        rows.IsNull(1).ShouldBeTrue();
        rows.IsNull(2).ShouldBeFalse();
        rows.Text(2).ShouldBe("\\N");
        rows.Text(3).ShouldBe("one\ntwo\\");
        rows.Number(4).ShouldBe(double.PositiveInfinity);
        rows.Number(5).ShouldBe(double.NegativeInfinity);
        rows.Number(6).ShouldBe(18446744073709551614d);
        rows.Whole(7).ShouldBe(-42);
        rows.IsNull(8).ShouldBeFalse();
        rows.Text(8).ShouldBe("");
        rows.Text(9).ShouldBe("é ✓");
        rows.Read().ShouldBeFalse();
    }
}
