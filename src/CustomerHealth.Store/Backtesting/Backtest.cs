using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Backtesting;

/// <summary>What a backtest observes: dates T = from, from + every, ... ≤ to; churn within the horizon after each.</summary>
/// <param name="From">The first date.</param>
/// <param name="To">No date is after it.</param>
/// <param name="EveryDays">The days between two dates.</param>
/// <param name="HorizonDays">An account observed at T churned when it churns within this many days after T.</param>
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

/// <summary>
/// Does the score predict churn (SPEC §9)? Loads the history once and lets Core observe it
/// (<see cref="BacktestObservations"/>) and judge it (<see cref="BacktestReport"/>).
/// </summary>
public sealed class Backtest(StoreDb db)
{
    /// <summary>The signals a backtest scores, in the model's timezone: load them once to observe several models.</summary>
    public (List<AccountData> Accounts, Dictionary<string, int> EventIds) Signals(HealthModel model, CancellationToken cancel = default)
    {
        cancel.ThrowIfCancellationRequested();
        return SignalLoader.Settle(db).LoadAll(TimeZoneInfo.FindSystemTimeZoneById(model.Timezone), cancel: cancel);
    }

    /// <param name="model">The model whose scores are observed.</param>
    /// <param name="options">The dates, the horizon and how churn is told.</param>
    /// <param name="signals">Signals already loaded with <see cref="Signals"/> for a model of the same timezone.</param>
    /// <param name="cancel">Ends the work soon after it is cancelled (each day's accounts check it), with <see cref="OperationCanceledException"/>.</param>
    public (ScoringPlan Plan, IReadOnlyList<Observation> Observations, int Unscored, string Churn) Observe(
        HealthModel model, BacktestOptions options, (List<AccountData> Accounts, Dictionary<string, int> EventIds)? signals = null,
        CancellationToken cancel = default)
    {
        var dates = options.Dates();
        var plan = new ScoringPlan(model);
        var (accounts, eventIds) = signals ?? Signals(model, cancel);
        var (observations, unscored, churn) = BacktestObservations.Observe(
            plan, accounts, eventIds, dates.Select(d => d.DayNumber).ToList(), options.HorizonDays, options.LapseDays, cancel);
        return (plan, observations, unscored, churn);
    }

    public BacktestReport Run(HealthModel model, string modelVersion, BacktestOptions options) => RunWithCalibration(model, modelVersion, options).Report;

    /// <summary>The report, and the churn probability of a score fitted on the same observations.</summary>
    public (BacktestReport Report, ChurnCalibration? Calibration) RunWithCalibration(HealthModel model, string modelVersion, BacktestOptions options)
    {
        var (plan, observations, unscored, churn) = Observe(model, options);
        var report = Report(plan, modelVersion, options, observations, unscored, churn);
        return (report, ChurnCalibration.Of(report, BacktestReport.FitCalibration(observations)));
    }

    public static BacktestReport Report(
        ScoringPlan plan, string modelVersion, BacktestOptions options, IReadOnlyList<Observation> observations, int unscored, string churn) =>
        BacktestReport.Of(plan, modelVersion, options.HorizonDays, options.Dates().Select(StoredDates.Text).ToList(), observations, unscored, churn);
}
