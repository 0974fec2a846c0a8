using System.Text;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;

namespace CustomerHealth.Web.Components;

/// <summary>CSV download of the Segments page's at-risk list: every scored account below the healthy grade, the most ARR at risk first.</summary>
internal static class SegmentExports
{
    public static IEndpointRouteBuilder MapSegmentExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/segments/at-risk.csv", (Dashboard dashboard) =>
            {
                var csv = new StringBuilder("account_id,name,segment,plan,owner,arr,score,grade,arr_at_risk,renewal_on\n");
                if (dashboard.Grades.FirstOrDefault() is { } healthy)
                {
                    var list = new SegmentReader(dashboard.Db).AtRisk(healthy.Id, dashboard.Model?.MaxScore ?? 100, limit: null);
                    foreach (var r in list.Accounts)
                    {
                        csv.AppendJoin(',', [Exports.Cell(r.AccountId), Exports.Cell(r.Name), Exports.Cell(r.Segment), Exports.Cell(r.Plan), Exports.Cell(r.Owner),
                            Exports.Num(r.Arr), Exports.Num(r.Score), Exports.Cell(r.Grade), Exports.Num(r.ArrAtRisk), Exports.Cell(r.RenewalOn)]).Append('\n');
                    }
                }
                return TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "at-risk.csv");
            })
            .RequireAuthorization(Access.Read).ExcludeFromDescription();
        return app;
    }
}
