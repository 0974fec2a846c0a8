namespace CustomerHealth.Core.Measures;

/// <summary>
/// Computes one measure's raw value for one account as of a day (SPEC §4.1). Only signals dated on or before the
/// day are read. An account with signals of the kind but none in the window gets 0 for counts and sums; one with
/// no signal of the kind at all gets a missing value (or the value's `default`). What each aggregate computes is
/// its entry in <see cref="AggregateCatalog"/>, resolved once when the value is compiled.
/// </summary>
public static class MeasureCalculator
{
    /// <param name="v">The compiled value: its aggregate, window, `valid_for` and `default`.</param>
    /// <param name="a">The account's signals.</param>
    /// <param name="day">The day the value is computed as of (a <see cref="DateOnly.DayNumber"/>).</param>
    /// <param name="ordersFit">The BG/NBD model fitted on all accounts' orders up to the day, for `p_alive`.</param>
    public static MeasureValue Compute(CompiledValue v, AccountData a, int day, BgNbdFit? ordersFit = null) =>
        Settle(v, v.Aggregate.Compute(v, a, day, From(v, day), ordersFit), day);

    /// <summary>The first day of the value's window as of the day (<see cref="int.MinValue"/> without a window).</summary>
    internal static int From(CompiledValue v, int day) => v.WindowDays is { } w ? day - w + 1 : int.MinValue;

    /// <summary>
    /// An aggregate's value as the measure reads it: the value's `default` (else missing) for an account with no signal
    /// of the kind, stale when older than `valid_for`; whoever computed the aggregate (here, or an external engine).
    /// </summary>
    internal static MeasureValue Settle(CompiledValue v, RawValue raw, int day)
    {
        if (!raw.HasKind)
        {
            return v.Spec.Default is { } d ? MeasureValue.Of(d) : MeasureValue.Missing;
        }
        if (v.ValidForDays is { } validFor && !raw.Value.IsMissing && (raw.LastDay is null || day - raw.LastDay.Value > validFor))
        {
            return MeasureValue.StaleValue;
        }
        return raw.Value;
    }

    internal static int? StartDay(AccountData a, int day)
    {
        if (a.StartedDay is { } s)
        {
            return s;
        }
        foreach (var e in a.Subscriptions)
        {
            if (e.Day > day)
            {
                break;
            }
            if (e.Kind == SubscriptionKind.Started)
            {
                return e.Day;
            }
        }
        return null;
    }

    /// <summary>Repeat purchases, recency and age in days, from the account's orders up to the day.</summary>
    public static RfmSummary OrderSummary(AccountData a, int day)
    {
        var end = Dated.EndOf(a.Orders, day);
        Span<int> days = end <= 256 ? stackalloc int[end] : new int[end];
        for (var i = 0; i < end; i++)
        {
            days[i] = a.Orders[i].Day;
        }
        return BgNbd.Summarize(days, day);
    }
}
