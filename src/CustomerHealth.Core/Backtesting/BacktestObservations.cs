using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Backtesting;

/// <summary>One account at one observation date: its point-in-time score and measures, and whether it churned after.</summary>
public sealed record Observation(int DateIndex, int AccountKey, string AccountId, double Score, string? Grade, ScoredMeasure[] Measures, bool Churned);

/// <summary>What a backtest observes (SPEC §9): every active account's point-in-time score at each date, labelled by churn after it.</summary>
public static class BacktestObservations
{
    /// <summary>
    /// At each date T of <paramref name="days"/>, every account scored as of T (<see cref="DayScoring"/>, overrides
    /// left out: the model is what is tested), labelled by churn in (T, T + horizon]. Accounts scored on no measure are
    /// counted as unscored, not observed.
    /// </summary>
    /// <param name="plan">The scoring plan of the model tested.</param>
    /// <param name="accounts">Every account's signals.</param>
    /// <param name="eventIds">The stored ids of usage event names.</param>
    /// <param name="days">The observation dates (<see cref="DateOnly.DayNumber"/>s).</param>
    /// <param name="horizonDays">An observation is labelled churned when the account churns within this many days after its date.</param>
    /// <param name="lapseDays">Churn by lapse instead of `churned` events: only an account active at T (an order, or in a
    /// store without orders a usage event, in the lapse window up to T) is observed, and it churned when none follows
    /// within the horizon.</param>
    /// <param name="cancel">Stops scoring soon after it is cancelled, with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The observations, how many were unscored, and how churn was told (for the report).</returns>
    public static (IReadOnlyList<Observation> Observations, int Unscored, string Churn) Observe(
        ScoringPlan plan, IReadOnlyList<AccountData> accounts, IReadOnlyDictionary<string, int> eventIds, IReadOnlyList<int> days, int horizonDays,
        int? lapseDays, CancellationToken cancel = default)
    {
        var byOrders = accounts.Any(a => a.Orders.Length > 0);
        var observations = new List<Observation>();
        var unscored = 0;
        for (var i = 0; i < days.Count; i++)
        {
            var t = days[i];
            var end = t + horizonDays;
            foreach (var s in DayScoring.Score(plan, accounts, eventIds, t, [], cancel: cancel))
            {
                var a = s.Account;
                bool churned;
                if (lapseDays is { } lapse)
                {
                    if (!Active(a, byOrders, t - lapse + 1, t))
                    {
                        continue;
                    }
                    churned = !Active(a, byOrders, t + 1, end);
                }
                else
                {
                    churned = a.ChurnedWithin(t, horizonDays) is not null;
                }
                if (s.Score is not { } score)
                {
                    unscored++;
                    continue;
                }
                observations.Add(new Observation(i, a.Key, a.AccountId, score, s.Grade?.Id, s.Computed.Measures, churned));
            }
        }
        var churn = lapseDays is { } l ? $"lapse {l}d ({(byOrders ? "orders" : "usage")})" : "churned events";
        return (observations, unscored, churn);
    }

    /// <summary>Whether the account ordered (or, when <paramref name="byOrders"/> is false, used the product) on a day from <paramref name="fromDay"/> to <paramref name="toDay"/>.</summary>
    public static bool Active(AccountData a, bool byOrders, int fromDay, int toDay) =>
        byOrders ? Any<OrderPoint>(a.Orders, fromDay, toDay) : Any<UsageDay>(a.Usage, fromDay, toDay);

    private static bool Any<T>(ReadOnlySpan<T> dated, int fromDay, int toDay) where T : IDated
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
