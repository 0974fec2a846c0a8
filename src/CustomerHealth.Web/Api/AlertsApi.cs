using System.Globalization;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Api;

/// <summary>Alerts and tasks (SPEC §8): the open alerts and tasks, and acknowledging, snoozing and resolving alerts.</summary>
internal static class AlertsApi
{
    public sealed record AlertAction(string? Until);

    public sealed record NewTask(string? AccountId, string? Title, string? Assignee, string? DueOn, IReadOnlyList<string>? Steps);

    public sealed record TaskChange(string? Status, string? Outcome, string? Assignee, string? DueOn);

    public static RouteGroupBuilder MapAlerts(this RouteGroupBuilder api)
    {
        api.MapGet("/alerts", (StoreDb db, TimeProvider clock, bool? all) => TypedResults.Ok(new AlertBook(db, new ModelVersions(db, clock), clock).Alerts(all == true)))
            .RequireAuthorization(Access.Read).WithSummary("The open alerts, most severe first (all=true: resolved ones too)");
        api.MapGet("/tasks", (StoreDb db, TimeProvider clock, string? assignee, bool? all) =>
                TypedResults.Ok(new AlertBook(db, new ModelVersions(db, clock), clock).Tasks(assignee, all == true)))
            .RequireAuthorization(Access.Read).WithSummary("Open tasks, soonest due first (assignee=, all=true: done ones too)");
        foreach (var action in new[] { "acknowledge", "snooze", "resolve" })
        {
            api.MapPost($"/alerts/{{id:long}}/{action}", (long id, AlertAction? body, HttpContext ctx, StoreDb db, TimeProvider clock) => Act(id, action, body, ctx, db, clock))
                .RequireAuthorization(Access.Sentiment).WithSummary(action == "snooze" ? "Snooze an alert until a day ({until})" : $"{char.ToUpperInvariant(action[0])}{action[1..]} an alert");
        }
        api.MapGet("/alerts/rules", (StoreDb db, TimeProvider clock) =>
                TypedResults.Text(new AlertBook(db, new ModelVersions(db, clock), clock).RulesYaml() ?? "rules: []\n", "application/yaml"))
            .RequireAuthorization(Access.Read).WithSummary("The alert rules in force, as YAML");
        api.MapPut("/alerts/rules", PutRules).RequireAuthorization(Access.Admin)
            .TakesBody("The alert rules file (YAML, SPEC §8)", "application/yaml", "text/plain")
            .WithSummary("Validate and put alert rules in force; errors point at the YAML line");
        api.MapPost("/tasks", CreateTask).RequireAuthorization(Access.Sentiment).WithSummary("Create a task on an account ({account_id, title, assignee, due_on, steps})");
        api.MapPatch("/tasks/{id:long}", UpdateTask).RequireAuthorization(Access.Sentiment)
            .WithSummary("Change a task: status (open, in_progress, done), outcome, assignee, due_on");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<string>>, ProblemHttpResult>> PutRules(
        HttpRequest request, StoreDb db, TimeProvider clock, ServerSettings settings, CancellationToken cancel)
    {
        var (yaml, problem) = await Bodies.Read(request, settings.MaxBodyBytes, null, cancel);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            var rules = new AlertBook(db, new ModelVersions(db, clock), clock).SetRules(yaml, "rules.yaml");
            return TypedResults.Ok<IReadOnlyList<string>>(rules.Rules.Select(r => r.Id).ToList());
        }
        catch (AlertRulesInvalidException e)
        {
            return Problems.Yaml("The alert rules are not valid", e.Message, e.Errors);
        }
        catch (StoreException e)
        {
            return Problems.BadField("body", e.Message, StatusCodes.Status422UnprocessableEntity, "The alert rules do not fit the model");
        }
    }

