using System.Globalization;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Import;
using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>An account's final score as of a day: computed, rolled up from children, or overridden.</summary>
public sealed record ScoredAccount(AccountData Account, AccountScore Computed, double? Score, Grade? Grade, string? OverrideReason, string? Note)
{
    public string ScorecardId(ScoringPlan plan) => Note is not null && Computed.Measures.Length == 0 ? "children" : plan.ScorecardIds[Computed.Scorecard];
}

/// <summary>The outcome of scoring one day (the JSON of `chs score --json`).</summary>
/// <param name="NotGraded">Accounts scored on less of the model than its `min_coverage`: a score, no grade yet.</param>
public sealed record ScoreSummary(string AsOf, int AccountsScored, int Unscored, IReadOnlyDictionary<string, int> ByGrade, string ModelVersion, int NotGraded = 0);

/// <summary>An override in force: a person's score or grade for an account, with a reason and an end date.</summary>
public sealed record Override(int AccountKey, double? Score, string? Grade, string Reason, int StartsDay, int UntilDay);

/// <summary>
/// Scores accounts as of one or more days: loads all signals once, computes every measure point in time, combines
/// them with the model (percentiles over each day's cohort), applies roll-ups and overrides, and stores snapshots.
/// </summary>
public sealed class ScoringRun(StoreDb db, ModelVersions models)
{
    /// <summary>
    /// Scores every account as of a day. When that day is the latest scored one with the current model, only the
    /// accounts whose signals changed since are rescored (the others keep their snapshots, and their stored values
    /// still make up the percentile cohorts); otherwise every account is.
    /// </summary>
    public ScoreSummary Score(DateOnly asOf, string? versionId = null, IProgress<double>? progress = null)
    {
        // The accounts of the usage still in the inbox are marked as touched when it is merged.
        UsageInbox.Merge(db);
        return (versionId is null ? ScoreTouched(asOf) : null) ?? Range(asOf, asOf, 1, versionId, progress)[0];
    }

    /// <summary>Scores the days from, from + every, ... up to to, storing a snapshot per account and day.</summary>
    public IReadOnlyList<ScoreSummary> ScoreRange(DateOnly from, DateOnly to, int everyDays, string? versionId = null, IProgress<double>? progress = null)
    {
        UsageInbox.Merge(db);
        return Range(from, to, everyDays, versionId, progress);
    }

    /// <summary><see cref="ScoreRange"/> once the usage inbox is merged.</summary>
    private IReadOnlyList<ScoreSummary> Range(DateOnly from, DateOnly to, int everyDays, string? versionId, IProgress<double>? progress)
    {
        if (to < from)
        {
            throw new StoreException($"--to {to:yyyy-MM-dd} is before --from {from:yyyy-MM-dd}");
        }
        if (everyDays <= 0)
        {
            throw new StoreException("--every must be a positive number of days");
        }
        var version = versionId is null ? models.RequireCurrent() : models.Get(versionId) ?? throw new StoreException($"model version {versionId} is not in this store");
        var plan = new ScoringPlan(version.Model);
        var touched = TouchedAccounts();
        var latest = LatestDay();
        var (accounts, eventIds) = SignalLoader.LoadAll(db, TimeZoneInfo.FindSystemTimeZoneById(plan.Model.Timezone));
        var overrides = LoadOverrides();
        var days = new List<DateOnly>();
        for (var d = from; d <= to; d = d.AddDays(everyDays))
        {
            days.Add(d);
        }
        var summaries = new List<ScoreSummary>();
        for (var i = 0; i < days.Count; i++)
        {
            var scored = Compute(plan, accounts, eventIds, days[i].DayNumber, overrides);
            Store(plan, version.VersionId, days[i], scored);
            summaries.Add(Summarize(days[i], version.VersionId, scored));
            progress?.Report((i + 1.0) / days.Count);
        }
        CurrentScores.Refresh(db, StoredDates.Text(days[0]), StoredDates.Text(days[^1]), plan.Model.TrendDays, null);
        db.AnalyzeAfterBulk(summaries.Sum(s => (long)s.AccountsScored + s.Unscored), "snapshots", "current_scores");
        if (latest is null || string.CompareOrdinal(StoredDates.Text(days[^1]), latest) >= 0)
        {
            // Every account now has a fresh latest score: what was touched before this run is scored.
            ClearTouched(touched);
        }
        return summaries;
    }

