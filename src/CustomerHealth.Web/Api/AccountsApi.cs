using System.Globalization;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Prediction;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>
/// The accounts and their scores: the list (filters, sort, paging; the total in `X-Total-Count`), one account
/// explained, its history, what changed between two dates, and the portfolio; overrides and sentiment notes.
/// The shapes are those of `chs accounts|show|history|explain --json`; the records below are that wire format, mapped
/// from the store's (which may change without changing the API).
/// </summary>
internal static class AccountsApi
{
    public sealed record AccountItem(
        string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double? Score, string? Grade, double? Trend, string? Direction,
        string? ScoredOn, string? LifecycleStage, string? Plan, string? RenewalOn, string Status, double? ChurnProbability,
        ChurnIntervalInfo? ChurnInterval, IReadOnlyList<ChurnDriverInfo>? ChurnDrivers, string? ChurnPredictor)
    {
        public static AccountItem Of(AccountRow r) =>
            new(r.AccountId, r.Name, r.Segment, r.Owner, r.Arr, r.Score, r.Grade, r.Trend, r.Direction, r.ScoredOn, r.LifecycleStage, r.Plan, r.RenewalOn, r.Status, r.ChurnProbability,
                ChurnIntervalInfo.Of(r.ChurnInterval), ChurnDriverInfo.Of(r.ChurnDrivers), r.ChurnPredictor);
    }

    /// <summary>How sure a learned churn probability is (its Venn–Abers interval).</summary>
    public sealed record ChurnIntervalInfo(double Low, double High)
    {
        public static ChurnIntervalInfo? Of(ChurnInterval? i) => i is null ? null : new(i.Low, i.High);
    }

    /// <summary>One of an account's top drivers of churn risk, in points of probability, and in words.</summary>
    public sealed record ChurnDriverInfo(string Feature, string Label, double? Value, double Points, string Text)
    {
        public static IReadOnlyList<ChurnDriverInfo>? Of(IReadOnlyList<ChurnDriver>? drivers) =>
            drivers?.Select(d => new ChurnDriverInfo(d.Feature, d.Label, d.Value, d.Points, d.Text)).ToList();
    }

    /// <summary>One account explained (`chs show --json`).</summary>
    public sealed record AccountInfo(
        string AccountId, string? Name, double? Score, string? Grade, string? GradeLabel, string? Scorecard, string? ModelVersion, string AsOf,
        double? ComputedScore, string? OverrideReason, double? Trend, string? Direction, string? Note, ProfileInfo Profile,
        IReadOnlyList<DimensionInfo> Dimensions, bool Stored, double? ChurnProbability, int? ChurnHorizonDays, double? Coverage,
        ChurnIntervalInfo? ChurnInterval, IReadOnlyList<ChurnDriverInfo>? ChurnDrivers, string? ChurnPredictor, StaleSource? StaleSource)
    {
        public static AccountInfo Of(AccountDetail d) =>
            new(d.AccountId, d.Name, d.Score, d.Grade, d.GradeLabel, d.Scorecard, d.ModelVersion, d.AsOf, d.ComputedScore, d.OverrideReason, d.Trend, d.Direction, d.Note,
                ProfileInfo.Of(d.Profile), d.Dimensions.Select(DimensionInfo.Of).ToList(), d.Stored, d.ChurnProbability, d.ChurnHorizonDays, d.Coverage,
                ChurnIntervalInfo.Of(d.ChurnInterval), ChurnDriverInfo.Of(d.ChurnDrivers), d.ChurnPredictor, d.StaleSource);
    }

    public sealed record ProfileInfo(
        string? Segment, string? LifecycleStage, string? Owner, double? Arr, double? Seats, string? Plan, string? StartedOn, string? RenewalOn,
        string? ParentId, string Status, string? ChurnedOn)
    {
        public static ProfileInfo Of(AccountProfile p) =>
            new(p.Segment, p.LifecycleStage, p.Owner, p.Arr, p.Seats, p.Plan, p.StartedOn, p.RenewalOn, p.ParentId, p.Status, p.ChurnedOn);
    }

