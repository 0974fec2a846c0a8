using System.Globalization;

namespace CustomerHealth.Core.Measures;

/// <summary>
/// Computes one measure's raw value for one account as of a day (SPEC §4.1). Only signals dated on or before the
/// day are read. An account with signals of the kind but none in the window gets 0 for counts and sums; one with
/// no signal of the kind at all gets a missing value (or the value's `default`).
/// </summary>
public static class MeasureCalculator
{
    // Distinct counts mark keys with a per-thread stamp: no set to allocate or clear for every account and measure.
    [ThreadStatic]
    private static int[]? stamps;
    [ThreadStatic]
    private static int stamp;

    /// <summary>Counts the distinct non-negative keys given to <paramref name="add"/> calls.</summary>
    private ref struct DistinctCounter
    {
        private int[] marks;
        private readonly int mark;

        public DistinctCounter()
        {
            marks = stamps ??= new int[1024];
            mark = ++stamp;
            if (mark == int.MaxValue)
            {
                Array.Clear(marks);
                stamp = mark = 1;
            }
        }

        public int Count { get; private set; }

        public void Add(int key)
        {
            var m = marks;
            if (key >= m.Length)
            {
                Array.Resize(ref stamps, Math.Max(key + 1, m.Length * 2));
                marks = m = stamps!;
            }
            if (m[key] != mark)
            {
                m[key] = mark;
                Count++;
            }
        }
    }

    /// <param name="ordersFit">The BG/NBD model fitted on all accounts' orders up to the day, for `p_alive`.</param>
    public static MeasureValue Compute(CompiledValue v, AccountData a, int day, BgNbdFit? ordersFit = null)
    {
        var (value, lastDay, hasKind) = Raw(v, a, day, ordersFit);
        if (!hasKind)
        {
            return v.Spec.Default is { } d ? MeasureValue.Of(d) : MeasureValue.Missing;
        }
        if (v.ValidForDays is { } validFor && !value.IsMissing && (lastDay is null || day - lastDay.Value > validFor))
        {
            return MeasureValue.StaleValue;
        }
        return value;
    }

    private static (MeasureValue Value, int? LastDay, bool HasKind) Raw(CompiledValue v, AccountData a, int day, BgNbdFit? ordersFit)
    {
        var spec = v.Spec;
        var from = spec.WindowDays is { } w ? day - w + 1 : int.MinValue;
        return spec.Signal switch
        {
            Model.SignalKind.Usage => Usage(v, a, day, from),
            Model.SignalKind.Surveys => Surveys(v, a, day, from),
            Model.SignalKind.Tickets => Tickets(v, a, day, from),
            Model.SignalKind.Invoices => Invoices(v, a, day, from),
            Model.SignalKind.Subscriptions => Subscriptions(v, a, day, from),
            Model.SignalKind.Orders => Orders(v, a, day, from, ordersFit),
            Model.SignalKind.Metrics => Metrics(v, a, day, from),
            Model.SignalKind.Sentiment => Sentiment(a, day, from),
            Model.SignalKind.Account => Account(v, a, day),
            _ => (MeasureValue.Missing, null, false),
        };
    }

