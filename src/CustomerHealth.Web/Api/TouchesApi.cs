using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Accounts;
using CustomerHealth.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>
/// Notes, calls, meetings and e-mails on accounts (the `touches` signal): recording one, with an optional follow-up task,
/// and finding them. Files of touches come in through `/ingest/touches` like any kind. The records below are the wire
/// format, mapped from the store's.
/// </summary>
internal static class TouchesApi
{
    /// <summary>A touch to record: its kind, the day it happened (today when left out), the text, and an optional follow-up task.</summary>
    public sealed record NewTouch(string? Kind, string? OccurredOn, string? Text, FollowUpRequest? FollowUp);

    public sealed record FollowUpRequest(string? Title, string? Assignee, string? DueOn);

    /// <summary>What was recorded: the account, and the follow-up task opened with it, if any.</summary>
    public sealed record RecordedTouch(string AccountId, string Kind, long? TaskId);

    public sealed record TouchInfo(string AccountId, string? AccountName, string? TouchId, string Kind, string OccurredAt, string? Author, string? Text)
    {
        public static TouchInfo Of(TouchRow t) => new(t.AccountId, t.AccountName, t.TouchId, t.Kind, t.OccurredAt, t.Author, t.Text);
    }

    public static PolicyGroups MapTouches(this PolicyGroups api)
    {
        api.Read.MapGet("/touches", Search)
            .WithSummary("Notes, calls, meetings and e-mails, newest first: q (words in the text, author or account), account_id, kind, limit (1-500, default 100)");
        api.Sentiment.MapPost("/accounts/{id}/touches", Record)
            .WithSummary("Record a note, call, meeting or e-mail on an account ({kind, occurred_on, text, follow_up: {title, assignee, due_on}})");
        return api;
    }

    private static Results<Ok<IReadOnlyList<TouchInfo>>, ProblemHttpResult> Search(
        TouchReader reader, string? q, [FromQuery(Name = "account_id")] string? accountId, string? kind, int? limit)
    {
        if (limit is < 1 or > TouchReader.MaxLimit)
        {
            return Problems.BadField("limit", $"must be between 1 and {TouchReader.MaxLimit}");
        }
        if (kind is not null && !TouchRecord.Kinds.Contains(kind))
        {
            return Problems.BadField("kind", $"must be one of {string.Join(", ", TouchRecord.Kinds)}");
        }
        if ((FieldLimits.First(("q", q, FieldLimits.Kind.Label), ("account_id", accountId, FieldLimits.Kind.Id))) is { } refused)
        {
            return Problems.BadField(refused.Field, refused.Problem);
        }
        return TypedResults.Ok<IReadOnlyList<TouchInfo>>(reader.Search(new TouchSearch(q, accountId, kind, limit ?? 100)).Select(TouchInfo.Of).ToList());
    }

    private static Results<Created<RecordedTouch>, ProblemHttpResult> Record(
        string id, NewTouch? body, HttpContext ctx, AccountReader accounts, Importer importer, AlertBook book, TimeProvider clock, Jobs.RescoreQueue rescore)
    {
        if (body is null)
        {
            return Problems.BadField("body", "required: {\"kind\": \"call\", \"text\": \"...\"}");
        }
        var followUp = body.FollowUp is { } f ? new FollowUp(f.Title, f.Assignee, f.DueOn) : null;
        var outcome = new TouchWork(ctx.User, accounts, importer, book, clock).Record(id, body.Kind, body.OccurredOn, body.Text, followUp);
        if (outcome.NotFound)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        if (outcome.NotYours)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your account", detail: outcome.Problem);
        }
        if (!outcome.Recorded)
        {
            return Problems.BadField(outcome.Field!, outcome.Problem!, StatusCodes.Status422UnprocessableEntity);
        }
        rescore.Notify();
        return TypedResults.Created($"/api/v1/touches?account_id={Uri.EscapeDataString(id)}", new RecordedTouch(id, body.Kind!.Trim().ToLowerInvariant(), outcome.TaskId));
    }
}
