using System.Globalization;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Web.Components.Model;

/// <summary>A health model told in sentences, for people who will never read its YAML.</summary>
internal sealed record ModelReading(
    string Name, IReadOnlyList<string> Overview, IReadOnlyList<DimensionReading> Dimensions, IReadOnlyList<string> Grades, IReadOnlyList<string> Missing,
    IReadOnlyList<string> Scorecards);

internal sealed record DimensionReading(string Id, string Label, string Sentence, IReadOnlyList<MeasureReading> Measures);

internal sealed record MeasureReading(string Id, string Label, string Sentence);

/// <summary>
/// Renders a <see cref="HealthModel"/> as plain sentences: what each dimension and measure counts for, what a measure
/// looks at and which values are good, the grades with their ranges, and what happens when data is missing or old.
/// </summary>
internal static class ModelSentences
{
    public static ModelReading Read(HealthModel model)
    {
        var points = model.Scale == ScaleKind.Points;
        var dimensionTotal = model.Dimensions.Sum(d => d.Weight);
        var overview = new List<string>
        {
            points
                ? $"Each account earns points: every measure below gives up to its points, and the score is their sum (at most {Num(model.MaxScore)} points)."
                : $"Each account gets a score from 0 to 100 made of {Count(model.Dimensions.Count, "part")}. Every measure turns a fact about the account into a score from 0 (worst) to 100 (best); a part's score is the weighted average of its measures, and the overall score the weighted average of the parts.",
            $"The trend compares the score with the score {Count(model.TrendDays, "day")} earlier.",
            $"Days end at midnight, {model.Timezone} time; a value “as of” a day sees only what happened up to the end of that day.",
        };
        if (model.Hierarchy == HierarchyMode.Children)
        {
            overview.Add("A parent account's score is the average of its active child accounts' scores, weighted by their ARR.");
        }
        var dimensions = model.Dimensions.Select(d =>
        {
            var measureTotal = d.Measures.Sum(m => m.Weight);
            var label = Lower(d.Label);
            var sentence = points
                ? $"{d.Label} gives up to {Num(d.Measures.Sum(m => m.Points))} of the {Num(model.MaxScore)} points. It is made of:"
                : $"{d.Label} counts for {Share(d.Weight, dimensionTotal)} of the score. It is made of:";
            var measures = d.Measures.Select(m =>
            {
                var weight = points
                    ? $"up to {Count(m.Points, "point")}"
                    : d.Measures.Count == 1
                        ? $"all of {label}, {Share(d.Weight, dimensionTotal)} of the score"
                        : $"{Share(m.Weight, measureTotal)} of {label}, {Share(m.Weight * d.Weight, measureTotal * dimensionTotal)} of the score";
                var text = $"{m.Label} ({weight}) — {Value(m.Value)}; {Score(m.Score)}.";
                if (m.Value.Default is { } dflt)
                {
                    text += $" An account that has never sent this kind of signal counts as {Num(dflt)}.";
                }
                if (m.Missing is { } own && own != model.Missing)
                {
                    text += " " + own switch
                    {
                        MissingPolicy.Neutral => "Without a value it counts as 50, neither good nor bad.",
                        MissingPolicy.Zero => "Without a value it counts as 0.",
                        _ => "Without a value it is left out and the other measures share its weight.",
                    };
                }
                if (m.ValidForDays is { } valid)
                {
                    text += $" A value older than {Count(valid, "day")} no longer counts: it is treated as missing.";
                }
                return new MeasureReading(m.Id, m.Label, text);
            }).ToList();
            return new DimensionReading(d.Id, d.Label, sentence, measures);
        }).ToList();
        return new ModelReading(model.Name, overview, dimensions, Grades(model), Missing(model), Scorecards(model));
    }

    private static List<string> Grades(HealthModel model)
    {
        var unit = model.Scale == ScaleKind.Points ? "points" : "a score";
        var lines = new List<string>();
        for (var i = 0; i < model.Grades.Count; i++)
        {
            var g = model.Grades[i];
            var name = $"{g.Label} ({g.Id})";
            lines.Add(model.Grades.Count == 1 ? $"{name}: every score."
                : i == 0 ? $"{name}: {unit} of {Num(g.Min)} or more."
                : i == model.Grades.Count - 1 ? $"{name}: below {Num(model.Grades[i - 1].Min)}."
                : $"{name}: from {Num(g.Min)} up to {Num(model.Grades[i - 1].Min)}.");
        }
        return lines;
    }

    private static List<string> Missing(HealthModel model)
    {
        var lines = new List<string>
        {
            model.Missing switch
            {
                MissingPolicy.Neutral => "When a measure has no value for an account, it counts as 50, neither good nor bad.",
                MissingPolicy.Zero => "When a measure has no value for an account, it counts as 0, as bad as it gets.",
                _ => "When a measure has no value for an account, it is left out and the other measures of its part share its weight; a part with no values left is left out the same way, and an account with no values at all is not scored.",
            },
            "No activity is information: an account that has sent a kind of signal before, but none within a measure's window, gets 0 for counts and sums. An account that has never sent that kind of signal (the source is not connected for it) has no value, nor does anything that cannot be computed, such as an average of nothing.",
        };
        var stale = model.AllMeasures().Where(x => x.Measure.ValidForDays is not null).ToList();
        lines.Add(stale.Count == 0
            ? "No measure has an expiry: each counts whatever falls within its window."
            : "Old values stop counting: " + string.Join("; ", stale.Select(x => $"{x.Measure.Label} after {Count(x.Measure.ValidForDays!.Value, "day")}")) + ".");
        return lines;
    }

