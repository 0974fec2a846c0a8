using System.Globalization;
using Dapper;

namespace CustomerHealth.Store.Reading;

/// <summary>One dated signal of an account, in words: a survey answer, a ticket, an invoice, a renewal or churn, a sentiment note, a note or call.</summary>
/// <param name="Kind">What signal it is: survey, ticket, invoice, subscription, sentiment or touch.</param>
/// <param name="At">When, as stored: the answer, the ticket's opening, the invoice's due date, the subscription event or the note.</param>
/// <param name="Title">What happened, in a line.</param>
/// <param name="Detail">More about it when there is more: a comment, the ticket's or invoice's state, the change in ARR, the note.</param>
/// <param name="Tone">good, bad or neutral: how the signal reads for the account's health.</param>
public sealed record TimelineItem(string Kind, string At, string Title, string? Detail, string Tone);

/// <summary>An account's signals, newest first, for the account page.</summary>
public sealed class AccountTimeline(StoreDb db)
{
    /// <summary>The latest <paramref name="limit"/> signals of each kind, merged and newest first; null for an unknown account.</summary>
    public IReadOnlyList<TimelineItem>? Read(string accountId, int limit = 50)
    {
        var key = db.Connection.ExecuteScalar<long?>("SELECT account_key FROM accounts WHERE account_id = @accountId", new { accountId });
        if (key is null)
        {
            return null;
        }
        var p = new { key, limit };
        var items = new List<TimelineItem>();
        items.AddRange(db.Connection.Query<(string Kind, double Score, string At, string? Comment, string? Contact)>(
                "SELECT kind, score, responded_at, comment, contact FROM surveys WHERE account_key = @key ORDER BY responded_at DESC LIMIT @limit", p)
            .Select(s => new TimelineItem("survey", s.At, $"{s.Kind.ToUpperInvariant()} answer: {Num(s.Score)}{(s.Contact is null ? "" : " from " + s.Contact)}", s.Comment,
                SurveyTone(s.Kind, s.Score))));
        items.AddRange(db.Connection.Query<(string Id, string At, string Priority, string Status, bool Escalated, string? Closed, string? Satisfaction)>(
                "SELECT ticket_id, opened_at, priority, status, escalated <> 0, closed_at, satisfaction FROM tickets WHERE account_key = @key ORDER BY opened_at DESC LIMIT @limit", p)
            .Select(t => new TimelineItem("ticket", t.At, $"{t.Priority} ticket {t.Id}: {t.Status}{(t.Escalated ? ", escalated" : "")}",
                (t.Closed is null ? "still open" : "closed " + ReadableTimes.Text(t.Closed)) + (t.Satisfaction is null ? "" : $"; satisfaction: {t.Satisfaction}"),
                t.Escalated || t.Priority is "urgent" or "high" ? "bad" : "neutral")));
        items.AddRange(db.Connection.Query<(string Id, double Amount, string Due, string? Paid, string Status, string? Currency)>(
                "SELECT invoice_id, amount, due_on, paid_on, status, currency FROM invoices WHERE account_key = @key ORDER BY due_on DESC LIMIT @limit", p)
            .Select(i => new TimelineItem("invoice", i.Due, $"Invoice {i.Id}: {i.Amount.ToString("N2", CultureInfo.InvariantCulture)} {i.Currency}".TrimEnd(),
                i.Paid is null ? $"{i.Status}, due {ReadableTimes.Text(i.Due)}" : $"paid {ReadableTimes.Text(i.Paid)}", i.Status is "failed" or "overdue" || (i.Paid is not null && string.CompareOrdinal(i.Paid, i.Due) > 0) ? "bad" : "neutral")));
        items.AddRange(db.Connection.Query<(string Kind, string At, double? Delta)>(
                "SELECT kind, occurred_on, arr_delta FROM subscriptions WHERE account_key = @key ORDER BY occurred_on DESC LIMIT @limit", p)
            .Select(s => new TimelineItem("subscription", s.At, Subscription(s.Kind), s.Delta is { } d ? $"ARR {d.ToString("+#,0;-#,0;0", CultureInfo.InvariantCulture)}" : null,
                s.Kind is "churned" or "contracted" ? "bad" : s.Kind is "renewed" or "expanded" or "reactivated" ? "good" : "neutral")));
        items.AddRange(db.Connection.Query<(string Author, string At, int Rating, string? Note)>(
                "SELECT author, recorded_at, rating, note FROM sentiment WHERE account_key = @key ORDER BY recorded_at DESC LIMIT @limit", p)
            .Select(s => new TimelineItem("sentiment", s.At, $"Sentiment {s.Rating} of 5 from {s.Author}", s.Note, s.Rating >= 4 ? "good" : s.Rating <= 2 ? "bad" : "neutral")));
        items.AddRange(db.Connection.Query<(string Kind, string At, string? Author, string? Text)>(
                "SELECT kind, occurred_at, author, text FROM touches WHERE account_key = @key ORDER BY occurred_at DESC LIMIT @limit", p)
            .Select(t => new TimelineItem("touch", t.At, Touch(t.Kind) + (t.Author is null ? "" : " by " + t.Author), t.Text, "neutral")));
        return items.OrderByDescending(i => i.At, StringComparer.Ordinal).Take(limit).ToList();
    }

    private static string Num(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);

    private static string SurveyTone(string kind, double score) => kind switch
    {
        "nps" => score >= 9 ? "good" : score <= 6 ? "bad" : "neutral",
        // Positive as the model counts it (docs/model-reference.md): 9–10 NPS, 4–5 CSAT, 5–7 CES.
        "ces" => score >= 5 ? "good" : score <= 3 ? "bad" : "neutral",
        _ => score >= 4 ? "good" : score <= 2 ? "bad" : "neutral",
    };

    /// <summary>A touch's kind in words: “Note”, “Call”, “Meeting”, “E-mail”.</summary>
    public static string Touch(string kind) => kind switch
    {
        "call" => "Call",
        "meeting" => "Meeting",
        "email" => "E-mail",
        _ => "Note",
    };

    private static string Subscription(string kind) => kind switch
    {
        "started" => "Subscription started",
        "renewed" => "Renewed",
        "expanded" => "Expanded",
        "contracted" => "Contracted",
        "churned" => "Churned",
        "reactivated" => "Reactivated",
        _ => kind,
    };
}
