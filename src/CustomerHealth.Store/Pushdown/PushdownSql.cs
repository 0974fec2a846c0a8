using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Pushdown;

/// <summary>
/// The SQL a source's engine runs as of a day (SPEC §4.1, point in time), all of the source's measures in one pass: one
/// row per account that has a signal of the kind up to the day, with each measure's aggregate over its window, the
/// window before it (for `change`), and the days of the account's first signal and of its last matching one; the
/// product finishes the values from them
/// (<see cref="Core.Measures.PushedValues.Finish"/>) with the same rules as for imported signals. What differs between
/// engines is in <see cref="Dialect"/>; the dialect table of docs/scale.md gives it for engines not built in.
/// </summary>
internal static class PushdownSql
{
    /// <summary>How an engine writes what the generated SQL needs, and the statement that puts a session in UTC (none: not needed).</summary>
    internal sealed record Dialect(
        Func<string, string> Quote, Func<string, string> Text, Func<string, string> Double, Func<string, string, string> Day, Func<string, string> DateText, string StringType,
        string? SessionInUtc, Func<string, string> Trim, Func<string, string> DateOf, Func<string, string> Literal, Func<string, string> Instant,
        Func<string, string, string> Hours, Func<string, string> DateValue, Func<string, string, string> DaysBetween, Func<string, string> Median,
        Func<string, string, string, string> Latest);

    /// <summary>A string literal of standard SQL: a quote doubled.</summary>
    private static string Standard(string s) => "'" + s.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>The dialect of an engine (built once).</summary>
    public static Dialect For(SourceEngine engine) => engine switch
    {
        SourceEngine.Postgres => Postgres,
        SourceEngine.ClickHouse => ClickHouse,
        _ => DuckDb,
    };

    private static readonly Dialect Postgres = new(
        QuoteDouble, e => $"CAST({e} AS TEXT)", e => $"CAST({e} AS DOUBLE PRECISION)",
        (e, zone) => $"CAST(CAST({e} AS TIMESTAMPTZ) AT TIME ZONE {Standard(zone)} AS DATE)",
        e => $"to_char({e}, 'YYYY-MM-DD')", "TEXT", "SET TIME ZONE 'UTC'", e => $"TRIM({e})", d => $"DATE '{d}'", Standard, e => $"CAST({e} AS TIMESTAMPTZ)",
        (a, b) => $"EXTRACT(EPOCH FROM (CAST({b} AS TIMESTAMPTZ) - CAST({a} AS TIMESTAMPTZ))) / 3600", e => $"CAST({e} AS DATE)", (a, b) => $"({b} - {a})",
        e => $"percentile_cont(0.5) WITHIN GROUP (ORDER BY {e})", (when, value, key) => $"(ARRAY_AGG({value} ORDER BY {key} DESC) FILTER (WHERE {when}))[1]");

    // ClickHouse: occurred_at a DateTime (or DateTime64) column, its day taken in the usage time zone; a backslash escapes in
    // its literals; what the functions are named in every release since 18.x.
    private static readonly Dialect ClickHouse = new(
        QuoteDouble, e => $"toString({e})", e => $"toFloat64({e})",
        (e, zone) => $"toDate({e}, {ClickHouseLiteral(zone)})",
        e => $"toString({e})", "Nullable(String)", null, e => $"replaceRegexpAll({e}, '^\\\\s+|\\\\s+$', '')", d => $"toDate('{d}')", ClickHouseLiteral, e => e,
        (a, b) => $"(toUnixTimestamp({b}) - toUnixTimestamp({a})) / 3600", e => $"toDate({e})", (a, b) => $"(toRelativeDayNum({b}) - toRelativeDayNum({a}))",
        // The middle value, or the mean of the two middle ones (quantileExact would give the upper one); null for none.
        e => $"if(length(groupArray({e})) = 0, NULL, (arrayElement(arraySort(groupArray({e})), intDiv(length(groupArray({e})) + 1, 2)) + " +
            $"arrayElement(arraySort(groupArray({e})), intDiv(length(groupArray({e})), 2) + 1)) / 2)",
        (when, value, key) => $"if(countIf({when}) = 0, NULL, argMaxIf({value}, {key}, {when}))");