    private static List<string> Scorecards(HealthModel model)
    {
        if (model.Scorecards.Count == 0)
        {
            return [];
        }
        var lines = new List<string>();
        foreach (var card in model.Scorecards)
        {
            var who = string.Join(" and ", card.When.Select(w => $"whose {Field(w.Key)} is {Or(w.Value)}"));
            var dimensionWeights = model.Dimensions.Select(d => (d.Label, Weight: card.Weights.GetValueOrDefault(d.Id, d.Weight))).ToList();
            var total = dimensionWeights.Sum(d => d.Weight);
            var text = model.Scale == ScaleKind.Points
                ? $"Accounts {who} are scored with the “{card.Id}” scorecard."
                : $"Accounts {who} are scored with the “{card.Id}” scorecard: " +
                  string.Join(", ", dimensionWeights.Select(d => $"{d.Label} {Share(d.Weight, total)}")) + " of the score.";
            var measureChanges = model.AllMeasures()
                .Where(x => card.Weights.ContainsKey($"{x.Dimension.Id}.{x.Measure.Id}"))
                .Select(x => $"{x.Measure.Label} weighs {Num(card.Weights[$"{x.Dimension.Id}.{x.Measure.Id}"])} instead of {Num(x.Measure.Weight)} within {Lower(x.Dimension.Label)}")
                .ToList();
            if (measureChanges.Count > 0)
            {
                text += " " + string.Join("; ", measureChanges) + ".";
            }
            lines.Add(text);
        }
        lines.Add(model.Scorecards.Count == 1 ? "The first scorecard that fits an account is used; every other account is scored with the weights above."
            : "The first scorecard that fits an account is used, in this order; every other account is scored with the weights above.");
        return lines;
    }

    /// <summary>What a measure looks at, as in “the number of different users per seat in the last 30 days”.</summary>
    internal static string Value(ValueSpec v)
    {
        var aggregate = AggregateCatalog.Find(v.Signal, v.Aggregate);
        var what = aggregate?.Describe(v) ?? $"the {v.Aggregate.Replace('_', ' ')} of {v.Signal.ToString().ToLowerInvariant()}";
        var compares = aggregate is { ComparesWindows: true };
        if (v.PerSeats)
        {
            what += " per seat";
        }
        if (v.Priorities.Count > 0)
        {
            what += $" with priority {Or(v.Priorities)}";
        }
        if (v.WindowDays is { } days)
        {
            what += compares ? $" in the last {Count(days, "day")} against the {Count(days, "day")} before" : $" in the last {Count(days, "day")}";
        }
        if (compares)
        {
            what += ", as a share (+0.1 is 10% more, −0.5 is half as much)";
        }
        return what;
    }

    /// <summary>Which values are good, as in “higher is better: 2 or less scores 0, 20 or more scores 100”.</summary>
    internal static string Score(ScoreSpec s) => s switch
    {
        RangeScore r when r.Worst <= r.Best =>
            $"higher is better: {Num(r.Worst)} or less scores 0, {Num(r.Best)} or more scores 100, and values between score in proportion",
        RangeScore r =>
            $"lower is better: {Num(r.Worst)} or more scores 0, {Num(r.Best)}{(r.Best == 0 ? "" : " or less")} scores 100, and values between score in proportion",
        BandsScore b => "scored in steps: " + string.Join(", ", b.Bands.Select((band, i) =>
            band.Below is { } below
                ? i == 0 ? $"below {Num(below)} scores {Num(band.Score)}" : $"{Num(b.Bands[i - 1].Below ?? 0)} up to {Num(below)} scores {Num(band.Score)}"
                : i == 0 ? $"any value scores {Num(band.Score)}" : $"{Num(b.Bands[i - 1].Below ?? 0)} or more scores {Num(band.Score)}")),
        PercentileScore { HigherIsBetter: true } =>
            "higher is better, compared with the other accounts scored the same way that day: the highest value scores 100, the lowest 0, the middle 50",
        PercentileScore =>
            "lower is better, compared with the other accounts scored the same way that day: the lowest value scores 100, the highest 0, the middle 50",
        MapScore m => "scored by value: " + string.Join(", ", m.Map.Select(kv => $"{kv.Key} scores {Num(kv.Value)}")),
        _ => "scored from 0 to 100",
    };

    private static string Field(string key) => key switch
    {
        "lifecycle_stage" => "lifecycle stage",
        "segment" => "segment",
        "plan" => "plan",
        "owner" => "owner",
        var other => other.Replace('_', ' '),
    };

    private static string Or(IReadOnlyList<string> values) =>
        values.Count <= 1 ? string.Join("", values) : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[^1];

    /// <summary>A dimension's label inside a sentence: “of product adoption” (an acronym such as NPS keeps its capitals).</summary>
    private static string Lower(string label) =>
        label.Length > 1 && char.IsUpper(label[0]) && !char.IsUpper(label[1]) ? char.ToLowerInvariant(label[0]) + label[1..] : label;

    internal static string Share(double part, double whole)
    {
        if (whole <= 0)
        {
            return "0%";
        }
        var pct = part / whole * 100;
        return pct.ToString(Math.Abs(pct - Math.Round(pct)) >= 0.05 ? "0.#" : "0", CultureInfo.InvariantCulture) + "%";
    }

    private static string Count(double n, string unit) => $"{Num(n)} {unit}{(n == 1 ? "" : "s")}";

    internal static string Num(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
