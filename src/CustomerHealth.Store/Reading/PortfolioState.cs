using System.Globalization;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>
/// What the Portfolio's figures are computed from, held in memory: every account with its current score and whether it
/// is active; the distinct scored days with the number of snapshots and sum of scores of the days the average over time
/// shows; and the explanations of the biggest movers. <see cref="Refresh"/> brings it up to date from the store's log of
/// changes (migration 0019), reading only the accounts and days that changed since the last refresh, all in one snapshot
/// of the store; everything is read again when the log no longer holds what changed or too much changed. The figures
/// (<see cref="Book"/>, <see cref="AverageOverTime"/>, <see cref="Movers"/>) are computed here, whether the state is kept
/// by a server between views or read once. Not safe for concurrent use.
/// </summary>
public sealed class PortfolioState
{
    /// <summary>More changed rows than this and everything is read again (a full rescore changes every account).</summary>
    private const int MostChanges = 20_000;

    /// <summary>More changed accounts than this and every account is read again, in one pass (a PostgreSQL statement that changes more logs -1 for all of them, migration 0019).</summary>
    private const int MostAccounts = 5_000;

    private sealed record Entry(string AccountId, string? Name, string? Segment, string? Owner, double? Arr, string? RenewalOn, bool Active,
        string? AsOf, double? Score, string? Grade, double? Trend);

    private sealed record Explained(string AsOf, int TrendDays, double? OwnChange, string? Reason);

