using System.Text;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components;

/// <summary>CSV download of the Segments page's at-risk list: every scored account below the healthy grade, the most ARR at risk first.</summary>
internal static class SegmentExports
{
    public static IEndpointRouteBuilder MapSegmentExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/segments/at-risk.csv", (Dashboard dashboard, SegmentReader segments) =>
            {
                var csv = new StringBuilder("account_id,name,segment,plan,owner,arr,score,grade,arr_at_risk,renewal_on\n");
                if (dashboard.Grades.FirstOrDefault() is { } healthy)
                {
                    var list = segments.AtRisk(healthy.Id, dashboard.Model?.MaxScore ?? 100, limit: null);
                    foreach (var r in list.Accounts)
                    {
                        csv.AppendJoin(',', [CsvCells.Text(r.AccountId), CsvCells.Text(r.Name), CsvCells.Text(r.Segment), CsvCells.Text(r.Plan), CsvCells.Text(r.Owner),
                            CsvCells.Number(r.Arr), CsvCells.Number(r.Score), CsvCells.Text(r.Grade), CsvCells.Number(r.ArrAtRisk), CsvCells.Text(r.RenewalOn)]).Append('\n');
                    }
                }
                return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "at-risk.csv");
            })
            .ExcludeFromDescription();
        return app;
    }
}
