using System.Globalization;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Sharing;
using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// A whole rescore (every account as of a day: a new day, a new model, the daily rescore) split between the servers of
/// a store by their shares of the accounts (<see cref="AccountShares"/>), through a row per share in `rescore_parts`.
/// Percentiles rank every account, so a run has two phases: each server computes the measure values of its shares'
/// accounts and stores them in its parts (phase 1); once every share's values are in, each scores its shares' accounts
/// against the others' stored values, stores the snapshots and evaluates the alerts (phase 2). The scores are those of
/// one whole run (the same values make up each cohort). A share's part is done by whichever server holds the share
/// (<see cref="ShareKeeper"/>: never two at once), so a server that dies leaves its parts to the servers that take its
/// shares; the parts go once every share is scored. Runs only for models whose scores need no other account's
/// signals (no `hierarchy: children`, no `p_alive`) and no measure computed by an external engine; the others are
/// scored whole by one server.
/// </summary>
internal sealed class SplitRescore(StoreDb db, ScoringRun scoring)
{
    /// <summary>Whether a split run is under way (its parts not all scored): the incremental rescoring waits for it.</summary>
    public bool UnderWay() => db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM (SELECT 1 FROM rescore_parts LIMIT 1) AS p") > 0;

    /// <summary>
    /// SQL that is true when a part of these shares can be done now: its values are to compute, or every part's values
    /// are in and its scores are to compute (what <see cref="Step"/> does).
    /// </summary>
    public static string Doable(AccountShares shares) =>
        $"EXISTS (SELECT 1 FROM rescore_parts WHERE {shares.Where("share")} AND (phase = 0 OR (phase = 1 AND NOT EXISTS (SELECT 1 FROM rescore_parts AS o WHERE o.phase = 0))))";

    /// <summary>Whether a model can be scored split by share (see the class).</summary>
    public static bool Splits(ScoringPlan plan, bool pushedDown) => !plan.DependsOnOtherAccounts && !pushedDown;

    /// <summary>
    /// Starts the split run of a day with a model version when it is not under way (one row a share, phase 0), leaving
    /// any other run; true when this call started it. <paramref name="due"/>: the daily rescore's due time, recorded as
    /// done once every part is scored.
    /// </summary>
    public bool Start(DateOnly day, string version, DateTimeOffset? due = null)
    {
        var run = Run(day, version);
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        // A run of another day or model is left: the one started now scores every account again.
        db.Connection.Execute("DELETE FROM rescore_parts WHERE run <> @run", new { run }, tx);
        var dueText = due?.ToString("O", CultureInfo.InvariantCulture);
        var started = 0;
        for (var share = 0; share < AccountShares.Count; share++)
        {
            started += db.Connection.Execute(
                "INSERT INTO rescore_parts (run, share, phase, due) VALUES (@run, @share, 0, @dueText) ON CONFLICT (run, share) DO NOTHING",
                new { run, share, dueText }, tx);
        }
        if (started == 0 && dueText is not null)
        {
            // Under way already (started by a live pass): it completes the daily run too.
            db.Connection.Execute("UPDATE rescore_parts SET due = @dueText WHERE run = @run AND due IS NULL", new { run, dueText }, tx);
        }
        tx.Commit();
        return started > 0;
    }

