namespace CustomerHealth.Core.Measures;

// One view per signal kind: an account's signals of the kind up to the as-of day, the measure's window and filters,
// and the day of the newest signal the measure rests on. Each aggregate of the catalog reads one of them; the views
// are structs so that computing a value allocates nothing.

/// <summary>Usage rolled up per day and event, up to the day, with the measure's events (null: every event).</summary>
internal readonly struct UsageWindow
{
    /// <summary>The array the account's usage is a slice of (<see cref="AccountData.Usage"/>).</summary>
    public readonly UsageDay[] Rows;
    /// <summary>In <see cref="Rows"/>: the account's first row, the first row in the window and the end of the rows up to the day.</summary>
    public readonly int First, Start, End;
    public readonly bool[]? Ids;
    /// <summary>The day of the last matching event up to the day, if any.</summary>
    public readonly int? Last;
    public readonly AccountData Account;
    public readonly CompiledValue Value;
    public readonly int Day, From;

    private UsageWindow(CompiledValue v, AccountData a, int day, int from, int end)
    {
        Rows = a.Usage.Array!;
        First = a.Usage.Offset;
        End = First + end;
        Start = First + (from == int.MinValue ? 0 : Dated.FirstOnOrAfter<UsageDay>(a.Usage, from));
        Ids = v.EventIds;
        for (var i = End - 1; i >= First; i--)
        {
            if (Matches(i))
            {
                Last = Rows[i].Day;
                break;
            }
        }
        Account = a;
        Value = v;
        Day = day;
        From = from;
    }

    /// <summary>False when the account has no usage at all up to the day.</summary>
    public static bool TryRead(CompiledValue v, AccountData a, int day, int from, out UsageWindow window)
    {
        var end = Dated.EndOf<UsageDay>(a.Usage, day);
        window = end == 0 ? default : new UsageWindow(v, a, day, from, end);
        return end > 0;
    }

    public bool Matches(int i) => CompiledValue.Takes(Ids, Rows[i].Event);

    /// <summary>A count or sum of the window, divided by the seats with `per: seats` (missing without seats).</summary>
    public RawValue PerSeat(double result) => new(PerSeat(MeasureValue.Of(result), Value, Account), Last, true);

    /// <summary>A count or sum divided by the account's seats when the value says `per: seats` (missing without seats).</summary>
    public static MeasureValue PerSeat(MeasureValue total, CompiledValue v, AccountData a) =>
        !v.Spec.PerSeats || total.IsMissing ? total
        : a.Seats is > 0 ? MeasureValue.Of(total.Number / a.Seats.Value)
        : MeasureValue.Missing;

    /// <summary>Σ count (or Σ value) of the matching events in the window.</summary>
    public double Total(bool count)
    {
        double total = 0;
        for (var i = Start; i < End; i++)
        {
            if (Matches(i))
            {
                total += count ? Rows[i].Count : Rows[i].Sum;
            }
        }
        return total;
    }

    public double ActiveDays()
    {
        var days = 0;
        var prev = int.MinValue;
        for (var i = Start; i < End; i++)
        {
            if (Rows[i].Day != prev && Rows[i].Count > 0 && Matches(i))
            {
                days++;
                prev = Rows[i].Day;
            }
        }
        return days;
    }

    public double DistinctEvents()
    {
        var seen = new DistinctCounter();
        for (var i = Start; i < End; i++)
        {
            if (Rows[i].Count > 0 && Matches(i))
            {
                seen.Add(Rows[i].Event);
            }
        }
        return seen.Count;
    }

    public double DistinctUsers()
    {
        ReadOnlySpan<UserDay> users = Account.UserDays;
        var uEnd = Dated.EndOf(users, Day);
        var uStart = From == int.MinValue ? 0 : Dated.FirstOnOrAfter(users, From);
        var seen = new DistinctCounter();
        for (var i = uStart; i < uEnd; i++)
        {
            if (CompiledValue.Takes(Ids, users[i].Event))
            {
                seen.Add(users[i].User);
            }
        }
        return seen.Count;
    }

    /// <summary>(count in the window − count in the window before) / max(count before, 1).</summary>
    public RawValue Change()
    {
        var window = Value.Spec.WindowDays!.Value;
        double now = 0, before = 0;
        var beforeRows = 0;
        var prevStart = First + Dated.FirstOnOrAfter<UsageDay>(Account.Usage, From - window);
        for (var i = prevStart; i < End; i++)
        {
            if (Matches(i))
            {
                if (Rows[i].Day >= From)
                {
                    now += Rows[i].Count;
                }
                else
                {
                    before += Rows[i].Count;
                    beforeRows++;
                }
            }
        }
        return new(Change(Rows[First].Day, From, window, now, before, beforeRows), Last, true);
    }

    /// <summary>
    /// `change` from the counts of the window (from <paramref name="from"/> on) and of the window before: missing until
    /// the earlier window is wholly observed (the account's usage, from <paramref name="firstDay"/>, began before it) and
    /// has data, so that a new account's first days are not a rise against an empty month.
    /// </summary>
    public static MeasureValue Change(int firstDay, int from, int window, double now, double before, long beforeRows) =>
        firstDay > from - window || beforeRows == 0 ? MeasureValue.Missing : MeasureValue.Of((now - before) / Math.Max(before, 1));

    /// <summary>An event never seen counts from the first usage of any kind: the account was observed and did not do it.</summary>
    public RawValue DaysSinceLast() => DaysSinceLast(Day, Last, Rows[First].Day);

    /// <summary>`days_since_last` as of the day, from the last matching event's day (null: none) and the account's first usage day.</summary>
    public static RawValue DaysSinceLast(int day, int? last, int firstDay) => new(MeasureValue.Of(day - (last ?? firstDay)), last ?? day, true);

    // Distinct counts use a per-thread hash table whose slots are marked with a stamp: no set to allocate or clear for
    // every account and measure. It is as large as the most keys one count has seen (an account's users, not the
    // store's: user keys run into the millions, an account's users into the tens).
    [ThreadStatic]
    private static int[]? slotKeys;
    [ThreadStatic]
    private static int[]? slotStamps;
    [ThreadStatic]
    private static int stamp;

    /// <summary>Counts the distinct keys given to <see cref="Add"/> calls.</summary>
    private ref struct DistinctCounter
    {
        private int[] keys, marks;
        private int shift;
        private readonly int mark;

        public DistinctCounter()
        {
            keys = slotKeys ??= new int[64];
            marks = slotStamps ??= new int[64];
            shift = 32 - System.Numerics.BitOperations.Log2((uint)keys.Length);
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
            // Open addressing (linear probing), at most half full.
            var mask = keys.Length - 1;
            for (var i = Slot(key); ; i = (i + 1) & mask)
            {
                if (marks[i] != mark)
                {
                    marks[i] = mark;
                    keys[i] = key;
                    if (++Count * 2 > keys.Length)
                    {
                        Grow();
                    }
                    return;
                }
                if (keys[i] == key)
                {
                    return;
                }
            }
        }

        /// <summary>A key's first slot (Fibonacci hashing: the top bits of the key times 2^32 / φ).</summary>
        private readonly int Slot(int key) => (int)(((uint)key * 2654435769u) >> shift);

        /// <summary>Twice the slots, the keys counted so far placed again (the thread keeps the larger table).</summary>
        private void Grow()
        {
            var (oldKeys, oldMarks) = (keys, marks);
            keys = slotKeys = new int[oldKeys.Length * 2];
            marks = slotStamps = new int[oldKeys.Length * 2];
            shift--;
            var mask = keys.Length - 1;
            for (var j = 0; j < oldKeys.Length; j++)
            {
                if (oldMarks[j] != mark)
                {
                    continue;
                }
                var i = Slot(oldKeys[j]);
                while (marks[i] == mark)
                {
                    i = (i + 1) & mask;
                }
                marks[i] = mark;
                keys[i] = oldKeys[j];
            }
        }
    }
}

