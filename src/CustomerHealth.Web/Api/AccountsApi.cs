using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>
/// The accounts and their scores: the list (filters, sort, paging; the total in `X-Total-Count`), one account
/// explained, its history, what changed between two dates, and the portfolio; overrides and sentiment notes.
/// The shapes are those of `chs accounts|show|history|explain --json`.
/// </summary>
internal static class AccountsApi
{
    public sealed record AccountItem(
        string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double? Score, string? Grade, double? Trend, string? Direction,
        string? ScoredOn, string? LifecycleStage, string? Plan, string? RenewalOn, string Status, double? ChurnProbability);

    public sealed record OverrideRequest(double? Score, string? Grade, string? Reason, string? Until);

    public sealed record SentimentRequest(System.Text.Json.JsonElement? Rating, string? Note);

    public static RouteGroupBuilder MapAccounts(this RouteGroupBuilder api)
    {
        var read = api.MapGroup("").RequireAuthorization(Access.Read);
        read.MapGet("/accounts", List).WithSummary("The current account list: grade, segment, owner, q (name or id contains), sort, limit, offset, include_churned");
        read.MapGet("/accounts/{id}", Show).WithSummary("One account: score, grade, trend and the full explanation (as_of for a past day)");
        read.MapGet("/accounts/{id}/history", History).WithSummary("An account's snapshots over time");
        read.MapGet("/accounts/{id}/explain", Explain).WithSummary("What changed in an account's score between two dates, and why");
        read.MapGet("/portfolio", (StoreDb db, TimeProvider clock) => TypedResults.Ok(new PortfolioReader(db, new ModelVersions(db, clock)).Read()))
            .WithSummary("Active accounts and ARR by current grade, average score");
        api.MapPost("/accounts/{id}/override", Override).RequireAuthorization(Access.Manage)
            .WithSummary("Set an account's score or grade by hand until a date, with a reason");
        api.MapPost("/accounts/{id}/sentiment", Sentiment).RequireAuthorization(Access.Sentiment)
            .WithSummary("Record the account manager's judgement (red, yellow, green or 1-5) with a note");
        return api;
    }

