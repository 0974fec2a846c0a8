using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Store.Sharing;
using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>The outcome of scoring one day (the JSON of `chs score --json`).</summary>
/// <param name="AsOf">The day scored.</param>
/// <param name="AccountsScored">How many accounts have a score as of the day.</param>
/// <param name="Unscored">How many were scored on no measure: no score.</param>
/// <param name="ByGrade">How many accounts are in each grade, by grade id.</param>
/// <param name="ModelVersion">The model version that scored.</param>
/// <param name="NotGraded">Accounts scored on less of the model than its `min_coverage`: a score, no grade yet.</param>
public sealed record ScoreSummary(string AsOf, int AccountsScored, int Unscored, IReadOnlyDictionary<string, int> ByGrade, string ModelVersion, int NotGraded = 0);

/// <summary>What a server's live rescoring on its shares scored (<see cref="ScoringRun.ScoreShares"/>).</summary>
/// <param name="Summary">The accounts scored; null when this pass scored none (its part of a split run waits for the others' values).</param>
/// <param name="Alerted">The shares whose accounts were scored, for their alerts; null: every account.</param>
/// <param name="Marks">The marks scored, which stay until <see cref="ScoringRun.ClearMarks"/> (the caller's alerts evaluated).</param>
/// <param name="Done">What completes the pass once its alerts are evaluated and its marks cleared (a split run's parts scored).</param>
public sealed record SharesScored(ScoreSummary? Summary, AccountShares? Alerted, List<(long Key, long Mark)> Marks, Action? Done = null);

/// <summary>
/// Scores accounts as of one or more days and stores what it scores: settles the usage and loads all signals once
/// (<see cref="SignalLoader"/>), scores each day in Core (<see cref="DayScoring"/>: every measure point in time,
/// percentiles over the day's cohort, roll-ups, grades and overrides), and writes the snapshots and current scores,
/// and the learned predictions while a predictor is in force (<see cref="PredictorInForce"/>).
/// </summary>
public sealed class ScoringRun(StoreDb db, ModelVersions models)
{
    /// <summary>The setting the server's daily rescore keeps the due time of its last run in.</summary>
    public const string DailyRescoreLast = "daily_rescore_last";

    private readonly PredictorInForce predictor = new(db);
    private SplitRescore? split;

    private SplitRescore Split => split ??= new SplitRescore(db, this);

    /// <summary>
    /// Scores every account as of a day. When that day is the latest scored one with the current model, only the
    /// accounts whose signals changed since are rescored (the others keep their snapshots, and their stored values
    /// still make up the percentile cohorts); otherwise every account is.
    /// </summary>
    public ScoreSummary Score(DateOnly asOf, string? versionId = null, IProgress<double>? progress = null)
    {
        // The accounts of the usage still in the inbox are marked as touched when it is settled.
        var signals = SignalLoader.Settle(db);
        if (versionId is null && ScoreTouched(asOf, InForce(asOf), signals, AccountShares.All) is { } touched)
        {
            ClearTouched(touched.Marks);
            return touched.Summary;
        }
        var (summaries, marks) = Range(asOf, asOf, 1, versionId, progress, signals);
        ClearTouched(marks);
        if (versionId is null && LatestDay() == StoredDates.Text(asOf))
        {
            // Every account scored as of the latest day with the current model: a split run the servers left under way is over.
            Split.Done();
        }
        return summaries[0];
    }

    /// <summary>
    /// Whether accounts of these shares are marked as touched, or usage accepted by any server is not merged yet; a
    /// part of a split run (<see cref="SplitRescore"/>) of these shares that can be done now is work too.
    /// </summary>
    public bool WorkWaits(AccountShares shares) => db.Connection.ExecuteScalar<bool>(
        $"""
        SELECT CASE WHEN EXISTS (SELECT 1 FROM dirty_accounts WHERE {shares.Where("account_key")}) OR EXISTS (SELECT 1 FROM usage_inbox)
          OR {SplitRescore.Doable(shares)}
        THEN 1 ELSE 0 END
        """);

    /// <summary>How long a server's claim on a whole rescore of its live work holds, when it dies running it.</summary>
    public static readonly TimeSpan WholeRescoreLease = TimeSpan.FromMinutes(30);

