using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Scoring;

/// <summary>One account's stored snapshot as read back, its measures still encoded (<see cref="SnapshotCodec"/>).</summary>
internal sealed class StoredSnapshot
{
    private const string Columns = "account_key AS AccountKey, as_of AS AsOf, model_version AS ModelVersion, scorecard AS Scorecard, score AS Score, computed_score AS ComputedScore, grade AS Grade, override_reason AS OverrideReason, note AS Note, detail AS Detail, coverage AS Coverage";

    public long AccountKey { get; init; }
    public string AsOf { get; init; } = "";
    public string ModelVersion { get; init; } = "";
    public string Scorecard { get; init; } = "";
    public double? Score { get; init; }
    public double? ComputedScore { get; init; }
    public string? Grade { get; init; }
    public string? OverrideReason { get; init; }
    public string? Note { get; init; }
    public byte[] Detail { get; init; } = [];
    public double? Coverage { get; init; }

    /// <summary>The account's latest snapshot of those <paramref name="where"/> picks (a condition on `as_of`, where `@d` is <paramref name="d"/>), or null.</summary>
    public static StoredSnapshot? Latest(StoreDb db, long key, string where, DateOnly? d) =>
        db.Connection.QueryFirstOrDefault<StoredSnapshot>(
            $"SELECT {Columns} FROM snapshots WHERE account_key = @key AND {where} ORDER BY as_of DESC LIMIT 1",
            new { key, d = d is { } x ? StoredDates.Text(x) : null });

    /// <summary>
    /// The account's snapshots on or before two days (the latest on or before each) and what changed between them,
    /// measure by measure (<see cref="ChangeAttribution"/>), each read with the model version that scored it.
    /// </summary>
    /// <exception cref="StoreException">The account has no snapshot on or before one of the days.</exception>
    public static (StoredSnapshot From, StoredSnapshot To, IReadOnlyList<ContributionChange> Changes) Between(
        StoreDb db, ModelVersions models, long key, string accountId, DateOnly from, DateOnly to)
    {
        var a = Latest(db, key, "as_of <= @d", from) ?? throw new StoreException($"account `{accountId}` has no score on or before {StoredDates.Text(from)}: score that period first (`chs score --from ... --to ... --every 7d`)");
        var b = Latest(db, key, "as_of <= @d", to) ?? throw new StoreException($"account `{accountId}` has no score on or before {StoredDates.Text(to)}");
        return (a, b, Changes(models, a, b));
    }

    /// <summary>
    /// For each of many accounts, what <see cref="Between"/> gives, read in two queries rather than two per account;
    /// an account without a snapshot on or before one of the days is left out.
    /// </summary>
    public static Dictionary<long, IReadOnlyList<ContributionChange>> ChangesBetween(StoreDb db, ModelVersions models, IReadOnlyCollection<long> keys, DateOnly from, DateOnly to)
    {
        Dictionary<long, StoredSnapshot> LatestOnOrBefore(DateOnly d) => db.Connection.Query<StoredSnapshot>(
            $"""
            SELECT {Columns} FROM snapshots s
            WHERE {db.Engine.AmongList("s.account_key", "@keys")}
              AND s.as_of = (SELECT MAX(p.as_of) FROM snapshots p WHERE p.account_key = s.account_key AND p.as_of <= @d)
            """, new { keys = db.Engine.ListParameter(keys), d = StoredDates.Text(d) }).ToDictionary(x => x.AccountKey);
        var before = LatestOnOrBefore(from);
        var after = LatestOnOrBefore(to);
        var changes = new Dictionary<long, IReadOnlyList<ContributionChange>>();
        foreach (var (key, a) in before)
        {
            if (after.TryGetValue(key, out var b))
            {
                changes[key] = Changes(models, a, b);
            }
        }
        return changes;
    }

    /// <summary>What changed from snapshot <paramref name="a"/> to <paramref name="b"/>, each read with the model version that scored it.</summary>
    private static IReadOnlyList<ContributionChange> Changes(ModelVersions models, StoredSnapshot a, StoredSnapshot b) =>
        ChangeAttribution.Attribute(Side(models.PlanOf(a.ModelVersion), a), Side(models.PlanOf(b.ModelVersion), b));

    private static ScoreSide Side(ScoringPlan plan, StoredSnapshot s) =>
        new(plan, s.ModelVersion, Math.Max(0, Array.IndexOf(plan.ScorecardIds, s.Scorecard)), SnapshotCodec.Decode(s.Detail), s.Score, s.ComputedScore);
}
