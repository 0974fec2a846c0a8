using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Measures;

/// <summary>
/// What an external engine computed for one account and one measure as of a day (a pushed-down measure): the
/// aggregate over the window, the window before it (for `change`), and the days of the account's first signal of the
/// kind and of its last matching one, up to the day. An account the engine returned no row for has no signal of the
/// kind (<see cref="None"/>): the zero-or-missing rule makes its value missing, or the measure's `default`.
/// </summary>
/// <param name="Value">The aggregate over the window (count, sum, active days, distinct users or events; for `change`, the count in the window; for the other kinds the value itself); null when it cannot be computed.</param>
/// <param name="Prior">For `change`: the count in the window before.</param>
/// <param name="PriorRows">For `change`: how many matching signals the window before holds.</param>
/// <param name="FirstDay">The day of the account's first signal of the kind up to the day (a <see cref="DateOnly.DayNumber"/>); null: none.</param>
/// <param name="LastDay">The day of its last signal the measure matches, up to the day (tickets: else of its last ticket; invoices and orders: of its last one); null: none (for the other kinds than usage: no signal the measure reads).</param>
public readonly record struct PushedValue(double? Value, double Prior, long PriorRows, int? FirstDay, int? LastDay)
{
    public static readonly PushedValue None = new(null, 0, 0, null, null);

    /// <summary>False when the account has no signal of the kind up to the day (the source is not connected for it).</summary>
    public bool HasKind => FirstDay is not null;
}

/// <summary>The aggregates an external engine can compute (pushdown), and how its results become values with the same rules as <see cref="MeasureCalculator"/>.</summary>
public static class PushedValues
{
    /// <summary>The aggregates of each kind that can be pushed down to an external engine.</summary>
    public static IReadOnlyDictionary<SignalKind, IReadOnlyList<string>> Aggregates { get; } = new Dictionary<SignalKind, IReadOnlyList<string>>
    {
        [SignalKind.Usage] = ["count", "sum", "active_days", "distinct_users", "distinct_events", "change", "days_since_last"],
        [SignalKind.Tickets] = ["count", "open_count", "escalated_count", "avg_resolution_hours", "avg_first_response_hours", "satisfaction"],
        [SignalKind.Invoices] = ["max_days_overdue", "overdue_amount", "failed_count", "on_time_ratio"],
        [SignalKind.Orders] = ["count", "sum", "average", "median", "return_rate", "days_since_last", "p_alive"],
        [SignalKind.Surveys] = ["nps", "average", "latest", "count", "positive_share"],
        [SignalKind.Metrics] = ["latest", "average", "median", "sum", "min", "max", "change"],
    };

    /// <summary>Whether a measure's value can be computed by an external engine.</summary>
    public static bool CanPush(ValueSpec value) =>
        Aggregates.TryGetValue(value.Signal, out var names) && names.Contains(value.Aggregate);

    /// <summary>
    /// The measure's value from what the engine computed: the same zero-or-missing rule, `per: seats`, `change`'s and
    /// `days_since_last`'s definitions, `default` and `valid_for` as when the value is computed from imported signals.
    /// </summary>
    /// <param name="v">The compiled value.</param>
    /// <param name="a">The account (its seats, for `per: seats`).</param>
    /// <param name="day">The day the value is as of (a <see cref="DateOnly.DayNumber"/>).</param>
    /// <param name="p">What the engine returned for the account, or <see cref="PushedValue.None"/>.</param>
    /// <param name="ordersFit">For `p_alive`: the buying model fitted on every account's orders the engine summarised (<see cref="OrdersFit"/>).</param>
    public static MeasureValue Finish(CompiledValue v, AccountData a, int day, PushedValue p, BgNbdFit? ordersFit = null)
    {
        if (!p.HasKind)
        {
            return MeasureCalculator.Settle(v, RawValue.NoSignal, day);
        }
        if (v.Spec.Aggregate == "p_alive" && p.LastDay is not null)
        {
            return MeasureCalculator.Settle(v, new(ordersFit is null ? MeasureValue.Missing : MeasureValue.Of(ordersFit.PAlive(OrderSummary(p, day))), p.LastDay, true), day);
        }
        if (v.Spec.Signal != SignalKind.Usage)
        {
            // The engine computed the value itself (null: nothing to average); its last day is the one valid_for reads,
            // null when the account has no row the measure reads (no answer of the survey kind, no value of the metric).
            return MeasureCalculator.Settle(v, p.LastDay is null ? RawValue.NoSignal : new(p.Value is { } x ? MeasureValue.Of(x) : MeasureValue.Missing, p.LastDay, true), day);
        }
        var first = p.FirstDay!.Value;
        RawValue raw = v.Spec.Aggregate switch
        {
            "change" => new(p.Value is { } now ? UsageWindow.Change(first, MeasureCalculator.From(v, day), v.WindowDays!.Value, now, p.Prior, p.PriorRows) : MeasureValue.Missing,
                p.LastDay, true),
            "days_since_last" => UsageWindow.DaysSinceLast(day, p.LastDay, first),
            _ => new(UsageWindow.PerSeat(p.Value is { } x ? MeasureValue.Of(x) : MeasureValue.Missing, v, a), p.LastDay, true),
        };
        return MeasureCalculator.Settle(v, raw, day);
    }

    /// <summary>
    /// For `p_alive`, the buying model fitted on what the engine summarised of every account's orders up to the day (the
    /// accounts in the order given, as <see cref="OrdersFit.Of(IReadOnlyList{AccountData}, int)"/> reads them); null when
    /// it cannot be fitted.
    /// </summary>
    public static BgNbdFit? OrdersFitOf(IReadOnlyList<AccountData> accounts, IReadOnlyDictionary<int, PushedValue> values, int day) =>
        OrdersFit.Of([.. accounts.Select(a => values.GetValueOrDefault(a.Key, PushedValue.None)).Where(p => p.LastDay is not null).Select(p => OrderSummary(p, day))]);

    /// <summary>
    /// An account's orders as BG/NBD reads them (<see cref="BgNbd.Summarize"/>): for `p_alive` the engine gives the number
    /// of days with an order as the value, and the days of the first and last order.
    /// </summary>
    private static RfmSummary OrderSummary(PushedValue p, int day) => new(p.Value!.Value - 1, p.LastDay!.Value - p.FirstDay!.Value, day - p.FirstDay!.Value);
}
