using MathNet.Numerics.LinearAlgebra;

namespace CustomerHealth.Core.Backtesting;

/// <summary>
/// L2-regularised logistic regression fitted by Newton's method (iteratively reweighted least squares) with
/// MathNet.Numerics. Used to calibrate the score into a churn probability (one feature) and to suggest weights
/// (one feature per measure score). The intercept is not penalised.
/// </summary>
public sealed class ChurnModel
{
    private ChurnModel(double intercept, double[] coefficients)
    {
        Intercept = intercept;
        Coefficients = coefficients;
    }

    public double Intercept { get; }

    public IReadOnlyList<double> Coefficients { get; }

    public double Probability(ReadOnlySpan<double> x)
    {
        var z = Intercept;
        for (var i = 0; i < x.Length; i++)
        {
            z += Coefficients[i] * x[i];
        }
        return Logistic(z);
    }

    /// <summary>The logistic function 1 / (1 + e^-z): a probability from log-odds.</summary>
    public static double Logistic(double z) => 1 / (1 + Math.Exp(-z));

    /// <param name="rows">Feature rows (all the same length).</param>
    /// <param name="churned">The labels.</param>
    /// <param name="lambda">The L2 penalty on the coefficients (0 for none).</param>
    public static ChurnModel Fit(IReadOnlyList<double[]> rows, IReadOnlyList<bool> churned, double lambda)
    {
        if (rows.Count == 0 || rows.Count != churned.Count)
        {
            throw new ArgumentException("need as many labels as rows, and at least one", nameof(rows));
        }
        var n = rows.Count;
        var p = rows[0].Length + 1;
        var x = Matrix<double>.Build.Dense(n, p, (i, j) => j == 0 ? 1 : rows[i][j - 1]);
        var y = Vector<double>.Build.Dense(n, i => churned[i] ? 1 : 0);
        var beta = Vector<double>.Build.Dense(p);
        var penalty = Matrix<double>.Build.DenseDiagonal(p, p, j => j == 0 ? 0 : lambda);
        for (var iteration = 0; iteration < 100; iteration++)
        {
            var mu = (x * beta).Map(Logistic);
            var w = mu.Map(m => Math.Max(m * (1 - m), 1e-10));
            var gradient = x.TransposeThisAndMultiply(y - mu) - penalty * beta;
            var hessian = x.TransposeThisAndMultiply(x.MapIndexed((i, _, v) => v * w[i])) + penalty;
            // A tiny ridge keeps the step defined when a feature is constant.
            var step = (hessian + Matrix<double>.Build.DenseIdentity(p) * 1e-9).Solve(gradient);
            beta += step;
            if (step.AbsoluteMaximum() < 1e-10)
            {
                break;
            }
        }
        return new ChurnModel(beta[0], beta.SubVector(1, p - 1).ToArray());
    }
}
