using System.Globalization;
using CustomerHealth.Core.Model;
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

    public sealed record YamlError(int Line, int Column, string Message);

    /// <summary>A refused YAML file (a model, alert rules): 422 with every problem at its line and column.</summary>
    public static ProblemHttpResult Yaml(string title, string detail, IEnumerable<ModelError> errors) =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status422UnprocessableEntity,
            extensions: new Dictionary<string, object?> { ["errors"] = errors.Select(x => new YamlError(x.Line, x.Column, x.Message)).ToList() });

    /// <summary>An optional YYYY-MM-DD parameter: true with the day (null when absent), or false with the problem naming the field.</summary>
    public static bool TryDate(string? text, string field, out DateOnly? day, out ProblemHttpResult? problem)
    {
        day = null;
        problem = null;
        if (text is null)
        {
            return true;
        }
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            day = d;
            return true;
        }
        problem = BadField(field, $"must be a date as YYYY-MM-DD, got '{text}'");
        return false;
    }
}