    public sealed record DimensionInfo(string Id, string Label, double? Score, double EffectiveWeight, double Contribution, IReadOnlyList<MeasureInfo> Measures)
    {
        public static DimensionInfo Of(DimensionExplanation d) =>
            new(d.Id, d.Label, d.Score, d.EffectiveWeight, d.Contribution, d.Measures.Select(MeasureInfo.Of).ToList());
    }

    /// <summary>One measure of the breakdown; its value is a number, or the text of a categorical one.</summary>
    public sealed record MeasureInfo(string Id, string Label, object? Value, double? Score, double EffectiveWeight, double Contribution, bool Missing, bool Stale)
    {
        public static MeasureInfo Of(MeasureExplanation m) => new(m.Id, m.Label, m.Value, m.Score, m.EffectiveWeight, m.Contribution, m.Missing, m.Stale);
    }

    /// <summary>One snapshot of an account's history (`chs history --json`).</summary>
    public sealed record HistoryInfo(string AsOf, double? Score, string? Grade, string ModelVersion, double? ComputedScore, string? OverrideReason, bool ModelChanged)
    {
        public static HistoryInfo Of(HistoryPoint p) => new(p.AsOf, p.Score, p.Grade, p.ModelVersion, p.ComputedScore, p.OverrideReason, p.ModelChanged);
    }

    /// <summary>What changed in an account's score between two dates, and why (`chs explain --json`).</summary>
    public sealed record ChangeInfo(
        string AccountId, string From, string To, double? FromScore, double? ToScore, double? Change, string? FromGrade, string? ToGrade,
        string FromModelVersion, string ToModelVersion, bool ModelChanged, IReadOnlyList<ContributionInfo> Changes)
    {
        public static ChangeInfo Of(ScoreChange c) =>
            new(c.AccountId, c.From, c.To, c.FromScore, c.ToScore, c.Change, c.FromGrade, c.ToGrade, c.FromModelVersion, c.ToModelVersion, c.ModelChanged,
                c.Changes.Select(ContributionInfo.Of).ToList());
    }

    public sealed record ContributionInfo(
        string? Dimension, string? Measure, string Label, object? FromValue, object? ToValue, double FromContribution, double ToContribution, double Change, string? Cause)
    {
        public static ContributionInfo Of(ContributionChange c) =>
            new(c.Dimension, c.Measure, c.Label, c.FromValue, c.ToValue, c.FromContribution, c.ToContribution, c.Change, c.Cause);
    }

    public sealed record PortfolioInfo(
        string? ScoredOn, string? ModelVersion, int Accounts, int Scored, int Unscored, int Churned, double Arr, double? AverageScore, IReadOnlyList<GradeInfo> ByGrade)
    {
        public static PortfolioInfo Of(Portfolio p) =>
            new(p.ScoredOn, p.ModelVersion, p.Accounts, p.Scored, p.Unscored, p.Churned, p.Arr, p.AverageScore, p.ByGrade.Select(GradeInfo.Of).ToList());
    }

    public sealed record GradeInfo(string Grade, string? Label, string? Color, int Accounts, double Arr)
    {
        public static GradeInfo Of(GradeShare g) => new(g.Grade, g.Label, g.Color, g.Accounts, g.Arr);
    }

    public sealed record OverrideRequest(double? Score, string? Grade, string? Reason, string? Until);

    public sealed record SentimentRequest(System.Text.Json.JsonElement? Rating, string? Note);

    public static PolicyGroups MapAccounts(this PolicyGroups api)
    {
        api.Read.MapGet("/accounts", List).WithSummary("The current account list: grade, segment, owner, q (name or id contains), sort, limit, offset, include_churned");
        api.Read.MapGet("/accounts/{id}", Show).WithSummary("One account: score, grade, trend and the full explanation (as_of for a past day)");
        api.Read.MapGet("/accounts/{id}/history", History).WithSummary("An account's snapshots over time");
        api.Read.MapGet("/accounts/{id}/explain", Explain).WithSummary("What changed in an account's score between two dates, and why");
        api.Read.MapGet("/portfolio", (PortfolioReader portfolio) => TypedResults.Ok(PortfolioInfo.Of(portfolio.Read())))
            .WithSummary("Active accounts and ARR by current grade, average score");
        api.Manage.MapPost("/accounts/{id}/override", Override).WithSummary("Set an account's score or grade by hand until a date, with a reason");
        api.Sentiment.MapPost("/accounts/{id}/sentiment", Sentiment).WithSummary("Record the account manager's judgement (red, yellow, green or 1-5) with a note");
        return api;
    }

