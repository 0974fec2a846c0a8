namespace CustomerHealth.Core.Prediction;

/// <summary>
/// The inductive Venn–Abers predictor (Vovk &amp; Petej; the fast algorithm of Vovk, Petej and Fedorova, "Large-scale
/// probabilistic predictors with and without guarantees of validity", 2015): a model's score turned into a churn
/// probability with an interval, from held-out scores and outcomes. For a new score s it fits isotonic regression twice on
/// the held-out observations plus (s, churned = no) and plus (s, churned = yes); the two values it gives at s, p0 ≤ p1,
/// are the interval (one of them is calibrated whenever the new account is like the held-out ones), and
/// p1 / (1 − p0 + p1) is the probability. The interval is narrow where many held-out observations scored alike and wide
/// where few did. Scores are rounded to <see cref="Decimals"/> decimals, so it keeps at most one value pair per rounded score.
/// </summary>
/// <param name="Scores">The distinct held-out scores (rounded), ascending.</param>
/// <param name="Low">p0 by position: [k] is a new score's p0 when k held-out scores lie below it (k = 0 … count).</param>
/// <param name="High">p1 by position: [k] is a new score's p1 when k − 1 held-out scores lie at or below it (k = 1 … count; [0] unused; 1 above them all).</param>
public sealed record VennAbers(double[] Scores, double[] Low, double[] High)
{
    /// <summary>The decimals a score is rounded to (the boosted model's scores run over a few units either side of 0).</summary>
    public const int Decimals = 3;

    /// <summary>The interval [p0, p1] for a score.</summary>
    public (double Low, double High) Interval(double score)
    {
        var s = Math.Round(score, Decimals);
        // The held-out scores are distinct: where s falls among them says how many lie below it and at or below it.
        var found = Array.BinarySearch(Scores, s);
        var below = found >= 0 ? found : ~found;
        var atOrBelow = found >= 0 ? found + 1 : below;
        // Above every held-out score the isotonic fit with the new one churned is 1 there.
        return (Low[below], s > Scores[^1] ? 1 : High[Math.Min(atOrBelow, Scores.Length - 1) + 1]);
    }

    /// <summary>The probability: p1 / (1 − p0 + p1), the merge that minimises the worst log loss over the interval.</summary>
    public double Probability(double score)
    {
        var (p0, p1) = Interval(score);
        return p1 / (1 - p0 + p1);
    }

    /// <summary>The predictor of held-out scores and whether each observation churned.</summary>
    public static VennAbers Fit(IReadOnlyList<double> scores, IReadOnlyList<bool> churned)
    {
        if (scores.Count == 0)
        {
            throw new ArgumentException("the calibration needs held-out scores", nameof(scores));
        }
        // Ties merged: each distinct score with how many observations had it and how many of them churned.
        var grouped = scores.Select((s, i) => (S: Math.Round(s, Decimals), Y: churned[i] ? 1.0 : 0.0))
            .GroupBy(p => p.S).OrderBy(g => g.Key).Select(g => (S: g.Key, W: (double)g.Count(), Y: g.Sum(p => p.Y))).ToArray();
        var k = grouped.Length;
        // The cumulative sum diagram: P[i] = (observations up to the i-th score, churned among them); P[0] = (0, 0).
        var cusum = new (double X, double Y)[k + 1];
        for (var i = 1; i <= k; i++)
        {
            cusum[i] = (cusum[i - 1].X + grouped[i - 1].W, cusum[i - 1].Y + grouped[i - 1].Y);
        }
        return new VennAbers(grouped.Select(g => g.S).ToArray(), LowerValues(cusum, k), UpperValues(cusum, k));
    }

    /// <summary>p1 at each position (algorithms 1 and 2 of the paper): the greatest convex minorant, swept left to right.</summary>
    private static double[] UpperValues((double X, double Y)[] cusum, int k)
    {
        // Positions −1 … k held at index + 1.
        var p = new (double X, double Y)[k + 2];
        p[0] = (-1, -1);
        Array.Copy(cusum, 0, p, 1, k + 1);
        var stack = new List<(double X, double Y)> { p[0], p[1] };
        for (var i = 1; i <= k; i++)
        {
            while (stack.Count > 1 && Cross(stack[^2], stack[^1], p[i + 1]) <= 0)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            stack.Add(p[i + 1]);
        }
        stack.Reverse();
        var f1 = new double[k + 1];
        for (var i = 1; i <= k; i++)
        {
            f1[i] = Slope(stack[^1], stack[^2]);
            p[i] = (p[i - 1].X + p[i + 1].X - p[i].X, p[i - 1].Y + p[i + 1].Y - p[i].Y);
            if (NotBelow(p[i], stack[^1], stack[^2]))
            {
                continue;
            }
            stack.RemoveAt(stack.Count - 1);
            while (stack.Count > 1 && Cross(p[i], stack[^1], stack[^2]) <= 0)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            stack.Add(p[i]);
        }
        return f1;
    }

    /// <summary>p0 at each position (algorithms 3 and 4 of the paper): the same from the right, with a point one beyond the last.</summary>
    private static double[] LowerValues((double X, double Y)[] cusum, int k)
    {
        // Positions 0 … k + 1.
        var p = new (double X, double Y)[k + 2];
        Array.Copy(cusum, p, k + 1);
        p[k + 1] = (p[k].X + 1, p[k].Y);
        var stack = new List<(double X, double Y)> { p[k + 1], p[k] };
        for (var i = k - 1; i >= 0; i--)
        {
            while (stack.Count > 1 && Cross(stack[^2], stack[^1], p[i]) >= 0)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            stack.Add(p[i]);
        }
        stack.Reverse();
        var f0 = new double[k + 1];
        for (var i = k; i >= 1; i--)
        {
            f0[i] = Slope(stack[^1], stack[^2]);
            p[i] = (p[i - 1].X + p[i + 1].X - p[i].X, p[i - 1].Y + p[i + 1].Y - p[i].Y);
            if (NotBelow(p[i], stack[^1], stack[^2]))
            {
                continue;
            }
            stack.RemoveAt(stack.Count - 1);
            while (stack.Count > 1 && Cross(p[i], stack[^1], stack[^2]) >= 0)
            {
                stack.RemoveAt(stack.Count - 1);
            }
            stack.Add(p[i]);
        }
        return f0;
    }

    /// <summary>The cross product of (b − a) and (c − b): ≤ 0 is a turn that is not to the left.</summary>
    private static double Cross((double X, double Y) a, (double X, double Y) b, (double X, double Y) c) =>
        (b.X - a.X) * (c.Y - b.Y) - (b.Y - a.Y) * (c.X - b.X);

    private static double Slope((double X, double Y) a, (double X, double Y) b) => (b.Y - a.Y) / (b.X - a.X);

    /// <summary>Whether t lies on or above the line through a and b.</summary>
    private static bool NotBelow((double X, double Y) t, (double X, double Y) a, (double X, double Y) b)
    {
        var m = (b.Y - a.Y) / (b.X - a.X);
        var c = (b.X * a.Y - a.X * b.Y) / (b.X - a.X);
        return t.Y >= t.X * m + c;
    }
}
