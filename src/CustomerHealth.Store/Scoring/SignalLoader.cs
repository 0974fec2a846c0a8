using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Measures;
using CustomerHealth.Store.Engines;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// Loads every account's signals into the sorted arrays the measures read, in one ordered pass per table.
/// Timestamps become days in the model's timezone; usage is already rolled up per day (in blocks of days). It is the one way signals are
/// read, and it starts by settling the usage (<see cref="Settle"/>).
/// </summary>
internal sealed class SignalLoader
{
    private readonly StoreDb db;

    private SignalLoader(StoreDb db) => this.db = db;

    /// <summary>
    /// Settles the usage (<see cref="UsageInbox.Settle"/>: the usage accepted over HTTP and waiting in the inbox joins
    /// the stored usage, and the accounts it touched are marked) and returns the loader of the settled signals. Every
    /// reader of usage starts here, once, before it looks at the signals or at the marks.
    /// </summary>
    public static SignalLoader Settle(StoreDb db)
    {
        UsageInbox.Settle(db);
        return new SignalLoader(db);
    }

    /// <param name="zone">The model's timezone: the signals' timestamps become days in it.</param>
    /// <param name="onlyTouched">Load only the accounts marked as touched since they were last scored.</param>
    /// <param name="cancel">Stops the reads soon after it is cancelled (a preview whose client left), throwing <see cref="OperationCanceledException"/>.</param>
    /// <param name="shares">Only the accounts of these shares (with <paramref name="onlyTouched"/>, their touched ones); null: every share.</param>
    /// <param name="keys">Only the accounts whose keys are in this range (both ends in); null: every key.</param>
    /// <param name="slabs">Where the accounts' usage is read into (see <see cref="UsageSlabs"/>); null: arrays of its own.</param>
    public (List<AccountData> Accounts, Dictionary<string, int> EventIds) LoadAll(TimeZoneInfo zone, bool onlyTouched = false, CancellationToken cancel = default,
        Sharing.AccountShares? shares = null, (long From, long To)? keys = null, UsageSlabs? slabs = null)
    {
        cancel.ThrowIfCancellationRequested();
        var inShares = (shares ?? Sharing.AccountShares.All).Where("account_key") +
            (keys is { } k ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" AND account_key BETWEEN {k.From} AND {k.To}") : "");
        var only = onlyTouched ? $"account_key IN (SELECT account_key FROM dirty_accounts WHERE {inShares})" : inShares;
        var eventIds = new Dictionary<string, int>(StringComparer.Ordinal);
        Sliced<UsageDay> usage = null!;
        Sliced<UserDay> users = null!;
        Grouped<SurveyPoint> surveys = null!;
        Grouped<TicketPoint> tickets = null!;
        Grouped<InvoicePoint> invoices = null!;
        Grouped<SubscriptionPoint> subscriptions = null!;
        Grouped<OrderPoint> orders = null!;
        Grouped<SentimentPoint> sentiment = null!;
        Grouped<TouchPoint> touches = null!;
        Grouped<(string Metric, MetricPoint Point)> metrics = null!;
        List<Row0> accountRows = null!;
        // Each table is read on a connection of its own, on every core: the reads are independent.
        Parallel.Invoke(
            () => (usage, users) = ReadUsage(db, cancel, only, onlyTouched ? null : keys ?? KeyRange(db), slabs ?? new UsageSlabs()),
            () =>
            {
                foreach (var r in db.Engine.ReadRows(db, "SELECT name, event_key FROM event_names"))
                {
                    eventIds[r.GetString(0)] = r.GetInt32(1);
                }
                accountRows = db.Engine.ReadRows(db,
                    $"SELECT account_key, account_id, name, segment, lifecycle_stage, plan, owner, parent_id, arr, seats, started_on, renewal_on, status_churned_on, attributes FROM accounts WHERE {only} ORDER BY account_key")
                    .Select(r => new Row0(r.GetInt64(0), r.GetString(1), Text(r, 2), Text(r, 3), Text(r, 4), Text(r, 5), Text(r, 6), Text(r, 7),
                        r.IsDBNull(8) ? null : r.GetDouble(8), r.IsDBNull(9) ? null : r.GetDouble(9), DateDay(r, 10), DateDay(r, 11), DateDay(r, 12), Text(r, 13))).ToList();
                surveys = Read(db, cancel, $"SELECT account_key, responded_at, kind, score, comment FROM surveys WHERE {only} ORDER BY account_key, responded_at",
                    r => new SurveyPoint(Day(r, 1, zone), Enum.Parse<SurveyKind>(r.GetString(2), true), r.GetDouble(3), r.IsDBNull(4) ? null : r.GetString(4)));
                tickets = Read(db, cancel, $"SELECT account_key, opened_at, priority, closed_at, first_response_at, status, escalated, satisfaction FROM tickets WHERE {only} ORDER BY account_key, opened_at", r =>
                {
                    var opened = StoredDates.Instant(r.GetUtf8(1));
                    DateTimeOffset? closed = r.IsDBNull(3) ? null : StoredDates.Instant(r.GetUtf8(3));
                    DateTimeOffset? first = r.IsDBNull(4) ? null : StoredDates.Instant(r.GetUtf8(4));
                    var closedAt = TicketClosing.ClosedAt(opened, closed, first, r.GetString(5));
                    return new TicketPoint(StoredDates.Day(opened, zone), Enum.Parse<TicketPriority>(r.GetString(2), true),
                        closedAt is { } ca ? StoredDates.Day(ca, zone) : null, first is { } f ? StoredDates.Day(f, zone) : null,
                        closed is { } cl ? (cl - opened).TotalHours : null, first is { } f2 ? (f2 - opened).TotalHours : null,
                        r.GetInt64(6) != 0, r.IsDBNull(7) ? null : r.GetString(7) == "good");
                });
            },
            () =>
            {
                invoices = Read(db, cancel, $"SELECT account_key, due_on, issued_on, paid_on, status, amount FROM invoices WHERE {only} ORDER BY account_key", r =>
                {
                    var due = StoredDates.DayNumber(r.GetUtf8(1));
                    return InvoicePoint.Issued(DateDay(r, 2), due, DateDay(r, 3),
                        Enum.Parse<InvoiceState>(r.GetString(4), true), r.GetDouble(5));
                });
                subscriptions = Read(db, cancel, $"SELECT account_key, occurred_on, kind, arr_delta FROM subscriptions WHERE {only} ORDER BY account_key, occurred_on",
                    r => new SubscriptionPoint(StoredDates.DayNumber(r.GetUtf8(1)), Enum.Parse<SubscriptionKind>(r.GetString(2), true), r.IsDBNull(3) ? 0 : r.GetDouble(3)));
                orders = Read(db, cancel, $"SELECT account_key, placed_at, amount, returned_amount FROM orders WHERE {only} ORDER BY account_key, placed_at",
                    r => new OrderPoint(Day(r, 1, zone), r.GetDouble(2), r.GetDouble(3)));
                sentiment = Read(db, cancel, $"SELECT account_key, recorded_at, rating FROM sentiment WHERE {only} ORDER BY account_key",
                    r => new SentimentPoint(Day(r, 1, zone), r.GetInt32(2)));
                touches = Read(db, cancel, $"SELECT account_key, occurred_at FROM touches WHERE {only} ORDER BY account_key",
                    r => new TouchPoint(Day(r, 1, zone)));
                metrics = Read(db, cancel, $"SELECT account_key, metric, date, value FROM metrics WHERE {only} ORDER BY account_key, metric, date",
                    r => (r.GetString(1), new MetricPoint(StoredDates.DayNumber(r.GetUtf8(2)), r.GetDouble(3))));
            });
        // A cancelled read stops early with part of the rows: nothing of it is used.
        cancel.ThrowIfCancellationRequested();

