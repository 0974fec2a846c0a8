namespace CustomerHealth.Core.Measures;

/// <summary>Something that happened on a day (a day number, <see cref="DateOnly.DayNumber"/>); arrays of them are kept sorted by day.</summary>
public interface IDated
{
    int Day { get; }
}

/// <summary>Usage rolled up per day and event.</summary>
public readonly record struct UsageDay(int Day, int Event, long Count, double Sum) : IDated;

/// <summary>A user active on a day for an event: the base of exact distinct-user counts.</summary>
public readonly record struct UserDay(int Day, int Event, int User) : IDated;

public readonly record struct SurveyPoint(int Day, SurveyKind Kind, double Score, string? Comment = null) : IDated;

public enum SurveyKind : byte { Nps, Csat, Ces }

/// <summary>How an answer reads: for NPS a promoter (9–10), passive (7–8) or detractor (0–6); CSAT 4–5 positive, 1–2 negative; CES 5–7 positive, 1–3 negative.</summary>
public enum AnswerTone : byte { Negative, Neutral, Positive }

/// <summary>Survey answers read one way everywhere: the `positive_share` and `nps` aggregates and the Surveys page.</summary>
public static class SurveyAnswers
{
    /// <summary>Whether an answer of the kind is positive, neutral or negative.</summary>
    /// <param name="kind">The survey kind.</param>
    /// <param name="score">The answer.</param>
    public static AnswerTone Tone(SurveyKind kind, double score) =>
        Bounds(kind) is var (positive, negative) && score >= positive ? AnswerTone.Positive : score <= negative ? AnswerTone.Negative : AnswerTone.Neutral;

    /// <summary>The lowest positive answer of a kind (NPS 9, CSAT 4, CES 5) and the highest negative one (6, 2, 3).</summary>
    public static (int PositiveFrom, int NegativeTo) Bounds(SurveyKind kind) => kind switch
    {
        SurveyKind.Nps => (9, 6),
        SurveyKind.Csat => (4, 2),
        _ => (5, 3),
    };
}

public readonly record struct TicketPoint(int Day, TicketPriority Priority, int? ClosedDay, int? FirstResponseDay, double? ResolutionHours, double? FirstResponseHours, bool Escalated, bool? Good) : IDated;

public enum TicketPriority : byte { Low, Normal, High, Urgent }

/// <summary>An invoice, dated by the day it is known from (issued, else due).</summary>
public readonly record struct InvoicePoint(int Day, int DueDay, int? PaidDay, InvoiceState State, double Amount) : IDated
{
    /// <summary>
    /// An invoice as stored: it is known from the day it was issued, or from its due day when it has no issue day or
    /// says it was issued after it fell due.
    /// </summary>
    /// <param name="issuedDay">The day it was issued, when the source gave one.</param>
    /// <param name="dueDay">The day it falls due.</param>
    /// <param name="paidDay">The day it was paid, if it was.</param>
    /// <param name="state">Open, paid, failed or void.</param>
    /// <param name="amount">What it asks for.</param>
    public static InvoicePoint Issued(int? issuedDay, int dueDay, int? paidDay, InvoiceState state, double amount) =>
        new(Math.Min(issuedDay ?? dueDay, dueDay), dueDay, paidDay, state, amount);
}

public enum InvoiceState : byte { Open, Paid, Failed, Void }

public readonly record struct SubscriptionPoint(int Day, SubscriptionKind Kind, double ArrDelta) : IDated;

public enum SubscriptionKind : byte { Started, Renewed, Expanded, Contracted, Churned, Reactivated }

public readonly record struct OrderPoint(int Day, double Amount, double Returned) : IDated;

public readonly record struct MetricPoint(int Day, double Value) : IDated;

public readonly record struct SentimentPoint(int Day, int Rating) : IDated;

/// <summary>A note, call, meeting or e-mail with the account, on its day.</summary>
public readonly record struct TouchPoint(int Day) : IDated;

