using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Store.Backtesting;

/// <summary>`chs suggest`'s answer: both AUCs are measured out of time, on the test dates only.</summary>
public sealed record SuggestResult(
    double? SuggestedAuc, double? CurrentAuc, IReadOnlyList<string> TrainDates, IReadOnlyList<string> TestDates, IReadOnlyDictionary<string, double> Weights,
    int TrainObservations, int TestObservations, string Yaml, string? Note);

/// <summary>
/// Suggests weights from the store's history: an L2-regularised logistic regression of churn on the measure scores,
/// fitted on the earlier observation dates and judged on the later ones against the current model.
/// </summary>
public sealed class Suggestion(StoreDb db)
{
    /// <summary>The penalty on the coefficients of the measure scores (each on a 0–1 scale).</summary>
    public const double Lambda = 1.0;

    public SuggestResult Run(HealthModel model, string yaml, BacktestOptions options)
    {
        if (model.Scale == ScaleKind.Points)
        {
            throw new StoreException("suggest works with weighted models; this model gives points");
        }
        var dates = options.Dates();
        if (dates.Count < 2)
        {
            throw new StoreException("suggest needs at least two observation dates (earlier ones to fit, later ones to test): widen --from/--to or shorten --every");
        }
        var backtest = new Backtest(db);
        var signals = backtest.Signals(model);
        var (plan, observations, _, _) = backtest.Observe(model, options, signals);
        var (firstTest, trainDates, note) = SuggestedWeights.Split(dates.Select(d => d.DayNumber).ToList(), options.HorizonDays);
        var train = observations.Where(o => trainDates.Contains(o.DateIndex)).ToList();
        var test = observations.Where(o => o.DateIndex >= firstTest).ToList();
        var shares = SuggestedWeights.Fit(plan, train, Lambda)
            ?? throw new StoreException("the training dates have no churn (or only churn) to learn from: start --from earlier or widen --horizon");
        var weights = plan.Measures.Select((m, j) => (m.Id, Share: Math.Round(shares[j], 4))).ToDictionary(x => x.Id, x => x.Share);
        var suggestedYaml = SuggestedWeights.Apply(yaml, weights,
            $"Weights suggested by `chs suggest` from {StoredDates.Text(dates[0])} to {StoredDates.Text(dates[^1])} (horizon {options.HorizonDays}d); review before publishing.");
        var suggested = ModelLoader.LoadPublished(suggestedYaml, "suggested.yaml");
        var testOptions = options with { From = dates[firstTest] };
        // Only the weights differ (same timezone): the signals read for the current model serve the suggested one.
        var (_, suggestedTest, _, _) = backtest.Observe(suggested, testOptions, signals);
        return new SuggestResult(
            Metrics.Auc(suggestedTest.Select(o => new Outcome(-o.Score, o.Churned)).ToList()),
            Metrics.Auc(test.Select(o => new Outcome(-o.Score, o.Churned)).ToList()),
            trainDates.Select(i => StoredDates.Text(dates[i])).ToList(),
            dates.Skip(firstTest).Select(StoredDates.Text).ToList(),
            weights, train.Count, test.Count, suggestedYaml, note);
    }
}
