using System.Globalization;
using CustomerHealth.Core.Measures;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Surveys;

/// <summary>
/// The Surveys page (Pages/SurveysPage.razor) apart from its markup: the figures of the last twelve calendar months and
/// by segment over the last <see cref="SegmentDays"/> days, the latest comments of the survey the address asks for
/// (`kind`), and the charts and words that describe them.
/// </summary>
internal sealed class SurveysPageModel(DateOnly today, SurveyReader surveys, string? kind)
{
    public const int SegmentDays = 90;

    public const int CommentCount = 50;

    public IReadOnlyList<SurveyStats> Monthly { get; private set; } = [];

    public IReadOnlyList<SurveyStats> BySegment { get; private set; } = [];

    public IReadOnlyList<SurveyComment> Comments { get; private set; } = [];

    /// <summary>The address asks for a survey there is none of.</summary>
    public bool UnknownKind { get; private set; }

    /// <summary>Nothing to show at all: no answers, no comments, and no survey asked for.</summary>
    public bool Empty => Monthly.Count == 0 && Comments.Count == 0 && string.IsNullOrEmpty(kind);

    /// <summary>The first day of the month eleven months before this one: twelve calendar months in all.</summary>
    public DateOnly Since => new DateOnly(today.Year, today.Month, 1).AddMonths(-11);

    /// <summary>The twelve months (yyyy-MM), oldest first.</summary>
    public IEnumerable<string> Months => Enumerable.Range(0, 12).Select(i => Since.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture));

    /// <summary>The months with an answer of any kind.</summary>
    public IEnumerable<string> AnsweredMonths => Months.Where(m => Monthly.Any(s => s.Group == m));

    /// <summary>The segments answered in, in the order the store gives them (null: accounts without a segment).</summary>
    public IReadOnlyList<string?> Segments => BySegment.Select(s => s.Group).Distinct().ToList();

    /// <summary>Each segment's NPS figures (null where it has no NPS answer), in the order of <see cref="Segments"/>.</summary>
    public IReadOnlyList<SurveyStats?> NpsBySegment => Segments.Select(g => Segment(g, "nps")).ToList();

    public void Load()
    {
        Monthly = surveys.Monthly(Since);
        BySegment = surveys.BySegment(today.AddDays(-SegmentDays));
        // The kind as asked, in any case and with spaces around it.
        var asked = string.IsNullOrEmpty(kind) ? null : kind.Trim().ToLowerInvariant();
        UnknownKind = asked is not null && !SurveyReader.Kinds.Contains(asked);
        Comments = UnknownKind ? [] : surveys.Comments(asked, CommentCount);
    }

    public SurveyStats? Segment(string? segment, string kind) => BySegment.FirstOrDefault(s => s.Group == segment && s.Kind == kind);

    public SurveyStats? Stats(string month, string kind) => Monthly.FirstOrDefault(s => s.Group == month && s.Kind == kind);

    /// <summary>The day of a stored answer time.</summary>
    public static string Day(string respondedAt) => respondedAt.Length >= 10 ? respondedAt[..10] : respondedAt;

    public static string KindLabel(string kind) => kind switch { "nps" => "NPS", "csat" => "CSAT", "ces" => "CES", _ => kind };

    /// <summary>Positive answers green, negative ones red, the rest neutral (<see cref="SurveyAnswers.Tone"/>).</summary>
    public static string ScoreClass(SurveyComment c) =>
        (Enum.TryParse<SurveyKind>(c.Kind, ignoreCase: true, out var kind) ? SurveyAnswers.Tone(kind, c.Score) : AnswerTone.Neutral) switch
        {
            AnswerTone.Positive => "text-bg-success",
            AnswerTone.Negative => "text-bg-danger",
            _ => "text-bg-warning",
        };

    /// <summary>A kind's monthly line chart: NPS (−100 to 100), or the CSAT or CES average on its scale.</summary>
    public object LineChart(string kind)
    {
        var (values, min, max, color) = kind switch
        {
            "nps" => (Months.Select(m => Stats(m, kind)?.Nps).ToArray(), -100, 100, "#0d6efd"),
            "csat" => (Months.Select(m => Stats(m, kind)?.Average).ToArray(), 1, 5, "#198754"),
            _ => (Months.Select(m => Stats(m, kind)?.Average).ToArray(), 1, 7, "#6f42c1"),
        };
        return LineChart(values, min, max, color);
    }

    private object LineChart(double?[] values, double min, double max, string color) => new
    {
        tooltip = new { trigger = "axis" },
        grid = new { left = 40, right = 15, top = 15, bottom = 30 },
        xAxis = new { type = "category", data = Months.Select(Dashboard.Month).ToArray() },
        yAxis = new { type = "value", min, max },
        series = new[]
        {
            new { type = "line", connectNulls = true, itemStyle = new { color }, data = values.Select(v => v is { } x ? (object)Math.Round(x, 1) : null).ToArray() },
        },
    };

    /// <summary>A kind's months in words: "NPS by month: Jan 2026 40.0 (12 answers); ...".</summary>
    public string Describe(string kind)
    {
        var (name, value) = kind switch
        {
            "nps" => ("NPS", (Func<SurveyStats, double?>)(s => s.Nps)),
            "csat" => ("Average CSAT", s => s.Average),
            _ => ("Average CES", s => s.Average),
        };
        var points = Months.Select(m => (Month: m, Stats: Stats(m, kind))).Where(p => p.Stats is not null).ToList();
        return points.Count == 0
            ? $"{name}: no answers in the last 12 months."
            : $"{name} by month: " + string.Join("; ", points.Select(p =>
                $"{Dashboard.Month(p.Month)} {Dashboard.Score(value(p.Stats!))} ({p.Stats!.Responses} answers)")) + ".";
    }

    /// <summary>Some segment has an NPS answer to chart.</summary>
    public bool HasSegmentNps => NpsBySegment.Any(s => s is not null);

    public object SegmentChart()
    {
        var (segments, nps) = (Segments, NpsBySegment);
        return new
        {
            tooltip = new { trigger = "axis" },
            grid = new { left = 110, right = 30, top = 10, bottom = 30 },
            xAxis = new { type = "value", min = -100, max = 100, name = "NPS" },
            yAxis = new { type = "category", inverse = true, data = segments.Select(s => s ?? "Not set").ToArray() },
            series = new[]
            {
                new { name = "NPS", type = "bar", data = nps.Select(s => s?.Nps is { } v ? (object)new { value = Math.Round(v, 1), itemStyle = new { color = v >= 0 ? "#198754" : "#dc3545" } } : null).ToArray() },
            },
        };
    }

    public string SegmentDescription()
    {
        var (segments, nps) = (Segments, NpsBySegment);
        return "NPS by segment over the last 90 days: " + string.Join("; ", segments.Select((s, i) =>
            $"{s ?? "Not set"} {(nps[i]?.Nps is { } v ? Dashboard.Number(v, "0") : "no NPS answers")}")) + ".";
    }
}
