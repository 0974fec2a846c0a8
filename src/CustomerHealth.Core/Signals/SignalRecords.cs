namespace CustomerHealth.Core.Signals;

/// <summary>The import kinds of SPEC §3, in the order a directory import applies them.</summary>
public enum ImportKind { Accounts, Usage, Surveys, Tickets, Invoices, Subscriptions, Orders, Metrics, Sentiment, Touches }

/// <summary>
/// One valid row of an import kind (SPEC §3), as <see cref="RowParser.Parse"/> reads it: every kind names the account it
/// belongs to. The subtypes are closed: one per <see cref="ImportKind"/>.
/// </summary>
public abstract record SignalRecord(string AccountId)
{
    /// <summary>The import kind this record is a row of.</summary>
    public abstract ImportKind ImportKind { get; }
}

public sealed record AccountRecord(
    string AccountId, string? Name, string? Segment, string? LifecycleStage, string? Owner, double? Arr, double? Seats,
    string? Plan, DateOnly? StartedOn, DateOnly? RenewalOn, string? ParentId, string? Status,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlySet<string> Given) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Accounts;
}

public sealed record UsageRecord(string AccountId, DateTimeOffset OccurredAt, string Event, string? UserId, string? EventId, long Count, double? Value, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Usage;
}

/// <summary>
/// A usage row read straight from its text (<see cref="RowParser.TryParsePlainUsage"/>): its text fields are the trimmed
/// text of the file, valid only until the next row is read; a blank user or event id is empty.
/// </summary>
public readonly record struct PlainUsage(ReadOnlyMemory<char> AccountId, DateTimeOffset OccurredAt, ReadOnlyMemory<char> Event, ReadOnlyMemory<char> UserId,
    ReadOnlyMemory<char> EventId, long Count, double? Value);

public sealed record SurveyRecord(string AccountId, string Kind, double Score, DateTimeOffset RespondedAt, string? ResponseId, string? Contact, string? Comment, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Surveys;
}

public sealed record TicketRecord(
    string TicketId, string AccountId, DateTimeOffset OpenedAt, string Priority, string Status, DateTimeOffset? FirstResponseAt,
    DateTimeOffset? ClosedAt, bool Escalated, string? Satisfaction, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Tickets;
}

public sealed record InvoiceRecord(
    string InvoiceId, string AccountId, double Amount, DateOnly DueOn, DateOnly? IssuedOn, DateOnly? PaidOn, string Status, string? Currency,
    IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Invoices;
}

public sealed record SubscriptionRecord(string AccountId, string Kind, DateOnly OccurredOn, double? ArrDelta, string? EventId, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Subscriptions;
}

public sealed record OrderRecord(string OrderId, string AccountId, DateTimeOffset PlacedAt, double Amount, double ReturnedAmount, string? Status, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Orders;
}

public sealed record MetricRecord(string AccountId, string Metric, DateOnly Date, double Value, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Metrics;
}

public sealed record SentimentRecord(string AccountId, int Rating, DateTimeOffset RecordedAt, string? Author, string? Note, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Sentiment;
}

/// <summary>
/// A note, call, meeting or e-mail with the account, written down by a person (SPEC §13 `touches`). Without a
/// `touch_id` the touch is known by all its fields, so importing the same file twice stores it once.
/// </summary>
public sealed record TouchRecord(string? TouchId, string AccountId, string Kind, DateTimeOffset OccurredAt, string? Author, string? Text, IReadOnlyDictionary<string, string> Properties) : SignalRecord(AccountId)
{
    /// <summary>The kinds of touch, in the order the Account page offers them.</summary>
    public static readonly string[] Kinds = ["note", "call", "meeting", "email"];

    /// <inheritdoc/>
    public override ImportKind ImportKind => ImportKind.Touches;
}

/// <summary>A field that failed validation, and why.</summary>
public sealed record FieldError(string Field, string Error);
