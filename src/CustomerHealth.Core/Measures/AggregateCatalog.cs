using System.Globalization;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Measures;

/// <summary>The keys a `value:` may give beside `signal`, `aggregate`, `window` and `default` (SPEC §4.1, "filters and options").</summary>
[Flags]
public enum ValueOptions
{
    None = 0,
    /// <summary>`event` or `events: [..]`: only those usage events.</summary>
    Events = 1,
    /// <summary>`per: seats`.</summary>
    PerSeats = 2,
    /// <summary>`kind` (required where it applies): the survey kind.</summary>
    SurveyKind = 4,
    /// <summary>`metric` (required where it applies).</summary>
    Metric = 8,
    /// <summary>`field` (required where it applies).</summary>
    Field = 16,
    /// <summary>`where: { priority: [..] }`.</summary>
    Priority = 32,
}

/// <summary>
/// An aggregate's value for one account as of a day, before `default` and `valid_for` apply: the value, the day of
/// the newest signal it rests on (for `valid_for`), and whether the account has any signal of the kind up to the day.
/// </summary>
internal readonly record struct RawValue(MeasureValue Value, int? LastDay, bool HasKind)
{
    /// <summary>The account has no signal of the kind up to the day: the value is missing, or the measure's `default`.</summary>
    public static readonly RawValue NoSignal = new(MeasureValue.Missing, null, false);
}

/// <param name="value">The compiled value: its spec (options and filters) and its window.</param>
/// <param name="account">The account's signals.</param>
/// <param name="day">The day the value is computed as of (a <see cref="DateOnly.DayNumber"/>).</param>
/// <param name="from">The first day of the window; <see cref="int.MinValue"/> without a window.</param>
/// <param name="ordersFit">The BG/NBD model fitted on all accounts' orders up to the day, when the aggregate needs it (`p_alive`).</param>
internal delegate RawValue AggregateCompute(CompiledValue value, AccountData account, int day, int from, BgNbdFit? ordersFit);

/// <summary>One aggregate of one signal kind: its name in model YAML, what the Model page says it is, the options it takes, and how it is computed.</summary>
public sealed class Aggregate
{
    private readonly Func<ValueSpec, string> describe;

    internal Aggregate(SignalKind signal, string name, ValueOptions options, Func<ValueSpec, string> describe, AggregateCompute compute)
    {
        Signal = signal;
        Name = name;
        Options = options;
        this.describe = describe;
        Compute = compute;
    }

    public SignalKind Signal { get; }

    /// <summary>The name written in `aggregate:`.</summary>
    public string Name { get; }

    public ValueOptions Options { get; }

    /// <summary>Compares the window with the one before it: it needs a `window`, and says so in its sentence.</summary>
    public bool ComparesWindows { get; init; }

    /// <summary>The survey `kind` it needs, if it needs one (`nps` needs `kind: nps`).</summary>
    public string? NeedsKind { get; init; }

    /// <summary>Needs the BG/NBD model fitted on every account's orders up to the day (`p_alive`).</summary>
    public bool NeedsOrdersFit { get; init; }

    /// <summary>The aggregate of a value that leaves `aggregate:` out (only `signal: account`).</summary>
    public bool IsDefault { get; init; }

    /// <summary>Is read as of the day, whatever the window: a `window` would be ignored, so the model loader refuses one.</summary>
    public bool AsOfTheDay { get; init; }

    internal AggregateCompute Compute { get; }

    /// <summary>What a value of this aggregate looks at, in plain words, without its window: “the number of “login” events”.</summary>
    public string Describe(ValueSpec value) => describe(value);
}

/// <summary>
/// Every aggregate of every signal kind (SPEC §4.1), in the order the model reference lists them. The model loader
/// checks `aggregate:` and the options against it, the Model page describes a value with it, and the measure
/// calculator computes with the entry it resolves once per measure, so no code switches on aggregate names.
/// </summary>
public static class AggregateCatalog
{
    private delegate TResult WindowFunc<TWindow, TResult>(in TWindow window) where TWindow : struct;

    private const ValueOptions UsageOptions = ValueOptions.Events | ValueOptions.PerSeats;