    /// <summary>
    /// Does what a server holding <paramref name="shares"/> can do of the run of a day now: the values of its parts still
    /// to compute, then, once every part's values are in, the scores of its parts still to score (returned, with the
    /// marks seen before their signals were read, and what completes them once their alerts are evaluated). Null
    /// when none of its parts can be scored yet.
    /// </summary>
    /// <param name="day">The day scored.</param>
    /// <param name="version">The model version that scores (with the day, the run).</param>
    /// <param name="plan">That version's scoring plan.</param>
    /// <param name="shares">The shares this server holds.</param>
    /// <param name="signals">Reads the signals (the usage settled).</param>
    /// <param name="start">
    /// Start the run when it is not under way (see <see cref="Start"/>); else only continue it, or replace a run of
    /// another day or model that is under way (never finished by its servers).
    /// </param>
    public SharesScored? Step(DateOnly day, ModelVersion version, ScoringPlan plan, AccountShares shares, SignalLoader signals, bool start)
    {
        var run = Run(day, version.VersionId);
        var parts = Parts(run);
        if (parts.Count == 0)
        {
            // A run just completed by another server is not started again.
            if (!start && !UnderWay())
            {
                return null;
            }
            Start(day, version.VersionId);
            parts = Parts(run);
        }
        var zone = TimeZoneInfo.FindSystemTimeZoneById(plan.Model.Timezone);
        var toValue = parts.Where(p => p.Phase == 0 && shares.Holds(p.Share)).Select(p => p.Share).ToList();
        if (toValue.Count > 0)
        {
            var (accounts, eventIds) = signals.LoadAll(zone, shares: new AccountShares(toValue));
            var (eligible, cards, values) = DayScoring.Values(plan, accounts, eventIds, day.DayNumber);
            var byShare = toValue.ToDictionary(s => s, _ => new List<(int, Core.Measures.MeasureValue[])>());
            for (var i = 0; i < eligible.Count; i++)
            {
                byShare[AccountShares.Of(eligible[i].Key)].Add((cards[i], values[i]));
            }
            using var turn = db.WriteTurn();
            using var tx = db.Connection.BeginTransaction();
            foreach (var (share, part) in byShare)
            {
                db.Connection.Execute("UPDATE rescore_parts SET phase = 1, detail = @detail WHERE run = @run AND share = @share AND phase = 0",
                    new { run, share, detail = SnapshotCodec.EncodeValues(part) }, tx);
            }
            tx.Commit();
            parts = Parts(run);
        }
        if (parts.Count < AccountShares.Count || parts.Any(p => p.Phase == 0))
        {
            // Another run replaced this one, or other servers' values are still to come.
            return null;
        }
        var toScore = parts.Where(p => p.Phase == 1 && shares.Holds(p.Share)).Select(p => p.Share).ToList();
        if (toScore.Count == 0)
        {
            Complete(run);
            return null;
        }
        var scope = new AccountShares(toScore);
        var marks = scoring.TouchedAccounts(scope);
        var cohort = db.Connection.Query<(int Share, byte[] Detail)>("SELECT share, detail FROM rescore_parts WHERE run = @run", new { run })
            .Where(p => !scope.Holds(p.Share))
            .SelectMany(p => SnapshotCodec.DecodeValues(p.Detail))
            .ToList();
        var (mine, ids) = signals.LoadAll(zone, shares: scope);
        var scored = DayScoring.Score(plan, mine, ids, day.DayNumber, OverrideBook.All(db), cohort);
        scoring.Store(plan, version.VersionId, day, scored);
        var asOf = StoredDates.Text(day);
        CurrentScores.Refresh(db, asOf, asOf, plan.Model.TrendDays, scored.Select(s => (long)s.Account.Key).ToHashSet());
        return new SharesScored(ScoringRun.Summarize(day, version.VersionId, scored), scope, marks, () =>
        {
            db.Connection.Execute($"UPDATE rescore_parts SET phase = 2 WHERE run = @run AND phase = 1 AND {scope.Where("share")}", new { run });
            Complete(run);
        });
    }

    /// <summary>
    /// Ends every run under way once one server scored every account as of the latest day with the current model,
    /// which stands for them, recording a daily run it completes.
    /// </summary>
    public void Done()
    {
        if (UnderWay())
        {
            Remove("1 = 1", null);
        }
    }

    /// <summary>Removes the run's parts once all are scored (one server does), recording the daily run it was.</summary>
    private void Complete(string run)
    {
        if (Remove("run = @run AND NOT EXISTS (SELECT 1 FROM rescore_parts AS p WHERE p.run = @run AND p.phase < 2)", new { run }))
        {
            db.AnalyzeAfterBulk(db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM current_scores"), "snapshots", "current_scores");
        }
    }

    /// <summary>
    /// Removes the parts <paramref name="where"/> names, and when there were any, records the daily run they completed
    /// (the latest due time among them, if newer than the one recorded); whether any was removed.
    /// </summary>
    private bool Remove(string where, object? args)
    {
        string? due;
        int removed;
        using (db.WriteTurn())
        using (var tx = db.Connection.BeginTransaction())
        {
            due = db.Connection.ExecuteScalar<string?>($"SELECT MAX(due) FROM rescore_parts WHERE {where}", args, tx);
            removed = db.Connection.Execute($"DELETE FROM rescore_parts WHERE {where}", args, tx);
            tx.Commit();
        }
        if (removed > 0 && due is not null && (db.Setting(ScoringRun.DailyRescoreLast) is not { } last ||
            DateTimeOffset.Parse(last, CultureInfo.InvariantCulture) < DateTimeOffset.Parse(due, CultureInfo.InvariantCulture)))
        {
            db.SetSetting(ScoringRun.DailyRescoreLast, due);
        }
        return removed > 0;
    }

    private List<(int Share, int Phase)> Parts(string run) =>
        db.Connection.Query<(int, int)>("SELECT share, phase FROM rescore_parts WHERE run = @run", new { run }).ToList();

    private static string Run(DateOnly day, string version) => $"{StoredDates.Text(day)} {version}";
}
