using CustomerHealth.Core.Prediction;

namespace CustomerHealth.Core.Tests.Prediction;

/// <summary>
/// The fast Venn–Abers algorithm against its definition: isotonic regression (pool-adjacent-violators) refitted on the
/// held-out observations plus the new score labelled 0, then 1, read at the new score.
/// </summary>
public sealed class VennAbersTests
{
    /// <summary>The isotonic regression's value at the new score, fitted from scratch with it added under <paramref name="label"/>.</summary>
    private static double ByDefinition(IReadOnlyList<double> scores, IReadOnlyList<bool> churned, double score, bool label)
    {
        var points = scores.Select((s, i) => (S: Math.Round(s, VennAbers.Decimals), Y: churned[i] ? 1.0 : 0.0, New: false))
            .Append((S: Math.Round(score, VennAbers.Decimals), Y: label ? 1.0 : 0.0, New: true))
            .GroupBy(p => p.S).OrderBy(g => g.Key)
            .Select(g => (Sum: g.Sum(p => p.Y), W: (double)g.Count(), HasNew: g.Any(p => p.New))).ToList();
        // Pool adjacent violators over the distinct scores, weighted.
        var blocks = new List<(double Sum, double W, bool HasNew)>();
        foreach (var p in points)
        {
            blocks.Add(p);
            while (blocks.Count > 1 && blocks[^2].Sum / blocks[^2].W > blocks[^1].Sum / blocks[^1].W)
            {
                var (a, b) = (blocks[^2], blocks[^1]);
                blocks.RemoveRange(blocks.Count - 2, 2);
                blocks.Add((a.Sum + b.Sum, a.W + b.W, a.HasNew || b.HasNew));
            }
        }
        var block = blocks.Single(b => b.HasNew);
        return block.Sum / block.W;
    }

    [Theory]
    [InlineData(1, 30)]
    [InlineData(2, 200)]
    [InlineData(3, 1000)]
    public void Interval_AgreesWithIsotonicRegressionRefittedWithTheNewScore(int seed, int n)
    {
        var random = new Random(seed);
        // Scores on a coarse grid (many ties among the held-out ones); churn likelier with the score, not monotone in the sample.
        var scores = Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 6 - 3, 1)).ToList();
        var churned = scores.Select(s => random.NextDouble() < 1 / (1 + Math.Exp(-s))).ToList();
        var va = VennAbers.Fit(scores, churned);
        // New scores off the grid (no tie with a held-out score), below, among and above the held-out ones.
        foreach (var s in Enumerable.Range(0, 80).Select(i => -3.55 + i * 0.1 + 0.0123))
        {
            var (p0, p1) = va.Interval(s);
            Assert.Equal(ByDefinition(scores, churned, s, false), p0, 12);
            Assert.Equal(ByDefinition(scores, churned, s, true), p1, 12);
            Assert.True(p0 <= p1);
            var p = va.Probability(s);
            Assert.InRange(p, p0 - 1e-12, p1 + 1e-12);
        }
    }

    [Fact]
    public void Interval_IsNarrowWhereManyScoredAlike_AndWideWhereFewDid()
    {
        var random = new Random(5);
        var scores = Enumerable.Range(0, 4000).Select(_ => random.NextDouble() * 2 - 1).Append(3.0).ToList();
        var churned = scores.Select(s => random.NextDouble() < (s + 1) / 3).ToList();
        var va = VennAbers.Fit(scores, churned);
        var (dense0, dense1) = va.Interval(0.1234);
        var (sparse0, sparse1) = va.Interval(2.5);
        Assert.True(dense1 - dense0 < 0.05, $"dense: {dense0}–{dense1}");
        Assert.True(sparse1 - sparse0 > 0.2, $"sparse: {sparse0}–{sparse1}");
    }
}