    public static IReadOnlyList<Aggregate> All { get; } =
    [
        UsageCount("count", static (in UsageWindow w) => w.Total(count: true), v => v.Events.Count == 0 ? "the number of product events" : $"the number of {Events(v)}"),
        UsageCount("sum", static (in UsageWindow w) => w.Total(count: false), v => v.Events.Count == 0 ? "the total value of product events" : $"the total value of {Events(v)}"),
        UsageCount("active_days", static (in UsageWindow w) => w.ActiveDays(), v => v.Events.Count == 0 ? "the number of days the product was used" : $"the number of days with {Events(v)}"),
        UsageCount("distinct_users", static (in UsageWindow w) => w.DistinctUsers(), v => v.Events.Count == 0 ? "the number of different people using the product" : $"the number of different people with {Events(v)}"),
        UsageCount("distinct_events", static (in UsageWindow w) => w.DistinctEvents(), _ => "the number of different kinds of product events"),
        Usage("change", static (in UsageWindow w) => w.Change(), v => v.Events.Count == 0 ? "the change in product use" : $"the change in {Events(v)}", comparesWindows: true),
        Usage("days_since_last", static (in UsageWindow w) => w.DaysSinceLast(), v => v.Events.Count == 0 ? "the days since the product was last used" : $"the days since the last of {Events(v)}"),

        Survey("nps", static t => t.N > 0 ? 100.0 * (t.Promoters - t.Detractors) / t.N : double.NaN, _ => "the NPS (from −100 to 100: the share of promoters minus the share of detractors)", needsKind: "nps"),
        Survey("average", static t => t.N > 0 ? t.Sum / t.N : double.NaN, v => $"the average {SurveyKindOf(v)} answer"),
        Survey("latest", static t => t.N > 0 ? t.Latest : double.NaN, v => $"the latest {SurveyKindOf(v)} answer"),
        Survey("count", static t => t.N, v => $"the number of {SurveyKindOf(v)} answers"),
        Survey("positive_share", static t => t.N > 0 ? 100.0 * t.Positive / t.N : double.NaN, v => $"the share of positive {SurveyKindOf(v)} answers"),

        Tickets("count", static (in TicketWindow w) => w.Opened(escalatedOnly: false), _ => "the number of support tickets opened"),
        Tickets("open_count", static (in TicketWindow w) => w.Open(), _ => "the number of support tickets open", asOfTheDay: true),
        Tickets("escalated_count", static (in TicketWindow w) => w.Opened(escalatedOnly: true), _ => "the number of escalated support tickets"),
        Tickets("avg_resolution_hours", static (in TicketWindow w) => w.AverageResolutionHours(), _ => "the average hours to close a support ticket"),
        Tickets("avg_first_response_hours", static (in TicketWindow w) => w.AverageFirstResponseHours(), _ => "the average hours to the first answer to a support ticket"),
        Tickets("satisfaction", static (in TicketWindow w) => w.Satisfaction(), _ => "the share of support tickets rated good"),

        Invoices("max_days_overdue", static (in InvoiceWindow w) => w.Overdue().MaxDays, _ => "the days the oldest unpaid invoice is overdue (0 when none is)", asOfTheDay: true),
        Invoices("overdue_amount", static (in InvoiceWindow w) => w.Overdue().Amount, _ => "the amount overdue", asOfTheDay: true),
        Invoices("failed_count", static (in InvoiceWindow w) => w.DueInWindow().Failed, _ => "the number of failed payments"),
        Invoices("on_time_ratio", static (in InvoiceWindow w) => w.DueInWindow() is { Due: > 0 } d ? (double)d.OnTime / d.Due : double.NaN, _ => "the share of invoices paid on time"),

        new(SignalKind.Subscriptions, "days_to_renewal", ValueOptions.None, _ => "the days until the renewal", static (_, a, day, _, _) => DaysToRenewal(a, day)) { AsOfTheDay = true },
        new(SignalKind.Subscriptions, "tenure_days", ValueOptions.None, _ => "the days since the customer started",
            static (_, a, day, _, _) => MeasureCalculator.StartDay(a, day) is { } s && s <= day ? new(MeasureValue.Of(day - s), day, true) : RawValue.NoSignal) { AsOfTheDay = true },
        new(SignalKind.Subscriptions, "arr_change", ValueOptions.None, _ => "the change in ARR (annual recurring revenue)", static (_, a, day, from, _) => ArrChange(a, day, from)),

        Orders("count", static (in OrderWindow w) => w.Count, _ => "the number of orders"),
        Orders("sum", static (in OrderWindow w) => w.Sums().Amount, _ => "the total spent on orders"),
        Orders("average", static (in OrderWindow w) => w.Count > 0 ? w.Sums().Amount / w.Count : double.NaN, _ => "the average order value"),
        Orders("median", static (in OrderWindow w) => w.MedianAmount(), _ => "the median order value"),
        Orders("return_rate", static (in OrderWindow w) => w.Sums() is { Amount: > 0 } s ? s.Returned / s.Amount : double.NaN, _ => "the share of spend returned"),
        Orders("days_since_last", static (in OrderWindow w) => w.Day - w.Last, _ => "the days since the last order"),
        new(SignalKind.Orders, "p_alive", ValueOptions.None, _ => "the probability that the customer is still buying, from the pattern of every customer's orders",
            static (_, a, day, from, fit) => OrderWindow.TryRead(a, day, from, out var w)
                ? new(fit is null ? MeasureValue.Missing : MeasureValue.Of(fit.PAlive(MeasureCalculator.OrderSummary(a, day))), w.Last, true)
                : RawValue.NoSignal) { NeedsOrdersFit = true },

        Metrics("latest", static (in MetricWindow w) => w.Count > 0 ? w.Rows[w.End - 1].Value : double.NaN, v => $"the latest value of {Metric(v)}"),
        Metrics("average", static (in MetricWindow w) => w.Count > 0 ? w.Sum() / w.Count : double.NaN, v => $"the average of {Metric(v)}"),
        Metrics("median", static (in MetricWindow w) => w.MedianValue(), v => $"the median of {Metric(v)}"),
        Metrics("sum", static (in MetricWindow w) => w.Sum(), v => $"the total of {Metric(v)}"),
        Metrics("min", static (in MetricWindow w) => w.Count > 0 ? w.Min() : double.NaN, v => $"the lowest value of {Metric(v)}"),
        Metrics("max", static (in MetricWindow w) => w.Count > 0 ? w.Max() : double.NaN, v => $"the highest value of {Metric(v)}"),
        Metrics("change", static (in MetricWindow w) => w.Change(), v => $"the change of {Metric(v)}", comparesWindows: true),

        new(SignalKind.Sentiment, "latest", ValueOptions.None, _ => "the latest CSM sentiment (1 to 5: red is 1, yellow 3, green 5)", static (_, a, day, from, _) => LatestSentiment(a, day, from)),

        new(SignalKind.Touches, "count", ValueOptions.None, _ => "the number of notes, calls, meetings and e-mails recorded with the customer",
            static (_, a, day, from, _) => Touches(a, day, from, count: true)),
        new(SignalKind.Touches, "days_since_last", ValueOptions.None, _ => "the days since the last note, call, meeting or e-mail with the customer",
            static (_, a, day, from, _) => Touches(a, day, from, count: false)),

        new(SignalKind.Account, "value", ValueOptions.Field, v => v.Field switch
            {
                "arr" => "the account's ARR (annual recurring revenue)",
                "seats" => "the account's number of seats",
                "tenure_days" => "the days since the account started",
                var f => $"the account's “{f}”",
            },
            static (v, a, day, _, _) => AccountField(v.Spec.Field!, a, day)) { IsDefault = true, AsOfTheDay = true },
    ];

