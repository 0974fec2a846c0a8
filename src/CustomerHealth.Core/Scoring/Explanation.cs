namespace CustomerHealth.Core.Scoring;

public sealed record MeasureExplanation(string Id, string Label, object? Value, double? Score, double EffectiveWeight, double Contribution, bool Missing, bool Stale);

public sealed record DimensionExplanation(string Id, string Label, double? Score, double EffectiveWeight, double Contribution, IReadOnlyList<MeasureExplanation> Measures);

/// <summary>
/// One part of a score change between two dates (<see cref="ChangeAttribution"/>): a measure's, with its value and
/// contribution then and now, or a cause that is not a measure (<see cref="Cause"/>: the model version, the
/// scorecard, an override). <see cref="Change"/> is the part of the change that this cause made; the parts add up to
/// the change. A measure's <see cref="Cause"/> says when its part came from data arriving (`source_connected`), going
/// quiet or stale (`source_quiet`), or the same value ranking differently among all accounts (`cohort`).
/// </summary>
public sealed record ContributionChange(string? Dimension, string? Measure, string Label, object? FromValue, object? ToValue, double FromContribution, double ToContribution, double Change, string? Cause);

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
}
