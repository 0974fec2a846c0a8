using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Api;

/// <summary>RFC 9457 problem responses that name the bad field.</summary>
internal static class Problems
{
    public sealed record FieldError(string Field, string Error, int? Index = null);

    public static ProblemHttpResult BadField(string field, string detail, int status = StatusCodes.Status400BadRequest, string title = "The request is not valid") =>
        TypedResults.Problem(detail: $"{field}: {detail}", statusCode: status, title: title,
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { new FieldError(field, detail) } });

    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(detail: what, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult TooLarge(Bodies.TooLargeException e) =>
        TypedResults.Problem(detail: e.Message, statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large");
}
