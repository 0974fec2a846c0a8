using System.Globalization;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Store.Prediction;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>Reads scores back: the current list, one account explained, its history, and what changed between dates.</summary>
public sealed class AccountReader(StoreDb db, ModelVersions models)
{
    /// <summary>The churn events (alias `ch`) not undone by a later reactivation: the one definition of "churned now" besides the import status.</summary>
    internal const string StandingChurn =
        """
        subscriptions ch WHERE ch.kind = 'churned'
          AND NOT EXISTS (SELECT 1 FROM subscriptions re WHERE re.account_key = ch.account_key AND re.kind = 'reactivated' AND re.occurred_on >= ch.occurred_on)
        """;

    /// <summary>The day an account (alias `a`) churned, if it is churned now: its last standing churn event, else the import status.</summary>
    internal const string ChurnedOn = $"COALESCE((SELECT MAX(ch.occurred_on) FROM {StandingChurn} AND ch.account_key = a.account_key), a.status_churned_on)";

    /// <summary>
    /// The accounts (alias `a`) with the day each churned, if it is churned now, as `churned_on`: the last standing churn
    /// event, else the import status. One pass over the churn events, joined, rather than a look-up per account.
    /// </summary>
    internal const string AccountsWithChurn =
        $"""
        churn AS (SELECT ch.account_key, MAX(ch.occurred_on) AS churned_on FROM {StandingChurn} GROUP BY ch.account_key),
        acc AS (SELECT a.*, COALESCE(churn.churned_on, a.status_churned_on) AS churned_on FROM accounts a LEFT JOIN churn ON churn.account_key = a.account_key)
        """;


    public IReadOnlyList<AccountRow> List(AccountQuery q) => Page(q).Rows;

    /// <summary>A page of the list and how many accounts match in all (the total is null for a page past the end).</summary>
    public (IReadOnlyList<AccountRow> Rows, int? Total) Page(AccountQuery q)
    {
        // Without filters the total is a count of the accounts less the churned ones, and the page alone needs only its
        // first rows in order; the one-pass total would sort every account.
        var unfiltered = q is { Grade: null, Segment: null, Owner: null, Search: null, Stage: null, RenewalFrom: null, RenewalTo: null };
        var sort = q.Sort ?? "account_id";
        var (keys, total) = unfiltered && sort is "score" or "-score" && q.Limit <= MaxWalkedPage
            ? (ByScore(q, descending: sort == "-score"), null)
            : Choose(q, sort, unfiltered);
        return (Fill(keys), unfiltered ? UnfilteredCount(q.IncludeChurned) : total);
    }

    // A page this long or shorter in the score order is taken by walking the current scores' index.
    private const int MaxWalkedPage = 1_000;

    /// <summary>
    /// The accounts of a page, in order, and the total matching (unless <paramref name="unfiltered"/>, where it is
    /// counted apart). The page is chosen from the accounts alone (and their current scores only when a grade filter
    /// or the order needs them); its rows are filled in afterwards.
    /// </summary>
    private (List<long> Keys, int? Total) Choose(AccountQuery q, string sort, bool unfiltered)
    {
        var order = sort switch
        {
            "score" => "s.score IS NULL, s.score, a.account_id",
            "-score" => "s.score IS NULL, s.score DESC, a.account_id",
            "arr" => "a.arr IS NULL, a.arr, a.account_id",
            // The same order as "unknown ARR last", written so that the accounts_arr index can serve it.
            "-arr" => "a.arr DESC NULLS LAST, a.account_id",
            "name" => "a.name IS NULL, a.name, a.account_id",
            "trend" => "s.trend IS NULL, s.trend, a.account_id",
            "-trend" => "s.trend IS NULL, s.trend DESC, a.account_id",
            "renewal" => "a.renewal_on IS NULL, a.renewal_on, a.account_id",
            "-renewal" => "a.renewal_on IS NULL, a.renewal_on DESC, a.account_id",
            "account_id" => "a.account_id",
            var other => throw new StoreException($"cannot sort by `{other}`; use score, -score, arr, -arr, name, trend, -trend, renewal, -renewal or account_id"),
        };
        var withScores = q.Grade is not null || order.Contains("s.", StringComparison.Ordinal);
        var chosen = db.Connection.Query<(long Key, long Total)>(
            $"""
            SELECT a.account_key, {(unfiltered ? "0" : "COUNT(*) OVER ()")} AS total
            FROM accounts a
            {(withScores ? "LEFT JOIN current_scores s ON s.account_key = a.account_key" : "")}
            WHERE {Filter(withScores, q.Search)} {NotChurned(q, ChurnCheck.Set)}
            ORDER BY {order}
            LIMIT @limit OFFSET @offset
            """, Parameters(q)).AsList();
        return (chosen.Select(c => c.Key).ToList(), chosen.Count > 0 ? (int)chosen[0].Total : null);
    }

