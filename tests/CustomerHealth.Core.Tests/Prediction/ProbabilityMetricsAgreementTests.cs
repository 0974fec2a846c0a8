using System.Text.Json;
using CustomerHealth.Core.Prediction;

namespace CustomerHealth.Core.Tests.Prediction;

/// <summary>
/// ProbabilityMetrics against scikit-learn's roc_auc_score, brier_score_loss, log_loss and calibration_curve, on the
/// seeded cases of fixtures/make_fixtures.py, and Drift.Psi against the same figure computed with NumPy (which says how to regenerate them; scikit-learn is not needed to run
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

    private sealed record PsiCase(string Name, double[] Training, double[] Now, double Psi);

    private static readonly Lazy<PsiCase[]> PsiCases = new(() =>
        JsonSerializer.Deserialize<PsiCase[]>(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Prediction", "fixtures", "psi.json")),
            new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower })!);

    public static TheoryData<int> CaseIndexes => [.. Enumerable.Range(0, 3)];

    public static TheoryData<string> PsiNames => ["same", "shifted", "wider", "counts with ties"];

    [Theory]
    [MemberData(nameof(PsiNames))]
    public void Psi_AgreesWithTheReferenceComputedWithNumPy(string name)
    {
        var c = PsiCases.Value.Single(x => x.Name == name);

        Drift.Psi(c.Training, c.Now)!.Value.ShouldBe(c.Psi, 1e-12);
    }

    [Fact]
    public void Psi_SameDistributionSmall_AMovedOnePastTheWarning_NothingWithoutValues()
    {
        Drift.Psi(PsiCases.Value[0].Training, PsiCases.Value[0].Now)!.Value.ShouldBeLessThan(0.1);
        Drift.Psi(PsiCases.Value[2].Training, PsiCases.Value[2].Now)!.Value.ShouldBeGreaterThan(Drift.Warning);
        Drift.Psi([], [1]).ShouldBeNull();
        Drift.Psi([1, 2, 3], [1, 2, 3])!.Value.ShouldBe(0, 1e-12);
    }

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
