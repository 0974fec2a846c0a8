using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Alerts;

/// <summary>An alert a replay opened: the account (its key) and the day it opened (a <see cref="DateOnly.DayNumber"/>).</summary>
public readonly record struct AlertOpening(int Account, int Day);

/// <summary>The accounts scored on one replayed day (a <see cref="DateOnly.DayNumber"/>): those the rules looked at.</summary>
public sealed record ActiveDay(int Day, IReadOnlyList<int> Accounts);

/// <summary>How a replay's alerts are judged against churn.</summary>
public sealed record OutcomeWindow
{
    /// <summary>The replay's first day: alerts opened on it are the backlog met when the rules are put in force.</summary>
    public int FirstDay { get; }
    /// <summary>The weeks over which the alerts after the first day spread (at least one).</summary>
    public double WeeksAfterFirstDay { get; }
    /// <summary>An alert is followed by churn when the account churns within this many days after it opened.</summary>
    public int HorizonDays { get; }
    /// <summary>The last day the store knows of: an outcome is known only for alerts whose horizon ends on or before it.</summary>
    public int LastKnownDay { get; }

    public OutcomeWindow(int firstDay, double weeksAfterFirstDay, int horizonDays, int lastKnownDay)
    {
        FirstDay = firstDay;
        WeeksAfterFirstDay = weeksAfterFirstDay >= 1 && double.IsFinite(weeksAfterFirstDay)
            ? weeksAfterFirstDay
            : throw new ArgumentOutOfRangeException(nameof(weeksAfterFirstDay), weeksAfterFirstDay, "at least one week");
        HorizonDays = Require.Positive(horizonDays, nameof(horizonDays));
        LastKnownDay = lastKnownDay;
    }

    /// <summary>The last opening day whose outcome is known (its horizon ends on or before <see cref="LastKnownDay"/>).</summary>
    public long JudgedUntil => (long)LastKnownDay - HorizonDays;

    public bool Judged(int day) => day <= JudgedUntil;
}

/// <summary>
/// What every rule is compared with. <see cref="ChurnRate"/> is the base churn rate: of the (account, day) pairs of an
/// account scored on a judged replayed day, the share whose account churned within the horizon after that day (the
/// backtest's label). <see cref="ChurnedArr"/> is the ARR of the distinct accounts that did.
/// </summary>
/// <param name="Owners">Distinct owners (case aside) of the accounts scored on any replayed day.</param>
/// <param name="AccountDays">The (account, day) pairs of an account scored on a judged replayed day.</param>
/// <param name="ChurnedAccountDays">Those of the pairs whose account churned within the horizon after that day.</param>
/// <param name="ChurnRate">The churned pairs over all the pairs; null when there are none.</param>
/// <param name="ChurnedAccounts">The distinct accounts of the churned pairs.</param>
/// <param name="ChurnedArr">Their ARR (an account without one counts as nothing).</param>
public sealed record ChurnBaseline(int Owners, long AccountDays, long ChurnedAccountDays, double? ChurnRate, int ChurnedAccounts, double ChurnedArr);

/// <summary>How a set of alerts did against churn (see <see cref="AlertOutcomes.Of"/> for each figure).</summary>
public sealed record AlertOutcome(
    int Alerts, int AlertsAfterFirstDay, double? AlertsPerOwnerWeek, int Judged, int FollowedByChurn, double? Precision, double? Lift,
    double? MedianLeadDays, int AccountsCovered, double ArrCovered, double? ArrCoveredShare);

/// <summary>
/// Alerts measured like a classifier (SPEC §13): how many land in a CSM's inbox, and how many of them came before a
/// churn the CSM could still act on. Churn is the backtest's label (<see cref="AccountData.ChurnedWithin"/>).
/// </summary>
public static class AlertOutcomes
{
    /// <summary>The base churn rate, the churned ARR and the number of owners of the accounts the replay looked at.</summary>
    public static ChurnBaseline Baseline(OutcomeWindow window, IEnumerable<ActiveDay> days, IReadOnlyDictionary<int, AccountData> accounts)
    {
        var owners = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var churnedAccounts = new HashSet<int>();
        long accountDays = 0, churnedDays = 0;
        foreach (var day in days)
        {
            var judged = window.Judged(day.Day);
            foreach (var key in day.Accounts)
            {
                var account = accounts.GetValueOrDefault(key);
                if (account?.Owner is { } owner && !string.IsNullOrWhiteSpace(owner))
                {
                    owners.Add(owner.Trim());
                }
                if (!judged)
                {
                    continue;
                }
                accountDays++;
                if (account?.ChurnedWithin(day.Day, window.HorizonDays) is not null)
                {
                    churnedDays++;
                    churnedAccounts.Add(key);
                }
            }
        }
        return new ChurnBaseline(owners.Count, accountDays, churnedDays, accountDays == 0 ? null : (double)churnedDays / accountDays,
            churnedAccounts.Count, churnedAccounts.Sum(k => accounts[k].Arr ?? 0));
    }

    /// <summary>
    /// The figures of a set of alert openings (one rule's, or every rule's together):
    /// <list type="bullet">
    /// <item><c>AlertsPerOwnerWeek</c>: the alerts opened after the first day, divided by the owners and by the weeks after the first day.</item>
    /// <item><c>Precision</c>: of the judged openings (each counted once; see <see cref="OutcomeWindow.Judged"/>), the share
    /// whose account churned within the horizon after the alert opened.</item>
    /// <item><c>Lift</c>: the precision divided by the base churn rate (<see cref="ChurnBaseline.ChurnRate"/>).</item>
    /// <item><c>MedianLeadDays</c>: over the judged openings followed by churn, the median of the days from the opening to the churn.</item>
    /// <item><c>ArrCovered</c>: the ARR of the distinct accounts with a judged opening followed by churn;
    /// <c>ArrCoveredShare</c>: that over <see cref="ChurnBaseline.ChurnedArr"/>.</item>
    /// </list>
    /// Each is null when it has nothing to divide by.
    /// </summary>
    public static AlertOutcome Of(OutcomeWindow window, ChurnBaseline baseline, IEnumerable<AlertOpening> openings, IReadOnlyDictionary<int, AccountData> accounts)
    {
        int alerts = 0, after = 0, judged = 0;
        var leads = new List<int>();
        var covered = new HashSet<int>();
        foreach (var o in openings)
        {
            alerts++;
            if (o.Day > window.FirstDay)
            {
                after++;
            }
            if (!window.Judged(o.Day))
            {
                continue;
            }
            judged++;
            if (accounts.GetValueOrDefault(o.Account)?.ChurnedWithin(o.Day, window.HorizonDays) is { } churnDay)
            {
                leads.Add(churnDay - o.Day);
                covered.Add(o.Account);
            }
        }
        double? precision = judged == 0 ? null : (double)leads.Count / judged;
        var arr = covered.Sum(k => accounts[k].Arr ?? 0);
        return new AlertOutcome(
            alerts, after, baseline.Owners == 0 ? null : after / (double)baseline.Owners / window.WeeksAfterFirstDay, judged, leads.Count, precision,
            precision is { } p && baseline.ChurnRate is { } rate && rate > 0 ? p / rate : null, Median(leads), covered.Count, arr,
            baseline.ChurnedArr > 0 ? arr / baseline.ChurnedArr : null);
    }

    private static double? Median(List<int> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        values.Sort();
        var mid = values.Count / 2;
        return values.Count % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2.0;
    }
}