    /// <summary>
    /// A page of all accounts by current score (least healthy first, or the reverse), walking the scores' index: the
    /// scored accounts in score order, then those without a score by id, as the general order has them.
    /// </summary>
    private List<long> ByScore(AccountQuery q, bool descending)
    {
        var notChurned = NotChurned(q, ChurnCheck.PerRow);
        var keys = db.Connection.Query<long>(
            $"""
            SELECT s.account_key FROM current_scores s JOIN accounts a ON a.account_key = s.account_key
            WHERE s.score IS NOT NULL {notChurned}
            ORDER BY s.score {(descending ? "DESC" : "")}, a.account_id LIMIT @limit OFFSET @offset
            """, new { limit = q.Limit, offset = q.Offset }).AsList();
        if (keys.Count == q.Limit)
        {
            return keys;
        }
        // The scored accounts end before this page does: the unscored ones follow them.
        var scored = keys.Count > 0 || q.Offset == 0
            ? q.Offset + keys.Count
            : db.Connection.ExecuteScalar<int>($"SELECT COUNT(*) FROM current_scores s JOIN accounts a ON a.account_key = s.account_key WHERE s.score IS NOT NULL {notChurned}");
        keys.AddRange(db.Connection.Query<long>(
            $"""
            SELECT a.account_key FROM accounts a
            WHERE NOT EXISTS (SELECT 1 FROM current_scores s WHERE s.account_key = a.account_key AND s.score IS NOT NULL) {notChurned}
            ORDER BY a.account_id LIMIT @limit OFFSET @offset
            """, new { limit = q.Limit - keys.Count, offset = Math.Max(0, q.Offset - scored) }));
        return keys;
    }

    /// <summary>The rows of the chosen accounts, in the order given.</summary>
    private List<AccountRow> Fill(List<long> keys)
    {
        if (keys.Count == 0)
        {
            return [];
        }
        var rows = db.Connection.Query<(long Key, string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double? Score, string? Grade, double? Trend,
            string? ScoredOn, string? Stage, string? Plan, string? Renewal, string? ChurnedOn, string? ModelVersion, double? Coverage)>(
            $"""
            SELECT a.account_key, a.account_id, a.name, a.segment, a.owner, a.arr, s.score, s.grade, s.trend, s.as_of, a.lifecycle_stage, a.plan, a.renewal_on,
                   {ChurnedOn}, s.model_version, s.coverage
            FROM accounts a LEFT JOIN current_scores s ON s.account_key = a.account_key
            WHERE a.account_key IN ({string.Join(",", keys.Select(k => k.ToString(CultureInfo.InvariantCulture)))})
            """).ToDictionary(r => r.Key);
        var risks = ChurnRisks.Load(db).Of(rows.Values.Select(r => new ScoredOn(r.Key, r.ScoredOn, r.Score, r.ModelVersion)).ToList());
        return keys.Select(k => rows[k]).Select(r =>
        {
            var risk = risks.GetValueOrDefault(r.Key);
            return new AccountRow(r.AccountId, r.Name, r.Segment, r.Owner, r.Arr, r.Score, r.Grade, r.Trend, Direction(r.Trend), r.ScoredOn,
                r.Stage, r.Plan, r.Renewal, r.ChurnedOn is null ? "active" : "churned", risk?.Probability, r.Coverage is { } c ? Math.Round(c, 4) : null)
            {
                ChurnInterval = risk?.Interval, ChurnDrivers = risk?.Drivers, ChurnPredictor = risk?.PredictorId,
            };
        }).ToList();
    }

