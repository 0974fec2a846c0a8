using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Backtesting;

/// <summary>What a backtest observes: dates T = from, from + every, ... ≤ to; churn within the horizon after each.</summary>
/// <param name="LapseDays">Churn by lapse (SPEC §9) instead of `churned` events: active at T with an order (or, in a
/// store without orders, a usage event) in the lapse window up to T; churned when none follows within the horizon.</param>
public sealed record BacktestOptions(DateOnly From, DateOnly To, int EveryDays, int HorizonDays, int? LapseDays = null)
{
    public IReadOnlyList<DateOnly> Dates()
    {
        if (To < From)
        {
            throw new StoreException($"--to {To:yyyy-MM-dd} is before --from {From:yyyy-MM-dd}");
        }
        if (EveryDays <= 0 || HorizonDays <= 0 || LapseDays <= 0)
        {
            throw new StoreException("--every, --horizon and --lapse must be positive numbers of days");
        }
        var dates = new List<DateOnly>();
        for (var d = From; d <= To; d = d.AddDays(EveryDays))
        {
            dates.Add(d);
        }
        return dates;
    }
}

/// <summary>One account at one observation date: its point-in-time score and measures, and whether it churned after.</summary>
public sealed record Observation(int DateIndex, int AccountKey, string AccountId, double Score, string? Grade, ScoredMeasure[] Measures, bool Churned);

public sealed record GradeRate(string Grade, int Accounts, int Churned, double ChurnRate);

/// <summary>A band of the score (a tenth of the scale): how many churned, and the calibrated churn probability.</summary>
public sealed record CalibrationBin(double From, double To, int Accounts, int Churned, double ChurnRate, double Predicted);

public sealed record DecileRate(int Decile, double? From, double? To, int Accounts, int Churned, double ChurnRate);

/// <summary>
/// One measure's own power: AUC of its 0–100 score as a health signal (above 0.5: higher scores churn less, as the
/// model assumes, so `direction_ok`), and churn rate by decile of its raw value (where the "sweet spot" is).
/// </summary>
public sealed record MeasureCheck(string Id, string Label, int Observations, double? Auc, bool? DirectionOk, IReadOnlyList<DecileRate> Deciles);

public sealed record BacktestReport(
    string ModelVersion, string Churn, int HorizonDays, IReadOnlyList<string> Dates, int Observations, int Churned, double ChurnRate, double? Auc,
    double? LiftTopDecile, IReadOnlyList<GradeRate> ByGrade, IReadOnlyList<CalibrationBin> Calibration, IReadOnlyList<MeasureCheck> Measures,
    int Unscored);

/// <summary>
/// Does the score predict churn (SPEC §9)? At each date, every active account's point-in-time score (overrides left
/// out: the model is what is tested), labelled by churn in (T, T + horizon]; the AUC is pooled over all
/// observations with risk = −score.
/// </summary>
public sealed class Backtest(StoreDb db)
{
    /// <summary>The signals a backtest scores, in the model's timezone: load them once to observe several models.</summary>
    public (List<AccountData> Accounts, Dictionary<string, int> EventIds) Signals(HealthModel model, CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        UsageInbox.Merge(db);
        return SignalLoader.LoadAll(db, TimeZoneInfo.FindSystemTimeZoneById(model.Timezone), cancel: cancel);
    }

    /// <param name="signals">Signals already loaded with <see cref="Signals"/> for a model of the same timezone.</param>
    /// <param name="cancel">Ends the work soon after it is cancelled (each day's accounts check it), with <see cref="OperationCanceledException"/>.</param>
    public (ScoringPlan Plan, IReadOnlyList<Observation> Observations, int Unscored, string Churn) Observe(
        HealthModel model, BacktestOptions options, (List<AccountData> Accounts, Dictionary<string, int> EventIds)? signals = null,
        CancellationToken cancel = default)
    {
        var dates = options.Dates();
        var plan = new ScoringPlan(model);
        var (accounts, eventIds) = signals ?? Signals(model, cancel);
        var byOrders = accounts.Any(a => a.Orders.Length > 0);
        var observations = new List<Observation>();
        var unscored = 0;
        for (var i = 0; i < dates.Count; i++)
        {
            var t = dates[i].DayNumber;
            var end = t + options.HorizonDays;
            foreach (var s in DayScoring.Score(plan, accounts, eventIds, t, [], cancel: cancel))
            {
                var a = s.Account;
                bool churned;
                if (options.LapseDays is { } lapse)
                {
                    if (!Active(a, byOrders, t - lapse + 1, t))
                    {
                        continue;
                    }
                    churned = !Active(a, byOrders, t + 1, end);
                }
                else
                {
                    churned = a.ChurnedWithin(t, options.HorizonDays) is not null;
                }
                if (s.Score is not { } score)
                {
                    unscored++;
                    continue;
                }
                observations.Add(new Observation(i, a.Key, a.AccountId, score, s.Grade?.Id, s.Computed.Measures, churned));
            }
        }
        var churn = options.LapseDays is { } l ? $"lapse {l}d ({(byOrders ? "orders" : "usage")})" : "churned events";
        return (plan, observations, unscored, churn);
    }

    public BacktestReport Run(HealthModel model, string modelVersion, BacktestOptions options) => RunWithCalibration(model, modelVersion, options).Report;

    /// <summary>The report, and the churn probability of a score fitted on the same observations.</summary>
    public (BacktestReport Report, ChurnCalibration? Calibration) RunWithCalibration(HealthModel model, string modelVersion, BacktestOptions options)
    {
        var (plan, observations, unscored, churn) = Observe(model, options);
        var report = Report(plan, modelVersion, options, observations, unscored, churn);
        return (report, ChurnCalibration.Of(report, Calibration(observations)));
    }

    public static BacktestReport Report(
        ScoringPlan plan, string modelVersion, BacktestOptions options, IReadOnlyList<Observation> observations, int unscored, string churn)
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
            modelVersion, churn, options.HorizonDays, options.Dates().Select(StoredDates.Text).ToList(), observations.Count, churned,
            observations.Count == 0 ? 0 : (double)churned / observations.Count, Metrics.Auc(outcomes), Metrics.TopDecileLift(outcomes), byGrade,
            Calibrate(plan.MaxScore, observations), plan.Measures.Select((m, j) => Check(m, j, observations)).ToList(), unscored);
    }

    /// <summary>Churn probability as a logistic function of the score, fitted on the observations (Platt scaling).</summary>
    public static ChurnModel? Calibration(IReadOnlyList<Observation> observations) =>
        observations.Count == 0 || observations.All(o => o.Churned) || observations.All(o => !o.Churned)
            ? null
            : ChurnModel.Fit(observations.Select(o => new[] { o.Score / 100 }).ToList(), observations.Select(o => o.Churned).ToList(), 1e-6);

    private static List<CalibrationBin> Calibrate(double maxScore, IReadOnlyList<Observation> observations)
    {
        var fit = Calibration(observations);
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

    private static MeasureCheck Check(Measure measure, int j, IReadOnlyList<Observation> observations)
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

    private static bool Active(AccountData a, bool byOrders, int fromDay, int toDay) =>
        byOrders ? Any(a.Orders, fromDay, toDay) : Any(a.Usage, fromDay, toDay);

    private static bool Any<T>(T[] dated, int fromDay, int toDay) where T : IDated
    {
        // Signals are sorted by day: find the first on or after fromDay.
        int lo = 0, hi = dated.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) / 2;
            if (dated[mid].Day < fromDay)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo < dated.Length && dated[lo].Day <= toDay;
    }
}
