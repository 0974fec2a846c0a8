using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>Accounts and ARR in one grade of the current scores.</summary>
public sealed record GradeShare(string Grade, string? Label, string? Color, int Accounts, double Arr);

/// <summary>The whole book at a glance: active accounts by current grade, ARR, the average score.</summary>
public sealed record Portfolio(
    string? ScoredOn, string? ModelVersion, int Accounts, int Scored, int Unscored, int Churned, double Arr, double? AverageScore, IReadOnlyList<GradeShare> ByGrade);

public sealed class PortfolioReader(StoreDb db, ModelVersions models)
{
    public Portfolio Read()
    {
        var rows = db.Connection.Query<(string? Grade, int Accounts, double? Arr, double? ScoreSum, int Scored, string? AsOf, int Churned)>(
            $"""
            WITH {AccountReader.AccountsWithChurn}
            SELECT CASE WHEN a.churned_on IS NULL THEN s.grade END AS grade, COUNT(*) AS accounts,
                   SUM(CASE WHEN a.churned_on IS NULL THEN a.arr END) AS arr,
                   SUM(CASE WHEN a.churned_on IS NULL THEN s.score END) AS score_sum,
                   COUNT(CASE WHEN a.churned_on IS NULL THEN s.score END) AS scored,
                   MAX(CASE WHEN a.churned_on IS NULL THEN s.as_of END) AS as_of,
                   COUNT(a.churned_on) AS churned
            FROM acc a
            LEFT JOIN current_scores s ON s.account_key = a.account_key
            GROUP BY CASE WHEN a.churned_on IS NULL THEN s.grade END
            """).ToList();
        var current = models.Current();
        var grades = current is null ? [] : models.ModelOf(current.VersionId).Grades;
        var byGrade = grades.Select(g =>
        {
            var r = rows.FirstOrDefault(x => x.Grade == g.Id);
            return new GradeShare(g.Id, g.Label, g.SafeColor, r.Accounts, r.Arr ?? 0);
        }).ToList();
        // Grades of an earlier model that the current one no longer has still count.
        byGrade.AddRange(rows.Where(r => r.Grade is not null && grades.All(g => g.Id != r.Grade)).Select(r => new GradeShare(r.Grade!, null, null, r.Accounts, r.Arr ?? 0)));
        var churned = rows.Sum(r => r.Churned);
        var active = rows.Sum(r => r.Accounts) - churned;
        var scored = rows.Sum(r => r.Scored);
        var sum = rows.Sum(r => r.ScoreSum ?? 0);
        return new Portfolio(
            rows.Max(r => r.AsOf), current?.VersionId, active, scored, active - scored, churned, rows.Sum(r => r.Arr ?? 0),
            scored > 0 ? Math.Round(sum / scored, 1) : null, byGrade);
    }
}