    /// <summary>
    /// A server's live rescoring as of a day, on its shares of the accounts (<see cref="AccountShares"/>): the touched
    /// accounts of its shares only. When every account must be scored (a new day, a new model, population-wide inputs),
    /// the servers split that whole rescore by share (<see cref="SplitRescore"/>: this pass does its shares' part of it);
    /// a model that cannot be split is scored whole by the one server that claims it (<see cref="StoreDb.Claim"/>), and
    /// the others leave it (null). A server holding every share scores the whole portfolio itself.
    /// </summary>
    public SharesScored? ScoreShares(DateOnly asOf, AccountShares shares)
    {
        var signals = SignalLoader.Settle(db);
        var current = InForce(asOf);
        if (ScoreTouched(asOf, current, signals, shares) is { } touched)
        {
            return new(touched.Summary, shares.IsAll ? null : shares, touched.Marks);
        }
        if (shares.IsAll)
        {
            var (summaries, marks) = Range(asOf, asOf, 1, null, null, signals);
            // Every share's accounts are scored: a split run under way (its other servers gone) is done.
            return new(summaries[0], null, marks, Split.Done);
        }
        if (SplitRescore.Splits(current.Plan, current.PushedDown))
        {
            return Split.Step(asOf, current.Version, current.Plan, shares, signals, start: current.Whole);
        }
        const string Key = "live_rescore_claim";
        var now = models.Clock.GetUtcNow();
        if (!db.Claim(Key, now, now + WholeRescoreLease))
        {
            return null;
        }
        try
        {
            var (summaries, marks) = Range(asOf, asOf, 1, null, null, signals);
            return new(summaries[0], null, marks);
        }
        finally
        {
            db.Release(Key);
        }
    }

    /// <summary>
    /// Starts the daily rescore of a day split between the servers of the store (<see cref="SplitRescore"/>), whose live
    /// rescoring then does it share by share; false when the model cannot be split (score it whole) or a split run of
    /// the day was under way already (it now completes the daily run too).
    /// </summary>
    public bool StartSplit(DateOnly asOf, DateTimeOffset due, out bool splits)
    {
        var version = models.RequireCurrent();
        var plan = new ScoringPlan(version.Model);
        splits = db.Engine.SharesWork && SplitRescore.Splits(plan, PushdownSession.Computes(db, models.Clock, plan));
        return splits && Split.Start(asOf, version.VersionId, due);
    }

    /// <summary>Clears the marks <see cref="ScoreShares"/> scored (a mark made again since stays).</summary>
    public void ClearMarks(List<(long Key, long Mark)> marks) => ClearTouched(marks);

    /// <summary>
    /// Scores the days from, from + every, ... up to to, storing a snapshot per account and day. <paramref name="afterDay"/>,
    /// when given, is called with each day, in order, once its snapshots are stored (the next day's scores are computed
    /// meanwhile), on this run's thread: what it reads of the store's history is complete up to that day.
    /// </summary>
    public IReadOnlyList<ScoreSummary> ScoreRange(DateOnly from, DateOnly to, int everyDays, string? versionId = null, IProgress<double>? progress = null,
        Action<DateOnly>? afterDay = null)
    {
        var (summaries, marks) = Range(from, to, everyDays, versionId, progress, SignalLoader.Settle(db), afterDay);
        ClearTouched(marks);
        return summaries;
    }