    private readonly Dictionary<long, Entry> accounts = [];
    private readonly SortedSet<string> days = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Count, long Scored, double Sum)> totals = new(StringComparer.Ordinal);
    private readonly Dictionary<long, Explained> explained = [];
    private string? daysFrom;
    private string? mark;

    /// <summary>Where the state stands in the store's log: it moves with every change read.</summary>
    public string? Mark => mark;

    /// <summary>
    /// Brings the state up to date with the store: the accounts, and with <paramref name="since"/> the scored days from it
    /// and the totals of those the average over time picks (<see cref="AverageOverTime"/> with <paramref name="everyDays"/>).
    /// </summary>
    public void Refresh(StoreDb db, DateOnly? since = null, int everyDays = 7)
    {
        try
        {
            Read(db, since, everyDays);
        }
        catch
        {
            // Half of a refresh applied would be applied again: the next one reads everything.
            mark = null;
            throw;
        }
    }

    private void Read(StoreDb db, DateOnly? since, int everyDays)
    {
        using var tx = db.Engine.BeginSnapshot(db.Connection);
        var log = db.Engine.ReadPortfolioLog(db.Connection, tx, mark, MostChanges);
        if (log.Rows is null || log.Rows.Any(r => r.AccountKey is null))
        {
            ReadAccounts(db, tx, null);
            days.Clear();
            totals.Clear();
            explained.Clear();
            daysFrom = null;
        }
        else
        {
            var keys = log.Rows.Select(r => r.AccountKey!.Value).ToHashSet();
            var all = keys.Count > MostAccounts || keys.Contains(-1);
            if (keys.Count > 0)
            {
                ReadAccounts(db, tx, all ? null : keys);
            }
            if (all)
            {
                explained.Clear();
            }
            else
            {
                foreach (var key in keys)
                {
                    explained.Remove(key);
                }
            }
            foreach (var r in log.Rows.Where(r => r.Day is not null))
            {
                Add(r);
            }
        }
        mark = log.Mark;
        if (since is { } from)
        {
            var first = StoredDates.Text(from);
            if (daysFrom is null || string.CompareOrdinal(first, daysFrom) < 0)
            {
                ReadDays(db, tx, first);
            }
            var missing = Picked(first, everyDays).Where(d => !totals.ContainsKey(d)).ToList();
            if (missing.Count > 0)
            {
                foreach (var (day, count, scored, sum) in db.Connection.Query<(string, long, long, double?)>(
                             $"SELECT as_of, COUNT(*), COUNT(score), SUM(score) FROM snapshots WHERE {db.Engine.AmongList("as_of", "@missing")} GROUP BY as_of",
                             new { missing = db.Engine.ListParameter(missing) }, tx))
                {
                    totals[day] = (count, scored, sum ?? 0);
                }
            }
        }
        tx.Commit();
    }

    /// <summary>Every account (<paramref name="keys"/> null) or those of <paramref name="keys"/>, gone ones taken out.</summary>
    private void ReadAccounts(StoreDb db, System.Data.Common.DbTransaction tx, IReadOnlyCollection<long>? keys)
    {
        // Whether each is active: the churned accounts found once for all of them, or looked up one by one for a few.
        var sql = $"""
            SELECT a.account_key, a.account_id, a.name, a.segment, a.owner, a.arr, a.renewal_on,
                   CASE WHEN {(keys is null ? PortfolioTrends.Active : AccountReader.ChurnedOn + " IS NULL")} THEN 1 ELSE 0 END,
                   s.as_of, s.score, s.grade, s.trend
            FROM accounts a LEFT JOIN current_scores s ON s.account_key = a.account_key
            {(keys is null ? "" : "WHERE " + db.Engine.AmongList("a.account_key", "@keys"))}
            """;
        if (keys is null)
        {
            accounts.Clear();
        }
        else
        {
            foreach (var key in keys)
            {
                accounts.Remove(key);
            }
        }
        foreach (var r in db.Connection.Query<(long Key, string AccountId, string? Name, string? Segment, string? Owner, double? Arr, string? RenewalOn, long Active, string? AsOf, double? Score, string? Grade, double? Trend)>(
                     sql, keys is null ? null : new { keys = db.Engine.ListParameter(keys) }, tx))
        {
            accounts[r.Key] = new Entry(r.AccountId, r.Name, r.Segment, r.Owner, r.Arr, r.RenewalOn, r.Active == 1, r.AsOf, r.Score, r.Grade, r.Trend);
        }
    }

    /// <summary>The distinct scored days from <paramref name="first"/>, one index seek each (a loose index scan) rather than a pass over every snapshot.</summary>
    private void ReadDays(StoreDb db, System.Data.Common.DbTransaction tx, string first)
    {
        // The first is an ordered seek too: PostgreSQL takes `MIN` over days newer than its statistics for one row and reads them all.
        var found = db.Connection.Query<string>(
            """
            WITH RECURSIVE d(day) AS (
                SELECT (SELECT f.as_of FROM snapshots f WHERE f.as_of >= @first ORDER BY f.as_of LIMIT 1)
                UNION ALL
                SELECT (SELECT MIN(n.as_of) FROM snapshots n WHERE n.as_of > d.day) FROM d WHERE d.day IS NOT NULL)
            SELECT day FROM d WHERE day IS NOT NULL
            """, new { first }, tx);
        days.Clear();
        days.UnionWith(found);
        daysFrom = first;
    }

    /// <summary>A change to the score history: the day's totals if they are kept, and the day among the scored days.</summary>
    private void Add(PortfolioLogRow r)
    {
        var day = r.Day!;
        if (totals.TryGetValue(day, out var t))
        {
            t = (t.Count + r.Count, t.Scored + r.Scored, t.Sum + r.Sum);
            if (t.Count > 0)
            {
                totals[day] = t;
                return;
            }
            totals.Remove(day);
            days.Remove(day);
        }
        else if (r.Count < 0)
        {
            // Whether the day still has snapshots is not known here: the days are read again.
            daysFrom = null;
        }
        else if (r.Count > 0 && daysFrom is not null && string.CompareOrdinal(day, daysFrom) >= 0)
        {
            days.Add(day);
        }
    }

    /// <summary>The latest scored day from <paramref name="first"/>, then the latest at least <paramref name="everyDays"/> days before it, and so on; oldest first.</summary>
    private List<string> Picked(string first, int everyDays)
    {
        var picked = new List<string>();
        int? last = null;
        foreach (var day in days.Reverse())
        {
            if (string.CompareOrdinal(day, first) < 0)
            {
                break;
            }
            var number = StoredDates.DayNumber(day);
            if (last is null || number <= last - everyDays)
            {
                picked.Add(day);
                last = number;
            }
        }
        picked.Reverse();
        return picked;
    }

    /// <summary>
    /// The average score over time since <paramref name="since"/> (<see cref="Refresh"/> with the same arguments first): the
    /// latest scoring day, then the latest one at least <paramref name="everyDays"/> days before it, and so on (a daily
    /// rescore gives one point a week), keeping only full scoring runs: days whose number of snapshots is at least half
    /// of the busiest such day's. Live rescores store snapshots only for the accounts they touch, and the average of those
    /// few would make the line jump.
    /// </summary>
    public IReadOnlyList<DayAverage> AverageOverTime(DateOnly since, int everyDays = 7)
    {
        var picked = Picked(StoredDates.Text(since), everyDays).Select(d => (Day: d, Total: totals[d])).ToList();
        if (picked.Count == 0)
        {
            return [];
        }
        var busiest = picked.Max(d => d.Total.Count);
        return picked.Where(d => d.Total.Count * 2 >= busiest)
            .Select(d => new DayAverage(d.Day, (int)d.Total.Count, d.Total.Scored > 0 ? d.Total.Sum / d.Total.Scored : null)).ToList();
    }

    /// <summary>
    /// Today's figures over the active accounts: accounts, ARR and the average score by grade (the model's
    /// <paramref name="grades"/> first, highest first); the current scores in bins of <paramref name="width"/> points from
    /// 0 to <paramref name="maxScore"/>; and, for each of the <paramref name="months"/> calendar months from
    /// <paramref name="today"/>'s, the accounts and ARR of scored accounts outside the first (healthiest) grade whose
    /// renewal falls in that month, from today on.
    /// </summary>
    public PortfolioBook Book(DateOnly today, IReadOnlyList<CustomerHealth.Core.Model.Grade> grades, string? modelVersion, double maxScore = 100, double width = 10, int months = 12)
    {
        var bins = Math.Max(1, (int)Math.Ceiling(maxScore / width));
        var first = new DateOnly(today.Year, today.Month, 1);
        var healthy = grades.Count > 0 ? grades[0].Id : null;
        var (from, to) = (StoredDates.Text(today), StoredDates.Text(first.AddMonths(months)));
        var byGrade = new Dictionary<string, (int Accounts, double Arr)>(StringComparer.Ordinal);
        var perBin = new int[bins];
        var perMonth = new Dictionary<string, (int Accounts, double Arr)>(StringComparer.Ordinal);
        int active = 0, churned = 0, scored = 0;
        double arr = 0, scoreSum = 0;
        string? asOf = null;
        foreach (var a in accounts.Values)
        {
            if (!a.Active)
            {
                churned++;
                continue;
            }
            active++;
            arr += a.Arr ?? 0;
            if (a.AsOf is not null && (asOf is null || string.CompareOrdinal(a.AsOf, asOf) > 0))
            {
                asOf = a.AsOf;
            }
            if (a.Score is { } score)
            {
                scored++;
                scoreSum += score;
                // The first bin whose upper edge is above the score; the last one also holds the top score and above.
                var bin = 0;
                while (bin < bins - 1 && score >= (bin + 1) * width)
                {
                    bin++;
                }
                perBin[bin]++;
            }
            if (a.Grade is { } grade)
            {
                var g = byGrade.GetValueOrDefault(grade);
                byGrade[grade] = (g.Accounts + 1, g.Arr + (a.Arr ?? 0));
                if (healthy is not null && grade != healthy && a.RenewalOn is { } renewal
                    && string.CompareOrdinal(renewal, from) >= 0 && string.CompareOrdinal(renewal, to) < 0)
                {
                    var m = perMonth.GetValueOrDefault(renewal[..7]);
                    perMonth[renewal[..7]] = (m.Accounts + 1, m.Arr + (a.Arr ?? 0));
                }
            }
        }
        var shares = grades.Select(g => new GradeShare(g.Id, g.Label, g.SafeColor, byGrade.GetValueOrDefault(g.Id).Accounts, byGrade.GetValueOrDefault(g.Id).Arr)).ToList();
        // Grades of an earlier model that the current one no longer has still count.
        shares.AddRange(byGrade.Where(x => grades.All(g => g.Id != x.Key)).OrderBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new GradeShare(x.Key, null, null, x.Value.Accounts, x.Value.Arr)));
        var summary = new Portfolio(asOf, modelVersion, active, scored, active - scored, churned, arr, scored > 0 ? scoreSum / scored : null, shares);
        var distribution = Enumerable.Range(0, bins).Select(i => new ScoreBin(i * width, Math.Min((i + 1) * width, maxScore), perBin[i])).ToList();
        var renewals = Enumerable.Range(0, months).Select(i =>
        {
            var m = first.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var (n, sum) = perMonth.GetValueOrDefault(m);
            return new RenewalMonth(m, n, sum);
        }).ToList();
        return new PortfolioBook(summary, distribution, renewals);
    }

    /// <summary>
    /// The active accounts whose score rose (Up) or fell (Down) most over the model's trend window (the trend kept with
    /// the current score), biggest change first; only changes of at least two points (less is flat).
    /// </summary>
    /// <remarks>
    /// With <paramref name="models"/>, each candidate's change is explained (<see cref="ChangeAttribution"/>, read from
    /// <paramref name="db"/> and kept until the account changes) and the lists rank the part the account's own measures
    /// made: a move caused by data arriving or going quiet, a new model or an override is not a customer getting better or
    /// worse, so it does not make the lists. The candidates are the largest raw moves (five times <paramref name="limit"/>
    /// each way).
    /// </remarks>
    public (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers(StoreDb db, int limit = 10, ModelVersions? models = null, int trendDays = 30)
    {
        var pool = models is null ? limit : limit * 5;
        var candidates = accounts.Where(a => a.Value.Active && a.Value.Score is not null && a.Value.Trend is { } t && Math.Abs(t) >= 2).ToList();
        var up = candidates.Where(a => a.Value.Trend >= 2).OrderByDescending(a => a.Value.Trend).ThenBy(a => a.Value.AccountId, StringComparer.Ordinal).Take(pool).ToList();
        var down = candidates.Where(a => a.Value.Trend <= -2).OrderBy(a => a.Value.Trend).ThenBy(a => a.Value.AccountId, StringComparer.Ordinal).Take(pool).ToList();
        static Mover Map(KeyValuePair<long, Entry> a) =>
            new(a.Value.AccountId, a.Value.Name, a.Value.Segment, a.Value.Owner, a.Value.Arr, a.Value.Score!.Value, a.Value.Grade, a.Value.Trend!.Value);
        if (models is null)
        {
            return (up.Take(limit).Select(Map).ToList(), down.Take(limit).Select(Map).ToList());
        }
        // The change measure by measure, as the account's explanation gives it (AccountReader.Explain), read for all the
        // candidates scored on the same day at once. One without a score that far back is left out (the trend says there
        // is one; a snapshot deleted since).
        var unexplained = up.Concat(down).Where(a => !explained.TryGetValue(a.Key, out var e) || e.AsOf != a.Value.AsOf || e.TrendDays != trendDays);
        foreach (var day in unexplained.GroupBy(a => a.Value.AsOf!))
        {
            var now = DateOnly.FromDayNumber(StoredDates.DayNumber(day.Key));
            var changesOf = StoredSnapshot.ChangesBetween(db, models, day.Select(a => a.Key).Distinct().ToList(), now.AddDays(-trendDays), now);
            foreach (var a in day)
            {
                explained[a.Key] = changesOf.TryGetValue(a.Key, out var changes) && changes.Count > 0
                    ? new Explained(day.Key, trendDays, ChangeAttribution.Own(changes).Change, ChangeAttribution.Headline(changes))
                    : new Explained(day.Key, trendDays, null, null);
            }
        }
        var movers = up.Concat(down).Select(a => (Account: a, Why: explained[a.Key])).Where(x => x.Why.OwnChange is not null)
            .Select(x => Map(x.Account) with { OwnChange = x.Why.OwnChange, Reason = x.Why.Reason }).ToList();
        return (movers.Where(m => m.OwnChange >= 2).OrderByDescending(m => m.OwnChange).ThenBy(m => m.AccountId, StringComparer.Ordinal).Take(limit).ToList(),
            movers.Where(m => m.OwnChange <= -2).OrderBy(m => m.OwnChange).ThenBy(m => m.AccountId, StringComparer.Ordinal).Take(limit).ToList());
    }
}
