using System.Globalization;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Alerts;
using CustomerHealth.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Api;

/// <summary>Alerts and tasks (SPEC §8): the open alerts and tasks, and acknowledging, snoozing and resolving alerts.</summary>
internal static class AlertsApi
{
    public sealed record AlertInfo(
        long Id, string RuleId, string AccountId, string? AccountName, string? Owner, string Severity, string State, string Reason, double? Score, string? Grade,
        double? PreviousScore, string? PreviousGrade, string OpenedOn, string UpdatedOn, string? SnoozedUntil, string? ResolvedOn, string? ResolvedBy)
    {
        public static AlertInfo Of(AlertView a) =>
            new(a.Id, a.RuleId, a.AccountId, a.AccountName, a.Owner, a.Severity, a.State, a.Reason, a.Score, a.Grade, a.PreviousScore, a.PreviousGrade,
                a.OpenedOn, a.UpdatedOn, a.SnoozedUntil, a.ResolvedOn, a.ResolvedBy);
    }

    public sealed record TaskInfo(
        long Id, string AccountId, string? AccountName, long? AlertId, string Title, string? Assignee, string? DueOn, IReadOnlyList<string> Steps, string Status,
        string? Outcome, string CreatedOn, string? CompletedOn, bool Overdue)
    {
        public static TaskInfo Of(TaskView t) =>
            new(t.Id, t.AccountId, t.AccountName, t.AlertId, t.Title, t.Assignee, t.DueOn, t.Steps, t.Status, t.Outcome, t.CreatedOn, t.CompletedOn, t.Overdue);
    }

    public sealed record AlertAction(string? Until);

    public sealed record NewTask(string? AccountId, string? Title, string? Assignee, string? DueOn, IReadOnlyList<string>? Steps);

    public sealed record TaskChange(string? Status, string? Outcome, string? Assignee, string? DueOn);

    public static PolicyGroups MapAlerts(this PolicyGroups api)
    {
        api.Read.MapGet("/alerts", (AlertBook book, bool? all) => TypedResults.Ok(book.Alerts(all == true).Select(AlertInfo.Of).ToList()))
            .WithSummary("The open alerts, most severe first (all=true: resolved ones too)");
        api.Read.MapGet("/tasks", (AlertBook book, string? assignee, bool? all) => TypedResults.Ok(book.Tasks(assignee, all == true).Select(TaskInfo.Of).ToList()))
            .WithSummary("Open tasks, soonest due first (assignee=, all=true: done ones too)");
        foreach (var action in new[] { "acknowledge", "snooze", "resolve" })
        {
            api.Sentiment.MapPost($"/alerts/{{id:long}}/{action}",
                    (long id, AlertAction? body, HttpContext ctx, AlertBook book, AccountReader accounts, TimeProvider clock) => Act(id, action, body, ctx, book, accounts, clock))
                .WithSummary(action == "snooze" ? "Snooze an alert until a day after today ({until})" : $"{char.ToUpperInvariant(action[0])}{action[1..]} an alert");
        }
        api.Read.MapGet("/alerts/rules", (AlertBook book) => TypedResults.Text(book.RulesYaml() ?? "rules: []\n", "application/yaml"))
            .WithSummary("The alert rules in force, as YAML");
        api.Admin.MapPut("/alerts/rules", PutRules)
            .TakesBody("The alert rules file (YAML, SPEC §8)", "application/yaml", "text/plain")
            .WithSummary("Validate and put alert rules in force; errors point at the YAML line");
        api.Sentiment.MapPost("/tasks", CreateTask).WithSummary("Create a task on an account ({account_id, title, assignee, due_on, steps})");
        api.Sentiment.MapPatch("/tasks/{id:long}", UpdateTask).WithSummary("Change a task: status (open, in_progress, done), outcome, assignee, due_on");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<string>>, ProblemHttpResult>> PutRules(
        HttpRequest request, AlertBook book, ServerSettings settings, CancellationToken cancel)
    {
        var (yaml, problem) = await Bodies.Read(request, settings.MaxBodyBytes, null, cancel);
        if (problem is not null)
        {
            return problem;
        }
        try
        {
            var rules = book.SetRules(yaml, "rules.yaml");
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

    /// <summary>The caller may not work this alert or task (a CSM on another's account): 403 in the words the Alerts page uses.</summary>
    private static ProblemHttpResult NotYours(AlertWork work, string what) =>
        TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your account", detail: work.Refusal(what));

    private static ProblemHttpResult NotAnAssignee(string assignee) =>
        Problems.BadField("assignee", $"must be a person's e-mail address (`{assignee.Trim()}` is not one)");

    private static Results<Created<TaskInfo>, ProblemHttpResult> CreateTask(
        NewTask? body, HttpContext ctx, AlertBook book, AccountReader accounts, TimeProvider clock)
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
        if (!AlertLifecycle.IsAssignee(body.Assignee))
        {
            return NotAnAssignee(body.Assignee!);
        }
        if (!Problems.TryDate(body.DueOn, "due_on", out var due, out var badDue))
        {
            return badDue!;
        }
        var work = new AlertWork(ctx.User, accounts, clock);
        if (!work.MayCreateTaskOn(body.AccountId))
        {
            return NotYours(work, $"create a task on {body.AccountId}");
        }
        try
        {
            var id = book.CreateTask(body.AccountId, body.Title, body.Assignee, due, body.Steps ?? []);
            return TypedResults.Created($"/api/v1/tasks/{id}", TaskInfo.Of(book.Task(id)!));
        }
        catch (StoreException e)
        {
            return Problems.BadField("account_id", e.Message, StatusCodes.Status422UnprocessableEntity);
        }
    }

    private static Results<Ok<TaskInfo>, ProblemHttpResult> UpdateTask(
        long id, TaskChange? body, HttpContext ctx, AlertBook book, AccountReader accounts, TimeProvider clock)
    {
        if (!Problems.TryDate(body?.DueOn, "due_on", out var due, out var badDue))
        {
            return badDue!;
        }
        if (FieldLimits.Task(null, body?.Assignee, null, body?.Outcome) is { } refused)
        {
            return Problems.BadField(refused.Field, refused.Problem);
        }
        if (!AlertLifecycle.IsAssignee(body?.Assignee))
        {
            return NotAnAssignee(body!.Assignee!);
        }
        var work = new AlertWork(ctx.User, accounts, clock);
        if (book.Task(id) is { } task && !work.MayWork(task))
        {
            return NotYours(work, $"change the task “{task.Title}”");
        }
        try
        {
            return book.UpdateTask(id, body?.Status, body?.Outcome, body?.Assignee, due)
                ? TypedResults.Ok(TaskInfo.Of(book.Task(id)!))
                : Problems.NotFound($"no task {id}");
        }
        catch (StoreException e)
        {
            return Problems.BadField("status", e.Message);
        }
    }

    private static Results<NoContent, ProblemHttpResult> Act(
        long id, string action, AlertAction? body, HttpContext ctx, AlertBook book, AccountReader accounts, TimeProvider clock)
    {
        var work = new AlertWork(ctx.User, accounts, clock);
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
            if (!work.SnoozeMayEnd(until!.Value))
            {
                return Problems.BadField("until", $"must be a day after today ({work.Today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}): the day the snooze ends, got '{body.Until}'");
            }
        }
        if (book.Alert(id) is { } alert && !work.MayAct(alert))
        {
            return NotYours(work, $"{action} the alert on {alert.AccountName ?? alert.AccountId}");
        }
        return book.Act(id, action, Access.Caller(ctx.User), until)
            ? TypedResults.NoContent()
            : Problems.NotFound($"no open alert {id}");
    }
}
