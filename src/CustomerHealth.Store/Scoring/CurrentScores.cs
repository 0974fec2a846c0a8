using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// The current_scores table: each account's latest snapshot (score, grade, model version) and its trend over the
/// model's trend window, so that account lists sort and page on 100,000 accounts without a scan of the history.
/// Refreshed after snapshots are written and after an override changes one; a row that would not change is not
/// written (a rescore of a day already scored, whose scores mostly stay, writes only what moved).
/// </summary>
internal static class CurrentScores
{
    /// <summary>
    /// Takes in each account's latest snapshot among the days from <paramref name="from"/> to <paramref name="to"/> (only
    /// those accounts when <paramref name="keys"/> is given), where it is newer than the one kept. Once per scoring run:
    /// a backfill of many days is taken in once, not day by day.
    /// </summary>
    /// <returns>How many current scores were written.</returns>
    public static int Refresh(StoreDb db, string from, string to, int trendDays, IReadOnlyCollection<long>? keys)
    {
        var days = from == to
            ? "s.as_of = @to"
            : "s.as_of BETWEEN @from AND @to AND s.as_of = (SELECT MAX(m.as_of) FROM snapshots m WHERE m.account_key = s.account_key AND m.as_of <= @to)";
        var filter = keys is null ? "" : "AND " + db.Engine.AmongList("s.account_key", "@keys");
        return Upsert(db, $"{days} {filter}", new { from, to, trendDays, keys = keys is null ? null : db.Engine.ListParameter(keys) });
    }

    /// <summary>Takes in one account's latest snapshot again (after an override rewrote it).</summary>
    public static void RefreshAccount(StoreDb db, long key, int trendDays) =>
        Upsert(db, "s.account_key = @key AND s.as_of = (SELECT MAX(as_of) FROM snapshots WHERE account_key = @key)", new { key, trendDays });

    /// <summary>Takes in an account's latest snapshot after a newer one was deleted (none left: no current score).</summary>
    public static void Retake(StoreDb db, long key, int trendDays)
    {
        using var turn = db.WriteTurn();
        db.Connection.Execute("DELETE FROM current_scores WHERE account_key = @key", new { key });
        RefreshAccount(db, key, trendDays);
    }

    // What a current score holds besides its account, in the order the upsert selects it: what it replaces, and compares first.
    private static readonly string[] Kept = ["as_of", "score", "grade", "trend", "model_version", "coverage"];

    private static int Upsert(StoreDb db, string where, object parameters)
    {
        using var turn = db.WriteTurn();
        return db.Connection.Execute(db.Engine.WithoutCompiling(
            $"""
            INSERT INTO current_scores (account_key, {string.Join(", ", Kept)})
            SELECT s.account_key, s.as_of, s.score, s.grade,
                   s.score - (SELECT p.score FROM snapshots p WHERE p.account_key = s.account_key AND p.as_of <= {db.Engine.DaysBefore("s.as_of", "@trendDays")}
                              ORDER BY p.as_of DESC LIMIT 1),
                   s.model_version, s.coverage
            FROM snapshots s WHERE {where}
            ON CONFLICT (account_key) DO UPDATE SET {string.Join(", ", Kept.Select(c => $"{c} = excluded.{c}"))}
            WHERE excluded.as_of >= current_scores.as_of
              AND ({string.Join(" OR ", Kept.Select(c => db.Engine.Differs($"current_scores.{c}", $"excluded.{c}")))})
            """), parameters);
    }
}
