using System.Text.Json;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Store.Prediction;

/// <summary>How sure a learned churn probability is: its Venn–Abers interval.</summary>
public sealed record ChurnInterval(double Low, double High);

/// <summary>
/// An account's chance of churn within <see cref="HorizonDays"/>: the learned prediction of the predictor in force for
/// the day of its score (with its interval, drivers and the predictor's id), else the score's calibration (the latest
/// backtest of the model that scored it; no interval, no drivers).
/// </summary>
public sealed record ChurnRisk(double Probability, int HorizonDays, ChurnInterval? Interval, IReadOnlyList<ChurnDriver>? Drivers, string? PredictorId);

/// <summary>An account's score as the churn risk is read for it: the day scored, the score and the model version that gave it.</summary>
public sealed record ScoredOn(long Key, string? AsOf, double? Score, string? ModelVersion);

/// <summary>Reads accounts' churn risks (<see cref="ChurnRisk"/>): the one home of which probability an account shows.</summary>
public sealed class ChurnRisks
{
    private readonly StoreDb db;
    private readonly ChurnCalibration? calibration;
    private readonly (string Id, string ModelVersion, int HorizonDays)? inForce;

    private ChurnRisks(StoreDb db)
    {
        this.db = db;
        calibration = ChurnCalibration.Load(db);
        inForce = PredictorInForce.Find(db);
    }

    public static ChurnRisks Load(StoreDb db) => new(db);

    /// <summary>Each account's churn risk (accounts with none left out).</summary>
    public Dictionary<long, ChurnRisk> Of(IReadOnlyCollection<ScoredOn> accounts)
    {
        var risks = new Dictionary<long, ChurnRisk>();
        var days = accounts.Where(a => a.AsOf is not null).ToDictionary(a => a.Key, a => a.AsOf!);
        if (inForce is { } p && days.Count > 0)
        {
            var rows = db.Connection.Query<(long Key, string AsOf, double Probability, double Low, double High, string Drivers)>(
                $"""
                SELECT account_key, as_of, probability, low, high, drivers FROM predictions
                WHERE predictor_id = @id AND as_of >= @from AND {db.Engine.AmongList("account_key", "@keys")}
                """, new { id = p.Id, from = days.Values.Min(StringComparer.Ordinal), keys = db.Engine.ListParameter(days.Keys.ToList()) });
            foreach (var r in rows.Where(r => days.GetValueOrDefault(r.Key) == r.AsOf))
            {
                risks[r.Key] = new ChurnRisk(r.Probability, p.HorizonDays, new ChurnInterval(r.Low, r.High),
                    JsonSerializer.Deserialize<List<ChurnDriver>>(r.Drivers), p.Id);
            }
        }
        foreach (var a in accounts.Where(a => !risks.ContainsKey(a.Key)))
        {
            if (calibration is not null && a.Score is { } score && a.ModelVersion == calibration.ModelVersion)
            {
                risks[a.Key] = new ChurnRisk(Math.Round(calibration.Probability(score), 4), calibration.HorizonDays, null, null, null);
            }
        }
        return risks;
    }

    /// <summary>One account's churn risk, or null.</summary>
    public ChurnRisk? Of(ScoredOn account) => Of([account]).GetValueOrDefault(account.Key);
}
