using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Drafts;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Prediction;

/// <summary>A fit of the learned predictors on the store's history: the report, the dates it tested, and the id the predictor is kept under.</summary>
public sealed record PredictorFitResult(PredictorReport Report, IReadOnlyList<string> TestDates, BacktestOptions Options, string PredictorId);

/// <summary>A kept predictor's validation figures, as fitted (AUC, Brier score and log loss of the three on the same test observations).</summary>
public sealed record PredictorFigures(
    string Validation, string? Note, int Observations, int TrainObservations, int TestObservations, IReadOnlyList<string> TestDates,
    ProbabilityFigures Score, ProbabilityFigures Logistic, ProbabilityFigures Boosted, BoostedSettings Settings);

/// <summary>A kept predictor: when and on which model it was fitted, its horizon, its figures.</summary>
public sealed record KeptPredictor(string PredictorId, string FittedAt, string ModelVersion, int HorizonDays, int? LapseDays, PredictorFigures Figures);

/// <summary>How far a measure has moved since a predictor's training: its PSI, and the share of accounts with a value then and now.</summary>
/// <param name="Measure">`dimension.measure`.</param>
/// <param name="Label">The measure's label.</param>
/// <param name="Psi">The population stability index of its values now against training; null when either has none.</param>
/// <param name="TrainingCoverage">The share of training observations that had a value.</param>
/// <param name="CoverageNow">The share of accounts scored as of the day that have one.</param>
/// <param name="Warning">Why to fit again, or null (<see cref="Drift.Verdict"/>).</param>
public sealed record MeasureDrift(string Measure, string Label, double? Psi, double TrainingCoverage, double CoverageNow, string? Warning);

/// <summary>`chs predict status`: the latest predictor fitted, its figures, and each measure's drift since its training, as of a day.</summary>
public sealed record PredictorStatus(KeptPredictor? Latest, int Kept, string? AsOf, IReadOnlyList<MeasureDrift> Drift);

/// <summary>
/// The learned churn predictors on the store's history (issue 21): the model's observations as a backtest makes them
/// (<see cref="Backtest"/>), fitted and compared by <see cref="PredictorFit"/>; each fit is kept with its figures, and
/// the latest one's inputs are compared with today's (<see cref="Status"/>).
/// </summary>
public sealed class Predictions(StoreDb db, TimeProvider clock)
{
    public PredictorFitResult Fit(HealthModel model, string modelVersion, string modelYaml, BacktestOptions options, CancellationToken cancel = default)
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
        PredictorReport report;
        try
        {
            report = PredictorFit.Run(plan, observations, key => accounts.GetValueOrDefault(key), dates.Select(d => d.DayNumber).ToList(), options.HorizonDays);
        }
        catch (PredictionRefusedException e)
        {
            throw new StoreException(e.Message);
        }
        var testDates = report.TestDates.Select(i => StoredDates.Text(dates[i])).ToList();
        var figures = new PredictorFigures(report.Validation, report.Note, report.Observations, report.TrainObservations, report.TestObservations, testDates,
            report.Score, report.Logistic, report.Boosted, report.Settings);
        var predictor = JsonSerializer.Serialize(report.Predictor);
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(predictor)))[..12];
        db.Connection.Execute("DELETE FROM predictors WHERE predictor_id = @id", new { id });
        db.Connection.Execute(
            """
            INSERT INTO predictors (predictor_id, fitted_at, model_version, model_yaml, horizon_days, lapse_days, figures, predictor)
            VALUES (@id, @at, @modelVersion, @modelYaml, @horizon, @lapse, @figures, @predictor)
            """,
            new
            {
                id, at = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), modelVersion, modelYaml,
                horizon = options.HorizonDays, lapse = options.LapseDays, figures = JsonSerializer.Serialize(figures), predictor,
            });
        return new PredictorFitResult(report, testDates, options, id);
    }

    /// <summary>The latest predictor fitted, its figures, and each of its measures' drift as of the latest scored day (today before any scoring).</summary>
    public PredictorStatus Status(DateOnly today)
    {
        var kept = db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM predictors");
        var row = db.Connection.QueryFirstOrDefault<(string Id, string At, string Version, string Yaml, long Horizon, long? Lapse, string Figures, string Predictor)>(
            "SELECT predictor_id, fitted_at, model_version, model_yaml, horizon_days, lapse_days, figures, predictor FROM predictors ORDER BY fitted_at DESC, predictor_id LIMIT 1");
        if (row.Id is null)
        {
            return new PredictorStatus(null, 0, null, []);
        }
        var latest = new KeptPredictor(row.Id, row.At, row.Version, (int)row.Horizon, (int?)row.Lapse, JsonSerializer.Deserialize<PredictorFigures>(row.Figures)!);
        var predictor = JsonSerializer.Deserialize<ChurnPredictor>(row.Predictor)!;
        var model = ModelLoader.LoadPublished(row.Yaml, "predictor model");
        var drafts = new DraftModel(db, new ModelVersions(db, clock));
        var day = drafts.PreviewDay(today);
        var spreads = drafts.Spreads(model, day).ToDictionary(s => $"{s.Dimension}.{s.Measure}");
        var drift = predictor.Profiles.Select(p =>
        {
            var now = spreads.GetValueOrDefault(p.Measure);
            var numbers = now?.Numbers ?? [];
            var all = now is null ? 0 : now.Numbers.Count + now.Texts.Values.Sum() + now.Missing;
            var coverage = all == 0 ? 0 : (double)numbers.Count / all;
            var psi = Drift.Psi((p.Edges, p.Shares), numbers);
            return new MeasureDrift(p.Measure, p.Label, psi is { } x ? Math.Round(x, 4) : null, Math.Round(p.Coverage, 4), Math.Round(coverage, 4),
                Drift.Verdict(psi, p.Coverage, coverage));
        }).ToList();
        return new PredictorStatus(latest, (int)kept, StoredDates.Text(day), drift);
    }
}
