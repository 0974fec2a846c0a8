using System.Text;
using CustomerHealth.Store;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Accounts;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Components;

/// <summary>CSV downloads of the dashboard's lists, with the same filters as the page they come from.</summary>
internal static class Exports
{
    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/accounts.csv", Results<FileContentHttpResult, ProblemHttpResult> (Dashboard dashboard, AccountReader accounts, string? q, string? grade, string? segment, string? owner, string? stage, int? renewal, string? sort) =>
            {
                IReadOnlyList<AccountRow> rows;
                try
                {
                    rows = accounts.List(AccountFilters.Query(dashboard.Today, q, grade, segment, owner, stage, renewal, sort));
                }
                catch (StoreException e)
                {
                    return Api.Problems.BadField(renewal is < 0 or > AccountFilters.MaxRenewalDays ? "renewal" : "sort", e.Message);
                }
                var csv = new StringBuilder("account_id,name,segment,owner,lifecycle_stage,plan,arr,score,grade,trend,renewal_on,scored_on\n");
                foreach (var r in rows)
                {
                    csv.AppendJoin(',', [CsvCells.Text(r.AccountId), CsvCells.Text(r.Name), CsvCells.Text(r.Segment), CsvCells.Text(r.Owner), CsvCells.Text(r.LifecycleStage), CsvCells.Text(r.Plan), CsvCells.Number(r.Arr), CsvCells.Number(r.Score),
                        CsvCells.Text(r.Grade), CsvCells.Number(r.Trend), CsvCells.Text(r.RenewalOn), CsvCells.Text(r.ScoredOn)]).Append('\n');
                }
                return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "accounts.csv");
            })
            .ExcludeFromDescription();
        return app;
    }
}
