using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using YamlDotNet.RepresentationModel;

namespace CustomerHealth.Core.Backtesting;

/// <summary>How `chs suggest` uses its observation dates (indexes into them): from <see cref="FirstTest"/> on they test; <see cref="TrainDates"/> fit.</summary>
/// <param name="FirstTest">The index of the first test date.</param>
/// <param name="TrainDates">The indexes of the dates that fit.</param>
/// <param name="Note">Why the split is not clean, when it is not.</param>
public sealed record DateSplit(int FirstTest, IReadOnlyList<int> TrainDates, string? Note);

/// <summary>
/// Turns fitted coefficients into model weights and writes them into a copy of the model's YAML: a measure whose
/// higher score goes with less churn gets weight in proportion to that effect; one that does not help gets 0.
/// </summary>
public static class SuggestedWeights
{
    /// <summary>
    /// Which observation dates fit the weights and which test them (both AUCs are measured on the test dates only): the
    /// last third of the dates test; the earlier ones whose horizon ends before testing starts fit. When no earlier date
    /// is that far from the test period, all earlier dates fit, and <see cref="DateSplit.Note"/> says that their labels
    /// reach into it.
    /// </summary>
    /// <param name="days">At least two observation dates (<see cref="DateOnly.DayNumber"/>s), in order.</param>
    /// <param name="horizonDays">Churn within this many days after a date labels it; a date fits only when that horizon ends by the first test date.</param>
    public static DateSplit Split(IReadOnlyList<int> days, int horizonDays)
    {
        if (days.Count < 2)
        {
            throw new ArgumentException("at least two dates: earlier ones to fit, later ones to test", nameof(days));
        }
        // The last third tests, and at least the last date; at least the first date fits.
        var firstTest = Math.Clamp((int)Math.Ceiling(days.Count * 2 / 3.0), 1, days.Count - 1);
        var trainDates = Enumerable.Range(0, firstTest).Where(i => days[i] + horizonDays <= days[firstTest]).ToList();
        string? note = null;
        if (trainDates.Count == 0)
        {
            trainDates = Enumerable.Range(0, firstTest).ToList();
            note = "the horizon is longer than the span of the earlier dates: the training labels reach into the test period";
        }
        return new DateSplit(firstTest, trainDates, note);
    }

    /// <summary>
    /// Each measure's share of the score (<see cref="FromCoefficients"/>) from an L2-regularised logistic regression of
    /// churn on the measure scores of the training observations; null when they have no churn, or only churn, to learn from.
    /// </summary>
    public static double[]? Fit(ScoringPlan plan, IReadOnlyList<Observation> train, double lambda)
    {
        if (train.Count(o => o.Churned) == 0 || train.All(o => o.Churned))
        {
            return null;
        }
        var fit = ChurnModel.Fit(train.Select(o => Features(plan, o)).ToList(), train.Select(o => o.Churned).ToList(), lambda);
        return FromCoefficients(fit.Coefficients);
    }

    /// <summary>The measure scores on a 0–1 scale; a missing measure counts as neutral (0.5).</summary>
    internal static double[] Features(ScoringPlan plan, Observation o) =>
        o.Measures.Select(m => m.Missing || double.IsNaN(m.Score) ? 0.5 : m.Score / plan.MaxScore).ToArray();

    /// <summary>Each measure's share of the score (they sum to 1): the negative coefficients of the measure scores, normalised.</summary>
    public static double[] FromCoefficients(IReadOnlyList<double> coefficients)
    {
        var raw = coefficients.Select(c => Math.Max(0, -c)).ToArray();
        var sum = raw.Sum();
        return sum <= 0 ? raw.Select(_ => 1.0 / raw.Length).ToArray() : raw.Select(r => r / sum).ToArray();
    }

    /// <summary>
    /// The model's YAML with measure weights set to the shares (as percentages) and each dimension's weight to the sum
    /// of its measures', so that every measure's effective weight is its share. Comments are not kept.
    /// </summary>
    public static string Apply(string yaml, IReadOnlyDictionary<string, double> shares, string note)
    {
        // The text is a published model's, but its nesting is checked again before it is built: building recurses.
        if (YamlLimits.Check(yaml, published: true) is { } tooMuch)
        {
            throw new ModelInvalidException("model.yaml", [tooMuch]);
        }
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        if (root.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode n)
        {
            n.Value += " (suggested weights)";
        }
        foreach (var dim in ((YamlSequenceNode)root.Children[new YamlScalarNode("dimensions")]).Children.OfType<YamlMappingNode>())
        {
            var measures = ((YamlSequenceNode)dim.Children[new YamlScalarNode("measures")]).Children.OfType<YamlMappingNode>().ToList();
            var weights = measures.Select(m => shares.GetValueOrDefault(((YamlScalarNode)m.Children[new YamlScalarNode("id")]).Value!) * 100).ToList();
            var total = weights.Sum();
            for (var i = 0; i < measures.Count; i++)
            {
                // A dimension none of whose measures helps keeps its measures' proportions (at no weight overall): a model needs them non-zero.
                measures[i].Children[new YamlScalarNode("weight")] = new YamlScalarNode(Format(total > 0 ? weights[i] : 1));
            }
            dim.Children[new YamlScalarNode("weight")] = new YamlScalarNode(Format(total));
        }
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        writer.WriteLine("# " + note);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a saved document with an explicit end marker; a model file does not need it.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text.Replace("\r\n...\r\n", "\r\n", StringComparison.Ordinal);
    }

    private static string Format(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