    // The accounts without a churned status, less the few churned by an event: the engine counts them in the form its
    // planner is fastest at (SQLite: all less the churned, from two covering indexes; PostgreSQL: one pass against the
    // hashed churned set).
    private int UnfilteredCount(bool includeChurned) =>
        db.Connection.ExecuteScalar<int>(
            includeChurned ? "SELECT COUNT(*) FROM accounts"
            : db.Engine.CountLeavingOut("accounts a", "a.status_churned_on IS NULL", "a.account_key", $"SELECT ch.account_key FROM {StandingChurn}"));

    /// <summary>How many accounts the query's filters match (for paging).</summary>
    public int Count(AccountQuery q) =>
        db.Connection.ExecuteScalar<int>(
            $"""
            SELECT COUNT(*) FROM accounts a
            {(q.Grade is null ? "" : "LEFT JOIN current_scores s ON s.account_key = a.account_key")}
            WHERE {Filter(q.Grade is not null, q.Search)} {NotChurned(q, ChurnCheck.Set)}
            """, Parameters(q));

    private object Parameters(AccountQuery q) =>
        new { grade = q.Grade, segment = q.Segment, owner = q.Owner, search = Pattern(q.Search), stage = q.Stage, renewalFrom = Day(q.RenewalFrom), renewalTo = Day(q.RenewalTo),
            limit = q.Limit == int.MaxValue ? db.Engine.NoLimit : q.Limit, offset = q.Offset };

    /// <summary>How "not churned now" is checked: both spellings say the same, each lets the planners keep an ordered walk in its case.</summary>
    private enum ChurnCheck
    {
        /// <summary>Against the set of churned accounts, found once (hashed) and checked as an ordered index is walked: for long walks.</summary>
        Set,
        /// <summary>A look-up per account: for a few rows from an ordered scan.</summary>
        PerRow,
    }

    /// <summary>The condition (alias `a`) that leaves out accounts churned now, unless the query includes them: see <see cref="StandingChurn"/>.</summary>
    private static string NotChurned(AccountQuery q, ChurnCheck check) =>
        q.IncludeChurned ? "" : check == ChurnCheck.Set
            ? $"AND a.status_churned_on IS NULL AND a.account_key NOT IN (SELECT ch.account_key FROM {StandingChurn})"
            : $"AND a.status_churned_on IS NULL AND NOT EXISTS (SELECT 1 FROM {StandingChurn} AND ch.account_key = a.account_key)";

    private static string? Day(DateOnly? d) => d is { } x ? StoredDates.Text(x) : null;

    /// <summary>The segments, owners, lifecycle stages and plans in the store, for filter lists.</summary>
    public AccountFacets Facets()
    {
        List<string> Distinct(string column) =>
            db.Connection.Query<string>($"SELECT DISTINCT {column} FROM accounts WHERE {column} IS NOT NULL AND {column} <> '' ORDER BY {column}").ToList();
        return new AccountFacets(Distinct("segment"), Distinct("owner"), Distinct("lifecycle_stage"), Distinct("plan"));
    }

    /// <summary>The list's filters; the grade one only where the current scores are joined (as `s`); the search's text picks the engine's form of it.</summary>
    private string Filter(bool withScores, string? search) =>
        (withScores ? "(@grade IS NULL OR s.grade = @grade) AND " : "") +
        $"""
        (@segment IS NULL OR a.segment = @segment) AND (@owner IS NULL OR a.owner = @owner)
          AND (@search IS NULL OR {db.Engine.AccountSearch("@search", Pattern(search) ?? "")})
          AND (@stage IS NULL OR a.lifecycle_stage = @stage)
          AND (@renewalFrom IS NULL OR a.renewal_on >= @renewalFrom) AND (@renewalTo IS NULL OR a.renewal_on <= @renewalTo)
        """;

