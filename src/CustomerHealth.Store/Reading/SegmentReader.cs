using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>The health of a group of active accounts (a segment, plan or lifecycle stage; Name null for "not set").</summary>
public sealed record GroupHealth(string? Name, int Accounts, int Scored, double Arr, double? AverageScore, IReadOnlyDictionary<string, int> ByGrade)
{
    /// <summary>The share of the scored accounts in a grade (0–1).</summary>
    public double? Share(string grade) => Scored > 0 ? (double)ByGrade.GetValueOrDefault(grade) / Scored : null;
}

/// <summary>Health by segment, by plan and by lifecycle stage.</summary>
public sealed record SegmentHealth(IReadOnlyList<GroupHealth> Segments, IReadOnlyList<GroupHealth> Plans, IReadOnlyList<GroupHealth> Stages);

/// <summary>An account on the at-risk or candidate lists. ArrAtRisk = ARR × (top score − score) / top score.</summary>
public sealed record ListedAccount(
    string AccountId, string? Name, string? Segment, string? Plan, string? Owner, double? Arr, double Score, string? Grade, string? RenewalOn, double ArrAtRisk);

/// <summary>The first accounts of an ordered list, with how many the whole list has.</summary>
public sealed record AccountList(IReadOnlyList<ListedAccount> Accounts, int Total, double TotalArr, double TotalArrAtRisk);

/// <summary>High health and high value: the healthiest grade and an ARR in the top quartile (at least <see cref="ArrThreshold"/>).</summary>
public sealed record Candidates(AccountList List, double? ArrThreshold);

/// <summary>The Segments page's figures, each one query over the active accounts' current scores.</summary>
public sealed class SegmentReader(StoreDb db)
{
    public SegmentHealth Health()
    {
        var rows = db.Connection.Query<(string? Segment, string? Plan, string? Stage, string? Grade, int Accounts, double? Arr, double? ScoreSum, int Scored)>(
            $"""
            WITH {PortfolioTrends.CurrentAccounts}
            SELECT c.segment, c.plan, c.lifecycle_stage, c.grade, COUNT(*), SUM(c.arr), SUM(c.score), COUNT(c.score)
            FROM cur c GROUP BY c.segment, c.plan, c.lifecycle_stage, c.grade
            """).ToList();
        List<GroupHealth> By(Func<(string? Segment, string? Plan, string? Stage, string? Grade, int Accounts, double? Arr, double? ScoreSum, int Scored), string?> key) =>
            rows.GroupBy(r => string.IsNullOrEmpty(key(r)) ? null : key(r))
                .Select(g =>
                {
                    var scored = g.Sum(r => r.Scored);
                    return new GroupHealth(g.Key, g.Sum(r => r.Accounts), scored, g.Sum(r => r.Arr ?? 0), scored > 0 ? g.Sum(r => r.ScoreSum ?? 0) / scored : null,
                        g.Where(r => r.Grade is not null).GroupBy(r => r.Grade!).ToDictionary(x => x.Key, x => x.Sum(r => r.Accounts)));
                })
                .OrderBy(h => h.Name is null).ThenByDescending(h => h.Arr).ThenBy(h => h.Name, StringComparer.Ordinal)
                .ToList();
        return new SegmentHealth(By(r => r.Segment), By(r => r.Plan), By(r => r.Stage));
    }

    /// <summary>
    /// Scored accounts not in the <paramref name="healthyGrade"/>, the most ARR at risk first: ARR × (top − score) / top,
    /// where top is the model's highest score (100, or the points total). <paramref name="limit"/> null gives them all.
    /// </summary>
    public AccountList AtRisk(string healthyGrade, double topScore = 100, int? limit = 25) =>
        List("c.grade <> @healthyGrade", "c.risk DESC, COALESCE(c.arr, 0) DESC, c.account_id", new { healthyGrade, top = topScore, limit = Limit(limit) });

    /// <summary>Accounts in the <paramref name="healthyGrade"/> whose ARR is in the top quartile of active accounts' ARR, the biggest first.</summary>
    public Candidates Candidates(string healthyGrade, int? limit = 25)
    {
        // The 75th percentile: the lowest ARR that at least three quarters of the active accounts with an ARR are at or
        // below (accounts with the same ARR are on the same side of it). It needs no scores, so no snapshot is read.
        var threshold = db.Connection.ExecuteScalar<double?>(
            $"""
            SELECT MIN(q.arr) FROM (SELECT a.arr, CUME_DIST() OVER (ORDER BY a.arr) AS share FROM accounts a WHERE a.arr IS NOT NULL AND {PortfolioTrends.Active}) q
            WHERE q.share >= 0.75
            """);
        if (threshold is null)
        {
            return new Candidates(new AccountList([], 0, 0, 0), null);
        }
        var list = List("c.grade = @healthyGrade AND c.arr >= @threshold", "c.arr DESC, c.score DESC, c.account_id",
            new { healthyGrade, threshold, top = 100.0, limit = Limit(limit) });
        return new Candidates(list, threshold);
    }

    private object? Limit(int? limit) => limit ?? db.Engine.NoLimit;

    private AccountList List(string where, string order, object param)
    {
        var rows = db.Connection.Query<(string AccountId, string? Name, string? Segment, string? Plan, string? Owner, double? Arr, double Score, string? Grade,
            string? RenewalOn, double Risk, int Total, double? TotalArr, double? TotalRisk)>(
            $"""
            WITH {PortfolioTrends.CurrentAccounts},
            l AS (SELECT c.account_id, c.name, c.segment, c.plan, c.owner, c.arr, c.score, c.grade, c.renewal_on,
                         COALESCE(c.arr, 0) * (@top - c.score) / @top AS risk
                  FROM cur c WHERE c.score IS NOT NULL AND {where})
            SELECT c.*, COUNT(*) OVER () AS total, SUM(c.arr) OVER () AS total_arr, SUM(c.risk) OVER () AS total_risk
            FROM l c
            ORDER BY {order}
            LIMIT @limit
            """, param).ToList();
        return new AccountList(
            rows.Select(r => new ListedAccount(r.AccountId, r.Name, r.Segment, r.Plan, r.Owner, r.Arr, r.Score, r.Grade, r.RenewalOn, Math.Max(0, r.Risk))).ToList(),
            rows.Count > 0 ? rows[0].Total : 0, rows.Count > 0 ? rows[0].TotalArr ?? 0 : 0, rows.Count > 0 ? Math.Max(0, rows[0].TotalRisk ?? 0) : 0);
    }
}