    /// <summary>The incremental run of <see cref="Score"/>, or null when every account must be scored.</summary>
    private ScoreSummary? ScoreTouched(DateOnly asOf)
    {
        var version = models.RequireCurrent();
        var plan = new ScoringPlan(version.Model);
        var day = StoredDates.Text(asOf);
        // Population-wide inputs (the BG/NBD fit, children's roll-ups) change for accounts nobody touched.
        if (LatestDay() != day || plan.Model.Hierarchy == HierarchyMode.Children ||
            plan.UsesPAlive ||
            db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM snapshots WHERE as_of = @day AND model_version <> @v", new { day, v = version.VersionId }) > 0)
        {
            return null;
        }
        var touched = TouchedAccounts();
        if (touched.Count > 0)
        {
            var (accounts, eventIds) = SignalLoader.LoadAll(db, TimeZoneInfo.FindSystemTimeZoneById(plan.Model.Timezone), onlyTouched: true);
            var loaded = accounts.Select(a => (long)a.Key).ToHashSet();
            // The others' stored values, as of the same day, complete the percentile cohorts.
            var cohort = db.Connection.Query<(long Key, string Scorecard, byte[] Detail)>(
                    "SELECT account_key, scorecard, detail FROM snapshots WHERE as_of = @day", new { day })
                .Where(r => !loaded.Contains(r.Key))
                .Select(r => (Card: Array.IndexOf(plan.ScorecardIds, r.Scorecard), Values: SnapshotCodec.Decode(r.Detail).Select(m => m.Value).ToArray()))
                .Where(r => r.Card >= 0 && r.Values.Length == plan.Measures.Length)
                .ToList();
            var scored = Compute(plan, accounts, eventIds, asOf.DayNumber, LoadOverrides(), cohort);
            Store(plan, version.VersionId, asOf, scored);
            var kept = scored.Select(s => (long)s.Account.Key).ToHashSet();
            CurrentScores.Refresh(db, day, day, plan.Model.TrendDays, kept);
            // A touched account that churned (or is not there any more) as of the day loses that day's snapshot.
            foreach (var gone in loaded.Where(k => !kept.Contains(k)))
            {
                db.Connection.Execute("DELETE FROM snapshots WHERE account_key = @gone AND as_of = @day", new { gone, day });
                CurrentScores.Retake(db, gone, plan.Model.TrendDays);
            }
            ClearTouched(touched);
        }
        var stored = db.Connection.Query<(double? Score, string? Grade)>("SELECT score, grade FROM snapshots WHERE as_of = @day", new { day }).ToList();
        return new ScoreSummary(day, stored.Count(s => s.Score is not null), stored.Count(s => s.Score is null),
            stored.Where(s => s.Grade is not null).GroupBy(s => s.Grade!).ToDictionary(g => g.Key, g => g.Count()), version.VersionId,
            stored.Count(s => s.Score is not null && s.Grade is null));
    }

    /// <summary>The latest day any account was scored (YYYY-MM-DD), or null before the first run.</summary>
    public string? LatestDay() => db.Connection.ExecuteScalar<string?>("SELECT MAX(as_of) FROM snapshots");

    /// <summary>The marked accounts with their marks as seen now: clearing them later leaves the accounts marked again since.</summary>
    private List<(long Key, long Mark)> TouchedAccounts() => db.Connection.Query<(long, long)>("SELECT account_key, mark FROM dirty_accounts").ToList();

    private void ClearTouched(List<(long Key, long Mark)> marks)
    {
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        // Imports mark accounts in their own order while they hold the import lock; taking it here too keeps clearing
        // and marking from locking the same rows in opposite orders (a deadlock on PostgreSQL).
        db.Engine.LockForImport(db.Connection, tx);
        db.Engine.DeletePairs(db.Connection, tx, "dirty_accounts", "account_key", "mark", marks.OrderBy(m => m.Key).ToList());
        tx.Commit();
    }

    /// <summary>Scores one day without storing anything (for `show --as-of` on a day with no snapshot, and previews).</summary>
    public (ScoringPlan Plan, IReadOnlyList<ScoredAccount> Accounts, string Version) Preview(DateOnly asOf, string? versionId = null)
    {
        var version = versionId is null ? models.RequireCurrent() : models.Get(versionId)!;
        return (new ScoringPlan(version.Model), Preview(asOf, version.Model)[0], version.VersionId);
    }

    /// <summary>
    /// Scores one day with any models, published or not, storing nothing (the what-if of a draft beside the current
    /// model): the signals are read once for all models that share a timezone.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<ScoredAccount>> Preview(DateOnly asOf, params HealthModel[] models) => Preview(asOf, models, CancellationToken.None);

    /// <inheritdoc cref="Preview(DateOnly, HealthModel[])"/>
    /// <param name="cancel">Ends the work soon after it is cancelled, with <see cref="OperationCanceledException"/>; nothing is stored either way.</param>
    public IReadOnlyList<IReadOnlyList<ScoredAccount>> Preview(DateOnly asOf, IReadOnlyList<HealthModel> models, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        UsageInbox.Merge(db);
        var overrides = LoadOverrides();
        var results = new IReadOnlyList<ScoredAccount>[models.Count];
        foreach (var zone in models.Select(m => m.Timezone).Distinct())
        {
            var (accounts, eventIds) = SignalLoader.LoadAll(db, TimeZoneInfo.FindSystemTimeZoneById(zone), cancel: cancel);
            for (var i = 0; i < models.Count; i++)
            {
                if (models[i].Timezone == zone)
                {
                    results[i] = Compute(new ScoringPlan(models[i]), accounts, eventIds, asOf.DayNumber, overrides, cancel: cancel);
                }
            }
        }
        return results;
    }

    /// <param name="cohort">Other accounts' scorecards and values on the same day, for the percentile cohorts only.</param>
    internal static IReadOnlyList<ScoredAccount> Compute(
        ScoringPlan plan, IReadOnlyList<AccountData> accounts, Dictionary<string, int> eventIds, int day, IReadOnlyList<Override> overrides,
        IReadOnlyList<(int Card, MeasureValue[] Values)>? cohort = null, CancellationToken cancel = default)
    {
        var compiled = plan.Measures.Select(m => new CompiledValue(m.Value, m.ValidForDays, e => eventIds.TryGetValue(e, out var id) ? id : null)).ToArray();
        var eligible = accounts.Where(a => a.ChurnedAsOf(day) is null && (FirstDay(a) is not { } first || first <= day)).ToList();
        var ordersFit = plan.UsesPAlive ? FitOrders(accounts, day) : null;
        var cards = new int[eligible.Count];
        var values = new MeasureValue[eligible.Count][];
        // Accounts are independent: their measures are computed on every core.
        // Cancelled, the loop stops taking accounts and throws OperationCanceledException.
        Parallel.For(0, eligible.Count, new ParallelOptions { CancellationToken = cancel }, i =>
        {
            var a = eligible[i];
            cards[i] = plan.ScorecardFor(a.Field);
            var row = new MeasureValue[compiled.Length];
            for (var j = 0; j < compiled.Length; j++)
            {
                row[j] = MeasureCalculator.Compute(compiled[j], a, day, ordersFit);
            }
            values[i] = row;
        });
        var scores = cohort is null or { Count: 0 }
            ? ScoreCalculator.ScoreAll(plan, cards, values)
            : ScoreCalculator.ScoreAll(plan, [.. cards, .. cohort.Select(c => c.Card)], [.. values, .. cohort.Select(c => c.Values)]);
        var results = new ScoredAccount[eligible.Count];
        for (var i = 0; i < eligible.Count; i++)
        {
            results[i] = new ScoredAccount(eligible[i], scores[i], scores[i].Score, null, null, null);
        }
        if (plan.Model.Hierarchy == HierarchyMode.Children)
        {
            RollUpChildren(results);
        }
        var byAccount = overrides.Where(o => o.StartsDay <= day && day <= o.UntilDay).GroupBy(o => o.AccountKey).ToDictionary(g => g.Key, g => g.Last());
        for (var i = 0; i < results.Length; i++)
        {
            var r = results[i];
            var score = r.Score;
            // Too little of the model had data: the score stands, with no grade until enough has (`min_coverage`).
            var grade = score is { } s && plan.Model.IsGradedAt(r.Computed.Coverage) ? plan.Model.GradeFor(s) : null;
            string? reason = null;
            if (byAccount.TryGetValue(r.Account.Key, out var o))
            {
                reason = o.Reason;
                if (o.Score is { } os)
                {
                    score = os;
                    grade = plan.Model.GradeFor(os);
                }
                if (o.Grade is { } og)
                {
                    grade = plan.Model.FindGrade(og) ?? grade;
                }
            }
            results[i] = r with { Score = score, Grade = grade, OverrideReason = reason };
        }
        return results;
    }

    /// <summary>
    /// The BG/NBD model fitted by maximum likelihood on every account's orders up to the day (churned accounts
    /// included: they are part of the population's buying history). Null when it cannot be fitted (too few
    /// customers, no repeat purchase yet): `p_alive` is then missing.
    /// </summary>
    internal static BgNbdFit? FitOrders(IReadOnlyList<AccountData> accounts, int day)
    {
        var customers = new List<RfmSummary>();
        foreach (var a in accounts)
        {
            if (a.Orders.Length > 0 && a.Orders[0].Day <= day)
            {
                customers.Add(MeasureCalculator.OrderSummary(a, day));
            }
        }
        if (customers.Count < 20 || customers.All(c => c.Frequency == 0))
        {
            return null;
        }
        try
        {
            return BgNbd.Fit(customers);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>A parent's score is the ARR-weighted mean of its active, scored children (deepest parents first).</summary>
    private static void RollUpChildren(ScoredAccount[] results)
    {
        var index = results.Select((r, i) => (r.Account.AccountId, i)).ToDictionary(x => x.AccountId, x => x.i, StringComparer.Ordinal);
        var children = results.Where(r => r.Account.ParentId is { } p && index.ContainsKey(p)).GroupBy(r => r.Account.ParentId!).ToDictionary(g => g.Key, g => g.Select(c => index[c.Account.AccountId]).ToList());
        int Depth(string id, int guard = 0)
        {
            var p = results[index[id]].Account.ParentId;
            return p is not null && index.ContainsKey(p) && guard < 64 ? 1 + Depth(p, guard + 1) : 0;
        }
        foreach (var parent in children.Keys.OrderByDescending(id => Depth(id)))
        {
            var kids = children[parent].Select(i => results[i]).Where(k => k.Score is not null).ToList();
            if (kids.Count == 0)
            {
                continue;
            }
            var weights = kids.Select(k => k.Account.Arr ?? 0).ToList();
            var totalWeight = weights.Sum();
            double score;
            if (totalWeight > 0)
            {
                score = kids.Select((k, i) => k.Score!.Value * weights[i]).Sum() / totalWeight;
            }
            else
            {
                score = kids.Average(k => k.Score!.Value);
            }
            var note = "ARR-weighted mean of " + kids.Count + " active children: " + string.Join(", ",
                kids.Select(k => $"{k.Account.AccountId} {k.Score!.Value.ToString("0.0", CultureInfo.InvariantCulture)} (ARR {(k.Account.Arr ?? 0).ToString("0", CultureInfo.InvariantCulture)})"));
            var pi = index[parent];
            var coverage = totalWeight > 0 ? kids.Select((k, i) => k.Computed.Coverage * weights[i]).Sum() / totalWeight : kids.Average(k => k.Computed.Coverage);
            results[pi] = results[pi] with { Computed = new AccountScore(0, score, [], coverage), Score = score, Note = note };
        }
    }

    /// <summary>The first day the account is known from: its start, or its first signal.</summary>
    internal static int? FirstDay(AccountData a)
    {
        int? first = a.StartedDay;
        void Min<T>(T[] items) where T : struct, IDated
        {
            if (items.Length > 0 && (first is null || items[0].Day < first))
            {
                first = items[0].Day;
            }
        }
        Min(a.Usage);
        Min(a.Surveys);
        Min(a.Tickets);
        Min(a.Invoices);
        Min(a.Subscriptions);
        Min(a.Orders);
        Min(a.Sentiments);
        foreach (var m in a.Metrics.Values)
        {
            Min(m);
        }
        return first;
    }

    internal IReadOnlyList<Override> LoadOverrides() =>
        db.Connection.Query<(long AccountKey, double? Score, string? Grade, string Reason, string StartsOn, string Until)>(
            "SELECT account_key, score, grade, reason, starts_on, until FROM overrides ORDER BY id")
        .Select(o => new Override((int)o.AccountKey, o.Score, o.Grade, o.Reason, StoredDates.DayNumber(o.StartsOn), StoredDates.DayNumber(o.Until)))
        .ToList();

    private void Store(ScoringPlan plan, string version, DateOnly day, IReadOnlyList<ScoredAccount> scored)
    {
        var asOf = StoredDates.Text(day);
        db.Engine.WriteSnapshots(db, scored.Select(s => new SnapshotRecord(s.Account.Key, asOf, version, s.ScorecardId(plan), s.Score, s.Computed.Score,
            s.Grade?.Id, s.OverrideReason, s.Note, SnapshotCodec.Encode(s.Computed.Measures), s.Computed.Score is null ? null : s.Computed.Coverage)));
    }

    private static ScoreSummary Summarize(DateOnly day, string version, IReadOnlyList<ScoredAccount> scored)
    {
        var byGrade = scored.Where(s => s.Grade is not null).GroupBy(s => s.Grade!.Id).ToDictionary(g => g.Key, g => g.Count());
        return new ScoreSummary(StoredDates.Text(day), scored.Count(s => s.Score is not null),
            scored.Count(s => s.Score is null), byGrade, version, scored.Count(s => s.Score is not null && s.Grade is null));
    }
}
