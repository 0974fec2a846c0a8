using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Scoring;

/// <summary>Which accounts are scored as of a day: those not churned by then, and known by then.</summary>
public static class Eligibility
{
    /// <summary>
    /// Scored as of <paramref name="day"/>: not churned as of it (<see cref="AccountData.ChurnedAsOf"/>), and started or
    /// with a signal on or before it (an account known from no day at all is scored too: it has nothing to date it by).
    /// </summary>
    public static bool IsEligible(AccountData account, int day) =>
        account.ChurnedAsOf(day) is null && (FirstDay(account) is not { } first || first <= day);

    /// <summary>The first day the account is known from: its start, or its first signal (imported, or in an external source), whichever is earlier.</summary>
    public static int? FirstDay(AccountData a)
    {
        int? first = a.StartedDay;
        if (a.FirstExternalDay is { } external && (first is null || external < first))
        {
            first = external;
        }
        void Min<T>(ReadOnlySpan<T> items) where T : struct, IDated
        {
            if (items.Length > 0 && (first is null || items[0].Day < first))
            {
                first = items[0].Day;
            }
        }
        Min<UsageDay>(a.Usage);
        Min<SurveyPoint>(a.Surveys);
        Min<TicketPoint>(a.Tickets);
        Min<InvoicePoint>(a.Invoices);
        Min<SubscriptionPoint>(a.Subscriptions);
        Min<OrderPoint>(a.Orders);
        Min<SentimentPoint>(a.Sentiments);
        Min<TouchPoint>(a.Touches);
        foreach (var m in a.Metrics.Values)
        {
            Min<MetricPoint>(m);
        }
        return first;
    }
}
