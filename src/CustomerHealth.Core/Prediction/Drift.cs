using System.Globalization;

namespace CustomerHealth.Core.Prediction;

/// <summary>
/// How far a measure's distribution has moved since a predictor was trained: the population stability index (PSI)
/// of the values now against the training period's. The training values are cut into ten bins at their deciles
/// (ties share a bin, so there may be fewer); each bin's share of the training values e and of the values now a
/// gives PSI = Σ (a − e) · ln(a / e), a share of 0 counted as 0.0001 so an empty bin weighs without dividing by 0.
/// Below 0.1 the distribution has hardly moved; from 0.25 it has moved enough to refit (<see cref="Warning"/>).
/// </summary>
public static class Drift
{
    /// <summary>The PSI from which a predictor's inputs have moved enough to refit it.</summary>
    public const double Warning = 0.25;

    /// <summary>
    /// Why a predictor should be fitted again because of one measure, or null: its values moved past
    /// <see cref="Warning"/>, or its source now covers under half the share of accounts it covered in training.
    /// </summary>
    /// <param name="psi">The measure's PSI now against training (null: not comparable).</param>
    /// <param name="trainingCoverage">The share of training observations that had a value.</param>
    /// <param name="coverageNow">The share of accounts that have one now.</param>
    public static string? Verdict(double? psi, double trainingCoverage, double coverageNow) =>
        psi >= Warning
            ? $"its values have moved since training (PSI {psi.Value.ToString("0.00", CultureInfo.InvariantCulture)}, past {Warning.ToString("0.00", CultureInfo.InvariantCulture)}): fit again"
            : trainingCoverage > 0 && coverageNow < trainingCoverage / 2
                ? $"its source now covers {coverageNow.ToString("P0", CultureInfo.InvariantCulture)} of the accounts against {trainingCoverage.ToString("P0", CultureInfo.InvariantCulture)} in training: check the source, then fit again"
                : null;

    /// <summary>The share an empty bin counts as.</summary>
    public const double Floor = 1e-4;

    /// <summary>The PSI of <paramref name="now"/> against <paramref name="training"/>; null when either has no value.</summary>
    public static double? Psi(IReadOnlyList<double> training, IReadOnlyList<double> now) =>
        training.Count == 0 ? null : Psi(Profile(training), now);

    /// <summary>What <see cref="Psi(IReadOnlyList{double}, IReadOnlyList{double})"/> keeps of the training values: the cut points and each bin's share (empty for none).</summary>
    public static (double[] Edges, double[] Shares) Profile(IReadOnlyList<double> training)
    {
        if (training.Count == 0)
        {
            return ([], []);
        }
        var edges = Edges(training);
        return (edges, Shares(training, edges));
    }

    /// <summary>The PSI of <paramref name="now"/> against a training profile; null when either has no value.</summary>
    public static double? Psi((double[] Edges, double[] Shares) training, IReadOnlyList<double> now)
    {
        if (training.Shares.Length == 0 || now.Count == 0)
        {
            return null;
        }
        var (edges, expected) = training;
        var actual = Shares(now, edges);
        var psi = 0.0;
        for (var i = 0; i < expected.Length; i++)
        {
            var (e, a) = (Math.Max(expected[i], Floor), Math.Max(actual[i], Floor));
            psi += (a - e) * Math.Log(a / e);
        }
        return psi;
    }

    /// <summary>The inner cut points: the training values' 10th to 90th percentiles (linear interpolation), each once.</summary>
    public static double[] Edges(IReadOnlyList<double> training)
    {
        var sorted = training.Order().ToArray();
        return Enumerable.Range(1, 9).Select(k => Quantile(sorted, k / 10.0)).Distinct().ToArray();
    }

    /// <summary>A bin is (previous edge, edge]: a value equal to an edge falls in the bin below it.</summary>
    private static double[] Shares(IReadOnlyList<double> values, double[] edges)
    {
        var counts = new double[edges.Length + 1];
        foreach (var v in values)
        {
            var bin = 0;
            while (bin < edges.Length && edges[bin] < v)
            {
                bin++;
            }
            counts[bin]++;
        }
        return counts.Select(c => c / values.Count).ToArray();
    }

    /// <summary>NumPy's default (linear) quantile of sorted values.</summary>
    private static double Quantile(double[] sorted, double q)
    {
        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
