using System.Globalization;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>The average score of one day's scoring run (<see cref="Snapshots"/> counts unscored accounts too).</summary>
public sealed record DayAverage(string Day, int Snapshots, double? Average);

/// <summary>How many current scores fall in [From, To) (the last bin also holds the top score).</summary>
public sealed record ScoreBin(double From, double To, int Accounts);

/// <summary>An account whose score moved most over the model's trend window.</summary>
/// <param name="AccountId">The account's id.</param>
/// <param name="Name">Its name, if it has one.</param>
/// <param name="Segment">Its segment, if it has one.</param>
/// <param name="Owner">Its owner, if it has one.</param>
/// <param name="Arr">Its ARR, if known.</param>
/// <param name="Score">Its current score.</param>
/// <param name="Grade">Its current grade's id; null without one.</param>
/// <param name="Trend">The score's change over the trend window.</param>
/// <param name="OwnChange">The part of it that the account's own measures made (their values moving), without data arriving or going quiet, a new model or an override; null when not explained.</param>
/// <param name="Reason">The largest cause of the change, in words.</param>
public sealed record Mover(string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double Score, string? Grade, double Trend,
    double? OwnChange = null, string? Reason = null);

/// <summary>The ARR of scored accounts that are not in the healthiest grade and renew in a month (`yyyy-MM`).</summary>
public sealed record RenewalMonth(string Month, int Accounts, double Arr);

/// <summary>The book today: the portfolio's figures, the distribution of current scores and the ARR at risk by renewal month.</summary>
public sealed record PortfolioBook(Portfolio Summary, IReadOnlyList<ScoreBin> Distribution, IReadOnlyList<RenewalMonth> Renewals);

/// <summary>
/// The portfolio over time and across the book: the average score per scoring run, today's figures with the
/// distribution of current scores and the ARR at risk by renewal month, and the biggest movers. Each is one aggregate
/// query, whatever the number of accounts.
/// </summary>
public sealed class PortfolioTrends(StoreDb db)
{
    /// <summary>
    /// `cur`: every active (not churned) account with its current score from current_scores (the latest snapshot's
    /// day, score, grade and trend; null when it has none), so that nothing reads the history of snapshots.
    /// </summary>
    internal const string CurrentAccounts =
        $"""
        cur AS (
            SELECT a.account_key, a.account_id, a.name, a.segment, a.plan, a.lifecycle_stage, a.owner, a.arr, a.renewal_on,
                   s.as_of, s.score, s.grade, s.trend
            FROM accounts a
            LEFT JOIN current_scores s ON s.account_key = a.account_key
            WHERE {Active})
        """;

    /// <summary>
    /// True for an account (alias `a`) that is not churned now (<see cref="AccountReader.StandingChurn"/>, or the import
    /// status), with the churned ones found once for the whole query rather than looked up per account.
    /// </summary>
    internal const string Active =
        $"""
        a.status_churned_on IS NULL AND a.account_key NOT IN (SELECT ch.account_key FROM {AccountReader.StandingChurn})
        """;


    /// <summary>
    /// <see cref="Active"/> for a few accounts: each without a day it churned (<see cref="AccountReader.ChurnedOn"/>, its
    /// own churn events looked up by an index seek) rather than with every churned account found first.
    /// </summary>
    private const string ActiveEach = $"{AccountReader.ChurnedOn} IS NULL";

    /// <summary>
    /// The average score over time since <paramref name="since"/>: the latest scoring day, then the latest one at least
    /// <paramref name="everyDays"/> days before it, and so on (a daily rescore gives one point a week, and reads a seventh
    /// of the history), keeping only full scoring runs: days whose number of snapshots is at least half of the busiest
    /// such day's. Live rescores store snapshots only for the accounts they touch, and the average of those few would
    /// make the line jump.
    /// </summary>
    public IReadOnlyList<DayAverage> AverageOverTime(DateOnly since, int everyDays = 7)
    {
        // The distinct days, one index seek each (a loose index scan), rather than a pass over every snapshot. The first
        // is an ordered seek too: PostgreSQL takes `MIN` over days newer than its statistics for one row and reads them all.
        var scored = db.Connection.Query<string>(
            """
            WITH RECURSIVE d(day) AS (
                SELECT (SELECT f.as_of FROM snapshots f WHERE f.as_of >= @since ORDER BY f.as_of LIMIT 1)
                UNION ALL
                SELECT (SELECT MIN(n.as_of) FROM snapshots n WHERE n.as_of > d.day) FROM d WHERE d.day IS NOT NULL)
            SELECT day FROM d WHERE day IS NOT NULL
            """, new { since = StoredDates.Text(since) }).ToList();
        var picked = new List<string>();
        int? last = null;
        for (var i = scored.Count - 1; i >= 0; i--)
        {
            var day = StoredDates.DayNumber(scored[i]);
            if (last is null || day <= last - everyDays)
            {
                picked.Add(scored[i]);
                last = day;
            }
        }
        if (picked.Count == 0)
        {
            return [];
        }
        var days = db.Connection.Query<(string Day, int Snapshots, double? Average)>(
            $"SELECT as_of, COUNT(*), AVG(score) FROM snapshots WHERE {db.Engine.AmongList("as_of", "@picked")} GROUP BY as_of ORDER BY as_of",
            new { picked = db.Engine.ListParameter(picked) }).ToList();
        var busiest = days.Max(d => d.Snapshots);
        return days.Where(d => d.Snapshots * 2 >= busiest).Select(d => new DayAverage(d.Day, d.Snapshots, d.Average)).ToList();
    }

