using BenchmarkDotNet.Attributes;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// Combining prepared measure values into scores: the pure scoring throughput (goal ≥ 1,000,000 account-scorings/s/core).
/// Computing the measure values from signals is <see cref="MeasureBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ScoringBenchmarks
{
    private const int Accounts = 100_000;
    private ScoringPlan plan = null!;
    private MeasureValue[][] values = null!;
    private double[][] scores = null!;
    private int[] cards = null!;

    [GlobalSetup]
    public void Setup()
    {
        plan = new ScoringPlan(ModelLoader.Load(BenchModels.TwentyMeasures()));
        var rnd = new Random(1);
        values = new MeasureValue[Accounts][];
        scores = new double[Accounts][];
        cards = new int[Accounts];
        for (var a = 0; a < Accounts; a++)
        {
            values[a] = new MeasureValue[20];
            scores[a] = new double[20];
            for (var j = 0; j < 20; j++)
            {
                var missing = rnd.NextDouble() < 0.05;
                values[a][j] = missing ? MeasureValue.Missing : MeasureValue.Of(rnd.NextDouble() * 60);
                scores[a][j] = missing ? double.NaN : MeasureScores.Score(new RangeScore(0, 50), values[a][j]);
            }
        }
    }

    /// <summary>Weights, missing values and the overall score, per account (measure scores already known).</summary>
    [Benchmark(OperationsPerInvoke = Accounts)]
    public double Combine()
    {
        double total = 0;
        for (var a = 0; a < Accounts; a++)
        {
            total += ScoreCalculator.Combine(plan, 0, values[a], scores[a]).Score ?? 0;
        }
        return total;
    }

    /// <summary>The whole cohort: measure scores (with percentiles over the 100,000 accounts) and combination.</summary>
    [Benchmark(OperationsPerInvoke = Accounts)]
    public int ScoreAll() => ScoreCalculator.ScoreAll(plan, cards, values).Length;
}
