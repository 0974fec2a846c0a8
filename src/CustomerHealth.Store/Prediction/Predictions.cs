using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Drafts;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Store.Prediction;

/// <summary>A fit of the learned predictors on the store's history: the report, the dates it tested, and the id the predictor is kept under.</summary>
public sealed record PredictorFitResult(PredictorReport Report, IReadOnlyList<string> TestDates, BacktestOptions Options, string PredictorId);

/// <summary>A kept predictor's validation figures, as fitted (AUC, Brier score and log loss of the three on the same test observations).</summary>
public sealed record PredictorFigures(
    string Validation, string? Note, int Observations, int TrainObservations, int TestObservations, IReadOnlyList<string> TestDates,
    ProbabilityFigures Score, ProbabilityFigures Logistic, ProbabilityFigures Boosted, BoostedSettings Settings);

/// <summary>A kept predictor: when and on which model it was fitted, its horizon, its figures, and when it was last published.</summary>
public sealed record KeptPredictor(string PredictorId, string FittedAt, string ModelVersion, int HorizonDays, int? LapseDays, PredictorFigures Figures)
{
    /// <summary>When `chs predict publish` last put it in force, or null.</summary>
    public string? PublishedAt { get; init; }
}

/// <summary>How far a measure has moved since a predictor's training: its PSI, and the share of accounts with a value then and now.</summary>
/// <param name="Measure">`dimension.measure`.</param>
/// <param name="Label">The measure's label.</param>
/// <param name="Psi">The population stability index of its values now against training; null when either has none.</param>
/// <param name="TrainingCoverage">The share of training observations that had a value.</param>
/// <param name="CoverageNow">The share of accounts scored as of the day that have one.</param>
/// <param name="Warning">Why to fit again, or null (<see cref="Drift.Verdict"/>).</param>
public sealed record MeasureDrift(string Measure, string Label, double? Psi, double TrainingCoverage, double CoverageNow, string? Warning);

/// <summary>`chs predict status`: the latest predictor fitted, the one in force (null: the score's calibration gives the probability), its figures, and each measure's drift since the training of the one in force (else the latest), as of a day.</summary>
public sealed record PredictorStatus(KeptPredictor? Latest, KeptPredictor? InForce, int Kept, string? AsOf, IReadOnlyList<MeasureDrift> Drift);

/// <summary>`chs predict publish`: the predictor now in force, the latest scored day it predicted, and how many accounts it predicted then.</summary>
public sealed record PublishedPredictor(string PredictorId, string ModelVersion, int HorizonDays, string? AsOf, int Predicted);