    /// <summary>
    /// The accounts whose score rose (Up) or fell (Down) most over the model's trend window (the trend kept with the
    /// current score), biggest change first; only changes of at least two points (less is flat).
    /// </summary>
    /// <remarks>
    /// With <paramref name="models"/>, each candidate's change is explained (<see cref="ChangeAttribution"/>) and the
    /// lists rank the part the account's own measures made: a move caused by data arriving or going quiet, a new model
    /// or an override is not a customer getting better or worse, so it does not make the lists. The candidates are the
    /// largest raw moves (five times <paramref name="limit"/> each way).
    /// </remarks>
    public (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers(int limit = 10, ModelVersions? models = null, int trendDays = 30)
    {
        var pool = models is null ? limit : limit * 5;
        // The first `pool` active accounts each way in the order of their trend; a change of less than two points is flat.
        List<(string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double Score, string? Grade, double Trend, string AsOf, long Key)> Most(string side, string order, string beyond)
        {
            // The candidates come from the trend index a chunk at a time, each chunk ending with every account tied at its
            // last trend, until they hold `pool` active accounts: every account ranked above the last of those is then
            // among them, and the ranking below is the exact one (a join of every score with every account is what a
            // database would plan for the ranking otherwise, on PostgreSQL).
            var keys = new HashSet<long>();
            double? edge = null;
            for (var chunk = pool * 2; ; chunk *= 2)
            {
                var next = db.Connection.Query<(long Key, double Trend)>(
                    $"SELECT s.account_key, s.trend FROM current_scores s WHERE s.score IS NOT NULL AND {side}{(edge is null ? "" : $" AND {beyond}")} ORDER BY {order} LIMIT @chunk",
                    new { chunk, edge }).ToList();
                if (next.Count == 0)
                {
                    break;
                }
                edge = next[^1].Trend;
                keys.UnionWith(next.Select(n => n.Key));
                keys.UnionWith(db.Connection.Query<long>("SELECT s.account_key FROM current_scores s WHERE s.score IS NOT NULL AND s.trend = @edge", new { edge }));
                if (next.Count < chunk || db.Connection.ExecuteScalar<long>(
                        $"SELECT COUNT(*) FROM accounts a WHERE {db.Engine.AmongList("a.account_key", "@keys")} AND {ActiveEach}", new { keys = db.Engine.ListParameter(keys) }) >= pool)
                {
                    break;
                }
            }
            return keys.Count == 0 ? [] : db.Connection.Query<(string, string?, string?, string?, double?, double, string?, double, string, long)>(
                $"""
                SELECT a.account_id, a.name, a.segment, a.owner, a.arr, s.score, s.grade, s.trend, s.as_of, a.account_key
                FROM current_scores s JOIN accounts a ON a.account_key = s.account_key
                WHERE {db.Engine.AmongList("s.account_key", "@keys")} AND s.score IS NOT NULL AND {side} AND {ActiveEach}
                ORDER BY {order}, a.account_id LIMIT @pool
                """, new { pool, keys = db.Engine.ListParameter(keys) }).ToList();
        }
        var up = Most("s.trend >= 2", "s.trend DESC", "s.trend < @edge");
        var down = Most("s.trend <= -2", "s.trend", "s.trend > @edge");
        Mover Map((string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double Score, string? Grade, double Trend, string AsOf, long Key) r) =>
            new(r.AccountId, r.Name, r.Segment, r.Owner, r.Arr, r.Score, r.Grade, r.Trend);
        if (models is null)
        {
            return (up.Take(limit).Select(Map).ToList(), down.Take(limit).Select(Map).ToList());
        }
        var explained = new List<Mover>();
        // The change measure by measure, as the account's explanation gives it (AccountReader.Explain), read for all the
        // candidates scored on the same day at once. One without a score that far back is left out (the trend says there
        // is one; a snapshot deleted since).
        foreach (var day in up.Concat(down).GroupBy(r => r.AsOf))
        {
            var now = DateOnly.FromDayNumber(StoredDates.DayNumber(day.Key));
            var changesOf = StoredSnapshot.ChangesBetween(db, models, day.Select(r => r.Key).Distinct().ToList(), now.AddDays(-trendDays), now);
            foreach (var r in day)
            {
                if (changesOf.TryGetValue(r.Key, out var changes) && changes.Count > 0)
                {
                    explained.Add(Map(r) with { OwnChange = ChangeAttribution.Own(changes).Change, Reason = ChangeAttribution.Headline(changes) });
                }
            }
        }
        return (explained.Where(m => m.OwnChange >= 2).OrderByDescending(m => m.OwnChange).ThenBy(m => m.AccountId, StringComparer.Ordinal).Take(limit).ToList(),
            explained.Where(m => m.OwnChange <= -2).OrderBy(m => m.OwnChange).ThenBy(m => m.AccountId, StringComparer.Ordinal).Take(limit).ToList());
    }

    /// <summary>
    /// A number that moves with every committed change to what the figures here are computed from (the accounts, their
    /// current scores, their score history and their subscriptions), so that figures read after it may be kept until it
    /// moves. Read it before the figures.
    /// </summary>
    public long Changes() => db.Engine.PortfolioChanges(db.Connection);

    /// <summary>
    /// Today's figures in one pass over the active accounts: accounts, ARR and the average score by grade (the model's
    /// <paramref name="grades"/> first, highest first); the current scores in bins of <paramref name="width"/> points from
    /// 0 to <paramref name="maxScore"/>; and, for each of the <paramref name="months"/> calendar months from
    /// <paramref name="today"/>'s, the accounts and ARR of scored accounts outside the first (healthiest) grade whose
    /// renewal falls in that month, from today on.
    /// </summary>
    public PortfolioBook Book(DateOnly today, IReadOnlyList<CustomerHealth.Core.Model.Grade> grades, string? modelVersion, double maxScore = 100, double width = 10, int months = 12)
    {
        var bins = Math.Max(1, (int)Math.Ceiling(maxScore / width));
        // A ladder of CASEs reads the same on both databases (a cast to integer truncates on SQLite but rounds on PostgreSQL).
        var bin = "CASE WHEN c.score IS NULL THEN NULL " + string.Concat(Enumerable.Range(1, bins - 1).Select(i =>
            $"WHEN c.score < {(i * width).ToString(CultureInfo.InvariantCulture)} THEN {i - 1} ")) + $"ELSE {bins - 1} END";
        var first = new DateOnly(today.Year, today.Month, 1);
        var healthy = grades.Count > 0 ? grades[0].Id : null;
        var month = "CASE WHEN c.grade IS NOT NULL AND c.grade <> @healthy AND c.renewal_on >= @from AND c.renewal_on < @to THEN substr(c.renewal_on, 1, 7) END";
        var rows = db.Connection.Query<(string? Grade, int? Bin, string? Month, int Accounts, double? Arr, double? ScoreSum, int Scored, string? AsOf)>(
            $"""
            WITH {CurrentAccounts}
            SELECT c.grade, {bin}, {month}, COUNT(*), SUM(c.arr), SUM(c.score), COUNT(c.score), MAX(c.as_of)
            FROM cur c GROUP BY c.grade, {bin}, {month}
            """, new { healthy, from = StoredDates.Text(today), to = StoredDates.Text(first.AddMonths(months)) }).ToList();
        var churned = db.Connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM accounts a WHERE NOT ({Active})");

        var byGrade = rows.Where(r => r.Grade is not null).GroupBy(r => r.Grade!).ToDictionary(g => g.Key, g => (Accounts: g.Sum(r => r.Accounts), Arr: g.Sum(r => r.Arr ?? 0)));
        var shares = grades.Select(g => new GradeShare(g.Id, g.Label, g.SafeColor, byGrade.GetValueOrDefault(g.Id).Accounts, byGrade.GetValueOrDefault(g.Id).Arr)).ToList();
        // Grades of an earlier model that the current one no longer has still count.
        shares.AddRange(byGrade.Where(x => grades.All(g => g.Id != x.Key)).OrderBy(x => x.Key, StringComparer.Ordinal)
            .Select(x => new GradeShare(x.Key, null, null, x.Value.Accounts, x.Value.Arr)));
        var accounts = rows.Sum(r => r.Accounts);
        var scored = rows.Sum(r => r.Scored);
        var summary = new Portfolio(rows.Max(r => r.AsOf), modelVersion, accounts, scored, accounts - scored, churned, rows.Sum(r => r.Arr ?? 0),
            scored > 0 ? rows.Sum(r => r.ScoreSum ?? 0) / scored : null, shares);

        var perBin = rows.Where(r => r.Bin is not null).GroupBy(r => r.Bin!.Value).ToDictionary(g => g.Key, g => g.Sum(r => r.Accounts));
        var distribution = Enumerable.Range(0, bins).Select(i => new ScoreBin(i * width, Math.Min((i + 1) * width, maxScore), perBin.GetValueOrDefault(i))).ToList();

        var perMonth = rows.Where(r => r.Month is not null).GroupBy(r => r.Month!).ToDictionary(g => g.Key, g => (Accounts: g.Sum(r => r.Accounts), Arr: g.Sum(r => r.Arr ?? 0)));
        var renewals = Enumerable.Range(0, months).Select(i =>
        {
            var m = first.AddMonths(i).ToString("yyyy-MM", CultureInfo.InvariantCulture);
            var (n, arr) = perMonth.GetValueOrDefault(m);
            return new RenewalMonth(m, n, arr);
        }).ToList();
        return new PortfolioBook(summary, distribution, renewals);
    }
}
