using CustomerHealth.Core.Model;
using CustomerHealth.Store.Drafts;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CustomerHealth.Web.Api;

/// <summary>
/// The health model: read it and its versions; publish a new one (the body is the YAML; errors point at its lines);
/// preview a draft: the score distribution and the accounts whose grade would change, with nothing published.
/// </summary>
internal static class ModelApi
{
    public sealed record ModelInfo(string VersionId, string Name, DateTimeOffset PublishedAt, string? Note, bool Current, string? Yaml);

    /// <summary>
    /// The current version after a publish, as <see cref="ModelInfo"/>; `AlreadyPublished`: the model meant the same as
    /// the current version (comments and layout aside), so nothing was published.
    /// </summary>
    public sealed record PublishedModel(string VersionId, string Name, DateTimeOffset PublishedAt, string? Note, bool Current, string? Yaml, bool AlreadyPublished);

    /// <summary>What a draft would do (`histogram` counts scores in tenths of the scale).</summary>
    public sealed record PreviewInfo(
        string AsOf, string CurrentVersion, string DraftVersion, int AccountsScored, DistributionInfo Current, DistributionInfo Draft, int GradeChangesCount,
        IReadOnlyList<GradeChangeInfo> GradeChanges)
    {
        public static PreviewInfo Of(Preview p) =>
            new(p.AsOf, p.CurrentVersion, p.DraftVersion, p.AccountsScored, DistributionInfo.Of(p.Current), DistributionInfo.Of(p.Draft), p.GradeChangesCount,
                p.GradeChanges.Select(GradeChangeInfo.Of).ToList());
    }

    public sealed record DistributionInfo(IReadOnlyDictionary<string, int> ByGrade, IReadOnlyList<int> Histogram, double? AverageScore)
    {
        public static DistributionInfo Of(Distribution d) => new(d.ByGrade, d.Histogram, d.AverageScore);
    }

    public sealed record GradeChangeInfo(string AccountId, string? Name, string? FromGrade, string? ToGrade, double? FromScore, double? ToScore)
    {
        public static GradeChangeInfo Of(GradeChange g) => new(g.AccountId, g.Name, g.FromGrade, g.ToGrade, g.FromScore, g.ToScore);
    }

    public static PolicyGroups MapModel(this PolicyGroups api)
    {
        api.Read.MapGet("/model", (ModelVersions models) =>
            models.Current() is { } v
                ? (Results<Ok<ModelInfo>, ProblemHttpResult>)TypedResults.Ok(new ModelInfo(v.VersionId, v.Name, v.PublishedAt, v.Note, true, v.Yaml))
                : Problems.NotFound("no model is published yet"))
            .WithSummary("The current model, with its YAML");
        api.Read.MapGet("/model/versions", (ModelVersions models) =>
            {
                var all = models.All();
                return TypedResults.Ok(all.Select((v, i) => new ModelInfo(v.VersionId, v.Name, v.PublishedAt, v.Note, i == all.Count - 1, null)).ToList());
            })
            .WithSummary("Every published version, oldest first");
        api.Admin.MapPut("/model", Publish)
            .TakesBody("The model's YAML", "application/yaml", "text/plain")
            .WithSummary("Validate and publish a model (the body is its YAML; `note` says why); the scores follow within seconds");
        api.Manage.MapPost("/model/preview", PreviewDraft)
            .TakesBody("The draft model's YAML", "application/yaml", "text/plain")
            .WithSummary("What a draft model would do to today's scores, publishing nothing");
        return api;
    }

    /// <summary>A model is read no further than the size a model may have: a huge draft is refused before it is buffered or parsed.</summary>
    private static Task<(string Text, ProblemHttpResult? Problem)> ReadModel(HttpRequest request, ServerSettings settings, CancellationToken cancel) =>
        Bodies.Read(request, Math.Min(settings.MaxBodyBytes, YamlLimits.MaxBytes), "send the model's YAML", cancel,
            $"a model is at most {YamlLimits.MaxBytes / 1024} KB and {YamlLimits.MaxMeasures} measures (see docs/model-reference.md#limits)");

    private static async Task<Results<Ok<PublishedModel>, ProblemHttpResult>> Publish(
        HttpRequest request, string? note, ModelVersions models, ServerSettings settings, RescoreQueue rescore, CancellationToken cancel)
    {
        var (yaml, problem) = await ReadModel(request, settings, cancel);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            var v = models.Publish(yaml, "model.yaml", note, out var alreadyCurrent);
            if (!alreadyCurrent)
            {
                rescore.Notify();
            }
            return TypedResults.Ok(new PublishedModel(v.VersionId, v.Name, v.PublishedAt, v.Note, true, v.Yaml, alreadyCurrent));
        }
        catch (ModelInvalidException e)
        {
            return Problems.Yaml("The model is not valid", string.Join("\n", e.Errors.Select(x => x.Format("model.yaml"))), e.Errors);
        }
    }

    /// <summary>Previews a draft; <paramref name="cancel"/> is the request's: the scoring stops soon after the client leaves.</summary>
    private static async Task<Results<Ok<PreviewInfo>, ProblemHttpResult>> PreviewDraft(
        HttpRequest request, [FromQuery(Name = "as_of")] string? asOf, ModelVersions models, DraftModel drafts, ServerSettings settings, DraftRuns runs,
        CancellationToken cancel)
    {
        var (yaml, problem) = await ReadModel(request, settings, cancel);
        if (problem is not null)
        {
            return problem;
        }
        HealthModel draft;
        try
        {
            draft = ModelLoader.Load(yaml, "draft.yaml");
        }
        catch (ModelInvalidException e)
        {
            return Problems.Yaml("The model is not valid", string.Join("\n", e.Errors.Select(x => x.Format("model.yaml"))), e.Errors);
        }
        if (models.Current() is null)
        {
            return Problems.NotFound("no model is published yet; publish one first");
        }
        if (!Problems.TryDate(asOf, "as_of", out var given, out var badDay))
        {
            return badDay!;
        }
        using var turn = runs.TryStart(Access.Caller(request.HttpContext.User));
        if (turn is null)
        {
            return TypedResults.Problem(title: "A preview is already running", detail: DraftRuns.AlreadyRunning, statusCode: StatusCodes.Status429TooManyRequests);
        }
        if (given is { } future && models.FutureDayRefusal(future) is { } why)
        {
            return Problems.BadField("as_of", why);
        }
        var day = given ?? drafts.PreviewDay(models.Today());
        try
        {
            return TypedResults.Ok(PreviewInfo.Of(drafts.Preview(draft, ModelLoader.VersionId(draft), day, cancel: cancel)));
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            // Nobody reads the answer: the client left.
            runs.NoteStopped("preview");
            return TypedResults.Problem(title: "The preview was cancelled", statusCode: StatusCodes.Status499ClientClosedRequest);
        }
    }
}