    private static readonly Dictionary<(SignalKind, string), Aggregate> ByName = All.ToDictionary(a => (a.Signal, a.Name));

    private static readonly Dictionary<SignalKind, string[]> NamesByKind =
        All.GroupBy(a => a.Signal).ToDictionary(g => g.Key, g => g.Select(a => a.Name).ToArray());

    /// <summary>The signal kinds a value may read, in the order of <see cref="SignalKind"/>.</summary>
    public static IReadOnlyList<SignalKind> Kinds { get; } = Enum.GetValues<SignalKind>().Where(NamesByKind.ContainsKey).ToArray();

    /// <summary>The aggregate of that name for the signal kind, or null when the kind has none of that name.</summary>
    public static Aggregate? Find(SignalKind signal, string name) => ByName.GetValueOrDefault((signal, name));

    /// <summary>The names of the kind's aggregates, in catalog order.</summary>
    public static IReadOnlyList<string> NamesFor(SignalKind signal) => NamesByKind.GetValueOrDefault(signal) ?? [];

    /// <summary>The options any aggregate of the kind takes.</summary>
    public static ValueOptions OptionsOf(SignalKind signal) =>
        All.Where(a => a.Signal == signal).Aggregate(ValueOptions.None, (o, a) => o | a.Options);

    /// <summary>The aggregate a value of the kind gets when it leaves `aggregate:` out, if the kind has one.</summary>
    public static Aggregate? DefaultFor(SignalKind signal) => All.FirstOrDefault(a => a.Signal == signal && a.IsDefault);

