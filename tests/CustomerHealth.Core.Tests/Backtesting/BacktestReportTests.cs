using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Backtesting;

/// <summary>What a backtest concludes from its observations: rates by grade, AUC and lift, calibration, and each measure's deciles.</summary>
public class BacktestReportTests
{
    private static readonly ScoringPlan Plan = new(ModelLoader.Load(
        """
        name: Reported
        grades: [{ id: green, min: 70 }, { id: red, min: 0 }]
        dimensions:
          - id: product
            weight: 1
            measures:
              - id: health
                label: Health
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
        """));

    /// <summary>An observation whose one measure has the value <paramref name="value"/> (missing when null) and scores as the account does.</summary>
    private static Observation O(double score, bool churned, double? value, int date = 0) =>
        new(date, 1, "A", score, score >= 70 ? "green" : "red",
            [new ScoredMeasure(value is { } v ? MeasureValue.Of(v) : MeasureValue.Missing, value is null ? double.NaN : score, 1, value is null, false)], churned);

    private static readonly Observation[] Four = [O(90, false, 9), O(80, false, 8), O(30, true, 3), O(20, false, 2)];

    private static BacktestReport Report(IReadOnlyList<Observation> observations, int unscored = 0) =>
        BacktestReport.Of(Plan, "v1", 90, ["2025-01-01"], observations, unscored, "churned events");

    [Fact]
    public void Of_FourObservations_RatesByGradeAndOverall()
    {
        var r = Report(Four, unscored: 3);

        r.ModelVersion.ShouldBe("v1");
        r.Churn.ShouldBe("churned events");
        r.HorizonDays.ShouldBe(90);
        r.Dates.ShouldBe(["2025-01-01"]);
        r.Observations.ShouldBe(4);
        r.Churned.ShouldBe(1);
        r.ChurnRate.ShouldBe(0.25);
        r.Unscored.ShouldBe(3);
        r.ByGrade.ShouldBe([new GradeRate("green", 2, 0, 0), new GradeRate("red", 2, 1, 0.5)]);
    }

    [Fact]
    public void Of_FourObservations_AucAndLiftOfRiskMinusScore()
    {
        var r = Report(Four);

        // The churner (30) is riskier than 90 and 80 but not than 20: 2 of 3 pairs.
        r.Auc!.Value.ShouldBe(2 / 3.0, 1e-12);
        // The riskiest tenth (ceil(4/10) = 1 observation) is the 20, which did not churn.
        r.LiftTopDecile.ShouldBe(0);
    }

    [Fact]
    public void Of_CalibrationBins_TenthsOfTheScaleWithTheTopOneClosed()
    {
        var r = Report([.. Four, O(100, false, 10)]);

        r.Calibration.Count.ShouldBe(10);
        r.Calibration.Select(b => b.Accounts).ShouldBe([0, 0, 1, 1, 0, 0, 0, 0, 1, 2]);
        r.Calibration[3].ShouldBe(r.Calibration[3] with { From = 30, To = 40, Churned = 1, ChurnRate = 1 });
        r.Calibration[9].From.ShouldBe(90);
        r.Calibration[9].To.ShouldBe(100);
        r.Calibration[0].Predicted.ShouldBe(0);
        // Low scores churned here: the fitted probability falls as the score rises.
        r.Calibration[2].Predicted.ShouldBeGreaterThan(r.Calibration[9].Predicted);
    }

    [Fact]
    public void Of_MeasureWithFewValues_AGroupPerValue()
    {
        var check = Report(Four).Measures.ShouldHaveSingleItem();

        check.Id.ShouldBe("health");
        check.Label.ShouldBe("Health");
        check.Observations.ShouldBe(4);
        check.Auc!.Value.ShouldBe(2 / 3.0, 1e-12);
        check.DirectionOk.ShouldBe(true);
        check.Deciles.ShouldBe([
            new DecileRate(1, 2, 2, 1, 0, 0), new DecileRate(2, 3, 3, 1, 1, 1), new DecileRate(3, 8, 8, 1, 0, 0), new DecileRate(4, 9, 9, 1, 0, 0)]);
    }

    [Fact]
    public void Of_MeasureWithManyValues_TenGroupsAtTheDecileEdges()
    {
        // Twenty values 1..20: edges at the 10th, 20th, ... 90th percentiles (3, 5, ..., 19), two values a group.
        var observations = Enumerable.Range(1, 20).Select(v => O(v * 5, v <= 4, v)).ToList();

        var deciles = Report(observations).Measures[0].Deciles;

        deciles.Select(d => (d.Decile, d.From, d.To, d.Accounts, d.Churned)).ShouldBe(
            Enumerable.Range(0, 10).Select(g => (g + 1, (double?)(2 * g + 1), (double?)(2 * g + 2), 2, g < 2 ? 2 : 0)));
    }

    [Fact]
    public void Of_MeasureMissingSomewhere_JudgedWhereItHasData()
    {
        var check = Report([O(90, false, null), O(80, false, 8), O(30, true, 3)]).Measures[0];

        check.Observations.ShouldBe(2);
        check.Auc.ShouldBe(1);
        check.Deciles.Sum(d => d.Accounts).ShouldBe(2);
    }

    [Fact]
    public void Of_HigherMeasureScoresChurnMore_DirectionIsNotOk()
    {
        var check = Report([O(90, true, 9), O(20, false, 2)]).Measures[0];

        check.Auc.ShouldBe(0);
        check.DirectionOk.ShouldBe(false);
    }

    [Fact]
    public void Of_NoObservations_RatesAreZeroAndMetricsNull()
    {
        var r = Report([]);

        r.ChurnRate.ShouldBe(0);
        r.Auc.ShouldBeNull();
        r.LiftTopDecile.ShouldBeNull();
        r.Measures[0].Auc.ShouldBeNull();
        r.Measures[0].DirectionOk.ShouldBeNull();
        r.Measures[0].Deciles.ShouldBeEmpty();
    }

    [Fact]
    public void FitCalibration_AllOfOneClassOrNone_IsNull()
    {
        BacktestReport.FitCalibration([]).ShouldBeNull();
        BacktestReport.FitCalibration([O(10, true, 1), O(20, true, 2)]).ShouldBeNull();
        BacktestReport.FitCalibration([O(10, false, 1), O(20, false, 2)]).ShouldBeNull();
    }

    [Fact]
    public void FitCalibration_LowScoresChurn_ProbabilityFallsWithTheScore()
    {
        var fit = BacktestReport.FitCalibration([O(10, true, 1), O(20, true, 2), O(30, false, 3), O(80, false, 8), O(90, false, 9), O(25, false, 2)])!;

        fit.Coefficients[0].ShouldBeLessThan(0);
        fit.Probability([0.1]).ShouldBeGreaterThan(fit.Probability([0.9]));
    }

    [Fact]
    public void Logistic_ZeroLogOdds_IsOneHalf()
    {
        ChurnModel.Logistic(0).ShouldBe(0.5);
        ChurnModel.Logistic(Math.Log(3)).ShouldBe(0.75, 1e-12);
    }
}
