using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Ingest;
using CustomerHealth.Web.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Api;

/// <summary>
/// `POST /api/v1/ingest/{kind}`: records of SPEC §3 as a JSON array or JSON Lines. A request lands whole or not at
/// all, unless `?partial=true` keeps the valid records; either way each bad record is reported by its 0-based
/// index and field. Records already stored with the same identity count as duplicates and change nothing.
/// </summary>
internal static class IngestApi
{
    public sealed record IngestResult(int Accepted, int Duplicates, IReadOnlyList<Problems.FieldError> Rejected);

    public static PolicyGroups MapIngest(this PolicyGroups api)
    {
        api.Ingest.MapPost("/ingest/{kind}", Ingest)
            .TakesBody("A JSON array of records, or JSON Lines (one record a line), with the fields of the kind (SPEC §3)", "application/json", "application/x-ndjson")
            .WithSummary("Send signals of one kind (accounts, usage, surveys, tickets, invoices, subscriptions, orders, metrics, sentiment, touches)");
        return api;
    }

    private static async Task<Results<Ok<IngestResult>, ProblemHttpResult>> Ingest(
        string kind, bool? partial, HttpRequest request, IngestWriter writer, ServerSettings settings, RescoreQueue rescore, CancellationToken cancel)
    {
        if (!RowParser.TryParseKind(kind, out var k))
        {
            return Problems.BadField("kind", $"unknown kind `{kind}`; kinds are {string.Join(", ", Enum.GetValues<ImportKind>().Select(x => x.Name()))}");
        }
        var (body, problem) = await Bodies.Read(request, settings.MaxBodyBytes, "send a JSON array of records or JSON Lines", cancel);
        if (problem is not null)
        {
            return problem;
        }
        // A JSON array is parsed here, once: a body that is not JSON at all is a bad request, not a bad record.
        JsonDocument? array = null;
        if (body.AsSpan().TrimStart() is ['[', ..])
        {
            try
            {
                array = JsonDocument.Parse(body);
            }
            catch (JsonException e)
            {
                return Problems.BadField("body", "not valid JSON: " + e.Message);
            }
        }
        CheckedRows rows;
        using (array)
        {
            // Read and checked here, on the request's thread: the writer only writes.
            rows = Importer.Check(k, array is null ? RowSource.JsonLines(new StringReader(body)) : RowSource.ArrayRows(array.RootElement), "request",
                new ImportOptions(SkipInvalid: partial == true, MaxListedErrors: 10_000));
        }
        var rejected = rows.Errors.Select(e => new Problems.FieldError(e.Field == "(line)" ? "record" : e.Field, e.Reason, e.Line - 1)).ToList();
        if (!rows.Lands)
        {
            return TypedResults.Problem(
                title: "Some records are not valid; nothing was stored",
                detail: $"{rows.Rejected} of {rows.Rows} records are not valid (the first: {rejected[0].Field} of record {rejected[0].Index}: {rejected[0].Error}); fix them, or send with ?partial=true to keep the valid ones",
                statusCode: StatusCodes.Status422UnprocessableEntity,
                extensions: new Dictionary<string, object?> { ["accepted"] = 0, ["duplicates"] = 0, ["rejected"] = rejected });
        }
        ImportResult result;
        try
        {
            result = (await writer.Write([rows]))[0];
        }
        catch (IngestFailedException)
        {
            return NotStored();
        }
        if (result.Changed > 0)
        {
            rescore.Notify();
        }
        return TypedResults.Ok(new IngestResult(result.Changed, result.Unchanged, rejected));
    }

    /// <summary>The store failed while writing the request's group (logged by the writer); a retry is safe, ingest being idempotent.</summary>
    internal static ProblemHttpResult NotStored(
        string title = "The store failed; nothing was stored",
        string detail = "writing this request failed and none of its records were stored; send it again (records already stored count as duplicates)") =>
        TypedResults.Problem(title: title, detail: detail, statusCode: StatusCodes.Status503ServiceUnavailable);
}