    private static string? Pattern(string? search) =>
        string.IsNullOrWhiteSpace(search) ? null : "%" + search.Trim().ToLowerInvariant().Replace("%", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal) + "%";

    public static string? Direction(double? trend) => trend switch
    {
        null => null,
        >= 2 => "up",
        <= -2 => "down",
        _ => "flat",
    };

    /// <summary>An account explained as of a day (the stored snapshot; scored on the fly if that day has none), or its latest score.</summary>
    public AccountDetail? Show(string accountId, DateOnly? asOf = null)
    {
        if (Profile(accountId) is not { } account)
        {
            return null;
        }
        var detail = Explained(accountId, account, asOf);
        // The latest score, while a source its model reads could not be read: what it holds is as of its day.
        if (asOf is null && detail.Stored && Stale(detail.ModelVersion) is { } stale)
        {
            detail = detail with { StaleSource = stale };
        }
        if (ChurnRisks.Load(db).Of(new ScoredOn(account.Key, detail.AsOf, detail.Score, detail.ModelVersion)) is not { } risk)
        {
            return detail;
        }
        return detail with
        {
            ChurnProbability = risk.Probability, ChurnHorizonDays = risk.HorizonDays, ChurnInterval = risk.Interval, ChurnDrivers = risk.Drivers, ChurnPredictor = risk.PredictorId,
        };
    }

    /// <summary>The first source whose last read failed among those computing measures of the model version, if any.</summary>
    private StaleSource? Stale(string? modelVersion)
    {
        if (modelVersion is null)
        {
            return null;
        }
        var failed = new Pushdown.ExternalSources(db, models.Clock).List().Where(s => s.LastError is not null).ToList();
        if (failed.Count == 0)
        {
            return null;
        }
        var plan = models.PlanOf(modelVersion);
        return failed.Select(s => new StaleSource(s.Name, s.EngineName, s.KindName, s.CheckedAt, s.LastError!,
                [.. plan.Measures.Where(m => s.Computes(m.Value)).Select(m => m.Id)]))
            .FirstOrDefault(s => s.Measures.Count > 0);
    }

    private AccountDetail Explained(string accountId, (long Key, string? Name, AccountProfile Profile) account, DateOnly? asOf)
    {
        var key = account.Key;
        var snap = asOf is { } d
            ? StoredSnapshot.Latest(db, key, "as_of = @d", d)
            : StoredSnapshot.Latest(db, key, "1 = 1", null);
        if (snap is null && asOf is { } day)
        {
            var (plan, scored, version) = new ScorePreview(db, models).Score(day);
            var s = scored.FirstOrDefault(x => x.Account.Key == key);
            var churned = account.Profile.ChurnedOn;
            if (s is null)
            {
                return new AccountDetail(accountId, account.Name, null, null, null, null, version, StoredDates.Text(day), null, null, null, null,
                    churned is not null ? $"churned on {churned}: not scored after that day" : "not scored as of this day (no signals yet)",
                    account.Profile, [], false);
            }
            var trendLive = TrendAt(key, day, s.Score, plan.Model.TrendDays);
            return new AccountDetail(accountId, account.Name, s.Score, s.Grade?.Id, s.Grade?.Label, s.ScorecardId(plan), version, StoredDates.Text(day),
                s.Computed.Score, s.OverrideReason, trendLive, Direction(trendLive), s.Note, account.Profile,
                Explanations.Breakdown(plan, s.Computed.Measures), false) { Coverage = s.Computed.Score is null ? null : Math.Round(s.Computed.Coverage, 4) };
        }
        if (snap is null)
        {
            return new AccountDetail(accountId, account.Name, null, null, null, null, null, "", null, null, null, null,
                "not scored yet: run `chs score`", account.Profile, [], false);
        }
        var p = models.PlanOf(snap.ModelVersion);
        var snapDay = DateOnly.FromDayNumber(StoredDates.DayNumber(snap.AsOf));
        var trend = TrendAt(key, snapDay, snap.Score, p.Model.TrendDays);
        return new AccountDetail(accountId, account.Name, snap.Score, snap.Grade, snap.Grade is null ? null : p.Model.FindGrade(snap.Grade)?.Label,
            snap.Scorecard, snap.ModelVersion, snap.AsOf, snap.ComputedScore, snap.OverrideReason, trend, Direction(trend), snap.Note,
            account.Profile, Explanations.Breakdown(p, SnapshotCodec.Decode(snap.Detail)), true) { Coverage = snap.Coverage is { } c ? Math.Round(c, 4) : null };
    }

