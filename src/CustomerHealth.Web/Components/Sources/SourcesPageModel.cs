using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Sources;

/// <summary>
/// The Sources page (Pages/SourcesPage.razor) apart from its markup: the data health report for the quiet days the
/// address asks for (`quiet_days`, 1–365; anything else is said and the default used), and the words that describe it.
/// </summary>
internal sealed class SourcesPageModel(SourceReader reader, string? quietDays)
{
    /// <summary>How many quiet accounts a source lists on the page.</summary>
    public const int ListedQuiet = 20;

    public SourcesReport Report { get; private set; } = null!;

    /// <summary>What was wrong with the quiet days asked for, if anything.</summary>
    public string? Refusal { get; private set; }

    public void Load()
    {
        var days = SourceHealth.DefaultQuietDays;
        if (!string.IsNullOrWhiteSpace(quietDays))
        {
            if (int.TryParse(quietDays.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var asked) && asked is >= 1 and <= 365)
            {
                days = asked;
            }
            else
            {
                Refusal = $"“{quietDays}” is not a number of days between 1 and 365: showing {days} days.";
            }
        }
        Report = reader.Read(days);
    }

    /// <summary>Nothing has arrived of any kind within the look-back.</summary>
    public bool Empty => Report.Sources.All(s => s.Status == "none");

    /// <summary>The measures whose source covers few accounts.</summary>
    public IEnumerable<MeasureSource> LowCoverage => Report.Measures.Where(m => m.LowCoverage);

    public static string KindLabel(string kind) => kind switch
    {
        "usage" => "Product usage",
        "surveys" => "Surveys",
        "tickets" => "Support tickets",
        "invoices" => "Invoices",
        "subscriptions" => "Subscriptions",
        "orders" => "Orders",
        "metrics" => "Metrics",
        "sentiment" => "Sentiment notes",
        "touches" => "Notes, calls and meetings",
        _ => kind,
    };

    /// <summary>The state in words, and the badge's colour.</summary>
    public static (string Text, string Class) State(SourceHealthRow s) => s.Status switch
    {
        "quiet" => ($"Stopped: nothing from any account for {s.DaysSinceLast} days", "text-bg-danger"),
        "none" => ("No data", "text-bg-secondary"),
        "external" => ($"Computed where the data lives: {s.ComputedIn}", "text-bg-info"),
        _ => ("Arriving", "text-bg-success"),
    };

    /// <summary>"every 3 days", "every day"; "—" without a gap.</summary>
    public static string Every(double? gap) => gap is { } g ? SourceHealth.Rhythm(g) : "—";

    /// <summary>A week's Monday as "Nov 30".</summary>
    public static string Week(string monday) =>
        DateOnly.ParseExact(monday, "yyyy-MM-dd", CultureInfo.InvariantCulture).ToString("MMM d", CultureInfo.InvariantCulture);

    // The sources with a weekly volume to chart: those with data in the store (not none, not computed elsewhere).
    private IEnumerable<SourceHealthRow> Charted => Report.Sources.Where(s => s.Status is not ("none" or "external"));

    /// <summary>The weekly volume of the sources with data, as a line chart.</summary>
    public object WeeklyChart()
    {
        var shown = Charted.ToList();
        return new
        {
            tooltip = new { trigger = "axis" },
            legend = new { top = 0 },
            grid = new { left = 60, right = 20, top = 40, bottom = 30 },
            xAxis = new { type = "category", data = (shown.FirstOrDefault()?.Weekly ?? []).Select(w => Week(w.Week)).ToArray() },
            yAxis = new { type = "log", name = "per week", min = 1 },
            series = shown.Select(s => new { name = KindLabel(s.Kind), type = "line", data = s.Weekly.Select(w => w.Count > 0 ? (object)w.Count : null).ToArray() }).ToArray(),
        };
    }

    /// <summary>The chart in words.</summary>
    public string WeeklyDescription() =>
        "Signals per week, by source, the last " + SourceReader.Weeks + " weeks: " + string.Join("; ", Charted.Select(s =>
            $"{KindLabel(s.Kind)} {string.Join(", ", s.Weekly.Select(w => w.Count.ToString("N0", CultureInfo.InvariantCulture)))}")) + ".";
}
