using CustomerHealth.Core.Backtesting;

namespace CustomerHealth.Core.Prediction;

/// <summary>A tenth of the probability scale: the observations predicted in it, their mean prediction and how many churned.</summary>
public sealed record ReliabilityBin(double From, double To, int Observations, double? MeanPredicted, double? ObservedRate);

/// <summary>How well a churn probability did on the test observations.</summary>
/// <param name="Auc">The chance a churned observation was given a higher probability than one that did not churn (null without both).</param>
/// <param name="Brier">The mean squared difference between probability and outcome (0 is perfect).</param>
/// <param name="LogLoss">The mean negative log-likelihood of the outcomes (probabilities kept within the machine epsilon, 2.2e-16, of 0 and 1, as scikit-learn does).</param>
/// <param name="Reliability">Predictions in tenths, each with the churn rate it had: a calibrated probability has them alike.</param>
public sealed record ProbabilityFigures(double? Auc, double Brier, double LogLoss, IReadOnlyList<ReliabilityBin> Reliability);

/// <summary>AUC, Brier score, log loss and reliability of churn probabilities (SPEC §9 and issue 21's report).</summary>
public static class ProbabilityMetrics
{
    /// <summary>The gap between 1 and the next double (NumPy's float64 eps): how close to 0 or 1 a probability counts in the log loss.</summary>
    public const double Epsilon = 2.220446049250313e-16;

    public static ProbabilityFigures Of(IReadOnlyList<double> probabilities, IReadOnlyList<bool> churned)
    {
        if (probabilities.Count != churned.Count || probabilities.Count == 0)
        {
            throw new ArgumentException("need a label for each probability, and at least one", nameof(probabilities));
        }
        var n = probabilities.Count;
        double brier = 0, logLoss = 0;
        for (var i = 0; i < n; i++)
        {
            var p = probabilities[i];
            var y = churned[i] ? 1.0 : 0.0;
            brier += (p - y) * (p - y);
            var q = Math.Clamp(p, Epsilon, 1 - Epsilon);
            logLoss -= y * Math.Log(q) + (1 - y) * Math.Log(1 - q);
        }
        var auc = Metrics.Auc(probabilities.Select((p, i) => new Outcome(p, churned[i])).ToList());
        return new ProbabilityFigures(auc, brier / n, logLoss / n, Reliability(probabilities, churned));
    }

    /// <summary>
    /// The predictions in ten equal bins from 0 to 1, each bin's upper edge included (0 falls in the first), as
    /// scikit-learn's calibration_curve counts them.
    /// </summary>
    public static IReadOnlyList<ReliabilityBin> Reliability(IReadOnlyList<double> probabilities, IReadOnlyList<bool> churned)
    {
        var count = new int[10];
        var sum = new double[10];
        var hits = new int[10];
        for (var i = 0; i < probabilities.Count; i++)
        {
            // The number of inner edges (0.1, 0.2, … computed as NumPy's linspace does) below the probability.
            var b = 0;
            while (b < 9 && (b + 1) * 0.1 < probabilities[i])
            {
                b++;
            }
            count[b]++;
            sum[b] += probabilities[i];
            hits[b] += churned[i] ? 1 : 0;
        }
        return Enumerable.Range(0, 10)
            .Select(b => new ReliabilityBin(b / 10.0, (b + 1) / 10.0, count[b], count[b] == 0 ? null : sum[b] / count[b], count[b] == 0 ? null : (double)hits[b] / count[b]))
            .ToList();
    }
}
