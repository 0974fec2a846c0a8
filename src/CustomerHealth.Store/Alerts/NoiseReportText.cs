using System.Globalization;

namespace CustomerHealth.Store.Alerts;

/// <summary>
/// A rules replay (<see cref="NoiseReport"/>) in words and figures, the same wherever it is shown: `chs alerts rules
/// test` prints these lines and cells, and the dashboard's rules page shows them.
/// </summary>
public static class NoiseReportText
{
    /// <summary>The stretch replayed, and what the replay assumes of people.</summary>
    public static string Stretch(NoiseReport report) =>
        $"{report.Days} scored days from {report.From} to {report.To} ({report.Weeks.ToString("0.#", CultureInfo.InvariantCulture)} weeks). " +
        "Alerts are taken as resolved on the day their condition clears; nobody snoozes.";

    /// <summary>Which alerts are judged against churn, and why the later ones are not.</summary>
    public static string Judging(NoiseReport report)
    {
        var h = Num(report.HorizonDays);
        return $"Did the alerts come before churn? Churn within {h} days after an alert opened (churned subscription events, as in `chs backtest`), " +
            (report.JudgedUntil is { } until
                ? $"judged for the alerts opened up to {until}: later ones have not had {h} days yet."
                : $"judged for no alert: none has had {h} days after it yet.");
    }

    /// <summary>What the alerts are compared with: the owners whose inboxes they fill and the base churn rate.</summary>
    public static string Baseline(NoiseReport report) =>
        $"{Num(report.Owners)} owner{(report.Owners == 1 ? "" : "s")} (CSMs) with accounts; " +
        (report.BaseChurnRate is { } rate
            ? $"{Pct(rate)} of the accounts scored on a day churned within {Num(report.HorizonDays)} days after it ({Num(report.ChurnedAccounts)} accounts, ARR {Money(report.ChurnedArr)})."
            : "no day can be judged yet.");

    /// <summary>What each column of the outcomes table means, a sentence each, in the table's order.</summary>
    public static IReadOnlyList<string> OutcomeColumns(NoiseReport report) =>
    [
        "Alerts per CSM a week: new alerts after the first day, divided by the owners and by the weeks: what lands in one inbox.",
        $"Precision: of the judged alerts, the share after which the account churned within {Num(report.HorizonDays)} days.",
        "Lift: precision divided by the churn rate of all scored accounts: 1× is no better than picking accounts at random.",
        "Median lead: for alerts followed by churn, the typical days between the alert and the churn: the time there was to act.",
        "ARR covered: the ARR of the accounts that churned after an alert, and its share of all the ARR that churned.",
        "A dash: nothing to measure yet (no alert old enough to judge, or nobody churned).",
    ];

    public static string Num(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Alerts per CSM a week, and the noise table's alerts per week.</summary>
    public static string Dec(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "—";

    public static string Pct(double? v) => v is { } x ? (x * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : "—";

    /// <summary>Lift, as a multiple of the base churn rate.</summary>
    public static string Times(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "—";

    public static string Lead(double? v) => v is { } x ? x.ToString("0", CultureInfo.InvariantCulture) + " days" : "—";

    public static string Money(double v) => v.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>ARR covered: the amount, and its share of the churned ARR when there is one.</summary>
    public static string Covered(double arr, double? share) => Money(arr) + (share is { } s ? $" ({Pct(s)})" : "");

    /// <summary>A rule's cooldown as the tables show it: "30d", or "none".</summary>
    public static string Cooldown(int days) => days > 0 ? days.ToString(CultureInfo.InvariantCulture) + "d" : "none";
}
