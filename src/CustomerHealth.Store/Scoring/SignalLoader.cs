using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Measures;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// Loads every account's signals into the sorted arrays the measures read, in one ordered pass per table.
/// Timestamps become days in the model's timezone; usage is already rolled up per day.
/// </summary>
internal static class SignalLoader
{
    public static (List<AccountData> Accounts, Dictionary<string, int> EventIds) LoadAll(StoreDb db, TimeZoneInfo zone)
    {
        var c = db.Connection;
        var eventIds = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (name, key) in Rows(c, "SELECT name, event_key FROM event_names", r => (r.GetString(0), r.GetInt32(1))))
        {
            eventIds[name] = key;
        }
        var usage = Group(c, "SELECT account_key, day, event_key, count, sum FROM usage_daily ORDER BY account_key, day, event_key",
            r => new UsageDay(r.GetInt32(1), r.GetInt32(2), r.GetInt64(3), r.GetDouble(4)));
        var users = Group(c, "SELECT account_key, day, event_key, user_key FROM usage_users WHERE n > 0 ORDER BY account_key, day, event_key, user_key",
            r => new UserDay(r.GetInt32(1), r.GetInt32(2), r.GetInt32(3)));
        var surveys = Group(c, "SELECT account_key, responded_at, kind, score, comment FROM surveys",
            r => new SurveyPoint(Day(r.GetString(1), zone), Enum.Parse<SurveyKind>(r.GetString(2), true), r.GetDouble(3), r.IsDBNull(4) ? null : r.GetString(4)));
        var tickets = Group(c, "SELECT account_key, opened_at, priority, closed_at, first_response_at, status, escalated, satisfaction FROM tickets", r =>
        {
            var opened = Instant(r.GetString(1));
            DateTimeOffset? closed = r.IsDBNull(3) ? null : Instant(r.GetString(3));
            DateTimeOffset? first = r.IsDBNull(4) ? null : Instant(r.GetString(4));
            var status = r.GetString(5);
            // A solved or closed ticket without a closing time is taken as closed when it was last answered, else when opened.
            var closedAt = closed ?? (status is "solved" or "closed" ? first ?? opened : (DateTimeOffset?)null);
            return new TicketPoint(Day(opened, zone), Enum.Parse<TicketPriority>(r.GetString(2), true),
                closedAt is { } ca ? Day(ca, zone) : null, first is { } f ? Day(f, zone) : null,
                closed is { } cl ? (cl - opened).TotalHours : null, first is { } f2 ? (f2 - opened).TotalHours : null,
                r.GetInt64(6) != 0, r.IsDBNull(7) ? null : r.GetString(7) == "good");
        });
        var invoices = Group(c, "SELECT account_key, due_on, issued_on, paid_on, status, amount FROM invoices", r =>
        {
            var due = DateDay(r.GetString(1));
            int? issued = r.IsDBNull(2) ? null : DateDay(r.GetString(2));
            return new InvoicePoint(Math.Min(issued ?? due, due), due, r.IsDBNull(3) ? null : DateDay(r.GetString(3)),
                Enum.Parse<InvoiceState>(r.GetString(4), true), r.GetDouble(5));
        });
        var subscriptions = Group(c, "SELECT account_key, occurred_on, kind, arr_delta FROM subscriptions",
            r => new SubscriptionPoint(DateDay(r.GetString(1)), Enum.Parse<SubscriptionKind>(r.GetString(2), true), r.IsDBNull(3) ? 0 : r.GetDouble(3)));
        var orders = Group(c, "SELECT account_key, placed_at, amount, returned_amount FROM orders",
            r => new OrderPoint(Day(r.GetString(1), zone), r.GetDouble(2), r.GetDouble(3)));
        var sentiment = Group(c, "SELECT account_key, recorded_at, rating FROM sentiment",
            r => new SentimentPoint(Day(r.GetString(1), zone), r.GetInt32(2)));
        var metrics = new Dictionary<long, Dictionary<string, List<MetricPoint>>>();
        foreach (var (key, metric, point) in Rows(c, "SELECT account_key, metric, date, value FROM metrics",
            r => (r.GetInt64(0), r.GetString(1), new MetricPoint(DateDay(r.GetString(2)), r.GetDouble(3)))))
        {
            if (!metrics.TryGetValue(key, out var byName))
            {
                metrics[key] = byName = [];
            }
            if (!byName.TryGetValue(metric, out var list))
            {
                byName[metric] = list = [];
            }
            list.Add(point);
        }

