namespace CustomerHealth.Core.Alerts;

/// <summary>What ranks an account in the alerts inbox: its open alerts' worst severity, its ARR and its calibrated churn probability.</summary>
public sealed record InboxRank(string AccountId, string WorstSeverity, double? Arr, double? ChurnProbability)
{
    /// <summary>Expected revenue at risk: churn probability × ARR, when both are known.</summary>
    public double? RevenueAtRisk => ChurnProbability is { } p && Arr is { } arr ? p * arr : null;
}

/// <summary>
/// The order of the alerts inbox, one line per account: accounts with an expected revenue at risk (churn probability
/// × ARR) first, most at risk first; then those without one (no calibration for their score's model, no score or no
/// ARR) by their worst open severity, then ARR (largest first, unknown last); ties by account id.
/// </summary>
public static class InboxRanking
{
    public static int SeverityOrder(string severity) => severity switch { "high" => 0, "medium" => 1, "low" => 2, _ => 3 };

    /// <summary>The most severe of the severities given ("low" when none is).</summary>
    public static string Worst(IEnumerable<string> severities) => severities.OrderBy(SeverityOrder).DefaultIfEmpty("low").First();

    public static IReadOnlyList<T> Rank<T>(IEnumerable<T> items, Func<T, InboxRank> rank)
    {
        ArgumentNullException.ThrowIfNull(rank);
        return items.Select(i => (Item: i, Rank: rank(i)))
            .OrderBy(x => x.Rank.RevenueAtRisk is null)
            .ThenByDescending(x => x.Rank.RevenueAtRisk ?? 0)
            .ThenBy(x => SeverityOrder(x.Rank.WorstSeverity))
            .ThenBy(x => x.Rank.Arr is null)
            .ThenByDescending(x => x.Rank.Arr ?? 0)
            .ThenBy(x => x.Rank.AccountId, StringComparer.Ordinal)
            .Select(x => x.Item)
            .ToList();
    }

    /// <summary>How the inbox is ranked, in one sentence for the page.</summary>
    public const string Explanation =
        "Ranked by expected revenue at risk (the calibrated churn probability × ARR), largest first; accounts without a churn probability or ARR follow, by their most severe alert, then ARR.";
}
