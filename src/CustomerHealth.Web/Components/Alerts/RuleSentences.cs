using System.Globalization;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Web.Components.Alerts;

/// <summary>One alert rule in a sentence: its id, and what it does in words.</summary>
internal sealed record RuleReading(string Id, string Sentence);

/// <summary>
/// Alert rules told in plain sentences, one a rule: when it fires (with the model's names for grades and measures),
/// for which accounts, how severe, who hears of it, the task it creates, how long it stays quiet and whether it
/// resolves itself. Destinations are named, never their addresses or secrets.
/// </summary>
internal static class RuleSentences
{
    public static IReadOnlyList<RuleReading> Read(AlertRuleSet rules, HealthModel? model) => rules.Rules.Select(r => Read(r, model)).ToList();

    public static RuleReading Read(AlertRule rule, HealthModel? model)
    {
        var parts = new List<string>
        {
            $"alerts when {When(rule.When, model)}, for {Scope(rule.Scope)}",
            $"{rule.Severity.ToString().ToLowerInvariant()} severity",
            Notify(rule.Notify),
            rule.Task is { } task ? Task(task) : "creates no task",
            rule.CooldownDays > 0
                ? $"after its alert on an account is resolved, stays quiet on that account for {Days(rule.CooldownDays)}"
                : "no cooldown: it may alert again as soon as its alert is resolved",
            rule.AutoResolve ? "resolves itself when the condition clears" : "stays open until someone resolves it",
        };
        if (rule.Holdout > 0)
        {
            parts.Add($"holds out {Dashboard.Number(rule.Holdout * 100, "0.#")}% of the accounts it alerts, chosen at random: their alerts are recorded but nobody is told and no task is made, so `chs alerts effect {rule.Id}` can measure whether the play helps");
        }
        var sentence = string.Join("; ", parts);
        return new RuleReading(rule.Id, char.ToUpperInvariant(sentence[0]) + sentence[1..] + ".");
    }

    private static string When(Condition condition, HealthModel? model) => condition switch
    {
        GradeEntered g => $"the grade becomes {Grade(g.Grade, model)}",
        ScoreBelow s => $"the score is below {Num(s.Value)}",
        ScoreDrop d => $"the score falls {Num(d.Points)} points or more within {Days(d.Days)} through the account's own measures (not a new model, an override or data arriving)",
        MeasureBelow m => $"{Measure(m.MeasureId, model)} is below {Num(m.Threshold)}",
        MeasureAbove m => $"{Measure(m.MeasureId, model)} is above {Num(m.Threshold)}",
        RenewalWithin r => $"the renewal is {Days(r.Days)} away or less" +
            (r.Grades.Count == 0 ? "" : $" and the grade is {Or(r.Grades.Select(g => Grade(g, model)))}"),
        Stale s => $"{Measure(s.MeasureId, model)} has no value recent enough to count" +
            (FindMeasure(s.MeasureId, model)?.ValidForDays is { } valid ? $" (none in the last {Days(valid)})" : ""),
        _ => "its condition holds",
    };

    private static string Scope(RuleScope scope)
    {
        if (scope.IsEveryone)
        {
            return "every account";
        }
        var parts = new List<string>();
        if (scope.Segments.Count > 0)
        {
            parts.Add($"in the {Or(scope.Segments)} segment{(scope.Segments.Count == 1 ? "" : "s")}");
        }
        if (scope.Owners.Count > 0)
        {
            parts.Add($"owned by {Or(scope.Owners)}");
        }
        if (scope.LifecycleStages.Count > 0)
        {
            parts.Add($"at the {Or(scope.LifecycleStages)} lifecycle stage{(scope.LifecycleStages.Count == 1 ? "" : "s")}");
        }
        return "the accounts " + string.Join(", ", parts);
    }

    private static string Notify(IReadOnlyList<NotifyTarget> notify) => notify.Count == 0
        ? "notifies nobody (its alerts are listed on the Alerts page)"
        : "notifies " + And(notify.Select(n => n.Kind switch
        {
            NotifyKind.Inbox => "the alerts inbox",
            NotifyKind.Owner => "the account's owner by e-mail",
            NotifyKind.Email => $"{n.Target} by e-mail",
            NotifyKind.Webhook => $"the webhook “{n.Target}”",
            NotifyKind.Slack => $"the Slack channel “{n.Target}”",
            _ => n.ToString(),
        }));

    private static string Task(TaskTemplate task) =>
        $"creates the task “{task.TitleTemplate}” for {(task.AssignsOwner ? "the account's owner" : task.AssigneeEmail)}" +
        (task.DueInDays is { } due ? $", due in {Days(due)}" : ", with no due day") +
        (task.Steps.Count == 0 ? "" : $", with {task.Steps.Count} step{(task.Steps.Count == 1 ? "" : "s")}");

    private static string Grade(string id, HealthModel? model) =>
        model?.Grades.FirstOrDefault(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase)) is { } grade
        && !string.Equals(grade.Label, grade.Id, StringComparison.OrdinalIgnoreCase)
            ? $"{grade.Label} ({grade.Id})"
            : id;

    private static Measure? FindMeasure(string id, HealthModel? model) => model?.Dimensions.SelectMany(d => d.Measures).FirstOrDefault(m => m.Id == id);

    private static string Measure(string id, HealthModel? model) =>
        FindMeasure(id, model) is { } measure
        && !string.Equals(measure.Label, measure.Id, StringComparison.Ordinal)
            ? $"“{measure.Label}” ({measure.Id})"
            : id;

    private static string Days(int days) => days == 1 ? "1 day" : $"{days.ToString("N0", CultureInfo.InvariantCulture)} days";

    private static string Num(double v) => Dashboard.Number(v, "0.##");

    private static string Or(IEnumerable<string> items) => Join(items.ToList(), "or");

    private static string And(IEnumerable<string> items) => Join(items.ToList(), "and");

    private static string Join(List<string> items, string last) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + $" {last} " + items[^1],
    };
}