/// <summary>
/// The learned churn predictors on the store's history (issue 21): the model's observations as a backtest makes them
/// (<see cref="Backtest"/>), fitted and compared by <see cref="PredictorFit"/>; each fit is kept with its figures, and
/// the latest one's inputs are compared with today's (<see cref="Status"/>).
/// </summary>
public sealed class Predictions(StoreDb db, TimeProvider clock)
{
    /// <summary>What <see cref="Publish"/> takes for the latest predictor fitted.</summary>
    public const string Latest = "latest";

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
                id, at = Now(), modelVersion, modelYaml,
                horizon = options.HorizonDays, lapse = options.LapseDays, figures = JsonSerializer.Serialize(figures), predictor,
            });
        return new PredictorFitResult(report, testDates, options, id);
    }

    /// <summary>
    /// Puts a kept predictor in force: from now on every day scored with the model version it was fitted on stores each
    /// account's learned prediction (probability, interval, drivers), shown wherever the churn probability is; the latest
    /// scored day is scored again at once so every account has one. Refused when the predictor is not in the store or was
    /// fitted on another model version than the one in force.
    /// </summary>
    /// <param name="predictorId">The predictor's id, or `latest` for the latest fitted.</param>
    public PublishedPredictor Publish(string predictorId)
    {
        if (predictorId == Latest)
        {
            predictorId = Kept(inForce: false)?.PredictorId ?? throw new StoreException("no predictor is fitted yet: `chs predict fit --from D1 --to D2` fits one on your history");
        }
        var row = db.Connection.QueryFirstOrDefault<(string Id, string Version, long Horizon, string Predictor)>(
            "SELECT predictor_id, model_version, horizon_days, predictor FROM predictors WHERE predictor_id = @predictorId", new { predictorId });
        if (row.Id is null)
        {
            throw new StoreException($"no predictor `{predictorId}` in this store: `chs predict status` shows the latest fitted, `chs predict fit` fits one");
        }
        var predictor = JsonSerializer.Deserialize<ChurnPredictor>(row.Predictor)!;
        if (predictor.Groups is null || predictor.Calibration?.Scores is null)
        {
            throw new StoreException($"predictor `{predictorId}` was fitted before predictions had intervals and drivers: fit it again with `chs predict fit`");
        }
        var models = new ModelVersions(db, clock);
        var current = models.RequireCurrent();
        if (current.VersionId != row.Version)
        {
            throw new StoreException(
                $"predictor `{predictorId}` was fitted on model version {row.Version}, and the model in force is {current.VersionId}: fit a predictor on the model in force (`chs predict fit`)");
        }
        db.Connection.Execute("UPDATE predictors SET published_at = @at WHERE predictor_id = @predictorId", new { at = Now(), predictorId });
        var run = new ScoringRun(db, models);
        if (run.LatestDay() is not { } latest)
        {
            return new PublishedPredictor(row.Id, row.Version, (int)row.Horizon, null, 0);
        }
        var day = StoredDates.Date(latest);
        run.ScoreRange(day, day, 1);
        var predicted = db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM predictions WHERE as_of = @latest AND predictor_id = @predictorId", new { latest, predictorId });
        return new PublishedPredictor(row.Id, row.Version, (int)row.Horizon, latest, (int)predicted);
    }

    /// <summary>
    /// The latest predictor fitted, the one in force, their figures, and each measure's drift (of the one in force, else
    /// the latest) as of the latest scored day (today before any scoring).
    /// </summary>
    public PredictorStatus Status(DateOnly today)
    {
        var kept = db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM predictors");
        var latest = Kept(inForce: false);
        if (latest is null)
        {
            return new PredictorStatus(null, null, 0, null, []);
        }
        var inForce = Kept(inForce: true);
        var watched = inForce ?? latest;
        var (yaml, json) = db.Connection.QueryFirst<(string Yaml, string Predictor)>(
            "SELECT model_yaml, predictor FROM predictors WHERE predictor_id = @id", new { id = watched.PredictorId });
        var predictor = JsonSerializer.Deserialize<ChurnPredictor>(json)!;
        var model = ModelLoader.LoadPublished(yaml, "predictor model");
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
        return new PredictorStatus(latest, inForce, (int)kept, StoredDates.Text(day), drift);
    }

    /// <summary>The latest predictor fitted, or (<paramref name="inForce"/>) the latest published: the one in force.</summary>
    private KeptPredictor? Kept(bool inForce)
    {
        var which = inForce ? "WHERE published_at IS NOT NULL ORDER BY published_at DESC" : "ORDER BY fitted_at DESC";
        var row = db.Connection.QueryFirstOrDefault<(string Id, string At, string Version, long Horizon, long? Lapse, string Figures, string? PublishedAt)>(
            $"SELECT predictor_id, fitted_at, model_version, horizon_days, lapse_days, figures, published_at FROM predictors {which}, predictor_id LIMIT 1");
        return row.Id is null ? null
            : new KeptPredictor(row.Id, row.At, row.Version, (int)row.Horizon, (int?)row.Lapse, JsonSerializer.Deserialize<PredictorFigures>(row.Figures)!) { PublishedAt = row.PublishedAt };
    }

    private string Now() => clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
