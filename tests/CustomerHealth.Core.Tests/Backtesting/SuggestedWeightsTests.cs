using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Backtesting;

/// <summary>How `chs suggest` splits its dates and what it learns from.</summary>
public class SuggestedWeightsTests
{
    private static readonly ScoringPlan Plan = new(ModelLoader.Load(
        """
        name: Suggested
        grades: [{ id: ok, min: 0 }]
        dimensions:
          - id: d
            weight: 1
            measures:
              - id: a
                value: { signal: metrics, metric: a, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
              - id: b
                value: { signal: metrics, metric: b, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
        """));

    private static Observation O(double a, double? b, bool churned) =>
        new(0, 1, "A", 50, "ok", [M(a), b is { } x ? M(x) : new ScoredMeasure(MeasureValue.Missing, double.NaN, 0, true, false)], churned);

    private static ScoredMeasure M(double score) => new(MeasureValue.Of(score), score, 0.5, false, false);

    [Fact]
    public void Split_SixDates_LastThirdTestsAndEarlierDatesClearOfItFit()
    {
        // First test date: ceil(6 · 2/3) = 4 (day 120). Fit: dates whose day + 60 ≤ 120: 0, 30, 60.
        var split = SuggestedWeights.Split([0, 30, 60, 90, 120, 150], 60);

        split.FirstTest.ShouldBe(4);
        split.TrainDates.ShouldBe([0, 1, 2]);
        split.Note.ShouldBeNull();
    }

    [Fact]
    public void Split_HorizonLongerThanTheEarlierDates_AllEarlierDatesFitWithANote()
    {
        var split = SuggestedWeights.Split([0, 30, 60, 90, 120, 150], 200);

        split.FirstTest.ShouldBe(4);
        split.TrainDates.ShouldBe([0, 1, 2, 3]);
        split.Note.ShouldNotBeNull().ShouldContain("reach into the test period");
    }

    [Fact]
    public void Split_ThreeDates_OneTests()
    {
        var split = SuggestedWeights.Split([0, 100, 200], 50);

        split.FirstTest.ShouldBe(2);
        split.TrainDates.ShouldBe([0, 1]);
    }

    [Fact]
    public void Split_TwoDates_TheFirstFitsTheSecondTests()
    {
        var split = SuggestedWeights.Split([0, 100], 50);

        split.FirstTest.ShouldBe(1);
        split.TrainDates.ShouldBe([0]);
        split.Note.ShouldBeNull();
    }

    [Fact]
    public void Split_OneDate_Refused()
    {
        Should.Throw<ArgumentException>(() => SuggestedWeights.Split([0], 30));
    }

    [Fact]
    public void Features_ScoresOnAZeroToOneScaleAndMissingIsNeutral()
    {
        SuggestedWeights.Features(Plan, O(80, null, false)).ShouldBe([0.8, 0.5]);
    }

    [Fact]
    public void Fit_NoChurnOrOnlyChurn_IsNull()
    {
        SuggestedWeights.Fit(Plan, [O(10, 20, false), O(90, 80, false)], 1).ShouldBeNull();
        SuggestedWeights.Fit(Plan, [O(10, 20, true), O(90, 80, true)], 1).ShouldBeNull();
    }

    [Fact]
    public void Fit_OnlyTheFirstMeasureSeparatesChurn_ItGetsTheLargerShare()
    {
        // Churners have a low `a`; `b` is the same for everyone.
        var train = Enumerable.Range(0, 20).Select(i => O(i < 10 ? 10 + i : 60 + i, 50, i < 10)).ToList();

        var shares = SuggestedWeights.Fit(Plan, train, 1)!;

        shares.Sum().ShouldBe(1, 1e-12);
        shares[0].ShouldBeGreaterThan(shares[1]);
    }
}
