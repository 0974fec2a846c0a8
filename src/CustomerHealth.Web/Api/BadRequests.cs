using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;

namespace CustomerHealth.Web.Api;

/// <summary>
/// Requests the framework cannot bind — a query value that is not a number, a body that is not the JSON an endpoint
/// reads, a dashboard page's query value of the wrong type — answered as a 400 problem naming the parameter or field,
/// never a 500 and never a bare 400.
/// </summary>
internal sealed partial class BadRequests(IProblemDetailsService problems) : IExceptionHandler
{
    /// <summary>
    /// Refuses a query or route value holding a NUL character (400 naming the parameter) before any endpoint or page
    /// sees it: PostgreSQL cannot take NUL in text, and no name, id or filter of the product holds one.
    /// </summary>
    public static IApplicationBuilder RefuseNul(IApplicationBuilder app) => app.Use(async (ctx, next) =>
    {
        var bad = ctx.Request.Query.FirstOrDefault(q => q.Key.Contains('\0', StringComparison.Ordinal) || q.Value.Any(v => v?.Contains('\0', StringComparison.Ordinal) == true)).Key
            ?? ctx.Request.RouteValues.FirstOrDefault(r => r.Value is string s && s.Contains('\0', StringComparison.Ordinal)).Key;
        if (bad is not null)
        {
            await Problems.BadField(bad.Replace("\0", "", StringComparison.Ordinal), "must not contain a NUL character").ExecuteAsync(ctx);
            return;
        }
        await next(ctx);
    });

    public async ValueTask<bool> TryHandleAsync(HttpContext ctx, Exception exception, CancellationToken cancellationToken)
    {
        if (ctx.Response.HasStarted || Describe(exception) is not var (status, field, detail))
        {
            return false;
        }
        // The framework names the handler's parameter (`includeChurned`); the caller sent the documented name (`include_churned`).
        if (!ctx.Request.Query.ContainsKey(field) && JsonNamingPolicy.SnakeCaseLower.ConvertName(field) is var sent && ctx.Request.Query.ContainsKey(sent))
        {
            field = sent;
        }
        ctx.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = ctx,
            Exception = exception,
            ProblemDetails =
            {
                Status = status,
                Title = status == StatusCodes.Status400BadRequest ? "The request is not valid" : "The request cannot be taken",
                Detail = $"{field}: {detail}",
                Extensions = { ["errors"] = new[] { new Problems.FieldError(field, detail) } },
            },
        });
    }

    /// <summary>The status, the parameter or field at fault and what is wrong; null for an exception that is not a bad request.</summary>
    internal static (int Status, string Field, string Detail)? Describe(Exception e)
    {
        switch (e)
        {
            case BadHttpRequestException { InnerException: JsonException json } bad:
                var field = json.Path is { Length: > 2 } path && path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : "body";
                return (bad.StatusCode, field, $"the body is not the JSON expected{(json.LineNumber is { } line ? $" (line {line + 1}, byte {json.BytePositionInLine + 1})" : "")}: {Short(FirstLine(json.Message))}");
            case BadHttpRequestException bad when BindFailure().Match(bad.Message) is { Success: true } m:
                return (bad.StatusCode, m.Groups["name"].Value, $"must be {Expected(m.Groups["type"].Value)}, got '{Short(m.Groups["value"].Value)}'");
            case BadHttpRequestException bad:
                return (bad.StatusCode, Quoted().Match(bad.Message) is { Success: true } q ? q.Groups["name"].Value : "request", Short(bad.Message));
            case InvalidOperationException when PageQueryFailure().Match(e.Message) is { Success: true } m:
                return (StatusCodes.Status400BadRequest, m.Groups["name"].Value, $"must be {Expected(m.Groups["type"].Value)}, got '{Short(m.Groups["value"].Value)}'");
            default:
                return null;
        }
    }

    private static string Expected(string type) => type switch
    {
        _ when type.Contains("int", StringComparison.OrdinalIgnoreCase) || type.Contains("long", StringComparison.OrdinalIgnoreCase) => "a whole number",
        _ when type.Contains("double", StringComparison.OrdinalIgnoreCase) || type.Contains("decimal", StringComparison.OrdinalIgnoreCase) => "a number",
        _ when type.Contains("bool", StringComparison.OrdinalIgnoreCase) => "true or false",
        _ when type.Contains("Date", StringComparison.Ordinal) => "a date as YYYY-MM-DD",
        _ => "a value of another form",
    };

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    private static string Short(string s) => s.Length > 100 ? s[..100] + "…" : s;

    // Failed to bind parameter "Nullable<int> limit" from "abc".
    [GeneratedRegex("""^Failed to bind parameter "(?<type>\S+) (?<name>[^"]+)" from "(?<value>.*)"\.$""", RegexOptions.Singleline)]
    private static partial Regex BindFailure();

    [GeneratedRegex("parameter \"(?:\\S+ )?(?<name>[^\" ]+)\"")]
    private static partial Regex Quoted();

    // Blazor's [SupplyParameterFromQuery]: Cannot parse the value 'abc' as type 'System.Nullable`1[System.Int32]' for 'page'.
    [GeneratedRegex("""^Cannot parse the value '(?<value>.*)' as type '(?<type>[^']+)' for '(?<name>[^']+)'""", RegexOptions.Singleline)]
    private static partial Regex PageQueryFailure();
}
