namespace CustomerHealth.Core.Signals;

/// <summary>
/// Which column of a file feeds which field of an import kind, suggested from the header's names: the field's own
/// name first, then the names the exports people really have give it (Zendesk tickets, HubSpot companies, Stripe
/// invoices and subscriptions, Salesforce accounts; docs/import-formats.md lists them). Names are compared without case,
/// spaces or punctuation (`Created at`, `created_at` and `CreatedAt` are one name); each column feeds one field at
/// most. Only columns are mapped, not values: a Stripe subscription's `Status` is not a subscription event's `kind`.
/// </summary>
public static class ColumnSuggestions
{
    // Per kind and field, the column names of known exports, most specific first.
    private static readonly Dictionary<ImportKind, (string Field, string[] Names)[]> Known = new()
    {
        [ImportKind.Accounts] =
        [
            // HubSpot companies; Salesforce accounts; Stripe customers.
            ("account_id", ["Record ID", "Company ID", "Account ID", "Customer ID"]),
            ("name", ["Company name", "Account Name", "Customer Name", "Company"]),
            ("owner", ["Company owner", "Account Owner", "Owner Email", "Owner"]),
            ("lifecycle_stage", ["Lifecycle Stage"]),
            ("segment", ["Industry", "Type", "Segment"]),
            ("arr", ["Annual Recurring Revenue", "ARR"]),
            ("seats", ["Number of Employees", "Employees", "Seats", "Licenses"]),
            ("started_on", ["Create Date", "Created Date", "Customer Since"]),
            ("parent_id", ["Parent Company ID", "Parent Account ID", "Parent ID"]),
        ],
        [ImportKind.Tickets] =
        [
            // Zendesk's ticket export.
            ("ticket_id", ["Id", "Ticket ID", "Ticket number"]),
            ("account_id", ["Organization ID", "Organization", "Account ID", "Company ID"]),
            ("opened_at", ["Created at", "Created", "Create date"]),
            ("priority", ["Priority"]),
            ("status", ["Status", "Ticket status"]),
            ("first_response_at", ["First reply at", "First response at"]),
            ("closed_at", ["Solved at", "Closed at", "Close date"]),
            ("satisfaction", ["Satisfaction Score", "Satisfaction"]),
        ],
        [ImportKind.Invoices] =
        [
            // Stripe's invoice export.
            ("invoice_id", ["id", "Invoice ID", "Number"]),
            ("account_id", ["Customer", "Customer ID"]),
            ("amount", ["Amount Due", "Total", "Amount"]),
            ("due_on", ["Due Date (UTC)", "Due Date"]),
            ("issued_on", ["Date (UTC)", "Created (UTC)", "Invoice Date"]),
            ("paid_on", ["Paid At (UTC)", "Paid At"]),
            ("status", ["Status"]),
            ("currency", ["Currency"]),
        ],
        [ImportKind.Subscriptions] =
        [
            // Stripe's subscription export (its `Status` is not an event kind: give `kind` a column of your own).
            ("account_id", ["Customer ID", "Customer"]),
            ("occurred_on", ["Start (UTC)", "Created (UTC)", "Start Date"]),
            ("event_id", ["id", "Subscription ID"]),
        ],
        [ImportKind.Usage] =
        [
            ("account_id", ["Group ID", "groupId", "Company ID", "Account ID"]),
            ("occurred_at", ["Timestamp", "Time", "Event time"]),
            ("event", ["Event name", "Event"]),
            ("user_id", ["User ID", "userId", "Distinct ID"]),
            ("event_id", ["Message ID", "messageId", "Insert ID"]),
        ],
        [ImportKind.Surveys] =
        [
            ("account_id", ["Company ID", "Account ID", "Organization ID"]),
            ("score", ["Score", "Rating", "NPS"]),
            ("responded_at", ["Responded at", "Submitted at", "Date", "Created at"]),
            ("response_id", ["Response ID", "Id"]),
            ("contact", ["Email", "Respondent"]),
            ("comment", ["Comment", "Feedback", "Reason"]),
        ],
        [ImportKind.Orders] =
        [
            ("order_id", ["Order ID", "Name", "Id"]),
            ("account_id", ["Customer ID", "Customer"]),
            ("placed_at", ["Created at", "Order date", "Date"]),
            ("amount", ["Total", "Amount"]),
            ("returned_amount", ["Refunded Amount", "Returned amount"]),
            ("status", ["Financial Status", "Status"]),
        ],
        [ImportKind.Metrics] = [],
        [ImportKind.Sentiment] = [("author", ["Owner", "Author"]), ("note", ["Note", "Comment"])],
        [ImportKind.Touches] =
        [
            // HubSpot's activity export; Salesforce tasks and events (their types Call, Email, Meeting read as kinds).
            ("touch_id", ["Activity ID", "Engagement ID", "Activity Id", "Id"]),
            ("account_id", ["Company ID", "Account ID", "Associated Company ID", "Organization ID"]),
            ("kind", ["Activity type", "Engagement type", "Type"]),
            ("occurred_at", ["Activity date", "Date", "Created at", "Create date"]),
            ("author", ["Activity assigned to", "Assigned To", "Created by", "Owner"]),
            ("text", ["Body", "Notes", "Comments", "Description", "Note", "Text"]),
        ],
    };

