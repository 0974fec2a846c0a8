using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Alerts;

/// <summary>One account on a replayed day as the rules see it: its snapshot, the one before it, and what `score_drop` looks back to.</summary>
/// <param name="Key">The account's key: the replay's openings name it (<see cref="AlertOpening.Account"/>).</param>
/// <param name="Now">The account's snapshot on the day.</param>
/// <param name="Previous">The account's snapshot before the day, or null when the day's is its first.</param>
/// <param name="ScoreDaysAgo">The score on or before the day − so many days, or null when there is none.</param>
/// <param name="Own">The part of the score's change over so many days that the account's own measures made, or null when it is not known.</param>
public sealed record ReplayedAccount(long Key, AccountState Now, AccountState? Previous, Func<int, double?> ScoreDaysAgo, Func<int, OwnChange?> Own);

/// <summary>
/// One rule replayed over scored history in memory, with a given cooldown, one day at a time in order: which alerts
/// would have opened, resolved or been held back by the cooldown. People are taken to resolve an alert on the day its
/// condition clears (as `auto_resolve` does), and nobody snoozes.
/// </summary>
public sealed class RuleReplay(AlertRule rule, int cooldownDays, DateOnly firstDay)
{
    private readonly Dictionary<long, ExistingAlert> open = [];
    private readonly Dictionary<long, DateOnly> lastResolved = [];
    private readonly HashSet<long> accounts = [];
    private readonly Dictionary<int, int> perWeek = [];
    private int first, later, suppressed;

    public string RuleId => rule.Id;

    public int CooldownDays => cooldownDays;

    /// <summary>Alerts opened on the first day: the backlog met when the rules are put in force.</summary>
    public int OpenedFirstDay => first;

    /// <summary>Alerts opened after the first day.</summary>
    public int OpenedAfter => later;

    /// <summary>The most alerts opened in one week after the first day (weeks counted from the first day).</summary>
    public int BusiestWeek => perWeek.Count == 0 ? 0 : perWeek.Values.Max();

    /// <summary>The accounts that had an alert opened.</summary>
    public int Accounts => accounts.Count;

    /// <summary>How often the condition held again while the cooldown after the last resolution was not over.</summary>
    public int HeldBackByCooldown => suppressed;

    /// <summary>The alerts still open after the last day stepped.</summary>
    public int OpenAtEnd => open.Count;

    /// <summary>Every alert opened, in order.</summary>
    public List<AlertOpening> Openings { get; } = [];

    /// <summary>The alerts opened after the first day per week after it, to a tenth (<paramref name="weeks"/>: see <see cref="Weeks"/>).</summary>
    public double PerWeek(double weeks) => Math.Round(later / WeeksAfterFirstDay(weeks), 1);

    /// <summary>
    /// The weeks replayed days span: from the first to the last day, plus the step between days (the smallest gap;
    /// a week for a single day), at least one.
    /// </summary>
    /// <param name="days">The replayed days, in order; at least one.</param>
    public static double Weeks(IReadOnlyList<DateOnly> days)
    {
        var step = days.Count > 1 ? days.Zip(days.Skip(1), (a, b) => b.DayNumber - a.DayNumber).Min() : 7;
        return Math.Max(1.0, (days[^1].DayNumber - days[0].DayNumber + step) / 7.0);
    }

    /// <summary>The weeks over which the alerts after the first day spread: all but the first, at least one.</summary>
    public static double WeeksAfterFirstDay(double weeks) => Math.Max(1.0, weeks - 1);

    /// <summary>The rule on one day's snapshots: opens, resolves or holds back each account's alert.</summary>
    public void Step(DateOnly day, IEnumerable<ReplayedAccount> snapshots)
    {
        foreach (var a in snapshots)
        {
            var fires = RuleEvaluator.Evaluate(rule, a.Now, a.Previous, a.ScoreDaysAgo, a.Own).Fires;
            var decision = AlertLifecycle.Decide(cooldownDays, autoResolve: true, open.GetValueOrDefault(a.Key),
                lastResolved.TryGetValue(a.Key, out var r) ? r : null, fires, day);
            switch (decision.Action)
            {
                case AlertAction.Open:
                    open[a.Key] = new ExistingAlert(day, day, AlertState.Open);
                    accounts.Add(a.Key);
                    Openings.Add(new AlertOpening((int)a.Key, day.DayNumber));
                    if (day == firstDay)
                    {
                        first++;
                    }
                    else
                    {
                        later++;
                        var week = (day.DayNumber - firstDay.DayNumber) / 7;
                        perWeek[week] = perWeek.GetValueOrDefault(week) + 1;
                    }
                    break;
                case AlertAction.Resolve:
                    open.Remove(a.Key);
                    lastResolved[a.Key] = day;
                    break;
                case AlertAction.Suppressed:
                    suppressed++;
                    break;
            }
        }
    }
}