        var accounts = new List<AccountData>();
        {
            foreach (var r in Rows(c, "SELECT account_key, account_id, name, segment, lifecycle_stage, plan, owner, parent_id, arr, seats, started_on, renewal_on, status_churned_on, attributes FROM accounts ORDER BY account_key"))
            {
                var key = r.GetInt64(0);
                accounts.Add(new AccountData
                {
                    Key = (int)key,
                    AccountId = r.GetString(1),
                    Name = Text(r, 2),
                    Segment = Text(r, 3),
                    LifecycleStage = Text(r, 4),
                    Plan = Text(r, 5),
                    Owner = Text(r, 6),
                    ParentId = Text(r, 7),
                    Arr = r.IsDBNull(8) ? null : r.GetDouble(8),
                    Seats = r.IsDBNull(9) ? null : r.GetDouble(9),
                    StartedDay = r.IsDBNull(10) ? null : DateDay(r.GetString(10)),
                    RenewalDay = r.IsDBNull(11) ? null : DateDay(r.GetString(11)),
                    StatusChurnedDay = r.IsDBNull(12) ? null : DateDay(r.GetString(12)),
                    Attributes = r.IsDBNull(13) ? new Dictionary<string, string>() : JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(13)) ?? [],
                    Usage = Take(usage, key),
                    UserDays = Take(users, key),
                    Surveys = Sorted(surveys, key),
                    Tickets = Sorted(tickets, key),
                    Invoices = Sorted(invoices, key),
                    Subscriptions = Sorted(subscriptions, key),
                    Orders = Sorted(orders, key),
                    Sentiments = Sorted(sentiment, key),
                    Metrics = metrics.TryGetValue(key, out var m)
                        ? m.ToDictionary(kv => kv.Key, kv => kv.Value.OrderBy(p => p.Day).ToArray(), StringComparer.Ordinal)
                        : new Dictionary<string, MetricPoint[]>(),
                });
            }
        }
        return (accounts, eventIds);
    }

    private static string? Text(Row r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static T[] Take<T>(Dictionary<long, List<T>> groups, long key) => groups.TryGetValue(key, out var list) ? [.. list] : [];

    private static T[] Sorted<T>(Dictionary<long, List<T>> groups, long key) where T : struct, IDated =>
        groups.TryGetValue(key, out var list) ? [.. list.OrderBy(x => x.Day)] : [];

    private static Dictionary<long, List<T>> Group<T>(SqliteConnection c, string sql, Func<Row, T> map)
    {
        var groups = new Dictionary<long, List<T>>();
        List<T>? current = null;
        var currentKey = long.MinValue;
        foreach (var r in Rows(c, sql))
        {
            var key = r.GetInt64(0);
            if (key != currentKey || current is null)
            {
                if (!groups.TryGetValue(key, out current))
                {
                    groups[key] = current = [];
                }
                currentKey = key;
            }
            current.Add(map(r));
        }
        return groups;
    }

    private static IEnumerable<T> Rows<T>(SqliteConnection c, string sql, Func<Row, T> map)
    {
        foreach (var r in Rows(c, sql))
        {
            yield return map(r);
        }
    }

    /// <summary>Steps through a query with SQLite's own API: reading millions of roll-up rows, ADO.NET's per-row cost dominates.</summary>
    private static IEnumerable<Row> Rows(SqliteConnection c, string sql)
    {
        if (raw.sqlite3_prepare_v2(c.Handle!, sql, out var stmt) != raw.SQLITE_OK)
        {
            throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(c.Handle!).utf8_to_string());
        }
        try
        {
            var row = new Row(stmt);
            int rc;
            while ((rc = raw.sqlite3_step(stmt)) == raw.SQLITE_ROW)
            {
                yield return row;
            }
            if (rc != raw.SQLITE_DONE)
            {
                throw new StoreException("SQLite error: " + raw.sqlite3_errmsg(c.Handle!).utf8_to_string());
            }
        }
        finally
        {
            raw.sqlite3_finalize(stmt);
        }
    }

    /// <summary>The current row of a statement being stepped through.</summary>
    internal readonly struct Row(sqlite3_stmt stmt)
    {
        public long GetInt64(int i) => raw.sqlite3_column_int64(stmt, i);

        public int GetInt32(int i) => raw.sqlite3_column_int(stmt, i);

        public double GetDouble(int i) => raw.sqlite3_column_double(stmt, i);

        public string GetString(int i) => raw.sqlite3_column_text(stmt, i).utf8_to_string();

        public bool IsDBNull(int i) => raw.sqlite3_column_type(stmt, i) == raw.SQLITE_NULL;
    }

    internal static DateTimeOffset Instant(string text) =>
        DateTimeOffset.ParseExact(text, "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    internal static int Day(DateTimeOffset t, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(t, zone).DateTime).DayNumber;

    private static int Day(string text, TimeZoneInfo zone) => Day(Instant(text), zone);

    internal static int DateDay(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber;
}