/// <summary>Everything known about one account, as sorted arrays; the measures read it as of a day.</summary>
public sealed class AccountData
{
    public required int Key { get; init; }
    public required string AccountId { get; init; }
    public string? Name { get; init; }
    public string? Segment { get; init; }
    public string? LifecycleStage { get; init; }
    public string? Plan { get; init; }
    public string? Owner { get; init; }
    public string? ParentId { get; init; }
    public double? Arr { get; init; }
    public double? Seats { get; init; }
    public int? StartedDay { get; init; }
    public int? RenewalDay { get; init; }
    /// <summary>The day a `status = churned` import marked the account churned, if it did.</summary>
    public int? StatusChurnedDay { get; init; }
    public IReadOnlyDictionary<string, string> Attributes { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty;

    /// <summary>
    /// The usage, sorted by day: a slice, since a store reading many accounts puts their rows in shared large arrays
    /// (an array converts to its whole slice).
    /// </summary>
    public ArraySegment<UsageDay> Usage { get; init; } = ArraySegment<UsageDay>.Empty;
    /// <summary>The users of each day and event, sorted by day; a slice as <see cref="Usage"/> is.</summary>
    public ArraySegment<UserDay> UserDays { get; init; } = ArraySegment<UserDay>.Empty;
    public SurveyPoint[] Surveys { get; init; } = [];
    public TicketPoint[] Tickets { get; init; } = [];
    public InvoicePoint[] Invoices { get; init; } = [];
    public SubscriptionPoint[] Subscriptions { get; init; } = [];
    public OrderPoint[] Orders { get; init; } = [];
    public IReadOnlyDictionary<string, MetricPoint[]> Metrics { get; init; } = System.Collections.ObjectModel.ReadOnlyDictionary<string, MetricPoint[]>.Empty;
    public SentimentPoint[] Sentiments { get; init; } = [];
    public TouchPoint[] Touches { get; init; } = [];

    /// <summary>
    /// The day of the account's first row in a source that computes a kind where its data lives (pushdown), whose rows the
    /// store does not hold; null: none. Set by the scoring run that reads the source, for <see cref="Scoring.Eligibility"/>.
    /// </summary>
    public int? FirstExternalDay { get; set; }

    /// <summary>
    /// The account without the bulk of its signals, once its measures are computed: its fields, its subscription events,
    /// its first usage day and first order kept — what scoring reads after the measures (scorecards, grades, overrides,
    /// the learned prediction's tenure) — so that a run over many accounts need not hold every account's signals at once.
    /// </summary>
    public AccountData WithoutSignals() => new()
    {
        Key = Key, AccountId = AccountId, Name = Name, Segment = Segment, LifecycleStage = LifecycleStage, Plan = Plan, Owner = Owner,
        ParentId = ParentId, Arr = Arr, Seats = Seats, StartedDay = StartedDay, RenewalDay = RenewalDay, StatusChurnedDay = StatusChurnedDay,
        Attributes = Attributes, Subscriptions = Subscriptions, FirstExternalDay = FirstExternalDay,
        Usage = Usage.Count > 0 ? new[] { Usage[0] } : ArraySegment<UsageDay>.Empty, Orders = Orders.Length > 0 ? [Orders[0]] : [],
    };

    /// <summary>The day the account churned if it is churned as of <paramref name="day"/>, else null.</summary>
    public int? ChurnedAsOf(int day)
    {
        int? churned = StatusChurnedDay is { } s && s <= day ? s : null;
        foreach (var e in Subscriptions)
        {
            if (e.Day > day)
            {
                break;
            }
            if (e.Kind == SubscriptionKind.Churned)
            {
                churned = e.Day;
            }
            else if (e.Kind == SubscriptionKind.Reactivated && (churned is null || e.Day >= churned))
            {
                churned = null;
            }
        }
        return churned;
    }

    /// <summary>
    /// The churn label of a backtest and of an alert replay: the day the account churned in (day, day + horizon] if it
    /// was not churned on <paramref name="day"/> and is churned as of day + horizon, else null.
    /// </summary>
    public int? ChurnedWithin(int day, int horizonDays) =>
        ChurnedAsOf(day) is null && horizonDays > 0 ? ChurnedAsOf(day > int.MaxValue - horizonDays ? int.MaxValue : day + horizonDays) : null;

    /// <summary>The value of an account field for `signal: account` and scorecard conditions.</summary>
    public string? Field(string name) => name switch
    {
        "account_id" => AccountId,
        "name" => Name,
        "segment" => Segment,
        "lifecycle_stage" => LifecycleStage,
        "plan" => Plan,
        "owner" => Owner,
        "parent_id" => ParentId,
        _ => Attributes.TryGetValue(name, out var v) ? v : null,
    };
}

internal static class Dated
{
    /// <summary>The index of the first item dated on or after <paramref name="day"/>.</summary>
    public static int FirstOnOrAfter<T>(T[] items, int day) where T : struct, IDated => FirstOnOrAfter((ReadOnlySpan<T>)items, day);

    /// <summary>The index just past the last item dated on or before <paramref name="day"/>.</summary>
    public static int EndOf<T>(T[] items, int day) where T : struct, IDated => FirstOnOrAfter((ReadOnlySpan<T>)items, day + 1);

    /// <inheritdoc cref="FirstOnOrAfter{T}(T[], int)"/>
    public static int FirstOnOrAfter<T>(ReadOnlySpan<T> items, int day) where T : struct, IDated
    {
        int lo = 0, hi = items.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (items[mid].Day < day)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }
        return lo;
    }

    /// <inheritdoc cref="EndOf{T}(T[], int)"/>
    public static int EndOf<T>(ReadOnlySpan<T> items, int day) where T : struct, IDated => FirstOnOrAfter(items, day + 1);
}