        var accounts = new List<AccountData>(accountRows.Count);
        foreach (var a in accountRows)
        {
            var key = a.Key;
            accounts.Add(new AccountData
            {
                Key = (int)key,
                AccountId = a.AccountId,
                Name = a.Name,
                Segment = a.Segment,
                LifecycleStage = a.Stage,
                Plan = a.Plan,
                Owner = a.Owner,
                ParentId = a.Parent,
                Arr = a.Arr,
                Seats = a.Seats,
                StartedDay = a.Started,
                RenewalDay = a.Renewal,
                StatusChurnedDay = a.Churned,
                Attributes = a.Attributes is null ? System.Collections.ObjectModel.ReadOnlyDictionary<string, string>.Empty : JsonSerializer.Deserialize<Dictionary<string, string>>(a.Attributes) ?? [],
                Usage = usage.Of(key),
                UserDays = users.Of(key),
                Surveys = surveys.Of(key),
                Tickets = tickets.Of(key),
                Invoices = Sorted(invoices.Of(key)),
                Subscriptions = subscriptions.Of(key),
                Orders = orders.Of(key),
                Sentiments = Sorted(sentiment.Of(key)),
                Touches = Sorted(touches.Of(key)),
                Metrics = Metrics(metrics.Of(key)),
            });
        }
        return (accounts, eventIds);
    }

    /// <summary>
    /// Every account as far as churn goes (owner, ARR, the `churned` and `reactivated` subscription events and a
    /// `status = churned` day), for judging what came before churn without loading the signals.
    /// </summary>
    public static Dictionary<int, AccountData> LoadChurn(StoreDb db)
    {
        var subscriptions = Read(db, CancellationToken.None,
            "SELECT account_key, occurred_on, kind, arr_delta FROM subscriptions WHERE kind IN ('churned', 'reactivated') ORDER BY account_key, occurred_on",
            r => new SubscriptionPoint(StoredDates.DayNumber(r.GetUtf8(1)), Enum.Parse<SubscriptionKind>(r.GetString(2), true), r.IsDBNull(3) ? 0 : r.GetDouble(3)));
        return db.Engine.ReadRows(db, "SELECT account_key, account_id, owner, arr, status_churned_on FROM accounts ORDER BY account_key")
            .Select(r => new AccountData
            {
                Key = (int)r.GetInt64(0),
                AccountId = r.GetString(1),
                Owner = Text(r, 2),
                Arr = r.IsDBNull(3) ? null : r.GetDouble(3),
                StatusChurnedDay = DateDay(r, 4),
                Subscriptions = subscriptions.Of(r.GetInt64(0)),
            })
            .ToDictionary(a => a.Key);
    }

    private sealed record Row0(long Key, string AccountId, string? Name, string? Segment, string? Stage, string? Plan, string? Owner, string? Parent,
        double? Arr, double? Seats, int? Started, int? Renewal, int? Churned, string? Attributes);

    private static int? DateDay(IRowReader r, int i) => r.IsDBNull(i) ? null : StoredDates.DayNumber(r.GetUtf8(i));

    /// <summary>The day, in the model's timezone, of a stored instant.</summary>
    private static int Day(IRowReader r, int i, TimeZoneInfo zone) => StoredDates.Day(StoredDates.Instant(r.GetUtf8(i)), zone);

    private static T[] Sorted<T>(T[] items) where T : struct, IDated
    {
        for (var i = 1; i < items.Length; i++)
        {
            if (items[i].Day < items[i - 1].Day)
            {
                return [.. items.OrderBy(x => x.Day)];
            }
        }
        return items;
    }

    private static IReadOnlyDictionary<string, MetricPoint[]> Metrics((string Metric, MetricPoint Point)[] rows)
    {
        if (rows.Length == 0)
        {
            return Empty;
        }
        return rows.GroupBy(r => r.Metric, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(x => x.Point).ToArray(), StringComparer.Ordinal);
    }

    private static readonly Dictionary<string, MetricPoint[]> Empty = [];

    /// <summary>The lowest and highest account key, or null when there is no account.</summary>
    private static (long From, long To)? KeyRange(StoreDb db)
    {
        foreach (var r in db.Engine.ReadRows(db, "SELECT MIN(account_key), MAX(account_key) FROM accounts"))
        {
            return r.IsDBNull(0) ? null : (r.GetInt64(0), r.GetInt64(1));
        }
        return null;
    }

    /// <summary>How wide a range of account keys a usage read must span to be split over the cores.</summary>
    private const long SplitUsageFrom = 2_000;

    /// <summary>In how many parts a usage read of a range of keys is split (null: one per core once the range spans <see cref="SplitUsageFrom"/> keys).</summary>
    internal int? UsageParts { get; set; }

    /// <summary>
    /// The usage of the accounts <paramref name="only"/> names; when they span a range of keys wide enough, read
    /// in as many parts of it as there are cores, each on a connection of its own (usage is most of what a run reads).
    /// </summary>
    private (Sliced<UsageDay> Usage, Sliced<UserDay> Users) ReadUsage(StoreDb db, CancellationToken cancel, string only, (long From, long To)? range, UsageSlabs slabs)
    {
        var wide = UsageParts is null ? SplitUsageFrom : 1;
        var parts = range is { } r && r.To - r.From >= wide ? Math.Clamp(UsageParts ?? Environment.ProcessorCount, 1, 8) : 1;
        if (parts == 1)
        {
            return ReadUsagePart(db, cancel, only, slabs);
        }
        var (from, to) = range!.Value;
        var width = (to - from + 1 + parts - 1) / parts;
        var read = new (Sliced<UsageDay> Usage, Sliced<UserDay> Users)[parts];
        Parallel.For(0, parts, i =>
        {
            var lo = from + i * width;
            var hi = Math.Min(to, lo + width - 1);
            read[i] = ReadUsagePart(db, cancel, string.Create(CultureInfo.InvariantCulture, $"{only} AND account_key BETWEEN {lo} AND {hi}"), slabs);
        });
        for (var i = 1; i < parts; i++)
        {
            read[0].Usage.Take(read[i].Usage);
            read[0].Users.Take(read[i].Users);
        }
        return read[0];
    }

    /// <summary>
    /// The usage of the accounts <paramref name="only"/> names, from their blocks (<see cref="UsageBlocks"/>): each cell
    /// is a day and event of the account, and each of its users a user of that day and event. A cell a correction
    /// emptied of events (count 0, sum 0) counts as no activity; its users still count.
    /// </summary>
    private static (Sliced<UsageDay> Usage, Sliced<UserDay> Users) ReadUsagePart(StoreDb db, CancellationToken cancel, string only, UsageSlabs slabs)
    {
        var usage = new Sliced<UsageDay>(slabs.Usage);
        var users = new Sliced<UserDay>(slabs.Users);
        var n = 0;
        foreach (var r in db.Engine.ReadRows(db, $"SELECT {UsageBlocks.Columns} FROM usage_blocks WHERE {only} ORDER BY account_key, block"))
        {
            if ((++n & 255) == 0 && cancel.IsCancellationRequested)
            {
                break;
            }
            var key = r.GetInt64(0);
            var cells = new UsageBlocks.CellReader(r.GetBytes(2), UsageBlocks.FirstDay(r.GetInt32(1)));
            while (cells.Next())
            {
                int day = cells.Day, ev = (int)cells.Event;
                if (cells.Count != 0 || Math.Abs(cells.Sum) >= 1e-9)
                {
                    usage.Add(key, new UsageDay(day, ev, cells.Count, cells.Sum));
                }
                var u = cells.Users();
                while (u.Next())
                {
                    users.Add(key, new UserDay(day, ev, (int)u.User));
                }
            }
        }
        usage.Flush();
        users.Flush();
        return (usage, users);
    }

    /// <summary>Rows of one table, read in account order into one exact-size array per account.</summary>
    private sealed class Grouped<T>
    {
        private readonly Dictionary<long, T[]> byAccount = [];
        private readonly List<T> run = [];
        private long current = long.MinValue;

        public void Add(long key, T item)
        {
            if (key != current)
            {
                Flush();
                current = NextAccount(byAccount, key);
            }
            run.Add(item);
        }

        public void Flush()
        {
            if (run.Count > 0)
            {
                byAccount[current] = [.. run];
                run.Clear();
            }
        }

        public T[] Of(long key) => byAccount.TryGetValue(key, out var items) ? items : [];
    }

    /// <summary>The key of the next account of rows read in account order, refused when that account's rows came before.</summary>
    private static long NextAccount<TRows>(Dictionary<long, TRows> read, long key) =>
        read.ContainsKey(key) ? throw new InvalidOperationException("rows must come ordered by account") : key;

    /// <summary>
    /// Rows of one table read in account order into large arrays taken from <paramref name="pool"/>, each account's rows
    /// one slice of one of them: no array of its own for each account (the usage of 100,000 accounts is tens of millions
    /// of rows), and the arrays can serve the next accounts read once these are done with (<see cref="UsageSlabs"/>).
    /// </summary>
    private sealed class Sliced<T>(UsageSlabs.Pool<T> pool)
    {
        private readonly Dictionary<long, ArraySegment<T>> byAccount = [];
        private T[] slab = [];
        private int used, runStart;
        private long current = long.MinValue;

        public void Add(long key, T item)
        {
            if (key != current)
            {
                Flush();
                current = NextAccount(byAccount, key);
            }
            if (used == slab.Length)
            {
                // The account's rows so far move to the next array: a slice lies in one array.
                var run = used - runStart;
                var next = pool.Take(run + 1);
                Array.Copy(slab, runStart, next, 0, run);
                slab = next;
                used = run;
                runStart = 0;
            }
            slab[used++] = item;
        }

        public void Flush()
        {
            if (used > runStart)
            {
                byAccount[current] = new ArraySegment<T>(slab, runStart, used - runStart);
                runStart = used;
            }
        }

        public ArraySegment<T> Of(long key) => byAccount.TryGetValue(key, out var items) ? items : ArraySegment<T>.Empty;

        /// <summary>Adds the accounts of another read, of other accounts, to these.</summary>
        public void Take(Sliced<T> other)
        {
            foreach (var (key, items) in other.byAccount)
            {
                byAccount.Add(key, items);
            }
        }
    }

    private static Grouped<T> Read<T>(StoreDb db, CancellationToken cancel, string sql, Func<IRowReader, T> map)
    {
        var grouped = new Grouped<T>();
        var n = 0;
        foreach (var r in db.Engine.ReadRows(db, sql))
        {
            if ((++n & 4095) == 0 && cancel.IsCancellationRequested)
            {
                break;
            }
            grouped.Add(r.GetInt64(0), map(r));
        }
        grouped.Flush();
        return grouped;
    }

    private static string? Text(IRowReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
