using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Backtesting;

public sealed record GradeRate(string Grade, int Accounts, int Churned, double ChurnRate);

/// <summary>A band of the score (a tenth of the scale): how many churned, and the calibrated churn probability.</summary>
public sealed record CalibrationBin(double From, double To, int Accounts, int Churned, double ChurnRate, double Predicted);

public sealed record DecileRate(int Decile, double? From, double? To, int Accounts, int Churned, double ChurnRate);

/// <summary>
/// One measure's own power: AUC of its 0–100 score as a health signal (above 0.5: higher scores churn less, as the
/// model assumes, so `direction_ok`), and churn rate by decile of its raw value (where the "sweet spot" is).
/// </summary>
public sealed record MeasureCheck(string Id, string Label, int Observations, double? Auc, bool? DirectionOk, IReadOnlyList<DecileRate> Deciles);

/// <summary>
/// Does the score predict churn (SPEC §9)? The AUC is pooled over all observations with risk = −score; the lift is
/// that of the lowest-scored tenth; churn rates by grade, by tenth of the scale (with the calibrated probability) and,
/// per measure, by decile of its value.
/// </summary>
public sealed record BacktestReport(
    string ModelVersion, string Churn, int HorizonDays, IReadOnlyList<string> Dates, int Observations, int Churned, double ChurnRate, double? Auc,
    double? LiftTopDecile, IReadOnlyList<GradeRate> ByGrade, IReadOnlyList<CalibrationBin> Calibration, IReadOnlyList<MeasureCheck> Measures,
    int Unscored)
{
    /// <param name="plan">The scoring plan of the model tested: its grades, scale and measures.</param>
    /// <param name="modelVersion">The model version tested.</param>
    /// <param name="horizonDays">The days after each date within which churn labels an observation.</param>
    /// <param name="dates">The observation dates as shown.</param>
    /// <param name="observations">The observations (<see cref="BacktestObservations.Observe"/>).</param>
    /// <param name="unscored">How many accounts at the dates were scored on no measure, and so not observed.</param>
    /// <param name="churn">How churn was told (<see cref="BacktestObservations.Observe"/>).</param>
    public static BacktestReport Of(
        ScoringPlan plan, string modelVersion, int horizonDays, IReadOnlyList<string> dates, IReadOnlyList<Observation> observations, int unscored, string churn)
    {
        var outcomes = observations.Select(o => new Outcome(-o.Score, o.Churned)).ToList();
        var churned = observations.Count(o => o.Churned);
        var byGrade = plan.Model.Grades.Select(g =>
        {
            var inGrade = observations.Where(o => o.Grade == g.Id).ToList();
            var c = inGrade.Count(o => o.Churned);
            return new GradeRate(g.Id, inGrade.Count, c, inGrade.Count == 0 ? 0 : (double)c / inGrade.Count);
        }).ToList();
        return new BacktestReport(
            modelVersion, churn, horizonDays, dates, observations.Count, churned,
            observations.Count == 0 ? 0 : (double)churned / observations.Count, Metrics.Auc(outcomes), Metrics.TopDecileLift(outcomes), byGrade,
            Calibrate(plan.MaxScore, observations), plan.Measures.Select((m, j) => Check(m, j, observations)).ToList(), unscored);
    }

    /// <summary>Churn probability as a logistic function of the score, fitted on the observations (Platt scaling); null when they are all of one class.</summary>
    public static ChurnModel? FitCalibration(IReadOnlyList<Observation> observations) =>
        observations.Count == 0 || observations.All(o => o.Churned) || observations.All(o => !o.Churned)
            ? null
            : ChurnModel.Fit(observations.Select(o => new[] { o.Score / 100 }).ToList(), observations.Select(o => o.Churned).ToList(), 1e-6);

    /// <summary>Ten bands of the scale, the last one closed: the churn rate in each and the mean calibrated probability.</summary>
    internal static List<CalibrationBin> Calibrate(double maxScore, IReadOnlyList<Observation> observations)
    {
        var fit = FitCalibration(observations);
        var bins = new List<CalibrationBin>();
        for (var b = 0; b < 10; b++)
        {
            double from = maxScore * b / 10, to = maxScore * (b + 1) / 10;
            var inBin = observations.Where(o => o.Score >= from && (o.Score < to || (b == 9 && o.Score <= to))).ToList();
            var c = inBin.Count(o => o.Churned);
            bins.Add(new CalibrationBin(from, to, inBin.Count, c, inBin.Count == 0 ? 0 : (double)c / inBin.Count,
                fit is null || inBin.Count == 0 ? 0 : inBin.Average(o => fit.Probability([o.Score / 100]))));
        }
        return bins;
    }

    /// <summary>The measure at <paramref name="j"/> on its own: the AUC of its score where it had data, and the churn rate by decile of its numeric value.</summary>
    internal static MeasureCheck Check(Measure measure, int j, IReadOnlyList<Observation> observations)
    {
        var present = observations.Where(o => !o.Measures[j].Missing).ToList();
        var auc = Metrics.Auc(present.Select(o => new Outcome(-o.Measures[j].Score, o.Churned)).ToList());
        var numeric = present.Where(o => !o.Measures[j].Value.IsText && !o.Measures[j].Value.IsMissing).ToList();
        var values = numeric.Select(o => o.Measures[j].Value.Number).ToList();
        // A measure with few distinct values (a 0/1 flag, a count of tickets) gets a group per value, not deciles that collapse.
        var distinct = values.Distinct().Order().ToArray();
        var edges = distinct.Length <= 10 ? distinct.Skip(1).ToArray() : Metrics.DecileEdges(values);
        var deciles = new List<DecileRate>();
        if (numeric.Count > 0)
        {
            var groups = numeric.GroupBy(o => Metrics.Group(o.Measures[j].Value.Number, edges)).OrderBy(g => g.Key);
            foreach (var g in groups)
            {
                var c = g.Count(o => o.Churned);
                deciles.Add(new DecileRate(g.Key + 1, g.Min(o => o.Measures[j].Value.Number), g.Max(o => o.Measures[j].Value.Number), g.Count(), c, (double)c / g.Count()));
            }
        }
        return new MeasureCheck(measure.Id, measure.Label, present.Count, auc, auc is { } x ? x >= 0.5 : null, deciles);
    }
}