    private static Results<Ok<List<AccountItem>>, ProblemHttpResult> List(
        HttpContext ctx, StoreDb db, TimeProvider clock, string? grade, string? segment, string? owner, string? q, string? sort, int? limit, int? offset,
        [FromQuery(Name = "include_churned")] bool? includeChurned)
    {
        if (limit is < 1 or > 10_000)
        {
            return Problems.BadField("limit", "must be between 1 and 10000");
        }
        if (offset is < 0)
        {
            return Problems.BadField("offset", "must be 0 or more");
        }
        var query = new AccountQuery(grade, segment, owner, sort, limit ?? 100, offset ?? 0, includeChurned == true, q);
        var reader = new AccountReader(db, new ModelVersions(db, clock));
        try
        {
            // The page's query gives the total too; only a page past the end counts apart.
            var (rows, total) = reader.Page(query);
            ctx.Response.Headers["X-Total-Count"] = (total ?? reader.Count(query)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Ok(rows.Select(r => new AccountItem(r.AccountId, r.Name, r.Segment, r.Owner, r.Arr, r.Score, r.Grade, r.Trend, r.Direction,
                r.ScoredOn, r.LifecycleStage, r.Plan, r.RenewalOn, r.Status, r.ChurnProbability)).ToList());
        }
        catch (StoreException e) when (sort is not null)
        {
            return Problems.BadField("sort", e.Message);
        }
    }

    private static Results<Ok<AccountDetail>, ProblemHttpResult> Show(string id, [FromQuery(Name = "as_of")] string? asOf, StoreDb db, TimeProvider clock)
    {
        if (!Problems.TryDate(asOf, "as_of", out var day, out var problem))
        {
            return problem!;
        }
        var detail = new AccountReader(db, new ModelVersions(db, clock)).Show(id, day);
        return detail is null ? Problems.NotFound($"no account `{id}`") : TypedResults.Ok(detail);
    }

    private static Results<Ok<IReadOnlyList<HistoryPoint>>, ProblemHttpResult> History(string id, StoreDb db, TimeProvider clock)
    {
        var history = new AccountReader(db, new ModelVersions(db, clock)).History(id);
        return history is null ? Problems.NotFound($"no account `{id}`") : TypedResults.Ok(history);
    }

    private static Results<Ok<ScoreChange>, ProblemHttpResult> Explain(string id, string? from, string? to, StoreDb db, TimeProvider clock)
    {
        if (from is null)
        {
            return Problems.BadField("from", "required, as YYYY-MM-DD");
        }
        if (to is null)
        {
            return Problems.BadField("to", "required, as YYYY-MM-DD");
        }
        if (!Problems.TryDate(from, "from", out var f, out var p1))
        {
            return p1!;
        }
        if (!Problems.TryDate(to, "to", out var t, out var p2))
        {
            return p2!;
        }
        var reader = new AccountReader(db, new ModelVersions(db, clock));
        if (reader.Key(id) is null)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        try
        {
            return TypedResults.Ok(reader.Explain(id, f!.Value, t!.Value)!);
        }
        catch (StoreException e)
        {
            return Problems.BadField("from", e.Message, StatusCodes.Status422UnprocessableEntity, "No score to compare");
        }
    }

    private static Results<Created<AccountDetail>, ProblemHttpResult> Override(string id, OverrideRequest? body, StoreDb db, TimeProvider clock)
    {
        if (body is null)
        {
            return Problems.BadField("body", "send {score or grade, reason, until}");
        }
        if ((body.Score is null) == (body.Grade is null))
        {
            return Problems.BadField("score", "give either a score or a grade");
        }
        if (string.IsNullOrWhiteSpace(body.Reason))
        {
            return Problems.BadField("reason", "required: say why the score is set by hand");
        }
        if (FieldLimits.OverrideReason(body.Reason) is { } refused)
        {
            return Problems.BadField(refused.Field, refused.Problem);
        }
        if (body.Until is null || !Problems.TryDate(body.Until, "until", out var until, out var problem))
        {
            return Problems.BadField("until", "required, as YYYY-MM-DD");
        }
        var models = new ModelVersions(db, clock);
        if (new AccountReader(db, models).Key(id) is null)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        try
        {
            new OverrideBook(db, models, clock).Add(id, body.Score, body.Grade, body.Reason, until!.Value);
        }
        catch (StoreException e)
        {
            return Problems.BadField(e.Message.Contains("--until", StringComparison.Ordinal) ? "until" : body.Score is null ? "grade" : "score",
                e.Message.Replace("--", "", StringComparison.Ordinal), StatusCodes.Status422UnprocessableEntity);
        }
        return TypedResults.Created($"/api/v1/accounts/{Uri.EscapeDataString(id)}", new AccountReader(db, models).Show(id)!);
    }

    private static Results<Ok<IngestApi.IngestResult>, ProblemHttpResult> Sentiment(
        string id, SentimentRequest? body, HttpContext ctx, StoreDb db, TimeProvider clock, Jobs.RescoreQueue rescore)
    {
        if (body?.Rating is not { ValueKind: System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number } rating)
        {
            return Problems.BadField("rating", "required: red, yellow, green, or 1 to 5");
        }
        var reader = new AccountReader(db, new ModelVersions(db, clock));
        if (reader.Key(id) is null)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        // A key with the ingest scope records for a system; a person, as their role allows.
        if (ctx.User.FindFirst(Access.KindClaim)?.Value == "user" && !Components.UiAccess.MayRecordSentiment(ctx.User, reader.Owner(id)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your account",
                detail: $"a CSM records sentiment on the accounts they own; `{id}` is owned by someone else");
        }
        var r = new Importer(db, clock).RecordSentiment(id, rating.ValueKind == System.Text.Json.JsonValueKind.String ? rating.GetString() : rating.GetRawText(),
            body.Note, ctx.User.Identity?.Name);
        if (!r.Applied)
        {
            var e = r.Errors[0];
            return Problems.BadField(e.Field, e.Reason, StatusCodes.Status422UnprocessableEntity);
        }
        rescore.Notify();
        return TypedResults.Ok(new IngestApi.IngestResult(r.Changed, r.Unchanged, []));
    }
}
