using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Portfolio;

/// <summary>
/// The Portfolio page (Pages/PortfolioPage.razor) apart from its markup: the book today (accounts and ARR by grade,
/// the ungraded, the score distribution), the average over the last year, the biggest movers and the ARR at risk by
/// renewal month, with the charts and the words that describe them.
/// </summary>
internal sealed class PortfolioPageModel(Dashboard dashboard, PortfolioTrends trends, PortfolioCache cache)
{
    /// <summary>The book's active accounts by grade, ARR and average score.</summary>
    public Store.Reading.Portfolio Summary { get; private set; } = null!;

    public IReadOnlyList<DayAverage> OverTime { get; private set; } = [];

    public IReadOnlyList<ScoreBin> Bins { get; private set; } = [];

    public (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers { get; private set; } = ([], []);

    /// <summary>The ARR below the top grade renewing in each of the next 12 months; none without grades.</summary>
    public IReadOnlyList<RenewalMonth> Renewals { get; private set; } = [];

    /// <summary>The top grade (the grades are listed highest first), or null without a model.</summary>
    public Grade? Healthy { get; private set; }

    public double MaxScore { get; private set; } = 100;

    public int TrendDays => dashboard.Model?.TrendDays ?? 30;

    /// <summary>Active accounts in no grade: not scored, or scored on less of the model than its min_coverage.</summary>
    public int Ungraded => Math.Max(0, Summary.Accounts - Summary.ByGrade.Sum(g => g.Accounts));

    /// <summary>Of the ungraded, those scored on too little of the model for a grade (not the unscored).</summary>
    public int ScoredTooLittle => Math.Max(0, Ungraded - Summary.Unscored);

    public double UnscoredArr => Math.Max(0, Summary.Arr - Summary.ByGrade.Sum(g => g.Arr));

    /// <summary>No account below the top grade renews in the next 12 months.</summary>
    public bool NoRenewalRisk => Renewals.All(r => r.Accounts == 0);

    public IEnumerable<RenewalMonth> RenewalsAtRisk => Renewals.Where(r => r.Accounts > 0);

    /// <summary>Reads the book as of today (kept by the server until it changes); the trends only when something is scored.</summary>
    public void Load()
    {
        MaxScore = dashboard.Model?.MaxScore ?? 100;
        // The grades are listed highest first: the first is the healthy one.
        Healthy = dashboard.Grades.FirstOrDefault();
        var version = dashboard.ModelVersion;
        var since = dashboard.Today.AddYears(-1);
        var figures = cache.Get(trends, dashboard.Today, version, since, state =>
        {
            var book = state.Book(dashboard.Today, dashboard.Grades, version, MaxScore);
            return book.Summary.Scored == 0
                ? new PortfolioFigures(book, [], ([], []))
                : new PortfolioFigures(book, state.AverageOverTime(since), trends.Movers(state, models: dashboard.Models, trendDays: TrendDays));
        });
        Summary = figures.Book.Summary;
        if (Summary.Scored == 0)
        {
            return;
        }
        Bins = figures.Book.Distribution;
        Renewals = Healthy is null ? [] : figures.Book.Renewals;
        OverTime = figures.OverTime;
        Movers = figures.Movers;
    }

    /// <summary>A part of a whole, or null when the whole is nothing.</summary>
    public static double? Share(double part, double whole) => whole > 0 ? part / whole : null;

    private static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    private string ColorOf(string? grade) => dashboard.Grade(grade)?.SafeColor ?? Grade.NeutralColor;

    private string LabelOf(string grade) => dashboard.Grade(grade)?.Label ?? grade;

    public object GradeChart() => new
    {
        tooltip = new { trigger = "axis" },
        grid = new { left = 90, right = 30, top = 10, bottom = 30 },
        xAxis = new { type = "value", name = "ARR" },
        yAxis = new { type = "category", inverse = true, data = Summary.ByGrade.Select(g => LabelOf(g.Grade)).ToArray() },
        series = new[]
        {
            new { name = "ARR", type = "bar", data = Summary.ByGrade.Select(g => (object)new { value = Math.Round(g.Arr), itemStyle = new { color = ColorOf(g.Grade) } }).ToArray() },
        },
    };

    public string GradeDescription() =>
        "ARR by grade: " + string.Join("; ", Summary.ByGrade.Select(g => $"{LabelOf(g.Grade)} {N(g.Arr)} ARR in {N(g.Accounts)} accounts")) + ".";

    private static string BinLabel(ScoreBin b) => $"{b.From.ToString("0", CultureInfo.InvariantCulture)}–{b.To.ToString("0", CultureInfo.InvariantCulture)}";

    /// <summary>A band of scores takes the color of the grade its lowest score is in.</summary>
    private string BinColor(ScoreBin b) => ColorOf(dashboard.Grades.FirstOrDefault(g => g.Min <= b.From)?.Id);

    public object DistributionChart() => new
    {
        tooltip = new { trigger = "axis" },
        grid = new { left = 50, right = 20, top = 20, bottom = 40 },
        xAxis = new { type = "category", name = "score", nameLocation = "middle", nameGap = 28, data = Bins.Select(BinLabel).ToArray() },
        yAxis = new { type = "value", name = "accounts", minInterval = 1 },
        series = new[]
        {
            new { name = "Accounts", type = "bar", barCategoryGap = "5%", data = Bins.Select(b => (object)new { value = b.Accounts, itemStyle = new { color = BinColor(b) } }).ToArray() },
        },
    };

    public string DistributionDescription() =>
        "Accounts by current score: " + string.Join("; ", Bins.Select(b => $"{BinLabel(b)}: {N(b.Accounts)}")) + ".";

    public object HistoryChart() => new
    {
        tooltip = new { trigger = "axis" },
        grid = new { left = 50, right = 20, top = 20, bottom = 40 },
        xAxis = new { type = "category", boundaryGap = false, data = OverTime.Select(d => d.Day).ToArray() },
        yAxis = new { type = "value", name = "average score", min = 0, max = MaxScore },
        series = new[]
        {
            new { name = "Average score", type = "line", showSymbol = OverTime.Count <= 60, data = OverTime.Select(d => d.Average is { } a ? (object)Math.Round(a, 1) : null).ToArray() },
        },
    };

    /// <summary>The average over time in words: from the first week to the last, and its lowest and highest.</summary>
    public string HistoryDescription()
    {
        var first = OverTime[0];
        var last = OverTime[^1];
        var scored = OverTime.Where(d => d.Average is not null).ToList();
        var low = scored.MinBy(d => d.Average);
        var high = scored.MaxBy(d => d.Average);
        return $"The average score went from {Dashboard.Score(first.Average)} on {first.Day} to {Dashboard.Score(last.Average)} on {last.Day}, over {OverTime.Count} weekly points"
            + (low is null || high is null ? "." : $"; lowest {Dashboard.Score(low.Average)} on {low.Day}, highest {Dashboard.Score(high.Average)} on {high.Day}.");
    }

    public object RenewalChart() => new
    {
        tooltip = new { trigger = "axis" },
        grid = new { left = 70, right = 20, top = 20, bottom = 40 },
        xAxis = new { type = "category", data = Renewals.Select(r => Dashboard.Month(r.Month)).ToArray() },
        yAxis = new { type = "value", name = "ARR at risk" },
        series = new[]
        {
            new { name = "ARR at risk", type = "bar", itemStyle = new { color = ColorOf(dashboard.Grades.LastOrDefault()?.Id) }, data = Renewals.Select(r => Math.Round(r.Arr)).ToArray() },
        },
    };

    public string RenewalDescription() =>
        "ARR of accounts below the top grade renewing per month: " + string.Join("; ", Renewals.Select(r => $"{Dashboard.Month(r.Month)} {N(r.Arr)} ({N(r.Accounts)} accounts)")) + ".";
}
