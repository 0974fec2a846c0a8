namespace CustomerHealth.Core.Model;

/// <summary>The scoring definition of SPEC §4, as loaded from YAML and validated.</summary>
public sealed record HealthModel
{
    public required string Name { get; init; }
    public ScaleKind Scale { get; init; } = ScaleKind.Percent;
    public MissingPolicy Missing { get; init; } = MissingPolicy.Reweight;
    public int TrendDays { get; init; } = 30;

    /// <summary>`min_coverage`: the share of the model's weight (0–1) that must have data for a score to get a grade; null: <see cref="DefaultMinCoverage"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public double? MinCoverage { get; init; }

    /// <summary>Without `min_coverage`, half the model's weight must have data before an account is graded.</summary>
    public const double DefaultMinCoverage = 0.5;

    /// <summary>Whether a score made on <paramref name="coverage"/> of the model is graded.</summary>
    public bool IsGradedAt(double coverage) => coverage + 1e-9 >= (MinCoverage ?? DefaultMinCoverage);
    public string Timezone { get; init; } = "UTC";
    public HierarchyMode Hierarchy { get; init; } = HierarchyMode.None;
    public required IReadOnlyList<Grade> Grades { get; init; }
    public required IReadOnlyList<Dimension> Dimensions { get; init; }
    public IReadOnlyList<Scorecard> Scorecards { get; init; } = [];

    /// <summary>Every measure in model order (dimension by dimension); snapshots store measures in this order.</summary>
    public IEnumerable<(Dimension Dimension, Measure Measure)> AllMeasures()
    {
        foreach (var d in Dimensions)
        {
            foreach (var m in d.Measures)
            {
                yield return (d, m);
            }
        }
    }

    public int MeasureCount => Dimensions.Sum(d => d.Measures.Count);

    /// <summary>The top of the scale: 100, or the sum of all points in points mode.</summary>
    public double MaxScore => Scale == ScaleKind.Points ? AllMeasures().Sum(x => x.Measure.Points) : 100;

    public Grade GradeFor(double score)
    {
        foreach (var g in Grades)
        {
            if (score >= g.Min)
            {
                return g;
            }
        }
        return Grades[^1];
    }

    public Grade? FindGrade(string id) => Grades.FirstOrDefault(g => g.Id == id);
}

public enum ScaleKind { Percent, Points }

public enum MissingPolicy { Reweight, Neutral, Zero }

public enum HierarchyMode { None, Children }

/// <param name="Id">The grade's id in the model ("red").</param>
/// <param name="Label">How people call the grade ("At risk").</param>
/// <param name="Min">The lowest score in the grade: a score gets the first grade, highest `min` first, whose `min` it reaches.</param>
/// <param name="Color">As the model gives it: `#rgb` or `#rrggbb` since colors are checked at load; a model published
/// before may hold any text, so what is written into a page is <see cref="SafeColor"/>.</param>
public sealed record Grade(string Id, string Label, double Min, string Color)
{
    /// <summary>The color of a grade without one, and of a grade whose color is not a color.</summary>
    public const string NeutralColor = "#6c757d";

    /// <summary>The grade's color when it is `#rgb` or `#rrggbb`, else the neutral one: the only text a style or chart is given.</summary>
    public string SafeColor => IsColor(Color) ? Color : NeutralColor;

    /// <summary>Whether the text is a color as a model gives it: `#` and three or six hexadecimal digits.</summary>
    public static bool IsColor(string? text) =>
        text is { Length: 4 or 7 } && text[0] == '#' && !text.AsSpan(1).ContainsAnyExcept(HexDigits);

    private static readonly System.Buffers.SearchValues<char> HexDigits = System.Buffers.SearchValues.Create("0123456789abcdefABCDEF");
}

public sealed record Dimension(string Id, string Label, double Weight, IReadOnlyList<Measure> Measures);

public sealed record Measure
{
    public required string Id { get; init; }
    public required string Label { get; init; }
    public double Weight { get; init; } = 1;
    public double Points { get; init; }
    public required ValueSpec Value { get; init; }
    public required ScoreSpec Score { get; init; }
    public MissingPolicy? Missing { get; init; }
    public int? ValidForDays { get; init; }
}

public enum SignalKind { Usage, Surveys, Tickets, Invoices, Subscriptions, Orders, Metrics, Sentiment, Touches, Account }

public sealed record ValueSpec
{
    public required SignalKind Signal { get; init; }
    public required string Aggregate { get; init; }
    public IReadOnlyList<string> Events { get; init; } = [];
    public int? WindowDays { get; init; }
    public bool PerSeats { get; init; }
    public string? Kind { get; init; }
    public string? Metric { get; init; }
    public string? Field { get; init; }
    public IReadOnlyList<string> Priorities { get; init; } = [];
    public double? Default { get; init; }
}

public abstract record ScoreSpec;

public sealed record RangeScore(double Worst, double Best) : ScoreSpec;

public sealed record Band(double? Below, double Score);

public sealed record BandsScore(IReadOnlyList<Band> Bands) : ScoreSpec;

public sealed record PercentileScore(bool HigherIsBetter) : ScoreSpec;

public sealed record MapScore(IReadOnlyDictionary<string, double> Map) : ScoreSpec;

public sealed record Scorecard(string Id, IReadOnlyDictionary<string, IReadOnlyList<string>> When, IReadOnlyDictionary<string, double> Weights);