    private static (MeasureValue, int?, bool) Usage(CompiledValue v, AccountData a, int day, int from)
    {
        var rows = a.Usage;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return (MeasureValue.Missing, null, false);
        }
        var ids = v.EventIds;
        var start = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from);
        int? last = null;
        for (var i = end - 1; i >= 0; i--)
        {
            if (ids is null || ids.Contains(rows[i].Event))
            {
                last = rows[i].Day;
                break;
            }
        }
        double result;
        switch (v.Spec.Aggregate)
        {
            case "count":
            case "sum":
            {
                var count = v.Spec.Aggregate == "count";
                double total = 0;
                for (var i = start; i < end; i++)
                {
                    if (ids is null || ids.Contains(rows[i].Event))
                    {
                        total += count ? rows[i].Count : rows[i].Sum;
                    }
                }
                result = total;
                break;
            }
            case "active_days":
            {
                var days = 0;
                var prev = int.MinValue;
                for (var i = start; i < end; i++)
                {
                    if (rows[i].Day != prev && rows[i].Count > 0 && (ids is null || ids.Contains(rows[i].Event)))
                    {
                        days++;
                        prev = rows[i].Day;
                    }
                }
                result = days;
                break;
            }
            case "distinct_events":
            {
                var seen = new DistinctCounter();
                for (var i = start; i < end; i++)
                {
                    if (rows[i].Count > 0 && (ids is null || ids.Contains(rows[i].Event)))
                    {
                        seen.Add(rows[i].Event);
                    }
                }
                result = seen.Count;
                break;
            }
            case "distinct_users":
            {
                var users = a.UserDays;
                var uEnd = Dated.EndOf(users, day);
                var uStart = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(users, from);
                var seen = new DistinctCounter();
                for (var i = uStart; i < uEnd; i++)
                {
                    if (ids is null || ids.Contains(users[i].Event))
                    {
                        seen.Add(users[i].User);
                    }
                }
                result = seen.Count;
                break;
            }
            case "change":
            {
                var window = v.Spec.WindowDays!.Value;
                // Missing until the earlier window is wholly observed (the account's usage began before it) and has
                // data: a new account's first days are not a rise against an empty month.
                if (rows[0].Day > from - window)
                {
                    return (MeasureValue.Missing, last, true);
                }
                double now = 0, before = 0;
                var beforeRows = 0;
                var prevStart = Dated.FirstOnOrAfter(rows, from - window);
                for (var i = prevStart; i < end; i++)
                {
                    if (ids is null || ids.Contains(rows[i].Event))
                    {
                        if (rows[i].Day >= from)
                        {
                            now += rows[i].Count;
                        }
                        else
                        {
                            before += rows[i].Count;
                            beforeRows++;
                        }
                    }
                }
                return beforeRows == 0 ? (MeasureValue.Missing, last, true) : (MeasureValue.Of((now - before) / Math.Max(before, 1)), last, true);
            }
            case "days_since_last":
                // An event never seen counts from the first usage of any kind: the account was observed and did not do it.
                return (MeasureValue.Of(day - (last ?? rows[0].Day)), last ?? day, true);
            default:
                return (MeasureValue.Missing, last, true);
        }
        if (v.Spec.PerSeats)
        {
            if (a.Seats is not > 0)
            {
                return (MeasureValue.Missing, last, true);
            }
            result /= a.Seats.Value;
        }
        return (MeasureValue.Of(result), last, true);
    }

    private static (MeasureValue, int?, bool) Surveys(CompiledValue v, AccountData a, int day, int from)
    {
        var rows = a.Surveys;
        var end = Dated.EndOf(rows, day);
        var kind = v.SurveyKind;
        int? last = null;
        for (var i = end - 1; i >= 0; i--)
        {
            if (rows[i].Kind == kind)
            {
                last = rows[i].Day;
                break;
            }
        }
        if (last is null)
        {
            return (MeasureValue.Missing, null, false);
        }
        var start = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from);
        int n = 0, positive = 0, promoters = 0, detractors = 0;
        double sum = 0, latest = double.NaN;
        for (var i = start; i < end; i++)
        {
            var r = rows[i];
            if (r.Kind != kind)
            {
                continue;
            }
            n++;
            sum += r.Score;
            latest = r.Score;
            var isPositive = kind switch { SurveyKind.Nps => r.Score >= 9, SurveyKind.Csat => r.Score >= 4, _ => r.Score >= 5 };
            if (isPositive)
            {
                positive++;
            }
            if (kind == SurveyKind.Nps)
            {
                if (r.Score >= 9)
                {
                    promoters++;
                }
                else if (r.Score <= 6)
                {
                    detractors++;
                }
            }
        }
        var value = v.Spec.Aggregate switch
        {
            "count" => MeasureValue.Of(n),
            "nps" when n > 0 => MeasureValue.Of(100.0 * (promoters - detractors) / n),
            "average" when n > 0 => MeasureValue.Of(sum / n),
            "latest" when n > 0 => MeasureValue.Of(latest),
            "positive_share" when n > 0 => MeasureValue.Of(100.0 * positive / n),
            _ => MeasureValue.Missing,
        };
        return (value, last, true);
    }

    private static (MeasureValue, int?, bool) Tickets(CompiledValue v, AccountData a, int day, int from)
    {
        var rows = a.Tickets;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return (MeasureValue.Missing, null, false);
        }
        var pr = v.Priorities;
        int count = 0, open = 0, escalated = 0, rated = 0, good = 0, resolved = 0, responded = 0;
        double resolution = 0, response = 0;
        int? last = null;
        for (var i = 0; i < end; i++)
        {
            var t = rows[i];
            if (pr is not null && !pr.Contains(t.Priority))
            {
                continue;
            }
            last = t.Day;
            var inWindow = t.Day >= from;
            if (inWindow)
            {
                count++;
                if (t.Escalated)
                {
                    escalated++;
                }
            }
            if (t.ClosedDay is not { } closed || closed > day)
            {
                open++;
            }
            else if (closed >= from && t.ResolutionHours is { } rh)
            {
                resolved++;
                resolution += rh;
            }
            if (t.FirstResponseDay is { } fr && fr <= day && fr >= from && t.FirstResponseHours is { } frh)
            {
                responded++;
                response += frh;
            }
            if (t.Good is { } g && (t.ClosedDay ?? t.Day) <= day && (t.ClosedDay ?? t.Day) >= from)
            {
                rated++;
                if (g)
                {
                    good++;
                }
            }
        }
        var value = v.Spec.Aggregate switch
        {
            "count" => MeasureValue.Of(count),
            "open_count" => MeasureValue.Of(open),
            "escalated_count" => MeasureValue.Of(escalated),
            "avg_resolution_hours" when resolved > 0 => MeasureValue.Of(resolution / resolved),
            "avg_first_response_hours" when responded > 0 => MeasureValue.Of(response / responded),
            "satisfaction" when rated > 0 => MeasureValue.Of(100.0 * good / rated),
            _ => MeasureValue.Missing,
        };
        return (value, last ?? rows[end - 1].Day, true);
    }

    private static (MeasureValue, int?, bool) Invoices(CompiledValue v, AccountData a, int day, int from)
    {
        var rows = a.Invoices;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return (MeasureValue.Missing, null, false);
        }
        int maxOverdue = 0, failed = 0, due = 0, onTime = 0;
        double overdueAmount = 0;
        for (var i = 0; i < end; i++)
        {
            var inv = rows[i];
            if (inv.State == InvoiceState.Void)
            {
                continue;
            }
            // A paid invoice without a payment date is taken as paid on its due date.
            var paidDay = inv.PaidDay ?? (inv.State == InvoiceState.Paid ? inv.DueDay : null);
            var unpaidAtD = paidDay is null || paidDay > day;
            if (unpaidAtD && inv.DueDay < day)
            {
                maxOverdue = Math.Max(maxOverdue, day - inv.DueDay);
                overdueAmount += inv.Amount;
            }
            if (inv.DueDay >= from && inv.DueDay <= day)
            {
                if (inv.State == InvoiceState.Failed)
                {
                    failed++;
                }
                due++;
                if (paidDay is { } p && p <= inv.DueDay && p <= day)
                {
                    onTime++;
                }
            }
        }
        var value = v.Spec.Aggregate switch
        {
            "max_days_overdue" => MeasureValue.Of(maxOverdue),
            "overdue_amount" => MeasureValue.Of(overdueAmount),
            "failed_count" => MeasureValue.Of(failed),
            "on_time_ratio" when due > 0 => MeasureValue.Of((double)onTime / due),
            _ => MeasureValue.Missing,
        };
        return (value, rows[end - 1].Day, true);
    }

    private static (MeasureValue, int?, bool) Subscriptions(CompiledValue v, AccountData a, int day, int from)
    {
        var rows = a.Subscriptions;
        var end = Dated.EndOf(rows, day);
        int? last = end > 0 ? rows[end - 1].Day : null;
        switch (v.Spec.Aggregate)
        {
            case "arr_change":
            {
                if (end == 0)
                {
                    return (MeasureValue.Missing, null, false);
                }
                double sum = 0;
                for (var i = Dated.FirstOnOrAfter(rows, from); i < end; i++)
                {
                    sum += rows[i].ArrDelta;
                }
                return (MeasureValue.Of(sum), last, true);
            }
            case "tenure_days":
            {
                var start = StartDay(a, day);
                return start is { } s && s <= day ? (MeasureValue.Of(day - s), day, true) : (MeasureValue.Missing, null, false);
            }
            case "days_to_renewal":
            {
                int? renewal = a.RenewalDay;
                if (renewal is null)
                {
                    for (var i = end - 1; i >= 0; i--)
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
                    return (MeasureValue.Missing, null, false);
                }
                // A renewal date already passed is taken to have renewed for another year (evergreen contracts).
                var date = DateOnly.FromDayNumber(r);
                while (date.DayNumber < day)
                {
                    date = date.AddYears(1);
                }
                return (MeasureValue.Of(date.DayNumber - day), day, true);
            }
            default:
                return (MeasureValue.Missing, null, false);
        }
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

    private static (MeasureValue, int?, bool) Orders(CompiledValue v, AccountData a, int day, int from, BgNbdFit? ordersFit)
    {
        var rows = a.Orders;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return (MeasureValue.Missing, null, false);
        }
        var last = rows[end - 1].Day;
        if (v.Spec.Aggregate == "p_alive")
        {
            return (ordersFit is null ? MeasureValue.Missing : MeasureValue.Of(ordersFit.PAlive(OrderSummary(a, day))), last, true);
        }
        if (v.Spec.Aggregate == "days_since_last")
        {
            return (MeasureValue.Of(day - last), last, true);
        }
        int n = 0;
        double sum = 0, returned = 0;
        for (var i = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from); i < end; i++)
        {
            n++;
            sum += rows[i].Amount;
            returned += rows[i].Returned;
        }
        var value = v.Spec.Aggregate switch
        {
            "count" => MeasureValue.Of(n),
            "sum" => MeasureValue.Of(sum),
            "average" when n > 0 => MeasureValue.Of(sum / n),
            "return_rate" when sum > 0 => MeasureValue.Of(returned / sum),
            _ => MeasureValue.Missing,
        };
        return (value, last, true);
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

    private static (MeasureValue, int?, bool) Metrics(CompiledValue v, AccountData a, int day, int from)
    {
        if (!a.Metrics.TryGetValue(v.Spec.Metric!, out var rows))
        {
            return (MeasureValue.Missing, null, false);
        }
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return (MeasureValue.Missing, null, false);
        }
        var last = rows[end - 1].Day;
        if (v.Spec.Aggregate == "change")
        {
            var window = v.Spec.WindowDays!.Value;
            double now = 0, before = 0;
            int nNow = 0, nBefore = 0;
            for (var i = Dated.FirstOnOrAfter(rows, from - window); i < end; i++)
            {
                if (rows[i].Day >= from)
                {
                    now += rows[i].Value;
                    nNow++;
                }
                else
                {
                    before += rows[i].Value;
                    nBefore++;
                }
            }
            if (nNow == 0 || nBefore == 0)
            {
                return (MeasureValue.Missing, last, true);
            }
            var b = before / nBefore;
            return (MeasureValue.Of((now / nNow - b) / Math.Max(b, 1)), last, true);
        }
        int n = 0;
        double sum = 0, min = double.PositiveInfinity, max = double.NegativeInfinity, latest = double.NaN;
        for (var i = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from); i < end; i++)
        {
            var x = rows[i].Value;
            n++;
            sum += x;
            min = Math.Min(min, x);
            max = Math.Max(max, x);
            latest = x;
        }
        var value = v.Spec.Aggregate switch
        {
            "sum" => MeasureValue.Of(sum),
            "latest" when n > 0 => MeasureValue.Of(latest),
            "average" when n > 0 => MeasureValue.Of(sum / n),
            "min" when n > 0 => MeasureValue.Of(min),
            "max" when n > 0 => MeasureValue.Of(max),
            _ => MeasureValue.Missing,
        };
        return (value, last, true);
    }

    private static (MeasureValue, int?, bool) Sentiment(AccountData a, int day, int from)
    {
        var rows = a.Sentiments;
        var end = Dated.EndOf(rows, day);
        if (end == 0)
        {
            return (MeasureValue.Missing, null, false);
        }
        var latest = rows[end - 1];
        return (latest.Day >= from ? MeasureValue.Of(latest.Rating) : MeasureValue.Missing, latest.Day, true);
    }

    private static (MeasureValue, int?, bool) Account(CompiledValue v, AccountData a, int day)
    {
        var field = v.Spec.Field!;
        switch (field)
        {
            case "arr":
                return a.Arr is { } arr ? (MeasureValue.Of(arr), day, true) : (MeasureValue.Missing, null, false);
            case "seats":
                return a.Seats is { } seats ? (MeasureValue.Of(seats), day, true) : (MeasureValue.Missing, null, false);
            case "tenure_days":
                return StartDay(a, day) is { } s && s <= day ? (MeasureValue.Of(day - s), day, true) : (MeasureValue.Missing, null, false);
        }
        var text = a.Field(field);
        if (text is null)
        {
            return (MeasureValue.Missing, null, false);
        }
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
            ? (MeasureValue.Of(d), day, true)
            : (MeasureValue.OfText(text), day, true);
    }
}