    /// <summary>
    /// <see cref="ScoreRange"/> once the usage is settled; with the marks it scored (every mark seen at its start when it
    /// scored up to the latest day, else none), for the caller to clear.
    /// </summary>
    private (IReadOnlyList<ScoreSummary> Summaries, List<(long Key, long Mark)> Marks) Range(DateOnly from, DateOnly to, int everyDays, string? versionId, IProgress<double>? progress, SignalLoader signals,
        Action<DateOnly>? afterDay = null)
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
        var zone = TimeZoneInfo.FindSystemTimeZoneById(plan.Model.Timezone);
        // Measures of a kind an external source computes are computed there, day by day; a day whose pushdown fails
        // stores nothing (the days before it are stored whole) and the run stops saying which source and measure.
        using var pushdown = PushdownSession.For(db, models.Clock, plan);
        var overrides = OverrideBook.All(db);
        var days = new List<DateOnly>();
        for (var d = from; d <= to; d = d.AddDays(everyDays))
        {
            days.Add(d);
        }
        var summaries = new List<ScoreSummary>();
        long written = 0;
        if (days.Count == 1 && SplitRescore.Splits(plan, pushdown is not null) && Chunks() is { } chunks)
        {
            // One day of a large portfolio: its accounts' signals are read a range of keys at a time and let go once
            // their measures are computed, so that the run never holds every account's signals at once. The next
            // range is read while the measures of one are computed (the cores a read leaves idle compute).
            var eligible = new List<AccountData>();
            var cards = new List<int>();
            var values = new List<MeasureValue[]>();
            // The usage of a range is read into slabs that the range after next reads into again (UsageSlabs).
            var slabs = new UsageSlabs.Shared(SlabRows);
            var reading = slabs.ForOneRead();
            var next = Task.Run(() => signals.LoadAll(zone, keys: chunks[0], slabs: reading));
            try
            {
                for (var i = 0; i < chunks.Count; i++)
                {
                    var (part, ids) = next.GetAwaiter().GetResult();
                    var read = reading;
                    if (i + 1 < chunks.Count)
                    {
                        var following = chunks[i + 1];
                        var into = reading = slabs.ForOneRead();
                        next = Task.Run(() => signals.LoadAll(zone, keys: following, slabs: into));
                    }
                    var (e, c, v) = DayScoring.Values(plan, part, ids, days[0].DayNumber);
                    eligible.AddRange(e.Select(a => a.WithoutSignals()));
                    cards.AddRange(c);
                    values.AddRange(v);
                    // Nothing reads these accounts' usage any more (what is kept of them is WithoutSignals' copy).
                    read.Release();
                }
            }
            finally
            {
                // A read still under way when the computing failed ends before the run does (its failure, if any, is the
                // lesser one); the last read is over by then.
                Ended(next);
            }
            var scored = DayScoring.Finish(plan, eligible, [.. cards], [.. values], days[0].DayNumber, overrides);
            written += Store(plan, version.VersionId, days[0], scored);
            summaries.Add(Summarize(days[0], version.VersionId, scored));
            afterDay?.Invoke(days[0]);
            progress?.Report(1);
        }
        else
        {
            var (accounts, eventIds) = signals.LoadAll(zone);
            // A day's scores are computed while the day before is written (and, with afterDay, judged): computing
            // keeps the cores the one writer leaves idle busy. Days whose measures an external source computes are
            // taken one at a time, as that source is read through this run's connection.
            IReadOnlyList<ScoredAccount> Compute(int i) =>
                DayScoring.Score(plan, accounts, eventIds, days[i].DayNumber, overrides, pushed: pushdown?.Values(days[i], accounts));
            var ahead = pushdown is null;
            var next = ahead ? Task.Run(() => Compute(0)) : null;
            try
            {
                for (var i = 0; i < days.Count; i++)
                {
                    var scored = ahead ? next!.GetAwaiter().GetResult() : Compute(i);
                    if (ahead && i + 1 < days.Count)
                    {
                        var following = i + 1;
                        next = Task.Run(() => Compute(following));
                    }
                    written += Store(plan, version.VersionId, days[i], scored);
                    summaries.Add(Summarize(days[i], version.VersionId, scored));
                    afterDay?.Invoke(days[i]);
                    progress?.Report((i + 1.0) / days.Count);
                }
            }
            finally
            {
                // A day still being computed when writing failed ends before the run does.
                Ended(next);
            }
        }
        pushdown?.Succeeded();
        written += CurrentScores.Refresh(db, StoredDates.Text(days[0]), StoredDates.Text(days[^1]), plan.Model.TrendDays, null);
        // The statistics are taken again after a bulk write; a day scored again writes only what moved, often nothing.
        db.AnalyzeAfterBulk(written, "snapshots", "current_scores");
        // Every account has a fresh latest score when the run reached the latest day: what was touched before it is scored.
        return (summaries, latest is null || string.CompareOrdinal(StoredDates.Text(days[^1]), latest) >= 0 ? touched : []);
    }

    /// <summary>Waits for work a run started ahead to end, its failure left to the one that stopped the run (or already thrown).</summary>
    private static void Ended(Task? ahead)
    {
        try
        {
            ahead?.Wait();
        }
        catch (AggregateException)
        {
        }
    }

    /// <summary>
    /// How many accounts a run of one day reads the signals of at a time (see <see cref="Range"/>); null: as many as
    /// hold about <see cref="ChunkUsageBytes"/> of usage blocks, and never fewer than <see cref="MinChunkAccounts"/>.
    /// </summary>
    internal int? ChunkAccounts { get; set; }

    /// <summary>
    /// About how many bytes of usage blocks a run reads at a time: some 1.5 million cells (a day, an event of an
    /// account), at about 9 bytes a cell (the SPEC's portfolio: 13,008,210 cells in 114.6 MB).
    /// </summary>
    private const long ChunkUsageBytes = 13_000_000;

    private const int MinChunkAccounts = 10_000;

    /// <summary>How many rows a slab of usage holds when a run reads a range at a time (<see cref="UsageSlabs"/>); null: the default.</summary>
    internal int? SlabRows { get; set; }

    /// <summary>Ranges of account keys to read one at a time, or null when the accounts are read at once.</summary>
    private List<(long From, long To)>? Chunks()
    {
        var keys = db.Engine.ReadRows(db, "SELECT account_key FROM accounts ORDER BY account_key").Select(r => r.GetInt64(0)).ToList();
        if (keys.Count <= (ChunkAccounts ?? MinChunkAccounts))
        {
            return null;
        }
        var size = ChunkAccounts ?? ChunkSize(keys);
        if (keys.Count <= size)
        {
            return null;
        }
        var chunks = new List<(long, long)>();
        for (var i = 0; i < keys.Count; i += size)
        {
            chunks.Add((keys[i], keys[Math.Min(i + size, keys.Count) - 1]));
        }
        return chunks;
    }

    /// <summary>How many accounts hold about <see cref="ChunkUsageBytes"/> of usage blocks, from 64 accounts spread over the keys.</summary>
    private int ChunkSize(List<long> keys)
    {
        var sample = Enumerable.Range(0, 64).Select(i => keys[(int)((long)i * keys.Count / 64)]).Distinct().ToList();
        var bytes = db.Connection.ExecuteScalar<long>(
            $"SELECT COALESCE(SUM(length(cells)), 0) FROM usage_blocks WHERE account_key IN ({string.Join(", ", sample.Select(k => k.ToString(System.Globalization.CultureInfo.InvariantCulture)))})");
        var perAccount = Math.Max(1.0, bytes / (double)sample.Count);
        return (int)Math.Clamp(ChunkUsageBytes / perAccount, MinChunkAccounts, int.MaxValue);
    }

    /// <summary>The incremental run of <see cref="Score"/> with the marks it scored, or null when every account must be scored.</summary>
    private (ScoreSummary Summary, List<(long Key, long Mark)> Marks)? ScoreTouched(DateOnly asOf, InForceModel current, SignalLoader signals, AccountShares shares)
    {
        var (version, plan, _, whole) = current;
        var day = StoredDates.Text(asOf);
        // A split run under way scores every account (its cohorts are not complete before).
        if (whole || Split.UnderWay())
        {
            return null;
        }
        var touched = TouchedAccounts(shares);
        if (touched.Count > 0)
        {
            var (accounts, eventIds) = signals.LoadAll(TimeZoneInfo.FindSystemTimeZoneById(plan.Model.Timezone), onlyTouched: true, shares: shares);
            var loaded = accounts.Select(a => (long)a.Key).ToHashSet();
            // The others' stored values, as of the same day, complete the percentile cohorts.
            var cohort = db.Connection.Query<(long Key, string Scorecard, byte[] Detail)>(
                    "SELECT account_key, scorecard, detail FROM snapshots WHERE as_of = @day", new { day })
                .Where(r => !loaded.Contains(r.Key))
                .Select(r => (Card: Array.IndexOf(plan.ScorecardIds, r.Scorecard), Values: SnapshotCodec.Decode(r.Detail).Select(m => m.Value).ToArray()))
                .Where(r => r.Card >= 0 && r.Values.Length == plan.Measures.Length)
                .ToList();
            var scored = DayScoring.Score(plan, accounts, eventIds, asOf.DayNumber, OverrideBook.All(db), cohort);
            Store(plan, version.VersionId, asOf, scored);
            var kept = scored.Select(s => (long)s.Account.Key).ToHashSet();
            CurrentScores.Refresh(db, day, day, plan.Model.TrendDays, kept);
            // A touched account that churned (or is not there any more) as of the day loses that day's snapshot.
            foreach (var gone in loaded.Where(k => !kept.Contains(k)))
            {
                db.Connection.Execute("DELETE FROM snapshots WHERE account_key = @gone AND as_of = @day", new { gone, day });
                CurrentScores.Retake(db, gone, plan.Model.TrendDays);
            }
        }
        var stored = db.Connection.Query<(double? Score, string? Grade)>("SELECT score, grade FROM snapshots WHERE as_of = @day", new { day }).ToList();
        return (new ScoreSummary(day, stored.Count(s => s.Score is not null), stored.Count(s => s.Score is null),
            stored.Where(s => s.Grade is not null).GroupBy(s => s.Grade!).ToDictionary(g => g.Key, g => g.Count()), version.VersionId,
            stored.Count(s => s.Score is not null && s.Grade is null)), touched);
    }

    /// <summary>
    /// The model in force, read once a pass: its plan, whether a source computes any of its measures where the data
    /// lives, and whether every account must be scored as of a day (not only the touched ones).
    /// </summary>
    private sealed record InForceModel(ModelVersion Version, ScoringPlan Plan, bool PushedDown, bool Whole);

    private InForceModel InForce(DateOnly asOf)
    {
        var version = models.RequireCurrent();
        var plan = new ScoringPlan(version.Model);
        var pushedDown = PushdownSession.Computes(db, models.Clock, plan);
        var day = StoredDates.Text(asOf);
        // Every account is scored on a new day or with a new model; and population-wide inputs (the BG/NBD fit,
        // children's roll-ups) change for accounts nobody touched, as do measures an external source computes (its rows
        // change where they live, unseen by the store).
        var whole = LatestDay() != day || plan.DependsOnOtherAccounts || pushedDown ||
            db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM snapshots WHERE as_of = @day AND model_version <> @v", new { day, v = version.VersionId }) > 0;
        return new InForceModel(version, plan, pushedDown, whole);
    }

    /// <summary>The latest day any account was scored (YYYY-MM-DD), or null before the first run.</summary>
    public string? LatestDay() => db.Connection.ExecuteScalar<string?>("SELECT MAX(as_of) FROM snapshots");

    /// <summary>The marked accounts with their marks as seen now: clearing them later leaves the accounts marked again since.</summary>
    internal List<(long Key, long Mark)> TouchedAccounts(AccountShares? shares = null) =>
        db.Connection.Query<(long, long)>($"SELECT account_key, mark FROM dirty_accounts WHERE {(shares ?? AccountShares.All).Where("account_key")}").ToList();

    private void ClearTouched(List<(long Key, long Mark)> marks)
    {
        if (marks.Count == 0)
        {
            return;
        }
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        // Imports mark accounts in their own order while they hold the import lock; taking it here too keeps clearing
        // and marking from locking the same rows in opposite orders (a deadlock on PostgreSQL).
        db.Engine.LockForImport(db.Connection, tx);
        db.Engine.DeletePairs(db.Connection, tx, "dirty_accounts", "account_key", "mark", marks.OrderBy(m => m.Key).ToList());
        tx.Commit();
    }

    /// <summary>Stores a day's scored accounts as snapshots; how many were written (new or changed).</summary>
    internal int Store(ScoringPlan plan, string version, DateOnly day, IReadOnlyList<ScoredAccount> scored)
    {
        var asOf = StoredDates.Text(day);
        // The snapshots' details are encoded on every core.
        var records = new SnapshotRecord[scored.Count];
        Parallel.For(0, scored.Count, i =>
        {
            var s = scored[i];
            records[i] = new SnapshotRecord(s.Account.Key, version, s.ScorecardId(plan), s.Score, s.Computed.Score,
                s.Grade?.Id, s.OverrideReason, s.Note, SnapshotCodec.Encode(s.Computed.Measures), s.Computed.Score is null ? null : s.Computed.Coverage);
        });
        var written = db.Engine.WriteSnapshots(db, asOf, records);
        predictor.Write(plan, version, day, scored);
        return written;
    }

    internal static ScoreSummary Summarize(DateOnly day, string version, IReadOnlyList<ScoredAccount> scored)
    {
        var byGrade = scored.Where(s => s.Grade is not null).GroupBy(s => s.Grade!.Id).ToDictionary(g => g.Key, g => g.Count());
        return new ScoreSummary(StoredDates.Text(day), scored.Count(s => s.Score is not null),
            scored.Count(s => s.Score is null), byGrade, version, scored.Count(s => s.Score is not null && s.Grade is null));
    }
}
