using System.Text.Json;
using CustomerHealth.Core.Backtesting;

namespace CustomerHealth.Store.Backtesting;

/// <summary>
/// The churn probability of a score, from the latest backtest of the published model: P(churn within the horizon)
/// = 1 / (1 + e^-(intercept + slope × score / 100)), fitted on that backtest's observations. It belongs to one
/// model version: scores of another version get no probability until that one is backtested.
/// </summary>
public sealed record ChurnCalibration(string ModelVersion, int HorizonDays, double Intercept, double Slope, int Observations, string From, string To)
{
    private const string Setting = "churn_calibration";

    public double Probability(double score) => ChurnModel.Logistic(Intercept + Slope * score / 100);

    public static ChurnCalibration? Load(StoreDb db) =>
        db.Setting(Setting) is { } json ? JsonSerializer.Deserialize<ChurnCalibration>(json) : null;

    public static ChurnCalibration? Of(BacktestReport report, ChurnModel? fit) =>
        fit is null ? null : new ChurnCalibration(report.ModelVersion, report.HorizonDays, fit.Intercept, fit.Coefficients[0], report.Observations, report.Dates[0], report.Dates[^1]);

    public void Save(StoreDb db) => db.SetSetting(Setting, JsonSerializer.Serialize(this));
}