/// <summary>Survey answers of the measure's `kind` up to the day.</summary>
internal readonly struct SurveyWindow
{
    public readonly SurveyPoint[] Rows;
    public readonly int Start, End;
    public readonly SurveyKind? Kind;
    /// <summary>The day of the last answer of the kind up to the day.</summary>
    public readonly int Last;

    private SurveyWindow(SurveyPoint[] rows, int start, int end, SurveyKind? kind, int last)
    {
        Rows = rows;
        Start = start;
        End = end;
        Kind = kind;
        Last = last;
    }

    /// <summary>False when the account has no answer of the kind up to the day.</summary>
    public static bool TryRead(CompiledValue v, AccountData a, int day, int from, out SurveyWindow window)
    {
        var rows = a.Surveys;
        var end = Dated.EndOf(rows, day);
        var kind = v.SurveyKind;
        for (var i = end - 1; i >= 0; i--)
        {
            if (rows[i].Kind == kind)
            {
                window = new SurveyWindow(rows, from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from), end, kind, rows[i].Day);
                return true;
            }
        }
        window = default;
        return false;
    }

    /// <summary>The answers of the kind in the window, their sum, the latest, the positive ones, promoters and detractors.</summary>
    public (int N, double Sum, double Latest, int Positive, int Promoters, int Detractors) Tally()
    {
        int n = 0, positive = 0, promoters = 0, detractors = 0;
        double sum = 0, latest = double.NaN;
        for (var i = Start; i < End; i++)
        {
            var r = Rows[i];
            if (r.Kind != Kind)
            {
                continue;
            }
            n++;
            sum += r.Score;
            latest = r.Score;
            var tone = SurveyAnswers.Tone(r.Kind, r.Score);
            if (tone == AnswerTone.Positive)
            {
                positive++;
            }
            // For NPS the positive answers are the promoters and the negative ones the detractors.
            if (Kind == SurveyKind.Nps)
            {
                promoters += tone == AnswerTone.Positive ? 1 : 0;
                detractors += tone == AnswerTone.Negative ? 1 : 0;
            }
        }
        return (n, sum, latest, positive, promoters, detractors);
    }
}

