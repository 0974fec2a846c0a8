using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Imports;

/// <summary>The rejected-rows file of an import made on the dashboard, for the managers and admins who import.</summary>
internal static class RejectedDownloads
{
    public static IEndpointRouteBuilder MapRejectedDownloads(this IEndpointRouteBuilder app)
    {
        app.MapGet("/import/rejected/{id}", Results<PhysicalFileHttpResult, ProblemHttpResult> (string id, Uploads uploads) =>
                uploads.RejectedFile(id) is { } file
                    ? TypedResults.PhysicalFile(file, file.EndsWith(".jsonl", StringComparison.Ordinal) ? "application/jsonl" : "text/csv; charset=utf-8",
                        file.EndsWith(".jsonl", StringComparison.Ordinal) ? "rejected.jsonl" : "rejected.csv")
                    : Api.Problems.NotFound("no rejected rows of that import: it wrote none, or it was more than a day ago"))
            .ExcludeFromDescription();
        return app;
    }
}
