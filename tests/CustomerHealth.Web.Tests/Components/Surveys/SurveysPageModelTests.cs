using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Components.Surveys;

namespace CustomerHealth.Web.Tests.Components.Surveys;

/// <summary>
/// The Surveys page's model as of 2026-03-15: S1 (SMB) answered NPS 10 with a comment in March and NPS 3 in January,
/// S2 (no segment) CSAT 2 with a comment in March, and S1 an NPS 9 thirteen months ago, outside the twelve months.
/// </summary>
public sealed class SurveysPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2026, 3, 15);
    private readonly ModelStore store = new(Today);

    public void Dispose() => store.Dispose();

    private void Answers()
    {
        store.Import(ImportKind.Accounts, "account_id,name,segment", "S1,One,SMB", "S2,Two,");
        store.Import(ImportKind.Surveys, "account_id,kind,score,responded_at,response_id,comment",
            "S1,nps,10,2026-03-02T10:00:00Z,r1,Great team", "S1,nps,3,2026-01-20T10:00:00Z,r2,", "S2,csat,2,2026-03-03T10:00:00Z,r3,Slow answers",
            "S1,nps,9,2025-02-10T10:00:00Z,r4,Long ago");
    }

    private SurveysPageModel Loaded(string? kind = null)
    {
        var surveys = new SurveysPageModel(Today, new SurveyReader(store.Db), kind);
        surveys.Load();
        return surveys;
    }

    [Fact]
    public void Months_TwelveCalendarMonthsEndingThisOne()
    {
        var surveys = new SurveysPageModel(Today, new SurveyReader(store.Db), null);

        surveys.Since.ShouldBe(new DateOnly(2025, 4, 1));
        surveys.Months.ShouldBe(["2025-04", "2025-05", "2025-06", "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]);
    }

    [Fact]
    public void Load_NoAnswersAndNoSurveyAsked_IsEmpty()
    {
        Loaded().Empty.ShouldBeTrue();
        // A survey asked for gets its own "no comments" line rather than the page's empty state.
        Loaded("nps").Empty.ShouldBeFalse();
    }

    [Fact]
    public void Load_Answers_MonthsAnsweredAndTheirFigures()
    {
        Answers();

        var surveys = Loaded();

        surveys.Empty.ShouldBeFalse();
        surveys.AnsweredMonths.ShouldBe(["2026-01", "2026-03"]);
        surveys.Stats("2026-03", "nps")!.Nps.ShouldBe(100);
        surveys.Stats("2026-01", "nps")!.Nps.ShouldBe(-100);
        surveys.Stats("2026-02", "nps").ShouldBeNull();
        surveys.Describe("nps").ShouldBe("NPS by month: Jan 2026 -100.0 (1 answers); Mar 2026 100.0 (1 answers).");
        surveys.Describe("ces").ShouldBe("Average CES: no answers in the last 12 months.");
    }

    [Theory]
    [InlineData(null, 3)]
    [InlineData("nps", 2)]
    [InlineData(" NPS ", 2)]
    [InlineData("csat", 1)]
    [InlineData("ces", 0)]
    public void Comments_SurveyAskedInAnyCase_OnlyItsComments(string? kind, int comments)
    {
        Answers();

        var surveys = Loaded(kind);

        surveys.UnknownKind.ShouldBeFalse();
        surveys.Comments.Count.ShouldBe(comments);
    }

    [Fact]
    public void Comments_UnknownSurvey_NoneAndSaidSo()
    {
        Answers();

        var surveys = Loaded("eNPS");

        surveys.UnknownKind.ShouldBeTrue();
        surveys.Comments.ShouldBeEmpty();
    }

    [Fact]
    public void BySegment_AccountsWithoutASegment_NotSetAndWithoutNps()
    {
        Answers();

        var surveys = Loaded();

        surveys.Segments.ShouldBe(["SMB", null], ignoreOrder: true);
        surveys.HasSegmentNps.ShouldBeTrue();
        surveys.SegmentDescription().ShouldContain("SMB 0");
        surveys.SegmentDescription().ShouldContain("Not set no NPS answers");
        var bars = JsonSerializer.SerializeToElement(surveys.SegmentChart()).GetProperty("series")[0].GetProperty("data");
        bars.EnumerateArray().Count(b => b.ValueKind == JsonValueKind.Null).ShouldBe(1);
    }

    [Theory]
    [InlineData("nps", 9, "text-bg-success")]
    [InlineData("nps", 7, "text-bg-warning")]
    [InlineData("nps", 6, "text-bg-danger")]
    [InlineData("csat", 4, "text-bg-success")]
    [InlineData("csat", 3, "text-bg-warning")]
    [InlineData("csat", 2, "text-bg-danger")]
    [InlineData("ces", 5, "text-bg-success")]
    [InlineData("ces", 4, "text-bg-warning")]
    [InlineData("ces", 3, "text-bg-danger")]
    public void ScoreClass_Answer_GreenWhenPositiveRedWhenNegative(string kind, double score, string css) =>
        SurveysPageModel.ScoreClass(new SurveyComment("A", null, kind, score, "2026-03-01T10:00:00Z", "c")).ShouldBe(css);

    [Fact]
    public void LineChart_Nps_OnItsScaleWithAGapForMonthsWithout()
    {
        Answers();

        var chart = JsonSerializer.SerializeToElement(Loaded().LineChart("nps"));

        chart.GetProperty("yAxis").GetProperty("min").GetDouble().ShouldBe(-100);
        var values = chart.GetProperty("series")[0].GetProperty("data").EnumerateArray().ToList();
        values.Count.ShouldBe(12);
        values[^1].GetDouble().ShouldBe(100);
        values[^2].ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Theory]
    [InlineData("2026-03-02T10:00:00Z", "2026-03-02")]
    [InlineData("2026-03", "2026-03")]
    public void Day_StoredTime_ItsDay(string stored, string day) => SurveysPageModel.Day(stored).ShouldBe(day);
}