    /// <summary>The suggested column (as the header names it) for each field that has one, in the kind's field order.</summary>
    public static IReadOnlyList<(string Field, string Column)> Suggest(ImportKind kind, IReadOnlyList<string> header)
    {
        var free = header.Where(h => !string.IsNullOrWhiteSpace(h)).Distinct(StringComparer.Ordinal).ToList();
        var chosen = new Dictionary<string, string>(StringComparer.Ordinal);
        void Take(string field, string name)
        {
            if (chosen.ContainsKey(field))
            {
                return;
            }
            var column = free.FirstOrDefault(h => Same(h, name));
            if (column is not null)
            {
                chosen[field] = column;
                free.Remove(column);
            }
        }
        // Every field's own name first, so that a column named after one field is never taken for another.
        foreach (var field in RowParser.FieldsOf(kind))
        {
            Take(field, field);
        }
        foreach (var (field, names) in Known[kind])
        {
            foreach (var name in names)
            {
                Take(field, name);
            }
        }
        return RowParser.FieldsOf(kind).Where(chosen.ContainsKey).Select(f => (f, chosen[f])).ToList();
    }

    /// <summary>
    /// What a file's header needs before its rows can land: the required fields no column is named after (ignoring
    /// case), the suggested columns to rename (those not already named after their field), and the missing fields no
    /// column looks like. The header is refused when it names none of the kind's fields, or when a missing required
    /// field has a column to rename (an export whose columns need renaming: said once for the file rather than "is
    /// required" on every row).
    /// </summary>
    public static HeaderAdvice Advise(ImportKind kind, IReadOnlyList<string> header)
    {
        var known = RowParser.FieldsOf(kind);
        var missing = RowParser.RequiredOf(kind).Where(f => !header.Contains(f, StringComparer.OrdinalIgnoreCase)).ToList();
        var renames = Suggest(kind, header).Where(m => !string.Equals(m.Column, m.Field, StringComparison.OrdinalIgnoreCase)).ToList();
        var namesNone = !header.Any(h => known.Contains(h, StringComparer.OrdinalIgnoreCase));
        return new HeaderAdvice(namesNone, missing, renames, missing.Where(f => !renames.Any(m => m.Field == f)).ToList(),
            Refused: namesNone || renames.Any(m => missing.Contains(m.Field)));
    }

    /// <summary>The required fields of the kind that a mapping leaves without a column.</summary>
    public static IReadOnlyList<string> Unmapped(ImportKind kind, IReadOnlyList<(string Field, string Column)> mapping) =>
        RowParser.RequiredOf(kind).Where(f => !mapping.Any(m => m.Field == f)).ToList();

    /// <summary>Two column names are the same without case, spaces or punctuation.</summary>
    public static bool Same(string a, string b) => string.Equals(Key(a), Key(b), StringComparison.Ordinal);

    private static string Key(string name) => new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
}

/// <summary>What <see cref="ColumnSuggestions.Advise"/> found in a header.</summary>
/// <param name="NamesNone">No column is named after one of the kind's fields.</param>
/// <param name="Missing">The required fields no column is named after.</param>
/// <param name="Renames">The columns that look like a field without being named after it.</param>
/// <param name="NotFound">The missing fields no column looks like.</param>
/// <param name="Refused">Whether the file is refused for its header.</param>
public sealed record HeaderAdvice(
    bool NamesNone, IReadOnlyList<string> Missing, IReadOnlyList<(string Field, string Column)> Renames, IReadOnlyList<string> NotFound, bool Refused);
