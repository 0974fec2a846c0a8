using System.Globalization;
using System.Text;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Components.Pages;

namespace CustomerHealth.Web.Components;

/// <summary>CSV downloads of the dashboard's lists, with the same filters as the page they come from.</summary>
internal static class Exports
{
    public static IEndpointRouteBuilder MapExports(this IEndpointRouteBuilder app)
    {
        app.MapGet("/accounts.csv", (Dashboard dashboard, string? q, string? grade, string? segment, string? owner, string? stage, int? renewal, string? sort) =>
            {
                IReadOnlyList<AccountRow> rows;
                try
                {
                    rows = new AccountReader(dashboard.Db, dashboard.Models).List(AccountsPage.Query(dashboard.Today, q, grade, segment, owner, stage, renewal, sort));
                }
                catch (CustomerHealth.Store.StoreException e)
                {
                    return (IResult)Api.Problems.BadField(renewal is < 0 or > AccountsPage.MaxRenewalDays ? "renewal" : "sort", e.Message);
                }
                var csv = new StringBuilder("account_id,name,segment,owner,lifecycle_stage,plan,arr,score,grade,trend,renewal_on,scored_on\n");
                foreach (var r in rows)
                {
                    csv.AppendJoin(',', [Cell(r.AccountId), Cell(r.Name), Cell(r.Segment), Cell(r.Owner), Cell(r.LifecycleStage), Cell(r.Plan), Num(r.Arr), Num(r.Score),
                        Cell(r.Grade), Num(r.Trend), Cell(r.RenewalOn), Cell(r.ScoredOn)]).Append('\n');
                }
                return (IResult)TypedResults.File(Encoding.UTF8.GetBytes(csv.ToString()), "text/csv; charset=utf-8", "accounts.csv");
            })
            .RequireAuthorization(Access.Read).ExcludeFromDescription();
        return app;
    }

    internal static string Num(double? v) => v?.ToString("0.##", CultureInfo.InvariantCulture) ?? "";

    // Quoted when needed; a leading = + - @ is defused so a spreadsheet does not run it as a formula.
    internal static string Cell(string? v)
    {
        if (string.IsNullOrEmpty(v))
        {
            return "";
        }
        if (v[0] is '=' or '+' or '-' or '@')
        {
            v = "'" + v;
        }
        return v.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }
}
