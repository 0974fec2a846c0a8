using System.Globalization;
using System.Text;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Drafts;

namespace CustomerHealth.Web.Components.Model;

/// <summary>A bar of the chart: the accounts whose value falls between two values, and where it is drawn.</summary>
internal sealed record CurveBar(double From, double To, int Accounts, double X, double Width, double Height);

/// <summary>A value the curve turns at (a range's worst or best, a band's end), with its label and where it is drawn.</summary>
internal sealed record CurveMark(double Value, string Label, double X);

/// <summary>A value of a map with the accounts that have it now and the score it gives (null: none, it is not in the map).</summary>
internal sealed record MapRow(string Value, int Accounts, double? Score);

/// <summary>
/// The model builder's small chart of a measure's score curve over the values the accounts have now: bars of how many
/// accounts have which value, the curve from 0 to 100 drawn across them with the values it turns at marked, and the
/// same told in a sentence (how many score 0, how many 100, how many between). A map is told as a list of its values.
/// Every coordinate is in a <see cref="Width"/> × <see cref="Height"/> box.
/// </summary>
internal sealed class ScoreCurve
{
    public const double Width = 320;

    public const double Height = 120;

    /// <summary>How many bars the values are counted in.</summary>
    public const int Bars = 20;

    private const double Top = 6;

    private const double Bottom = Height - 18;

    private const double Left = 26;

    private const double Right = Width - 6;

    public IReadOnlyList<CurveBar> Histogram { get; }

    /// <summary>The curve as an SVG polyline's points ("x,y x,y …"); empty for a map.</summary>
    public string Points { get; }

    public IReadOnlyList<CurveMark> Marks { get; }

    public IReadOnlyList<MapRow> Map { get; }

    /// <summary>The lowest and highest value drawn.</summary>
    public (double Low, double High) Span { get; }

    /// <summary>What the chart shows, in words (its accessible name too).</summary>
    public string Sentence { get; }

    public bool IsMap { get; }

    public ScoreCurve(ScoreSpec score, MeasureSpread spread)
    {
        var numbers = spread.Numbers;
        IsMap = score is MapScore;
        if (score is MapScore map)
        {
            Map = Rows(map, spread);
            Histogram = [];
            Marks = [];
            Points = "";
            var scored = Map.Where(r => r.Score is not null).Sum(r => r.Accounts);
            var unscored = Map.Where(r => r.Score is null).Sum(r => r.Accounts);
            Sentence = $"{Accounts(scored)} with a value the map scores{(unscored > 0 ? $", {Accounts(unscored)} with a value it does not (no score)" : "")}{Without(spread)}.";
            return;
        }
        Map = [];
        var anchors = score switch
        {
            RangeScore r => [r.Worst, r.Best],
            BandsScore b => b.Bands.Where(x => x.Below is not null).Select(x => x.Below!.Value).ToArray(),
            _ => Array.Empty<double>(),
        };
        var all = numbers.Concat(anchors).ToList();
        var (low, high) = all.Count == 0 ? (0d, 1d) : (all.Min(), all.Max());
        if (high - low < 1e-9)
        {
            (low, high) = (low - 1, high + 1);
        }
        var pad = (high - low) * 0.05;
        Span = (low - pad, high + pad);
        Histogram = Count(numbers);
        Marks = score switch
        {
            RangeScore r => [new CurveMark(r.Worst, "0", X(r.Worst)), new CurveMark(r.Best, "100", X(r.Best))],
            _ => anchors.Select(a => new CurveMark(a, ModelSentences.Num(a), X(a))).ToList(),
        };
        Points = score is PercentileScore p ? PercentilePoints(numbers, p.HigherIsBetter) : LinePoints(score);
        Sentence = Tell(score, spread);
    }

    /// <summary>The horizontal position of a value.</summary>
    public double X(double value) => Left + (value - Span.Low) / (Span.High - Span.Low) * (Right - Left);

    /// <summary>The vertical position of a score (0 at the bottom, 100 at the top).</summary>
    public static double Y(double score) => Bottom - score / 100 * (Bottom - Top);

    public static double BaseLine => Bottom;

