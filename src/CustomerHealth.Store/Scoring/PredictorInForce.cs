using System.Text.Json;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Core.Scoring;
using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// The predictor in force (the latest published with `chs predict publish`): while it is, every day scored with the model
/// version it was fitted on stores each account's learned prediction beside its snapshot (<see cref="Write"/>). Read
/// once per scoring run, and again only when another predictor is published.
/// </summary>
internal sealed class PredictorInForce(StoreDb db)
{
    private (string Id, string ModelVersion, ChurnPredictor Predictor)? loaded;

    /// <summary>The id, model version and horizon of the predictor in force, or null when none is.</summary>
    public static (string Id, string ModelVersion, int HorizonDays)? Find(StoreDb db)
    {
        var row = db.Connection.QueryFirstOrDefault<(string Id, string Version, long Horizon)>(
            "SELECT predictor_id, model_version, horizon_days FROM predictors WHERE published_at IS NOT NULL ORDER BY published_at DESC, predictor_id LIMIT 1");
        return row.Id is null ? null : (row.Id, row.Version, (int)row.Horizon);
    }

    /// <summary>Stores the prediction of each account scored on a day with the predictor's model version (none otherwise).</summary>
    public void Write(ScoringPlan plan, string modelVersion, DateOnly day, IReadOnlyList<ScoredAccount> scored)
    {
        if (Find(db) is not { } inForce || inForce.ModelVersion != modelVersion)
        {
            return;
        }
        if (loaded?.Id != inForce.Id)
        {
            var json = db.Connection.ExecuteScalar<string>("SELECT predictor FROM predictors WHERE predictor_id = @id", new { id = inForce.Id })!;
            loaded = (inForce.Id, inForce.ModelVersion, JsonSerializer.Deserialize<ChurnPredictor>(json)!);
        }
        var predictor = loaded.Value.Predictor;
        var features = ChurnFeatures.For(plan);
        var accounts = scored.Where(s => s.Computed.Score is not null && s.Computed.Measures.Length == plan.Measures.Length).ToList();
        if (accounts.Count == 0 || !features.Names.SequenceEqual(predictor.Features))
        {
            return;
        }
        var predictions = predictor.Predict(accounts.Select(s => features.Row(s.Computed.Measures, s.Account, day.DayNumber, plan.MaxScore)).ToList());
        var asOf = StoredDates.Text(day);
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        db.Connection.Execute(
            """
            INSERT INTO predictions (account_key, as_of, predictor_id, probability, low, high, drivers)
            VALUES (@key, @asOf, @id, @probability, @low, @high, @drivers)
            ON CONFLICT (account_key, as_of) DO UPDATE SET predictor_id = excluded.predictor_id, probability = excluded.probability,
              low = excluded.low, high = excluded.high, drivers = excluded.drivers
            """,
            accounts.Select((s, i) => new
            {
                key = (long)s.Account.Key, asOf, id = inForce.Id, probability = predictions[i].Probability, low = predictions[i].Low, high = predictions[i].High,
                drivers = JsonSerializer.Serialize(predictions[i].Drivers),
            }), tx);
        tx.Commit();
    }
}
