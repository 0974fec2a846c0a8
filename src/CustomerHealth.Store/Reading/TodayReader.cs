using CustomerHealth.Core.Focus;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>A person's day: the accounts to act on (<see cref="DailyFocus"/>) and the tasks due by today.</summary>
public sealed record TodayList(string Owner, IReadOnlyList<FocusItem> Accounts, IReadOnlyList<TaskView> TasksDue, int BookSize);

/// <summary>Reads one owner's book and picks the day's list: only the few accounts that may be on it are explained.</summary>
public sealed class TodayReader(StoreDb db, ModelVersions models, TimeProvider clock)
{
    public TodayList Read(string owner, DateOnly today)
    {
        var current = models.Current();
        var model = current is null ? null : models.ModelOf(current.VersionId);
        var lowest = model?.Grades[^1].Id;
        var healthiest = model?.Grades[0].Id;
        var trendDays = model?.TrendDays ?? 30;
        var rows = db.Connection.Query<(string AccountId, string? Name, double? Arr, double? Score, string? Grade, double? Trend, string? AsOf, string? RenewalOn, string? WeekAgoGrade)>(
            $"""
            WITH {PortfolioTrends.CurrentAccounts}
            SELECT c.account_id, c.name, c.arr, c.score, c.grade, c.trend, c.as_of, c.renewal_on,
                   (SELECT p.grade FROM snapshots p WHERE p.account_key = c.account_key AND p.as_of <= @weekAgo ORDER BY p.as_of DESC LIMIT 1)
            FROM cur c WHERE LOWER(c.owner) = LOWER(@owner)
            """, new { owner, weekAgo = StoredDates.Text(today.AddDays(-7)) }).ToList();
        var reader = new AccountReader(db, models);
        var candidates = new List<FocusCandidate>();
        foreach (var r in rows)
        {
            var enteredLowest = r.Grade is not null && r.Grade == lowest && r.WeekAgoGrade != lowest;
            var renewsIn = r.RenewalOn is { Length: 10 } ? StoredDates.DayNumber(r.RenewalOn) - today.DayNumber : (int?)null;
            double? own = null;
            string? reason = null;
            // Only an account that may be listed is explained: a drop, a new red, or a renewal soon.
            if (r.AsOf is not null && (r.Trend <= -DailyFocus.SharpDropPoints || enteredLowest || renewsIn is >= 0 and <= DailyFocus.RenewalDays))
            {
                var day = DateOnly.FromDayNumber(StoredDates.DayNumber(r.AsOf));
                try
                {
                    if (reader.Explain(r.AccountId, day.AddDays(-trendDays), day) is { Changes.Count: > 0 } change)
                    {
                        own = ChangeAttribution.Own(change.Changes).Change;
                        reason = ChangeAttribution.Headline(change.Changes);
                    }
                }
                catch (StoreException)
                {
                    // no score a trend window ago: nothing to explain
                }
            }
            candidates.Add(new FocusCandidate(r.AccountId, r.Name, r.Arr, r.Score, r.Grade, enteredLowest, own, reason, renewsIn, r.Grade == healthiest));
        }
        var tasks = new AlertBook(db, models, clock).Tasks(assignee: owner)
            .Where(t => t.DueOn is not null && StoredDates.DayNumber(t.DueOn) <= today.DayNumber).ToList();
        return new TodayList(owner, DailyFocus.Pick(candidates), tasks, rows.Count);
    }
}
