using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Prediction;

/// <summary>
/// The learned predictors on planted data: churn follows a measure's raw value in a way a straight line cannot
/// follow (only the accounts in a middle band of logins churn), which the boosted trees must find.
/// </summary>
public sealed class PredictorFitTests
{
    private const string Yaml = """
        name: Planted
        grades: [{ id: ok, min: 0 }]
        dimensions:
          - id: product
            measures:
              - id: logins
                value: { signal: usage, aggregate: count, window: 30d }
                score: { range: { worst: 0, best: 100 } }
              - id: noise
                value: { signal: metrics, metric: noise, aggregate: latest }
                score: { range: { worst: 0, best: 1 } }
        """;

    private static readonly ScoringPlan Plan = new(ModelLoader.Load(Yaml));

    /// <summary>Accounts observed on each date; churn is likely when logins fall between 40 and 60, rare otherwise.</summary>
    private static List<Observation> Planted(int dates, int accounts, int seed = 7)
    {
        var random = new Random(seed);
        var list = new List<Observation>();
        for (var d = 0; d < dates; d++)
        {
            for (var a = 0; a < accounts; a++)
            {
                var logins = random.NextDouble() * 100;
                var noise = random.NextDouble();
                var churned = random.NextDouble() < (logins is > 40 and < 60 ? 0.7 : 0.05);
                ScoredMeasure[] measures =
                [
                    new(MeasureValue.Of(logins), logins, 0.5, false, false),
                    new(MeasureValue.Of(noise), noise * 100, 0.5, false, false),
                ];
                list.Add(new Observation(d, a, $"A{a}", (logins + noise * 100) / 2, null, measures, churned));
            }
        }
        return list;
    }

    private static IReadOnlyList<int> Days(int n) => Enumerable.Range(0, n).Select(i => 1000 + 30 * i).ToList();

    [Fact]
    public void TimeOrder_APlantedBandOfAMeasure_TheBoostedModelFindsIt_AndBeatsTheStraightLines()
    {
        var observations = Planted(6, 400);

        var report = PredictorFit.Run(Plan, observations, _ => null, Days(6), horizonDays: 30);

        report.Validation.ShouldBe("time");
        report.TestDates.ShouldBe([4, 5]);
        report.TestObservations.ShouldBe(800);
        report.Observations.ShouldBe(2400);
        report.Importance[0].Feature.ShouldBe("product.logins (value)");
        report.Boosted.Auc!.Value.ShouldBeGreaterThan(report.Logistic.Auc!.Value + 0.1);
        report.Boosted.Auc!.Value.ShouldBeGreaterThan(report.Score.Auc!.Value + 0.1);
        report.Boosted.Brier.ShouldBeLessThan(report.Logistic.Brier);
        report.Boosted.Reliability.Sum(b => b.Observations).ShouldBe(800);

        // The predictor kept is the one tested: read back from JSON, it gives the same probabilities.
        var test = observations.Where(o => o.DateIndex >= 4).ToList();
        var features = ChurnFeatures.For(Plan);
        var rows = test.Select(o => features.Row(o, null, Days(6)[o.DateIndex], 100)).ToList();
        var kept = System.Text.Json.JsonSerializer.Deserialize<ChurnPredictor>(System.Text.Json.JsonSerializer.Serialize(report.Predictor))!;
        var probabilities = kept.Probabilities(rows);
        ProbabilityMetrics.Of(probabilities, test.Select(o => o.Churned).ToList()).LogLoss.ShouldBe(report.Boosted.LogLoss, 1e-9);
        kept.Features.ShouldBe(features.Names);
        kept.Profiles.Select(p => p.Measure).ShouldBe(["product.logins", "product.noise"]);
        kept.Profiles[0].Coverage.ShouldBe(1);
        kept.Profiles[0].Shares.Sum().ShouldBe(1, 1e-9);
    }

    [Fact]
    public void Predict_InThePlantedBand_RiskHighWithAnIntervalAroundIt_Outside_LoginsTheFirstDriverAgainstRisk()
    {
        var report = PredictorFit.Run(Plan, Planted(6, 400), _ => null, Days(6), horizonDays: 30);
        var features = ChurnFeatures.For(Plan);
        Observation Account(double logins, double noise) => new(0, 1, "A", 50, null,
            [new(MeasureValue.Of(logins), logins, 0.5, false, false), new(MeasureValue.Of(noise), noise * 100, 0.5, false, false)], false);

        var predictions = report.Predictor.Predict([features.Row(Account(50, 0.5), null, 1000, 100), features.Row(Account(90, 0.5), null, 1000, 100)]);

        var (inBand, outside) = (predictions[0], predictions[1]);
        inBand.Probability.ShouldBeGreaterThan(0.5);
        outside.Probability.ShouldBeLessThan(0.15);
        inBand.Low.ShouldBeLessThanOrEqualTo(inBand.Probability);
        inBand.High.ShouldBeGreaterThanOrEqualTo(inBand.Probability);
        (inBand.High - inBand.Low).ShouldBeLessThan(0.2);
        // The typical (median) logins, about 50, are in the band: for the account outside it, its logins are what keeps its risk low.
        outside.Drivers.Count.ShouldBeLessThanOrEqualTo(ChurnPredictor.TopDrivers);
        outside.Drivers[0].Feature.ShouldBe("product.logins");
        outside.Drivers[0].Value.ShouldBe(90);
        outside.Drivers[0].Points.ShouldBeLessThan(-20);
        outside.Drivers[0].Text.ShouldMatch(@"^logins: 90 → −\d+ points of risk$");
        inBand.Drivers.ShouldNotContain(d => d.Feature == "product.logins" && Math.Abs(d.Points) > 5);
    }