    public static double Ceiling => Top;

    public static double LeftEdge => Left;

    public static double RightEdge => Right;

    private List<CurveBar> Count(IReadOnlyList<double> numbers)
    {
        var counts = new int[Bars];
        var step = (Span.High - Span.Low) / Bars;
        foreach (var n in numbers)
        {
            counts[Math.Clamp((int)((n - Span.Low) / step), 0, Bars - 1)]++;
        }
        var most = Math.Max(1, counts.Max());
        var width = (Right - Left) / Bars;
        return Enumerable.Range(0, Bars)
            .Select(i => new CurveBar(Span.Low + i * step, Span.Low + (i + 1) * step, counts[i], Left + i * width + 0.5, width - 1, counts[i] * (Bottom - Top) / most))
            .ToList();
    }

    private string LinePoints(ScoreSpec score)
    {
        var points = new StringBuilder();
        const int steps = 160;
        for (var i = 0; i <= steps; i++)
        {
            var value = Span.Low + (Span.High - Span.Low) * i / steps;
            var s = MeasureScores.Score(score, MeasureValue.Of(value));
            if (double.IsFinite(s))
            {
                Point(points, X(value), Y(s));
            }
        }
        return points.ToString().TrimEnd();
    }

    private string PercentilePoints(IReadOnlyList<double> numbers, bool higherIsBetter)
    {
        if (numbers.Count == 0)
        {
            return "";
        }
        var scores = new double[numbers.Count];
        MeasureScores.Percentiles(numbers.ToArray(), scores, higherIsBetter);
        var points = new StringBuilder();
        for (var i = 0; i < numbers.Count; i++)
        {
            if (i == 0 || numbers[i] != numbers[i - 1])
            {
                Point(points, X(numbers[i]), Y(scores[i]));
            }
        }
        return points.ToString().TrimEnd();
    }

    private static void Point(StringBuilder points, double x, double y) =>
        points.Append(x.ToString("0.#", CultureInfo.InvariantCulture)).Append(',').Append(y.ToString("0.#", CultureInfo.InvariantCulture)).Append(' ');

    private static string Tell(ScoreSpec score, MeasureSpread spread)
    {
        var numbers = spread.Numbers;
        if (numbers.Count == 0)
        {
            return $"No account has a value for this measure yet{Without(spread)}.";
        }
        var range = $"Values now go from {ModelSentences.Num(numbers[0])} to {ModelSentences.Num(numbers[^1])}, half of the accounts at {ModelSentences.Num(numbers[(numbers.Count - 1) / 2])} or less";
        if (score is PercentileScore)
        {
            return $"{range}; each account scores by its rank among the {Accounts(numbers.Count)} with a value{Without(spread)}.";
        }
        var scores = numbers.Select(n => MeasureScores.Score(score, MeasureValue.Of(n))).ToList();
        var zero = scores.Count(s => s <= 0);
        var full = scores.Count(s => s >= 100);
        var between = scores.Count - zero - full;
        return $"{range}. Of the {Accounts(numbers.Count)} with a value, {N(zero)} score 0, {N(between)} score between 0 and 100, and {N(full)} score 100{Without(spread)}.";
    }

    private static List<MapRow> Rows(MapScore map, MeasureSpread spread)
    {
        var counts = new Dictionary<string, int>(spread.Texts, StringComparer.Ordinal);
        foreach (var n in spread.Numbers)
        {
            var key = n.ToString(CultureInfo.InvariantCulture);
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }
        return map.Map.Keys.Concat(counts.Keys.OrderByDescending(k => counts[k]).ThenBy(k => k, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal)
            .Select(k => new MapRow(k, counts.GetValueOrDefault(k), map.Map.TryGetValue(k, out var s) ? s : null))
            .ToList();
    }

    private static string Without(MeasureSpread spread) => spread.Missing == 0 ? "" : $"; {Accounts(spread.Missing)} {(spread.Missing == 1 ? "has" : "have")} none";

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    private static string Accounts(int n) => n == 1 ? "1 account" : $"{n.ToString("N0", CultureInfo.InvariantCulture)} accounts";
}