    public IReadOnlyList<HistoryPoint>? History(string accountId)
    {
        var key = Key(accountId);
        if (key is null)
        {
            return null;
        }
        var rows = db.Connection.Query<(string AsOf, double? Score, string? Grade, string ModelVersion, double? Computed, string? Reason)>(
            "SELECT as_of, score, grade, model_version, computed_score, override_reason FROM snapshots WHERE account_key = @key ORDER BY as_of",
            new { key }).ToList();
        return rows.Select((r, i) => new HistoryPoint(r.AsOf, r.Score, r.Grade, r.ModelVersion, r.Computed, r.Reason, i > 0 && rows[i - 1].ModelVersion != r.ModelVersion)).ToList();
    }

    /// <summary>What changed between the scores as of two days (the latest snapshot on or before each).</summary>
    public ScoreChange? Explain(string accountId, DateOnly from, DateOnly to)
    {
        var key = Key(accountId) ?? throw new StoreException($"no account `{accountId}`");
        var (a, b, changes) = StoredSnapshot.Between(db, models, key, accountId, from, to);
        return new ScoreChange(accountId, a.AsOf, b.AsOf, a.Score, b.Score, b.Score - a.Score, a.Grade, b.Grade, a.ModelVersion, b.ModelVersion,
            a.ModelVersion != b.ModelVersion || db.Connection.ExecuteScalar<int>(
                "SELECT COUNT(DISTINCT model_version) FROM snapshots WHERE account_key = @key AND as_of BETWEEN @f AND @t", new { key, f = a.AsOf, t = b.AsOf }) > 1,
            changes);
    }

    private double? TrendAt(long key, DateOnly day, double? score, int trendDays)
    {
        if (day.DayNumber - DateOnly.MinValue.DayNumber < trendDays)
        {
            return null; // no day that far back: nothing to compare with
        }
        var before = db.Connection.ExecuteScalar<double?>(
            "SELECT score FROM snapshots WHERE account_key = @key AND as_of <= @d ORDER BY as_of DESC LIMIT 1",
            new { key, d = StoredDates.Text(day.AddDays(-trendDays)) });
        return score - before;
    }

    /// <summary>The account's owner (the CSM), or null when it has none or does not exist.</summary>
    public string? Owner(string accountId) => db.Connection.ExecuteScalar<string?>("SELECT owner FROM accounts WHERE account_id = @accountId", new { accountId });

    public long? Key(string accountId) => db.Connection.ExecuteScalar<long?>("SELECT account_key FROM accounts WHERE account_id = @accountId", new { accountId });

    private (long Key, string? Name, AccountProfile Profile)? Profile(string accountId)
    {
        var r = db.Connection.QueryFirstOrDefault<(long Key, string? Name, string? Segment, string? Stage, string? Owner, double? Arr, double? Seats, string? Plan,
            string? Started, string? Renewal, string? Parent, string Status, string? Churned)>(
            $"""
            SELECT account_key, name, segment, lifecycle_stage, owner, arr, seats, plan, started_on, renewal_on, parent_id, status, {ChurnedOn}
            FROM accounts a WHERE account_id = @accountId
            """, new { accountId });
        if (r.Key == 0)
        {
            return null;
        }
        var status = r.Churned is not null ? "churned" : "active";
        return (r.Key, r.Name, new AccountProfile(r.Segment, r.Stage, r.Owner, r.Arr, r.Seats, r.Plan, r.Started, r.Renewal, r.Parent, status, r.Churned));
    }
}
