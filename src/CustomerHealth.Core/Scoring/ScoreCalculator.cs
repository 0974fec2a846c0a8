using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Scoring;

/// <summary>
/// Combines measure values into scores for a cohort of accounts scored on the same day (SPEC §4.2–§4.4):
/// percentiles need the whole cohort, so scoring runs in two passes over the value matrix.
/// </summary>
public static class ScoreCalculator
{
    /// <param name="plan">The flattened model.</param>
    /// <param name="scorecards">Each account's scorecard index.</param>
    /// <param name="values">values[account][measure], in model measure order.</param>
    public static AccountScore[] ScoreAll(ScoringPlan plan, IReadOnlyList<int> scorecards, IReadOnlyList<MeasureValue[]> values)
    {
        var n = values.Count;
        var m = plan.Measures.Length;
        // The measure scores a column per measure (scores[j][a]). The accounts' values are read once, account by
        // account, into columns: a measure's work then runs along its own column instead of picking one value out of
        // each of the accounts' rows, which lie all over memory.
        var scores = new double[m][];
        var numbers = new double[m][];
        var ranked = plan.Measures.Select(x => x.Score is PercentileScore).ToArray();
        for (var j = 0; j < m; j++)
        {
            scores[j] = new double[n];
            numbers[j] = ranked[j] ? new double[n] : [];
        }
        Parallel.For(0, (n + ColumnBlock - 1) / ColumnBlock, block =>
        {
            for (int a = block * ColumnBlock, end = Math.Min(n, a + ColumnBlock); a < end; a++)
            {
                var row = values[a];
                for (var j = 0; j < m; j++)
                {
                    var v = row[j];
                    if (ranked[j])
                    {
                        // A missing or text value is not in the cohort, and has no score.
                        numbers[j][a] = !v.IsMissing && !v.IsText ? v.Number : double.NaN;
                    }
                    else
                    {
                        scores[j][a] = MeasureScores.Score(plan.Measures[j].Score, v);
                    }
                }
            }
        });
        // The measures scored by percentile, each apart (one scorecard's accounts at a time), on every core.
        Parallel.For(0, m, () => (Column: new double[n], Scores: new double[n]), (j, _, buffers) =>
        {
            if (plan.Measures[j].Score is not PercentileScore p)
            {
                return buffers;
            }
            var (column, colScores) = buffers;
            var number = numbers[j];
            var score = scores[j];
            // A scorecard none of whose accounts has a value ranks nothing: its accounts keep no score (NaN).
            for (var card = 0; card < plan.ScorecardIds.Length; card++)
            {
                for (var a = 0; a < n; a++)
                {
                    column[a] = scorecards[a] == card ? number[a] : double.NaN;
                }
                MeasureScores.Percentiles(column, colScores, p.HigherIsBetter);
                for (var a = 0; a < n; a++)
                {
                    if (scorecards[a] == card)
                    {
                        score[a] = colScores[a];
                    }
                }
            }
            return buffers;
        }, _ => { });
        var result = new AccountScore[n];
        Parallel.For(0, n, a =>
        {
            Span<double> measureScores = stackalloc double[m];
            for (var j = 0; j < m; j++)
            {
                measureScores[j] = scores[j][a];
            }
            result[a] = Combine(plan, scorecards[a], values[a], measureScores);
        });
        return result;
    }

    /// <summary>How many accounts' values one task reads into the columns at a time.</summary>
    private const int ColumnBlock = 4096;

    /// <summary>
    /// The share of the scorecard's weight whose measures had data: each measure's weight as if every measure had
    /// data (its dimension's share × its share in the dimension), summed over those that had. A measure scored by the
    /// `neutral` or `zero` policy had no data, so it does not count.
    /// </summary>
    public static double Coverage(ScoringPlan plan, int card, ReadOnlySpan<bool> missing)
    {
        var mw = plan.MeasureWeights[card];
        var dw = plan.DimensionWeights[card];
        var dims = plan.Model.Dimensions.Count;
        Span<double> dimWeight = stackalloc double[dims];
        dimWeight.Clear();
        for (var j = 0; j < mw.Length; j++)
        {
            dimWeight[plan.MeasureDimension[j]] += mw[j];
        }
        double dimSum = 0;
        for (var d = 0; d < dims; d++)
        {
            if (dimWeight[d] > 0)
            {
                dimSum += dw[d];
            }
        }
        if (dimSum <= 0)
        {
            return 0;
        }
        double covered = 0;
        for (var j = 0; j < mw.Length; j++)
        {
            var d = plan.MeasureDimension[j];
            if (!missing[j] && dimWeight[d] > 0)
            {
                covered += dw[d] / dimSum * (mw[j] / dimWeight[d]);
            }
        }
        return Math.Min(1, covered);
    }

    /// <summary>Weights, missing values and the overall score for one account whose measure scores are known.</summary>
    public static AccountScore Combine(ScoringPlan plan, int card, MeasureValue[] values, ReadOnlySpan<double> measureScores)
    {
        var m = plan.Measures.Length;
        var dims = plan.Model.Dimensions.Count;
        var mw = plan.MeasureWeights[card];
        var dw = plan.DimensionWeights[card];
        Span<double> effective = stackalloc double[m];
        Span<double> score = stackalloc double[m];
        Span<double> dimTotal = stackalloc double[dims];
        Span<bool> missing = stackalloc bool[m];
        dimTotal.Clear();
        for (var j = 0; j < m; j++)
        {
            var s = measureScores[j];
            missing[j] = double.IsNaN(s);
            if (missing[j])
            {
                s = plan.MissingOf(j) switch { MissingPolicy.Neutral => 50, MissingPolicy.Zero => 0, _ => double.NaN };
            }
            score[j] = s;
            if (!double.IsNaN(s))
            {
                dimTotal[plan.MeasureDimension[j]] += mw[j];
            }
        }
        double dimSum = 0;
        for (var d = 0; d < dims; d++)
        {
            if (dimTotal[d] > 0)
            {
                dimSum += dw[d];
            }
        }
        var measures = new ScoredMeasure[m];
        if (dimSum <= 0)
        {
            for (var j = 0; j < m; j++)
            {
                measures[j] = new ScoredMeasure(values[j], score[j], 0, missing[j], values[j].IsStale);
            }
            return new AccountScore(card, null, measures, 0);
        }
        var scale = plan.MaxScore / 100;
        double total = 0;
        for (var j = 0; j < m; j++)
        {
            var d = plan.MeasureDimension[j];
            var eff = double.IsNaN(score[j]) || dimTotal[d] <= 0 ? 0 : dw[d] / dimSum * (mw[j] / dimTotal[d]) * scale;
            measures[j] = new ScoredMeasure(values[j], score[j], eff, missing[j], values[j].IsStale);
            total += measures[j].Contribution;
        }
        return new AccountScore(card, total, measures, Coverage(plan, card, missing));
    }
}