/// <summary>Tickets opened up to the day with the measure's priorities (null: every priority).</summary>
internal readonly struct TicketWindow
{
    public readonly TicketPoint[] Rows;
    public readonly int End;
    public readonly HashSet<TicketPriority>? Priorities;
    public readonly int Day, From;
    /// <summary>The day of the last matching ticket, else of the last ticket.</summary>
    public readonly int Last;

    private TicketWindow(CompiledValue v, TicketPoint[] rows, int end, int day, int from)
    {
        Rows = rows;
        End = end;
        Priorities = v.Priorities;
        Day = day;
        From = from;
        Last = rows[end - 1].Day;
        for (var i = end - 1; i >= 0; i--)
        {
            if (Matches(i))
            {
                Last = rows[i].Day;
                break;
            }
        }
    }

    /// <summary>False when the account has no ticket up to the day.</summary>
    public static bool TryRead(CompiledValue v, AccountData a, int day, int from, out TicketWindow window)
    {
        var end = Dated.EndOf(a.Tickets, day);
        window = end == 0 ? default : new TicketWindow(v, a.Tickets, end, day, from);
        return end > 0;
    }

    public bool Matches(int i) => Priorities is null || Priorities.Contains(Rows[i].Priority);

    /// <summary>Matching tickets opened in the window (only the escalated ones).</summary>
    public int Opened(bool escalatedOnly)
    {
        var n = 0;
        for (var i = 0; i < End; i++)
        {
            if (Matches(i) && Rows[i].Day >= From && (!escalatedOnly || Rows[i].Escalated))
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>Matching tickets not closed by the day.</summary>
    public int Open()
    {
        var n = 0;
        for (var i = 0; i < End; i++)
        {
            if (Matches(i) && (Rows[i].ClosedDay is not { } closed || closed > Day))
            {
                n++;
            }
        }
        return n;
    }

    /// <summary>The average hours to close, over the matching tickets closed in the window; NaN without any.</summary>
    public double AverageResolutionHours()
    {
        var n = 0;
        double hours = 0;
        for (var i = 0; i < End; i++)
        {
            var t = Rows[i];
            if (Matches(i) && t.ClosedDay is { } closed && closed <= Day && closed >= From && t.ResolutionHours is { } rh)
            {
                n++;
                hours += rh;
            }
        }
        return n > 0 ? hours / n : double.NaN;
    }

    /// <summary>The average hours to the first answer, over the matching tickets first answered in the window; NaN without any.</summary>
    public double AverageFirstResponseHours()
    {
        var n = 0;
        double hours = 0;
        for (var i = 0; i < End; i++)
        {
            var t = Rows[i];
            if (Matches(i) && t.FirstResponseDay is { } fr && fr <= Day && fr >= From && t.FirstResponseHours is { } frh)
            {
                n++;
                hours += frh;
            }
        }
        return n > 0 ? hours / n : double.NaN;
    }

    /// <summary>% `good` among the matching rated tickets closed (else opened) in the window; NaN without any.</summary>
    public double Satisfaction()
    {
        int rated = 0, good = 0;
        for (var i = 0; i < End; i++)
        {
            var t = Rows[i];
            if (Matches(i) && t.Good is { } g && (t.ClosedDay ?? t.Day) <= Day && (t.ClosedDay ?? t.Day) >= From)
            {
                rated++;
                if (g)
                {
                    good++;
                }
            }
        }
        return rated > 0 ? 100.0 * good / rated : double.NaN;
    }
}

/// <summary>Invoices known up to the day.</summary>
internal readonly struct InvoiceWindow
{
    public readonly InvoicePoint[] Rows;
    public readonly int End;
    public readonly int Day, From;

    private InvoiceWindow(InvoicePoint[] rows, int end, int day, int from)
    {
        Rows = rows;
        End = end;
        Day = day;
        From = from;
    }

    /// <summary>False when the account has no invoice up to the day.</summary>
    public static bool TryRead(AccountData a, int day, int from, out InvoiceWindow window)
    {
        var end = Dated.EndOf(a.Invoices, day);
        window = end == 0 ? default : new InvoiceWindow(a.Invoices, end, day, from);
        return end > 0;
    }

    public int Last => Rows[End - 1].Day;

    /// <summary>A paid invoice without a payment date is taken as paid on its due date.</summary>
    private static int? PaidDay(in InvoicePoint inv) => inv.PaidDay ?? (inv.State == InvoiceState.Paid ? inv.DueDay : null);

    /// <summary>The days the oldest non-void invoice due before the day and unpaid at it is overdue (0 when none), and their amount.</summary>
    public (int MaxDays, double Amount) Overdue()
    {
        var maxDays = 0;
        double amount = 0;
        for (var i = 0; i < End; i++)
        {
            var inv = Rows[i];
            if (inv.State == InvoiceState.Void)
            {
                continue;
            }
            var paidDay = PaidDay(inv);
            if ((paidDay is null || paidDay > Day) && inv.DueDay < Day)
            {
                maxDays = Math.Max(maxDays, Day - inv.DueDay);
                amount += inv.Amount;
            }
        }
        return (maxDays, amount);
    }

    /// <summary>Non-void invoices due in the window: how many, how many failed, how many were paid by their due day.</summary>
    public (int Due, int Failed, int OnTime) DueInWindow()
    {
        int due = 0, failed = 0, onTime = 0;
        for (var i = 0; i < End; i++)
        {
            var inv = Rows[i];
            if (inv.State == InvoiceState.Void || inv.DueDay < From || inv.DueDay > Day)
            {
                continue;
            }
            if (inv.State == InvoiceState.Failed)
            {
                failed++;
            }
            due++;
            if (PaidDay(inv) is { } p && p <= inv.DueDay && p <= Day)
            {
                onTime++;
            }
        }
        return (due, failed, onTime);
    }
}

/// <summary>Orders placed up to the day, and those in the window.</summary>
internal readonly struct OrderWindow
{
    public readonly OrderPoint[] Rows;
    public readonly int Start, End;
    public readonly AccountData Account;
    public readonly int Day;

    private OrderWindow(AccountData a, int end, int day, int from)
    {
        Rows = a.Orders;
        End = end;
        Start = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(Rows, from);
        Account = a;
        Day = day;
    }

    /// <summary>False when the account has no order up to the day.</summary>
    public static bool TryRead(AccountData a, int day, int from, out OrderWindow window)
    {
        var end = Dated.EndOf(a.Orders, day);
        window = end == 0 ? default : new OrderWindow(a, end, day, from);
        return end > 0;
    }

    public int Last => Rows[End - 1].Day;

    /// <summary>The number of orders in the window.</summary>
    public int Count => Math.Max(End - Start, 0);

    /// <summary>The median amount of the orders in the window; NaN without any.</summary>
    public double MedianAmount()
    {
        var n = Count;
        Span<double> amounts = n <= 256 ? stackalloc double[n] : new double[n];
        for (var i = 0; i < n; i++)
        {
            amounts[i] = Rows[Start + i].Amount;
        }
        return Median.Of(amounts);
    }

    /// <summary>Σ `amount` and Σ `returned_amount` of the orders in the window.</summary>
    public (double Amount, double Returned) Sums()
    {
        double amount = 0, returned = 0;
        for (var i = Start; i < End; i++)
        {
            amount += Rows[i].Amount;
            returned += Rows[i].Returned;
        }
        return (amount, returned);
    }
}

/// <summary>The values of the measure's `metric` up to the day.</summary>
internal readonly struct MetricWindow
{
    public readonly MetricPoint[] Rows;
    public readonly int Start, End;
    public readonly int From;
    public readonly int? WindowDays;

    private MetricWindow(MetricPoint[] rows, int end, int from, int? windowDays)
    {
        Rows = rows;
        End = end;
        Start = from == int.MinValue ? 0 : Dated.FirstOnOrAfter(rows, from);
        From = from;
        WindowDays = windowDays;
    }

    /// <summary>False when the account has no value of the metric up to the day.</summary>
    public static bool TryRead(CompiledValue v, AccountData a, int day, int from, out MetricWindow window)
    {
        if (!a.Metrics.TryGetValue(v.Spec.Metric!, out var rows) || Dated.EndOf(rows, day) is var end && end == 0)
        {
            window = default;
            return false;
        }
        window = new MetricWindow(rows, end, from, v.Spec.WindowDays);
        return true;
    }

    public int Last => Rows[End - 1].Day;

    /// <summary>The number of values in the window.</summary>
    public int Count => Math.Max(End - Start, 0);

    public double Sum()
    {
        double sum = 0;
        for (var i = Start; i < End; i++)
        {
            sum += Rows[i].Value;
        }
        return sum;
    }

    public double Min()
    {
        var min = double.PositiveInfinity;
        for (var i = Start; i < End; i++)
        {
            min = Math.Min(min, Rows[i].Value);
        }
        return min;
    }

    public double Max()
    {
        var max = double.NegativeInfinity;
        for (var i = Start; i < End; i++)
        {
            max = Math.Max(max, Rows[i].Value);
        }
        return max;
    }

    /// <summary>The median of the values in the window; NaN without any.</summary>
    public double MedianValue()
    {
        var n = Count;
        Span<double> values = n <= 256 ? stackalloc double[n] : new double[n];
        for (var i = 0; i < n; i++)
        {
            values[i] = Rows[Start + i].Value;
        }
        return Median.Of(values);
    }

    /// <summary>(average in the window − average in the window before) / max(average before, 1); NaN unless both have values.</summary>
    public double Change()
    {
        var window = WindowDays!.Value;
        double now = 0, before = 0;
        int nNow = 0, nBefore = 0;
        for (var i = Dated.FirstOnOrAfter(Rows, From - window); i < End; i++)
        {
            if (Rows[i].Day >= From)
            {
                now += Rows[i].Value;
                nNow++;
            }
            else
            {
                before += Rows[i].Value;
                nBefore++;
            }
        }
        if (nNow == 0 || nBefore == 0)
        {
            return double.NaN;
        }
        var b = before / nBefore;
        return (now / nNow - b) / Math.Max(b, 1);
    }
}

internal static class Median
{
    /// <summary>The middle value, or the mean of the two middle values of an even count; NaN for none. Sorts the values in place.</summary>
    public static double Of(Span<double> values)
    {
        if (values.IsEmpty)
        {
            return double.NaN;
        }
        values.Sort();
        var mid = values.Length / 2;
        // Halved before adding: the mean of two huge values does not overflow.
        return values.Length % 2 == 1 ? values[mid] : values[mid - 1] / 2 + values[mid] / 2;
    }
}