    // ---------------------------------------------------------------- one helper per signal kind

    /// <summary>A count or sum of usage, divided by the seats with `per: seats`.</summary>
    private static Aggregate UsageCount(string name, WindowFunc<UsageWindow, double> count, Func<ValueSpec, string> describe) =>
        new(SignalKind.Usage, name, UsageOptions, describe,
            (v, a, day, from, _) => UsageWindow.TryRead(v, a, day, from, out var w) ? w.PerSeat(count(w)) : RawValue.NoSignal);

    /// <summary>A `usage` aggregate that is not a count or sum: `per: seats` does not apply to it (a change or a number of days per seat means nothing).</summary>
    private static Aggregate Usage(string name, WindowFunc<UsageWindow, RawValue> compute, Func<ValueSpec, string> describe, bool comparesWindows) =>
        new(SignalKind.Usage, name, ValueOptions.Events, describe,
            (v, a, day, from, _) => UsageWindow.TryRead(v, a, day, from, out var w) ? compute(w) : RawValue.NoSignal)
        { ComparesWindows = comparesWindows };

    private static Aggregate Usage(string name, WindowFunc<UsageWindow, RawValue> compute, Func<ValueSpec, string> describe) =>
        Usage(name, compute, describe, comparesWindows: false);

    /// <summary>A `surveys` aggregate: <paramref name="compute"/> works from the tally of the window's answers of the kind; NaN: missing.</summary>
    private static Aggregate Survey(
        string name, Func<(int N, double Sum, double Latest, int Positive, int Promoters, int Detractors), double> compute, Func<ValueSpec, string> describe,
        string? needsKind = null) =>
        new(SignalKind.Surveys, name, ValueOptions.SurveyKind, describe,
            (v, a, day, from, _) => SurveyWindow.TryRead(v, a, day, from, out var w) ? new(MeasureValue.Of(compute(w.Tally())), w.Last, true) : RawValue.NoSignal)
        { NeedsKind = needsKind };

    /// <summary>A `tickets` aggregate: <paramref name="compute"/> gives NaN for a missing value.</summary>
    private static Aggregate Tickets(string name, WindowFunc<TicketWindow, double> compute, Func<ValueSpec, string> describe, bool asOfTheDay = false) =>
        new(SignalKind.Tickets, name, ValueOptions.Priority, describe,
            (v, a, day, from, _) => TicketWindow.TryRead(v, a, day, from, out var w) ? new(MeasureValue.Of(compute(w)), w.Last, true) : RawValue.NoSignal) { AsOfTheDay = asOfTheDay };

    /// <summary>An `invoices` aggregate: <paramref name="compute"/> gives NaN for a missing value.</summary>
    private static Aggregate Invoices(string name, WindowFunc<InvoiceWindow, double> compute, Func<ValueSpec, string> describe, bool asOfTheDay = false) =>
        new(SignalKind.Invoices, name, ValueOptions.None, describe,
            (_, a, day, from, _) => InvoiceWindow.TryRead(a, day, from, out var w) ? new(MeasureValue.Of(compute(w)), w.Last, true) : RawValue.NoSignal) { AsOfTheDay = asOfTheDay };

    /// <summary>An `orders` aggregate: <paramref name="compute"/> gives NaN for a missing value.</summary>
    private static Aggregate Orders(string name, WindowFunc<OrderWindow, double> compute, Func<ValueSpec, string> describe) =>
        new(SignalKind.Orders, name, ValueOptions.None, describe,
            (_, a, day, from, _) => OrderWindow.TryRead(a, day, from, out var w) ? new(MeasureValue.Of(compute(w)), w.Last, true) : RawValue.NoSignal);