    /// <summary>
    /// A signed-in CSM works on their own accounts' alerts and tasks and the tasks assigned to them (SPEC §10);
    /// managers, admins and API keys are not limited. Returns the CSM's e-mail, or null when no limit applies.
    /// </summary>
    private static string? CsmLimit(HttpContext ctx) =>
        ctx.User.FindFirst(Access.KindClaim)?.Value == "user" && Components.UiAccess.OnlyOwn(ctx.User)
            ? ctx.User.Identity?.Name ?? ""
            : null;

    private static bool Same(string? a, string? b) => a is not null && b is not null && string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    private static ProblemHttpResult NotYours(string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your account",
            detail: $"As a CSM you {what} only on the accounts you own (and tasks assigned to you); ask the account's owner or a manager.");

    private static Results<Created<TaskView>, ProblemHttpResult> CreateTask(NewTask? body, HttpContext ctx, StoreDb db, TimeProvider clock)
    {
        if (body?.AccountId is null)
        {
            return Problems.BadField("account_id", "required");
        }
        if (string.IsNullOrWhiteSpace(body.Title))
        {
            return Problems.BadField("title", "required");
        }
        if ((FieldLimits.First(("account_id", body.AccountId, FieldLimits.Kind.Id)) ?? FieldLimits.Task(body.Title, body.Assignee, body.Steps, null)) is { } refused)
        {
            return Problems.BadField(refused.Field, refused.Problem);
        }
        if (!Problems.TryDate(body.DueOn, "due_on", out var due, out var badDue))
        {
            return badDue!;
        }
        var models = new ModelVersions(db, clock);
        if (CsmLimit(ctx) is { } csm && !Same(new AccountReader(db, models).Owner(body.AccountId), csm))
        {
            return NotYours("create tasks");
        }
        var book = new AlertBook(db, models, clock);
        try
        {
            var id = book.CreateTask(body.AccountId, body.Title, body.Assignee, due, body.Steps ?? []);
            return TypedResults.Created($"/api/v1/tasks/{id}", book.Task(id)!);
        }
        catch (StoreException e)
        {
            return Problems.BadField("account_id", e.Message, StatusCodes.Status422UnprocessableEntity);
        }
    }

    private static Results<Ok<TaskView>, ProblemHttpResult> UpdateTask(long id, TaskChange? body, HttpContext ctx, StoreDb db, TimeProvider clock)
    {
        if (!Problems.TryDate(body?.DueOn, "due_on", out var due, out var badDue))
        {
            return badDue!;
        }
        if (FieldLimits.Task(null, body?.Assignee, null, body?.Outcome) is { } refused)
        {
            return Problems.BadField(refused.Field, refused.Problem);
        }
        var models = new ModelVersions(db, clock);
        var book = new AlertBook(db, models, clock);
        if (CsmLimit(ctx) is { } csm && book.Task(id) is { } task
            && !Same(task.Assignee, csm) && !Same(new AccountReader(db, models).Owner(task.AccountId), csm))
        {
            return NotYours("change tasks");
        }
        try
        {
            return book.UpdateTask(id, body?.Status, body?.Outcome, body?.Assignee, due)
                ? TypedResults.Ok(book.Task(id)!)
                : Problems.NotFound($"no task {id}");
        }
        catch (StoreException e)
        {
            return Problems.BadField("status", e.Message);
        }
    }

    private static Results<NoContent, ProblemHttpResult> Act(long id, string action, AlertAction? body, HttpContext ctx, StoreDb db, TimeProvider clock)
    {
        DateOnly? until = null;
        if (action == "snooze")
        {
            if (body?.Until is null)
            {
                return Problems.BadField("until", "required: the day the snooze ends, as YYYY-MM-DD");
            }
            if (!Problems.TryDate(body.Until, "until", out until, out var badDay))
            {
                return badDay!;
            }
        }
        var book = new AlertBook(db, new ModelVersions(db, clock), clock);
        if (CsmLimit(ctx) is { } csm && book.Alert(id) is { } alert && !Same(alert.Owner, csm))
        {
            return NotYours("work alerts");
        }
        return book.Act(id, action, Access.Caller(ctx.User), until)
            ? TypedResults.NoContent()
            : Problems.NotFound($"no open alert {id}");
    }
}