    private static Results<Ok<List<AccountItem>>, ProblemHttpResult> List(
        HttpContext ctx, AccountReader reader, string? grade, string? segment, string? owner, string? q, string? sort, int? limit, int? offset,
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
        try
        {
            // The page's query gives the total too; only a page past the end counts apart.
            var (rows, total) = reader.Page(query);
            ctx.Response.Headers["X-Total-Count"] = (total ?? reader.Count(query)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Ok(rows.Select(AccountItem.Of).ToList());
        }
        catch (StoreException e) when (sort is not null)
        {
            return Problems.BadField("sort", e.Message);
        }
    }

    private static Results<Ok<AccountInfo>, ProblemHttpResult> Show(string id, [FromQuery(Name = "as_of")] string? asOf, AccountReader reader)
    {
        if (!Problems.TryDate(asOf, "as_of", out var day, out var problem))
        {
            return problem!;
        }
        var detail = reader.Show(id, day);
        return detail is null ? Problems.NotFound($"no account `{id}`") : TypedResults.Ok(AccountInfo.Of(detail));
    }

    private static Results<Ok<List<HistoryInfo>>, ProblemHttpResult> History(string id, AccountReader reader)
    {
        var history = reader.History(id);
        return history is null ? Problems.NotFound($"no account `{id}`") : TypedResults.Ok(history.Select(HistoryInfo.Of).ToList());
    }

    private static Results<Ok<ChangeInfo>, ProblemHttpResult> Explain(string id, string? from, string? to, AccountReader reader)
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
        if (reader.Key(id) is null)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        try
        {
            return TypedResults.Ok(ChangeInfo.Of(reader.Explain(id, f!.Value, t!.Value)!));
        }
        catch (StoreException e)
        {
            return Problems.BadField("from", e.Message, StatusCodes.Status422UnprocessableEntity, "No score to compare");
        }
    }

    private static Results<Created<AccountInfo>, ProblemHttpResult> Override(string id, OverrideRequest? body, AccountReader reader, OverrideBook overrides)
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
        if (reader.Key(id) is null)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        try
        {
            overrides.Add(id, body.Score, body.Grade, body.Reason, until!.Value);
        }
        catch (StoreException e)
        {
            return Problems.BadField(e.Message.Contains("--until", StringComparison.Ordinal) ? "until" : body.Score is null ? "grade" : "score",
                e.Message.Replace("--", "", StringComparison.Ordinal), StatusCodes.Status422UnprocessableEntity);
        }
        return TypedResults.Created($"/api/v1/accounts/{Uri.EscapeDataString(id)}", AccountInfo.Of(reader.Show(id)!));
    }

    private static Results<Ok<IngestApi.IngestResult>, ProblemHttpResult> Sentiment(
        string id, SentimentRequest? body, HttpContext ctx, AccountReader reader, Importer importer, Jobs.RescoreQueue rescore)
    {
        if (body?.Rating is not { ValueKind: System.Text.Json.JsonValueKind.String or System.Text.Json.JsonValueKind.Number } rating)
        {
            return Problems.BadField("rating", "required: red, yellow, green, or 1 to 5");
        }
        if (reader.Key(id) is null)
        {
            return Problems.NotFound($"no account `{id}`");
        }
        // A key with the ingest scope records for a system; a person, as their role allows.
        if (Rights.IsPerson(ctx.User) && !Rights.MayRecordOn(ctx.User, reader.Owner(id)))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your account",
                detail: $"a CSM records sentiment on the accounts they own; `{id}` is owned by someone else");
        }
        var r = importer.RecordSentiment(id, rating.ValueKind == System.Text.Json.JsonValueKind.String ? rating.GetString() : rating.GetRawText(),
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