    private static readonly Dialect DuckDb = new(
        QuoteDouble, e => $"CAST({e} AS VARCHAR)", e => $"CAST({e} AS DOUBLE)",
        (e, zone) => $"CAST(timezone({Standard(zone)}, CAST({e} AS TIMESTAMPTZ)) AS DATE)",
        e => $"strftime({e}, '%Y-%m-%d')", "VARCHAR", "SET TimeZone = 'UTC'", e => $"TRIM({e})", d => $"DATE '{d}'", Standard, e => $"CAST({e} AS TIMESTAMPTZ)",
        (a, b) => $"(epoch(CAST({b} AS TIMESTAMPTZ)) - epoch(CAST({a} AS TIMESTAMPTZ))) / 3600", e => $"CAST({e} AS DATE)", (a, b) => $"date_diff('day', {a}, {b})",
        e => $"quantile_cont({e}, 0.5)", (when, value, key) => $"arg_max({value}, {key}) FILTER (WHERE {when})");

    private static string ClickHouseLiteral(string s) =>
        "'" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string Date(this Dialect d, DateOnly day) => d.DateOf(StoredDates.Text(day));

    private static string QuoteDouble(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>What the source reads, as a relation of a FROM clause.</summary>
    public static string Relation(ExternalSource source, Dialect d) => source.RelationType switch
    {
        RelationType.Table => string.Join('.', source.Relation.Split('.').Select(d.Quote)),
        RelationType.Query => $"({source.Relation.Trim().TrimEnd(';')}) AS source_query",
        _ => Path.GetExtension(source.Relation).ToLowerInvariant() switch
        {
            ".parquet" => $"read_parquet({d.Literal(source.Relation)})",
            ".json" or ".jsonl" or ".ndjson" => $"read_json_auto({d.Literal(source.Relation)})",
            _ => $"read_csv({d.Literal(source.Relation)}, header = true)",
        },
    };

    /// <summary>What asks the engine for the columns of what the source reads (no row is read).</summary>
    public static string Columns(ExternalSource source, Dialect d) => $"SELECT * FROM {Relation(source, d)} LIMIT 0";

    /// <summary>
    /// The source as it can be read: a field a row may leave out that is read from the column of its own name (the
    /// default) is left out when the engine has no such column, as an imported file may leave out an optional column.
    /// </summary>
    public static ExternalSource Fitted(ExternalSource source, IReadOnlyCollection<string> columns)
    {
        var have = columns.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var (_, optional) = ExternalSources.Fields[source.Kind];
        var kept = source.Columns.Where(c => !(optional.Contains(c.Key) && c.Value == c.Key && !have.Contains(c.Value)))
            .ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        return kept.Count == source.Columns.Count ? source : source with { Columns = kept };
    }

    /// <summary>The source's rows with the kind's fields named and typed as the product reads them, days in the time zone given.</summary>
    public static string Rows(ExternalSource source, Dialect d, string zone)
    {
        var r = new RowReader(source, d);
        return source.Kind switch
        {
            SignalKind.Tickets => TicketRows(r, d, zone),
            SignalKind.Invoices => InvoiceRows(r, d),
            SignalKind.Orders => $"SELECT {r.Id}, {d.Day(r.Col("placed_at"), zone)} AS day, {d.Double(r.Col("amount"))} AS amount, " +
                $"{(r.Optional("returned_amount") is { } ret ? $"COALESCE({d.Double(ret)}, 0)" : d.Double("0"))} AS returned FROM {r.Relation}",
            SignalKind.Surveys => $"SELECT {r.Id}, {d.Day(r.Col("responded_at"), zone)} AS day, {d.Instant(r.Col("responded_at"))} AS answered_at, " +
                $"{r.Word("kind")} AS kind, {d.Double(r.Col("score"))} AS score FROM {r.Relation}",
            SignalKind.Metrics => $"SELECT {r.Id}, {d.Trim(d.Text(r.Col("metric")))} AS metric, {d.DateValue(r.Col("date"))} AS day, {d.Double(r.Col("value"))} AS value FROM {r.Relation}",
            _ => UsageRows(r, d, zone),
        };
    }

    /// <summary>A source's columns as the generated SQL reads them.</summary>
    private sealed class RowReader(ExternalSource source, Dialect d)
    {
        public string Col(string field) => d.Quote(source.Columns[field]);

        public string? Optional(string field) => source.Columns.ContainsKey(field) ? Col(field) : null;

        /// <summary>A word as an import reads it: case and spaces ignored.</summary>
        public string Word(string field) => $"lower({d.Trim(d.Text(Col(field)))})";

        public string Id => $"{d.Trim(d.Text(Col("account_id")))} AS account_id";

        public string Relation => PushdownSql.Relation(source, d);
    }

    private static string UsageRows(RowReader r, Dialect d, string zone)
    {
        var user = r.Optional("user_id") is { } u ? $"NULLIF({d.Trim(d.Text(u))}, '')" : $"CAST(NULL AS {d.StringType})";
        var count = r.Optional("count") is { } c ? $"COALESCE({d.Double(c)}, 1)" : d.Double("1");
        var value = r.Optional("value") is { } v ? $"COALESCE({d.Double(v)}, 0)" : d.Double("0");
        return $"SELECT {r.Id}, {d.Day(r.Col("occurred_at"), zone)} AS day, {d.Trim(d.Text(r.Col("event")))} AS event, " +
            $"{user} AS user_id, {count} AS n, {value} AS v FROM {r.Relation}";
    }

    /// <summary>Words as a list of the dialect's literals, for IN (...).</summary>
    private static string Words(Dialect d, IEnumerable<string> words) => string.Join(", ", words.Select(d.Literal));

    /// <summary>A typed null: the value of the expression's type that no row has.</summary>
    private static string NullLike(string e) => $"NULLIF({e}, {e})";

    /// <summary>
    /// A ticket a row, as the import reads one (SPEC §3): priority `normal` and status `open` when not given, the
    /// values' case and spaces ignored; closed when it has a closing time, else (status solved or closed) when it was
    /// first answered, else when it opened (<see cref="Core.Measures.TicketClosing"/>); the hours to close only from a
    /// closing time given.
    /// </summary>
    private static string TicketRows(RowReader r, Dialect d, string zone)
    {
        var opened = d.Instant(r.Col("opened_at"));
        var openedDay = d.Day(opened, zone);
        var closed = r.Optional("closed_at") is { } c ? d.Instant(c) : null;
        var first = r.Optional("first_response_at") is { } f ? d.Instant(f) : null;
        var solved = r.Optional("status") is not null
            ? $"CASE WHEN {r.Word("status")} IN ({Words(d, TicketClosing.ClosedStatuses)}) THEN {(first is null ? opened : $"COALESCE({first}, {opened})")} END"
            : null;
        var closing = (closed, solved) switch
        {
            (null, null) => null,
            ({ } x, null) => x,
            (null, { } y) => y,
            ({ } x, { } y) => $"COALESCE({x}, {y})",
        };
        var noHours = NullLike(d.Double("0"));
        var normal = d.Literal(RowParser.DefaultPriority);
        var priority = r.Optional("priority") is not null ? $"COALESCE(NULLIF({r.Word("priority")}, ''), {normal})" : normal;
        var escalated = r.Optional("escalated") is not null ? $"CASE WHEN {r.Word("escalated")} IN ({Words(d, RowParser.TrueWords)}) THEN 1 ELSE 0 END" : "0";
        var good = r.Optional("satisfaction") is not null ? $"CASE WHEN {r.Word("satisfaction")} = 'good' THEN 1 WHEN {r.Word("satisfaction")} = 'bad' THEN 0 END" : NullLike("1");
        return $"SELECT {r.Id}, {openedDay} AS day, {priority} AS priority, " +
            $"{(closing is null ? NullLike(openedDay) : d.Day(closing, zone))} AS closed_day, " +
            $"{(first is null ? NullLike(openedDay) : d.Day(first, zone))} AS response_day, " +
            $"{(closed is null ? noHours : d.Double(d.Hours(opened, closed)))} AS resolution_hours, " +
            $"{(first is null ? noHours : d.Double(d.Hours(opened, first)))} AS response_hours, " +
            $"{escalated} AS escalated, {good} AS good FROM {r.Relation}";
    }

    /// <summary>
    /// An invoice a row, as the import reads one: known from the day it was issued, or from its due day when it has no
    /// issue day or says it was issued after (<see cref="Core.Measures.InvoicePoint.Issued"/>); status `paid` when not
    /// given and it has a payment day, else `open`; a paid invoice without a payment day paid on its due day.
    /// </summary>
    private static string InvoiceRows(RowReader r, Dialect d)
    {
        var due = d.DateValue(r.Col("due_on"));
        var issued = r.Optional("issued_on") is { } i ? d.DateValue(i) : null;
        var paid = r.Optional("paid_on") is { } p ? d.DateValue(p) : null;
        var given = r.Optional("status") is not null ? $"NULLIF({r.Word("status")}, '')" : null;
        var fallback = paid is null ? "'open'" : $"CASE WHEN {paid} IS NULL THEN 'open' ELSE 'paid' END";
        var state = given is null ? fallback : $"COALESCE({given}, {fallback})";
        var paidDay = paid is null ? $"CASE WHEN {state} = 'paid' THEN {due} END" : $"COALESCE({paid}, CASE WHEN {state} = 'paid' THEN {due} END)";
        var day = issued is null ? due : $"CASE WHEN {issued} IS NULL OR {issued} > {due} THEN {due} ELSE {issued} END";
        return $"SELECT {r.Id}, {day} AS day, {due} AS due, {paidDay} AS paid, {state} AS state, {d.Double(r.Col("amount"))} AS amount FROM {r.Relation}";
    }

    /// <summary>What the engine computes for one measure: its value (null: missing), the window before's count and rows (for `change`), its last day.</summary>
    private readonly record struct Computed(string Value, string LastDay, string Prior = "0", string PriorRows = "0");

    /// <summary>
    /// The query of a source's measures as of a day, in one pass over its rows up to the day: columns account_id, first_day,
    /// then for each measure j value_j, prior_j, prior_rows_j, last_day_j — the same rules as
    /// <see cref="Core.Measures.AggregateCatalog"/> for the same rows imported. A null last day says the account has no
    /// row the measure reads (surveys of its kind, values of its metric).
    /// </summary>
    public static string Measures(ExternalSource source, Dialect d, string zone, IReadOnlyList<ValueSpec> values, DateOnly day)
    {
        var asOf = d.Date(day);
        var columns = new List<string>();
        for (var j = 0; j < values.Count; j++)
        {
            var value = values[j];
            var from = value.WindowDays is { } w ? day.AddDays(-w + 1) : (DateOnly?)null;
            // The window's first day as the dialect writes it (null: no window).
            var start = from is { } f ? d.Date(f) : null;
            var c = source.Kind switch
            {
                SignalKind.Tickets => Ticket(value, d, asOf, start),
                SignalKind.Invoices => Invoice(value, d, asOf, start),
                SignalKind.Orders => Order(value, d, asOf, start),
                SignalKind.Surveys => Survey(value, d, start),
                SignalKind.Metrics => Metric(value, d, from, start),
                _ => Usage(value, d, from, start),
            };
            columns.Add($"{d.Double(c.Value)} AS value_{j}");
            columns.Add($"{d.Double(c.Prior)} AS prior_{j}");
            columns.Add($"{c.PriorRows} AS prior_rows_{j}");
            columns.Add($"{d.DateText(c.LastDay)} AS last_day_{j}");
        }
        return $"""
            SELECT account_id, {d.DateText("MIN(day)")} AS first_day,
                {string.Join(",\n    ", columns)}
            FROM ({Rows(source, d, zone)}) AS source_rows
            WHERE day <= {asOf}
            GROUP BY account_id
            """;
    }

    private static string Count(string when) => $"SUM(CASE WHEN {when} THEN 1 ELSE 0 END)";

    private static string Sum(string when, string what) => $"SUM(CASE WHEN {when} THEN {what} ELSE 0 END)";

    /// <summary>A ratio, null when the denominator is 0 (as the values that are NaN without anything to divide by).</summary>
    private static string Ratio(Dialect d, string numerator, string denominator) => $"{d.Double(numerator)} / NULLIF({d.Double(denominator)}, 0)";

    private static string From(string? from, string dayOf) => from is null ? "1 = 1" : $"{dayOf} >= {from}";

    /// <summary>The rows a measure matches in the window before its own (for `change`); none without a window.</summary>
    private static string WindowBefore(Dialect d, string match, int? window, DateOnly? from) =>
        window is { } w && from is { } f ? $"{match} AND day >= {d.Date(f.AddDays(-w))} AND day < {d.Date(f)}" : "1 = 0";

    private static Computed Usage(ValueSpec value, Dialect d, DateOnly? from, string? start)
    {
        var match = value.Events.Count == 0 ? "1 = 1" : $"event IN ({Words(d, value.Events)})";
        var inWindow = $"{match} AND {From(start, "day")}";
        var before = WindowBefore(d, match, value.WindowDays, from);
        var aggregate = value.Aggregate switch
        {
            "count" or "change" => Sum(inWindow, "n"),
            "sum" => Sum(inWindow, "v"),
            // COALESCE: an engine may count nothing as null (ClickHouse).
            "active_days" => $"COALESCE(COUNT(DISTINCT CASE WHEN {inWindow} AND n > 0 THEN day END), 0)",
            "distinct_users" => $"COALESCE(COUNT(DISTINCT CASE WHEN {inWindow} THEN user_id END), 0)",
            "distinct_events" => $"COALESCE(COUNT(DISTINCT CASE WHEN {inWindow} AND n > 0 THEN event END), 0)",
            "days_since_last" => "NULL",
            var other => throw new StoreException($"`{other}` of usage is not computed by a source"),
        };
        var change = value.Aggregate == "change";
        return new(aggregate, $"MAX(CASE WHEN {match} THEN day END)", change ? Sum(before, "n") : "0", change ? $"COUNT(CASE WHEN {before} THEN 1 END)" : "0");
    }

    /// <summary>Tickets opened up to the day with the measure's priorities; the last day is that of the last matching ticket, else of the last ticket.</summary>
    private static Computed Ticket(ValueSpec value, Dialect d, string asOf, string? from)
    {
        var match = value.Priorities.Count == 0 ? "1 = 1" : $"priority IN ({Words(d, value.Priorities.Select(p => p.ToLowerInvariant()))})";
        var ratedOn = "COALESCE(closed_day, day)";
        var rated = $"{match} AND good IS NOT NULL AND {ratedOn} <= {asOf} AND {From(from, ratedOn)}";
        var aggregate = value.Aggregate switch
        {
            "count" => Count($"{match} AND {From(from, "day")}"),
            "escalated_count" => Count($"{match} AND escalated = 1 AND {From(from, "day")}"),
            "open_count" => Count($"{match} AND (closed_day IS NULL OR closed_day > {asOf})"),
            "avg_resolution_hours" => $"AVG(CASE WHEN {match} AND closed_day <= {asOf} AND {From(from, "closed_day")} THEN resolution_hours END)",
            "avg_first_response_hours" => $"AVG(CASE WHEN {match} AND response_day <= {asOf} AND {From(from, "response_day")} THEN response_hours END)",
            "satisfaction" => $"100 * {Ratio(d, Sum(rated, "good"), Count(rated))}",
            var other => throw new StoreException($"`{other}` of tickets is not computed by a source"),
        };
        return new(aggregate, $"COALESCE(MAX(CASE WHEN {match} THEN day END), MAX(day))");
    }

    /// <summary>Invoices known up to the day: overdue at the day (not void, due before it, unpaid at it), or due in the window (not void).</summary>
    private static Computed Invoice(ValueSpec value, Dialect d, string asOf, string? from)
    {
        var overdue = $"state <> 'void' AND (paid IS NULL OR paid > {asOf}) AND due < {asOf}";
        var dueIn = $"state <> 'void' AND due <= {asOf} AND {From(from, "due")}";
        var aggregate = value.Aggregate switch
        {
            "max_days_overdue" => $"COALESCE(MAX(CASE WHEN {overdue} THEN {d.DaysBetween("due", asOf)} END), 0)",
            "overdue_amount" => $"COALESCE(SUM(CASE WHEN {overdue} THEN amount END), 0)",
            "failed_count" => Count($"{dueIn} AND state = 'failed'"),
            "on_time_ratio" => Ratio(d, Count($"{dueIn} AND paid IS NOT NULL AND paid <= due AND paid <= {asOf}"), Count(dueIn)),
            var other => throw new StoreException($"`{other}` of invoices is not computed by a source"),
        };
        return new(aggregate, "MAX(day)");
    }

    /// <summary>Orders placed up to the day; those in the window.</summary>
    private static Computed Order(ValueSpec value, Dialect d, string asOf, string? from)
    {
        var inWindow = From(from, "day");
        var spent = Sum(inWindow, "amount");
        var aggregate = value.Aggregate switch
        {
            "count" => Count(inWindow),
            "sum" => spent,
            "average" => Ratio(d, spent, Count(inWindow)),
            "median" => d.Median($"CASE WHEN {inWindow} THEN amount END"),
            "return_rate" => $"CASE WHEN {spent} > 0 THEN {d.Double(Sum(inWindow, "returned"))} / {d.Double(spent)} END",
            "days_since_last" => d.DaysBetween("MAX(day)", asOf),
            // For the buying model: the days with an order (the first and last are the row's first and last days).
            "p_alive" => "COALESCE(COUNT(DISTINCT day), 0)",
            var other => throw new StoreException($"`{other}` of orders is not computed by a source"),
        };
        return new(aggregate, "MAX(day)");
    }

    /// <summary>Answers of the measure's kind up to the day; an account without one has none of the kind (its last day is null).</summary>
    private static Computed Survey(ValueSpec value, Dialect d, string? from)
    {
        var kind = (value.Kind ?? "").ToLowerInvariant();
        var ofKind = $"kind = {d.Literal(kind)}";
        var inWindow = $"{ofKind} AND {From(from, "day")}";
        var (positive, negative) = SurveyAnswers.Bounds(Enum.TryParse<SurveyKind>(kind, ignoreCase: true, out var k) ? k : SurveyKind.Ces);
        var aggregate = value.Aggregate switch
        {
            "nps" => $"100 * {Ratio(d, $"{Count($"{inWindow} AND score >= {positive}")} - {Count($"{inWindow} AND score <= {negative}")}", Count(inWindow))}",
            "average" => Ratio(d, Sum(inWindow, "score"), Count(inWindow)),
            "latest" => d.Latest(inWindow, "score", "answered_at"),
            "count" => Count(inWindow),
            "positive_share" => $"100 * {Ratio(d, Count($"{inWindow} AND score >= {positive}"), Count(inWindow))}",
            var other => throw new StoreException($"`{other}` of surveys is not computed by a source"),
        };
        return new(aggregate, $"MAX(CASE WHEN {ofKind} THEN day END)");
    }

    /// <summary>Values of the measure's metric up to the day (one a day); an account without one has none of the metric (its last day is null).</summary>
    private static Computed Metric(ValueSpec value, Dialect d, DateOnly? from, string? start)
    {
        var ofMetric = $"metric = {d.Literal(value.Metric ?? "")}";
        var inWindow = $"{ofMetric} AND {From(start, "day")}";
        var before = WindowBefore(d, ofMetric, value.WindowDays, from);
        string Average(string when) => Ratio(d, Sum(when, "value"), Count(when));
        var aggregate = value.Aggregate switch
        {
            "latest" => d.Latest(inWindow, "value", "day"),
            "average" => Average(inWindow),
            "median" => d.Median($"CASE WHEN {inWindow} THEN value END"),
            "sum" => Sum(inWindow, "value"),
            "min" => $"MIN(CASE WHEN {inWindow} THEN value END)",
            "max" => $"MAX(CASE WHEN {inWindow} THEN value END)",
            "change" => $"({Average(inWindow)} - {Average(before)}) / greatest({Average(before)}, 1)",
            var other => throw new StoreException($"`{other}` of metrics is not computed by a source"),
        };
        return new(aggregate, $"MAX(CASE WHEN {ofMetric} THEN day END)");
    }

    /// <summary>What `chs sources test` reads: how many rows and accounts, the first and last day, and the account ids.</summary>
    public static string Probe(ExternalSource source, Dialect d, string zone) =>
        $"SELECT account_id, COUNT(*) AS n, {d.DateText("MIN(day)")} AS first_day, {d.DateText("MAX(day)")} AS last_day " +
        $"FROM ({Rows(source, d, zone)}) AS source_rows GROUP BY account_id";
}
