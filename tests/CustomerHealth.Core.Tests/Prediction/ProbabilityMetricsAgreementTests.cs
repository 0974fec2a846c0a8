using System.Text.Json;
using CustomerHealth.Core.Prediction;

namespace CustomerHealth.Core.Tests.Prediction;

/// <summary>
/// ProbabilityMetrics against scikit-learn's roc_auc_score, brier_score_loss, log_loss and calibration_curve, on the
/// seeded cases of fixtures/make_fixtures.py (which says how to regenerate them; scikit-learn is not needed to run
/// these tests).
/// </summary>
public sealed class ProbabilityMetricsAgreementTests
{
    private sealed record Case(int[] Labels, double[] Probabilities, double Auc, double Brier, double LogLoss, double[] ReliabilityObserved, double[] ReliabilityPredicted);

    private static readonly Lazy<Case[]> Cases = new(() =>
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Prediction", "fixtures", "probability_metrics.json");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The fixture is missing at {path}: the test project copies Prediction/fixtures/*.json to its output.");
        }
        return JsonSerializer.Deserialize<Case[]>(File.ReadAllText(path), new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!;
    });

    public static TheoryData<int> CaseIndexes => [.. Enumerable.Range(0, 3)];

    [Fact]
    public void TheFixture_HoldsThreeCasesWithBothClasses()
    {
        Cases.Value.Length.ShouldBe(3);
        Cases.Value.ShouldAllBe(c => c.Labels.Contains(0) && c.Labels.Contains(1) && c.Labels.Length == c.Probabilities.Length);
    }

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void AucBrierLogLossAndReliability_AgreeWithScikitLearn(int index)
    {
        var c = Cases.Value[index];

        var figures = ProbabilityMetrics.Of(c.Probabilities, c.Labels.Select(l => l == 1).ToList());

        figures.Auc!.Value.ShouldBe(c.Auc, 1e-12);
        figures.Brier.ShouldBe(c.Brier, 1e-12);
        figures.LogLoss.ShouldBe(c.LogLoss, 1e-12);
        var bins = figures.Reliability.Where(b => b.Observations > 0).ToList();
        bins.Select(b => b.ObservedRate!.Value).ShouldBe(c.ReliabilityObserved, 1e-12);
        bins.Select(b => b.MeanPredicted!.Value).ShouldBe(c.ReliabilityPredicted, 1e-12);
    }
}
