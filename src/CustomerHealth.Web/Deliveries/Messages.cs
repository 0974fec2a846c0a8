using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerHealth.Store.Deliveries;

namespace CustomerHealth.Web.Deliveries;

/// <summary>An e-mail as sent: subject, plain text and the same in HTML.</summary>
public sealed record Mail(string Subject, string Text, string Html)
{
    /// <summary>
    /// One line: a line break or other control character (from an account's name, say) would end the header early
    /// and make every message about that account unsendable, so each becomes a space.
    /// </summary>
    public string Subject { get; } = OneLine(Subject);

    private static string OneLine(string text)
    {
        var line = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            var blank = char.IsControl(c) || c is '\u2028' or '\u2029';
            if (!blank || (line.Length > 0 && line[^1] != ' '))
            {
                line.Append(blank ? ' ' : c);
            }
        }
        return line.ToString().Trim();
    }
}

/// <summary>
/// The words of each delivery, rendered from the facts stored with it, so that every attempt sends the same bytes
/// (and the same HMAC signature). Everything that came from users is escaped in HTML.
/// </summary>
public static class Messages
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The webhook body of SPEC §8 (documented in docs/alerts.md); `event` and `reason` are added to the listed fields.</summary>
    public static byte[] WebhookBody(AlertNotice n, DeliverySettings settings) =>
        JsonSerializer.SerializeToUtf8Bytes(new
        {
            alert_id = n.AlertId,
            rule = n.Rule,
            account_id = n.AccountId,
            account_name = n.AccountName,
            score = n.Score,
            grade = n.Grade,
            previous_score = n.PreviousScore,
            previous_grade = n.PreviousGrade,
            severity = n.Severity,
            opened_at = n.OpenedAt,
            url = settings.AccountUrl(n.AccountId).ToString(),
            @event = n.Event,
            reason = n.Reason,
        }, Json);

    /// <summary>A Slack incoming-webhook message (also understood by Mattermost, Rocket.Chat and Teams' Slack-compatible hooks).</summary>
    public static byte[] SlackBody(AlertNotice n, DeliverySettings settings)
    {
        var url = settings.AccountUrl(n.AccountId);
        var text = $"{Icon(n.Severity)} *{Slack(Name(n))}*: {Slack(n.Reason)} (rule `{Slack(n.Rule)}`, {n.Severity}){Again(n)}\n" +
                   $"Score {Score(n.Score)} {n.Grade ?? "ungraded"}, was {Score(n.PreviousScore)} {n.PreviousGrade ?? "ungraded"}. <{url}|Open the account>";
        return JsonSerializer.SerializeToUtf8Bytes(new { text }, Json);
    }

    public static Mail AlertMail(AlertNotice n, DeliverySettings settings)
    {
        var url = settings.AccountUrl(n.AccountId);
        var subject = $"[{n.Severity}] {Name(n)}: {n.Reason}";
        var text = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{Name(n)} ({n.AccountId}) needs attention{Again(n)}.")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Why: {n.Reason} (rule {n.Rule}, severity {n.Severity}, open since {n.OpenedAt}).")
            .AppendLine(CultureInfo.InvariantCulture, $"Health score: {Score(n.Score)} ({n.Grade ?? "ungraded"}), before: {Score(n.PreviousScore)} ({n.PreviousGrade ?? "ungraded"}).")
            .AppendLine(CultureInfo.InvariantCulture, $"Owner: {n.Owner ?? "none"}")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"See what drives the score: {url}")
            .ToString();
        var html =
            $"""
            <html><body style="font-family: sans-serif">
            <p><strong>{H(Name(n))}</strong> ({H(n.AccountId)}) needs attention{H(Again(n))}.</p>
            <p>Why: {H(n.Reason)} <br><small>rule {H(n.Rule)}, severity {H(n.Severity)}, open since {H(n.OpenedAt)}</small></p>
            <p>Health score: <strong>{Score(n.Score)}</strong> ({H(n.Grade ?? "ungraded")}), before: {Score(n.PreviousScore)} ({H(n.PreviousGrade ?? "ungraded")}).</p>
            <p>Owner: {H(n.Owner ?? "none")}</p>
            <p><a href="{H(url.ToString())}">See what drives the score</a></p>
            </body></html>
            """;
        return new Mail(subject, text, html);
    }

    public static Mail DigestMail(DigestNotice d, DeliverySettings settings)
    {
        var subject = $"Your week in customer health: {Count(d.Alerts.Count, "open alert")}, {Count(d.Tasks.Count(t => t.Overdue), "overdue task")}, {Count(d.Changes.Count, "grade change")}";
        var text = new StringBuilder().AppendLine(CultureInfo.InvariantCulture, $"Your accounts, week of {d.WeekOf}.").AppendLine();
        var html = new StringBuilder().Append(CultureInfo.InvariantCulture, $"<html><body style=\"font-family: sans-serif\"><p>Your accounts, week of {H(d.WeekOf)}.</p>");
        Section("Open alerts", d.Alerts, a => (a.AccountId, a.AccountName, $"{a.Rule} ({a.Severity}), score {Score(a.Score)} {a.Grade ?? "ungraded"}, since {a.OpenedOn}"));
        Section("Your open tasks", d.Tasks, t => (t.AccountId, t.AccountName, $"{t.Title}{(t.DueOn is { } due ? $", due {due}" : "")}{(t.Overdue ? " (OVERDUE)" : "")}"));
        Section("Grade changes this week", d.Changes, c => (c.AccountId, c.AccountName,
            $"{c.FromGrade ?? "ungraded"} → {c.ToGrade ?? "ungraded"} (score {Score(c.FromScore)} → {Score(c.ToScore)})"));
        text.AppendLine(CultureInfo.InvariantCulture, $"The dashboard: {settings.PublicUrl}");
        html.Append(CultureInfo.InvariantCulture, $"<p><a href=\"{H(settings.PublicUrl.ToString())}\">Open the dashboard</a></p></body></html>");
        return new Mail(subject, text.ToString(), html.ToString());

        void Section<T>(string title, IReadOnlyList<T> items, Func<T, (string Id, string? Name, string Line)> line)
        {
            if (items.Count == 0)
            {
                return;
            }
            text.AppendLine(title + ":");
            html.Append(CultureInfo.InvariantCulture, $"<h3>{H(title)}</h3><ul>");
            foreach (var item in items)
            {
                var (id, name, what) = line(item);
                var url = settings.AccountUrl(id);
                text.AppendLine(CultureInfo.InvariantCulture, $"- {name ?? id}: {what} {url}");
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"{H(url.ToString())}\">{H(name ?? id)}</a>: {H(what)}</li>");
            }
            text.AppendLine();
            html.Append("</ul>");
        }
    }

    private static string Name(AlertNotice n) => string.IsNullOrWhiteSpace(n.AccountName) ? n.AccountId : n.AccountName;

    private static string Again(AlertNotice n) => n.Event == "reopened" ? " again (the snooze ended and the problem is still there)" : "";

    private static string Score(double? s) => s is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) : "—";

    private static string Count(int n, string what) => $"{n} {what}{(n == 1 ? "" : "s")}";

    private static string Icon(string severity) => severity switch { "high" => ":red_circle:", "medium" => ":large_orange_circle:", _ => ":large_blue_circle:" };

    private static string H(string s) => WebUtility.HtmlEncode(s);

    // Slack's mrkdwn treats &, < and > as control characters.
    private static string Slack(string s) => s.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