    /// <summary>A `metrics` aggregate: <paramref name="compute"/> gives NaN for a missing value.</summary>
    private static Aggregate Metrics(string name, WindowFunc<MetricWindow, double> compute, Func<ValueSpec, string> describe, bool comparesWindows = false) =>
        new(SignalKind.Metrics, name, ValueOptions.Metric, describe,
            (v, a, day, from, _) => MetricWindow.TryRead(v, a, day, from, out var w) ? new(MeasureValue.Of(compute(w)), w.Last, true) : RawValue.NoSignal)
        { ComparesWindows = comparesWindows };

    // ---------------------------------------------------------------- kinds without a window view

    private static RawValue ArrChange(AccountData a, int day, int from)
    {
        var rows = a.Subscriptions;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return RawValue.NoSignal;
        }
        double sum = 0;
        for (var i = Dated.FirstOnOrAfter(rows, from); i < end; i++)
        {
            sum += rows[i].ArrDelta;
        }
        return new(MeasureValue.Of(sum), rows[end - 1].Day, true);
    }

    private static RawValue DaysToRenewal(AccountData a, int day)
    {
        int? renewal = a.RenewalDay;
        if (renewal is null)
        {
            var rows = a.Subscriptions;
            for (var i = Dated.EndOf(rows, day) - 1; i >= 0; i--)
            {
                if (rows[i].Kind is SubscriptionKind.Started or SubscriptionKind.Renewed)
                {
                    renewal = DateOnly.FromDayNumber(rows[i].Day).AddYears(1).DayNumber;
                    break;
                }
            }
        }
        if (renewal is not { } r)
        {
            return RawValue.NoSignal;
        }
        // A renewal date already passed is taken to have renewed for another year (evergreen contracts).
        var date = DateOnly.FromDayNumber(r);
        while (date.DayNumber < day)
        {
            date = date.AddYears(1);
        }
        return new(MeasureValue.Of(date.DayNumber - day), day, true);
    }

    private static RawValue LatestSentiment(AccountData a, int day, int from)
    {
        var rows = a.Sentiments;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return RawValue.NoSignal;
        }
        var latest = rows[end - 1];
        return new(latest.Day >= from ? MeasureValue.Of(latest.Rating) : MeasureValue.Missing, latest.Day, true);
    }

    /// <summary>
    /// The touches in the window (<paramref name="count"/>) or the days since the last one up to the day, as `orders`
    /// reads its count and `days_since_last`: an account with no touch up to the day has no value.
    /// </summary>
    private static RawValue Touches(AccountData a, int day, int from, bool count)
    {
        var rows = a.Touches;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return RawValue.NoSignal;
        }
        var last = rows[end - 1].Day;
        if (!count)
        {
            return new(MeasureValue.Of(day - last), last, true);
        }
        var start = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from);
        return new(MeasureValue.Of(Math.Max(end - start, 0)), last, true);
    }

    private static RawValue AccountField(string field, AccountData a, int day)
    {
        switch (field)
        {
            case "arr":
                return a.Arr is { } arr ? new(MeasureValue.Of(arr), day, true) : RawValue.NoSignal;
            case "seats":
                return a.Seats is { } seats ? new(MeasureValue.Of(seats), day, true) : RawValue.NoSignal;
            case "tenure_days":
                return MeasureCalculator.StartDay(a, day) is { } s && s <= day ? new(MeasureValue.Of(day - s), day, true) : RawValue.NoSignal;
        }
        var text = a.Field(field);
        if (text is null)
        {
            return RawValue.NoSignal;
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? new(MeasureValue.Of(d), day, true)
            : new(MeasureValue.OfText(text), day, true);
    }

    // ---------------------------------------------------------------- words

    private static string Events(ValueSpec v) => Or(v.Events.Select(e => $"“{e}”").ToList()) + " events";

    private static string SurveyKindOf(ValueSpec v) => v.Kind?.ToUpperInvariant() ?? "survey";

    private static string Metric(ValueSpec v) => $"the metric “{v.Metric}”";

    private static string Or(IReadOnlyList<string> values) =>
        values.Count <= 1 ? string.Join("", values) : string.Join(", ", values.Take(values.Count - 1)) + " or " + values[^1];
}
