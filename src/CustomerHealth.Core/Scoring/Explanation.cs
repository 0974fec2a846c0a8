namespace CustomerHealth.Core.Scoring;

public sealed record MeasureExplanation(string Id, string Label, object? Value, double? Score, double EffectiveWeight, double Contribution, bool Missing, bool Stale);

public sealed record DimensionExplanation(string Id, string Label, double? Score, double EffectiveWeight, double Contribution, IReadOnlyList<MeasureExplanation> Measures);

/// <summary>One measure's part in a score change between two dates.</summary>
public sealed record ContributionChange(string Dimension, string Measure, string Label, object? FromValue, object? ToValue, double FromContribution, double ToContribution)
{
    public double Change => ToContribution - FromContribution;
}

/// <summary>The explanation of a score (SPEC §4.6): the breakdown, and what changed between two scores.</summary>
public static class Explanations
{
    public static IReadOnlyList<DimensionExplanation> Breakdown(ScoringPlan plan, IReadOnlyList<ScoredMeasure> measures)
    {
        var result = new List<DimensionExplanation>();
        if (measures.Count != plan.Measures.Length)
        {
            return result;
        }
        for (var d = 0; d < plan.Model.Dimensions.Count; d++)
        {
            var dim = plan.Model.Dimensions[d];
            var items = new List<MeasureExplanation>();
            double weight = 0, contribution = 0;
            for (var j = 0; j < plan.Measures.Length; j++)
            {
                if (plan.MeasureDimension[j] != d)
                {
                    continue;
                }
                var m = measures[j];
                var measure = plan.Measures[j];
                items.Add(new MeasureExplanation(measure.Id, measure.Label, ValueOf(m), double.IsNaN(m.Score) ? null : m.Score, m.EffectiveWeight,
                    m.Contribution, m.Missing, m.Stale));
                weight += m.EffectiveWeight;
                contribution += m.Contribution;
            }
            // The dimension's own 0–100 score: its measures' scores weighted by their shares.
            result.Add(new DimensionExplanation(dim.Id, dim.Label, weight > 0 ? contribution / weight : null,
                weight, contribution, items));
        }
        return result;
    }

    public static object? ValueOf(ScoredMeasure m) => m.Value.IsText ? m.Value.Text : m.Value.IsMissing ? null : m.Value.Number;

    /// <summary>Each measure's contribution change, largest first; measures are matched by `dimension.measure`.</summary>
    public static IReadOnlyList<ContributionChange> Diff(ScoringPlan fromPlan, IReadOnlyList<ScoredMeasure> from, ScoringPlan toPlan, IReadOnlyList<ScoredMeasure> to)
    {
        var before = new Dictionary<string, (ScoredMeasure M, string Label)>();
        for (var j = 0; j < fromPlan.Measures.Length && j < from.Count; j++)
        {
            before[fromPlan.MeasureKeys[j]] = (from[j], fromPlan.Measures[j].Label);
        }
        var changes = new List<ContributionChange>();
        for (var j = 0; j < toPlan.Measures.Length && j < to.Count; j++)
        {
            var key = toPlan.MeasureKeys[j];
            var dim = toPlan.Model.Dimensions[toPlan.MeasureDimension[j]].Id;
            if (before.Remove(key, out var b))
            {
                changes.Add(new ContributionChange(dim, toPlan.Measures[j].Id, toPlan.Measures[j].Label, ValueOf(b.M), ValueOf(to[j]), b.M.Contribution, to[j].Contribution));
            }
            else
            {
                changes.Add(new ContributionChange(dim, toPlan.Measures[j].Id, toPlan.Measures[j].Label, null, ValueOf(to[j]), 0, to[j].Contribution));
            }
        }
        foreach (var (key, b) in before)
        {
            var parts = key.Split('.');
            changes.Add(new ContributionChange(parts[0], parts[1], b.Label, ValueOf(b.M), null, b.M.Contribution, 0));
        }
        return changes.OrderByDescending(c => Math.Abs(c.Change)).ToList();
    }
}
