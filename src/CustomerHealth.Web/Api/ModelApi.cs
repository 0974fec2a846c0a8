using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Store;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Api;

/// <summary>
/// The health model: read it and its versions; publish a new one (the body is the YAML; errors point at its lines);
/// preview a draft: the score distribution and the accounts whose grade would change, with nothing published.
/// </summary>
internal static class ModelApi
{
    public sealed record ModelInfo(string VersionId, string Name, DateTimeOffset PublishedAt, string? Note, bool Current, string? Yaml);

    public sealed record GradeChange(string AccountId, string? Name, string? FromGrade, string? ToGrade, double? FromScore, double? ToScore);

    public sealed record Distribution(IReadOnlyDictionary<string, int> ByGrade, IReadOnlyList<int> Histogram, double? AverageScore);

    /// <summary>The what-if of a draft: current and draft side by side, as of one day; `histogram` counts scores in tenths of the scale.</summary>
    public sealed record Preview(
        string AsOf, string CurrentVersion, string DraftVersion, int AccountsScored, Distribution Current, Distribution Draft, int GradeChangesCount,
        IReadOnlyList<GradeChange> GradeChanges);

    public static RouteGroupBuilder MapModel(this RouteGroupBuilder api)
    {
        api.MapGet("/model", (StoreDb db, TimeProvider clock) =>
            new ModelVersions(db, clock).Current() is { } v
                ? (Results<Ok<ModelInfo>, ProblemHttpResult>)TypedResults.Ok(new ModelInfo(v.VersionId, v.Name, v.PublishedAt, v.Note, true, v.Yaml))
                : Problems.NotFound("no model is published yet"))
            .RequireAuthorization(Access.Read).WithSummary("The current model, with its YAML");
        api.MapGet("/model/versions", (StoreDb db, TimeProvider clock) =>
            {
                var all = new ModelVersions(db, clock).All();
                return TypedResults.Ok(all.Select((v, i) => new ModelInfo(v.VersionId, v.Name, v.PublishedAt, v.Note, i == all.Count - 1, null)).ToList());
            })
            .RequireAuthorization(Access.Read).WithSummary("Every published version, oldest first");
        api.MapPut("/model", Publish).RequireAuthorization(Access.Admin)
            .TakesBody("The model's YAML", "application/yaml", "text/plain")
            .WithSummary("Validate and publish a model (the body is its YAML; `note` says why); the scores follow within seconds");
        api.MapPost("/model/preview", PreviewDraft).RequireAuthorization(Access.Manage)
            .TakesBody("The draft model's YAML", "application/yaml", "text/plain")
            .WithSummary("What a draft model would do to today's scores, publishing nothing");
        return api;
    }

    private static async Task<Results<Ok<ModelInfo>, ProblemHttpResult>> Publish(
        HttpRequest request, string? note, StoreDb db, TimeProvider clock, ServerSettings settings, RescoreQueue rescore, CancellationToken cancel)
    {
        var (yaml, problem) = await Bodies.Read(request, settings.MaxBodyBytes, "send the model's YAML", cancel);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            var v = new ModelVersions(db, clock).Publish(yaml, "model.yaml", note);
            rescore.Notify();
            return TypedResults.Ok(new ModelInfo(v.VersionId, v.Name, v.PublishedAt, v.Note, true, v.Yaml));
        }
        catch (ModelInvalidException e)
        {
            return Problems.Yaml("The model is not valid", string.Join("\n", e.Errors.Select(x => x.Format("model.yaml"))), e.Errors);
        }
    }

    private static async Task<Results<Ok<Preview>, ProblemHttpResult>> PreviewDraft(
        HttpRequest request, string? asOf, StoreDb db, TimeProvider clock, ServerSettings settings, CancellationToken cancel)
    {
        var (yaml, problem) = await Bodies.Read(request, settings.MaxBodyBytes, "send the model's YAML", cancel);
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
        var models = new ModelVersions(db, clock);
        var current = models.Current();
        if (current is null)
        {
            return Problems.NotFound("no model is published yet; publish one first");
        }
        var run = new ScoringRun(db, models);
        DateOnly day;
        if (!Problems.TryDate(asOf, "as_of", out var given, out var badDay))
        {
            return badDay!;
        }
        day = given ?? (run.LatestDay() is { } s ? DateOnly.ParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture) : DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        var scored = run.Preview(day, current.Model, draft);
        var before = scored[0].ToDictionary(a => a.Account.AccountId);
        var after = scored[1];
        var changes = after
            .Select(a => (After: a, Before: before.GetValueOrDefault(a.Account.AccountId)))
            .Where(x => x.Before?.Grade?.Id != x.After.Grade?.Id)
            .Select(x => new GradeChange(x.After.Account.AccountId, x.After.Account.Field("name"), x.Before?.Grade?.Id, x.After.Grade?.Id, x.Before?.Score, x.After.Score))
            .OrderByDescending(c => Math.Abs((c.ToScore ?? 0) - (c.FromScore ?? 0)))
            .ToList();
        return TypedResults.Ok(new Preview(
            day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), current.VersionId, ModelLoader.VersionId(yaml), after.Count(a => a.Score is not null),
            Distribute(current.Model, before.Values), Distribute(draft, after), changes.Count, changes.Take(1000).ToList()));
    }

    private static Distribution Distribute(HealthModel model, IEnumerable<ScoredAccount> accounts)
    {
        var byGrade = model.Grades.ToDictionary(g => g.Id, _ => 0);
        var histogram = new int[10];
        double sum = 0;
        var n = 0;
        foreach (var a in accounts)
        {
            if (a.Grade is { } g)
            {
                byGrade[g.Id] = byGrade.GetValueOrDefault(g.Id) + 1;
            }
            if (a.Score is { } s)
            {
                histogram[Math.Clamp((int)(s / model.MaxScore * 10), 0, 9)]++;
                sum += s;
                n++;
            }
        }
        return new Distribution(byGrade, histogram, n > 0 ? Math.Round(sum / n, 1) : null);
    }
}
