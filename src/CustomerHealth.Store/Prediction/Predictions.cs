using CustomerHealth.Core.Model;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Store.Backtesting;

namespace CustomerHealth.Store.Prediction;

/// <summary>A fit of the learned predictors on the store's history: the report and the dates it tested.</summary>
public sealed record PredictorFitResult(PredictorReport Report, IReadOnlyList<string> TestDates, BacktestOptions Options);

/// <summary>
/// The learned churn predictors on the store's history (issue 21): the model's observations as a backtest makes them
/// (<see cref="Backtest"/>), fitted and compared by <see cref="PredictorFit"/>. Nothing is stored.
/// </summary>
public sealed class Predictions(StoreDb db)
{
    public PredictorFitResult Fit(HealthModel model, BacktestOptions options, CancellationToken cancel = default)
    {
        var dates = options.Dates();
        if (dates.Count == 0)
        {
            throw new StoreException("no observation dates: --from must be on or before --to");
        }
        var backtest = new Backtest(db);
        var signals = backtest.Signals(model, cancel);
        var (plan, observations, _, _) = backtest.Observe(model, options, signals, cancel);
        var accounts = signals.Accounts.ToDictionary(a => a.Key);
        try
        {
            var report = PredictorFit.Run(plan, observations, key => accounts.GetValueOrDefault(key), dates.Select(d => d.DayNumber).ToList(), options.HorizonDays);
            return new PredictorFitResult(report, report.Validation == "time" ? report.TestDates.Select(i => StoredDates.Text(dates[i])).ToList() : [StoredDates.Text(dates[0])], options);
        }
        catch (PredictionRefusedException e)
        {
            throw new StoreException(e.Message);
        }
    }
}
