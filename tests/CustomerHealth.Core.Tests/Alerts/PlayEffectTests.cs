using CustomerHealth.Core.Alerts;

namespace CustomerHealth.Core.Tests.Alerts;

/// <summary>The hold-out draw and the effect estimates, against published and SciPy figures.</summary>
public sealed class PlayEffectTests
{
    [Fact]
    public void Proportions_NewcombesExample_HisHybridScoreInterval()
    {
        // Newcombe (1998), "Interval estimation for the difference between independent proportions", example (a): 56/70 − 48/80,
        // method 10: 0.0524 to 0.3339.
        var e = PlayEffect.Proportions(Outcomes(56, 70), Outcomes(48, 80));

        e.Difference!.Value.ShouldBe(0.2, 1e-12);
        e.Low!.Value.ShouldBe(0.0524, 5e-5);
        e.High!.Value.ShouldBe(0.3339, 5e-5);
        PlayEffect.Wilson(56, 70).Low.ShouldBe(0.6918335550374695, 1e-12);
        PlayEffect.Wilson(56, 70).High.ShouldBe(0.8769526075163705, 1e-12);
    }

    [Fact]
    public void Means_Welch_AgreesWithSciPy()
    {
        // scipy.stats: difference of means ± t.ppf(0.975, Welch df) × standard error (SciPy 1.10.1).
        var e = PlayEffect.Means([3.0, 5.5, -2.0, 7.25, 1.0, 0.5, 4.0], [-1.0, -3.5, 2.0, -0.25, 1.5]);

        e.Difference!.Value.ShouldBe(3.0, 1e-12);
        e.Low!.Value.ShouldBe(-0.44754277468061066, 1e-9);
        e.High!.Value.ShouldBe(6.447542774680611, 1e-9);
    }

    [Fact]
    public void TooFewInAGroup_NoInterval_ButTheMeansThereAre()
    {
        var e = PlayEffect.Means([1.0, 2.0, 3.0], [5.0]);
        (e.TreatedMean, e.HeldOutMean, e.Difference, e.Low).ShouldBe((2.0, 5.0, (double?)null, (double?)null));
        PlayEffect.Proportions(Outcomes(3, 10), []).Difference.ShouldBeNull();
    }

    [Fact]
    public void Estimate_CountsEachGroup_LeavingOutWhatIsNotKnownYet()
    {
        PlayOutcome O(bool held, bool? churned, double? at30) => new(held, churned, [at30, null, null]);
        var report = PlayEffect.Estimate([O(false, true, -5), O(false, false, 2), O(false, null, 1), O(true, true, -9), O(true, true, -7), O(true, false, null)]);

        (report.Alerts, report.Treated, report.HeldOut).ShouldBe((6, 3, 3));
        (report.Churn.Treated, report.Churn.HeldOut, report.Churn.TreatedMean).ShouldBe((2, 3, 0.5));
        report.Churn.HeldOutMean!.Value.ShouldBe(2 / 3.0, 1e-12);
        report.Score[0].Estimate.Difference!.Value.ShouldBe(-2 / 3.0 - -8, 1e-12);
        report.Score.Select(s => s.Days).ShouldBe([30, 60, 90]);
        report.Score[1].Estimate.Treated.ShouldBe(0);
    }

    [Fact]
    public void Holdout_AboutTheShare_TheSameEveryTime_AndNoneAtZero()
    {
        var ids = Enumerable.Range(0, 20_000).Select(i => $"ACC-{i}").ToList();

        var held = ids.Count(id => Holdout.IsHeldOut("entered-red", id, 0.1));

        // 2,000 expected; the binomial's standard deviation is 42: within 4 of them.
        held.ShouldBeInRange(1830, 2170);
        ids.Take(500).Select(id => Holdout.IsHeldOut("entered-red", id, 0.1)).ShouldBe(ids.Take(500).Select(id => Holdout.IsHeldOut("entered-red", id, 0.1)));
        ids.Count(id => Holdout.IsHeldOut("entered-red", id, 0)).ShouldBe(0);
        // Another rule draws independently.
        ids.Count(id => Holdout.IsHeldOut("entered-red", id, 0.1) && Holdout.IsHeldOut("score-drop", id, 0.1)).ShouldBeInRange(120, 290);
    }

    private static List<bool> Outcomes(int yes, int n) => Enumerable.Range(0, n).Select(i => i < yes).ToList();
}