    [Fact]
    public void OneDate_CrossValidatesInStratifiedFolds_EveryObservationTestedOnce()
    {
        var report = PredictorFit.Run(Plan, Planted(1, 1000), _ => null, Days(1), horizonDays: 30);

        report.Validation.ShouldBe("cross-validation");
        report.Note!.ShouldContain("5-fold stratified cross-validation");
        report.TestObservations.ShouldBe(1000);
        report.Importance[0].Feature.ShouldBe("product.logins (value)");
        report.Boosted.Auc!.Value.ShouldBeGreaterThan(report.Logistic.Auc!.Value);
    }

    [Fact]
    public void SameData_SameReport()
    {
        var observations = Planted(4, 300);

        var a = PredictorFit.Run(Plan, observations, _ => null, Days(4), 30);
        var b = PredictorFit.Run(Plan, observations, _ => null, Days(4), 30);

        (a.Boosted.Auc, a.Boosted.LogLoss, a.Settings).ShouldBe((b.Boosted.Auc, b.Boosted.LogLoss, b.Settings));
    }

    [Fact]
    public void TooLittleChurn_Refused_SayingHowMuchIsNeeded()
    {
        var observations = Planted(4, 300).Select(o => o with { Churned = o.Churned && o.AccountKey < 20 }).ToList();

        var e = Should.Throw<PredictionRefusedException>(() => PredictorFit.Run(Plan, observations, _ => null, Days(4), 30));

        e.Message.ShouldStartWith("too little history to fit a predictor: the training dates give ");
        e.Message.ShouldContain($"at least {PredictorFit.MinFitChurned} of each are needed");
        var none = Planted(1, 300).Select(o => o with { Churned = false }).ToList();
        Should.Throw<PredictionRefusedException>(() => PredictorFit.Run(Plan, none, _ => null, Days(1), 30)).Message.ShouldContain("0 churned");
    }

    [Fact]
    public void Features_RawValueMissingFlagAndScore_PerMeasure_ThenTheAccountsFields()
    {
        var features = ChurnFeatures.For(Plan);
        features.Names.ShouldBe(["product.logins (value)", "product.logins (missing)", "product.logins (score)", "product.noise (value)", "product.noise (missing)", "product.noise (score)", "arr", "seats", "tenure_days"]);
        var o = new Observation(0, 1, "A", 50, null, [new(MeasureValue.Missing, double.NaN, 0, true, false), new(MeasureValue.Of(0.25), 25, 1, false, false)], false);
        var account = new AccountData { Key = 1, AccountId = "A", Arr = 1200, StartedDay = 900 };

        var row = features.Row(o, account, 1000, 100);

        row[0].ShouldBe(double.NaN);
        row[1..].ShouldBe([1, double.NaN, 0.25, 0, 0.25, 1200, double.NaN, 100]);
        new Imputer([row, [5, 0, 0.5, 1, 0, 1, 10, 3, 50]]).Fill(row).ShouldBe([5, 1, 0.5, 0.25, 0, 0.25, 1200, 3, 100]);
    }

    [Fact]
    public void Metrics_BrierLogLossAndReliability_ByHand()
    {
        var figures = ProbabilityMetrics.Of([0.1, 0.8, 0.35, 0.95], [false, true, false, true]);

        figures.Auc.ShouldBe(1);
        figures.Brier.ShouldBe((0.01 + 0.04 + 0.1225 + 0.0025) / 4, 1e-12);
        figures.LogLoss.ShouldBe(-(Math.Log(0.9) + Math.Log(0.8) + Math.Log(0.65) + Math.Log(0.95)) / 4, 1e-12);
        // As scikit-learn counts: a bin holds its upper edge.
        figures.Reliability[7].ShouldBe(new ReliabilityBin(0.7, 0.8, 1, 0.8, 1));
        figures.Reliability[3].Observations.ShouldBe(1);
        figures.Reliability[5].MeanPredicted.ShouldBeNull();
    }
}
