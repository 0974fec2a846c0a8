using CustomerHealth.Core.Model;

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
        Func<string, string, string> Hours);

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
        (a, b) => $"EXTRACT(EPOCH FROM (CAST({b} AS TIMESTAMPTZ) - CAST({a} AS TIMESTAMPTZ))) / 3600");

    // ClickHouse: occurred_at a DateTime (or DateTime64) column, its day taken in the usage time zone; a backslash escapes in
    // its literals; what the functions are named in every release since 18.x.
    private static readonly Dialect ClickHouse = new(
        QuoteDouble, e => $"toString({e})", e => $"toFloat64({e})",
        (e, zone) => $"toDate({e}, {ClickHouseLiteral(zone)})",
        e => $"toString({e})", "Nullable(String)", null, e => $"replaceRegexpAll({e}, '^\\\\s+|\\\\s+$', '')", d => $"toDate('{d}')", ClickHouseLiteral, e => e,
        (a, b) => $"(toUnixTimestamp({b}) - toUnixTimestamp({a})) / 3600");

    private static readonly Dialect DuckDb = new(
        QuoteDouble, e => $"CAST({e} AS VARCHAR)", e => $"CAST({e} AS DOUBLE)",
        (e, zone) => $"CAST(timezone({Standard(zone)}, CAST({e} AS TIMESTAMPTZ)) AS DATE)",
        e => $"strftime({e}, '%Y-%m-%d')", "VARCHAR", "SET TimeZone = 'UTC'", e => $"TRIM({e})", d => $"DATE '{d}'", Standard, e => $"CAST({e} AS TIMESTAMPTZ)",
        (a, b) => $"(epoch(CAST({b} AS TIMESTAMPTZ)) - epoch(CAST({a} AS TIMESTAMPTZ))) / 3600");

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
    public static string Rows(ExternalSource source, Dialect d, string zone) => source.Kind == SignalKind.Tickets ? TicketRows(source, d, zone) : UsageRows(source, d, zone);

    private static string UsageRows(ExternalSource source, Dialect d, string zone)
    {
        string Col(string field) => d.Quote(source.Columns[field]);
        string? Optional(string field) => source.Columns.ContainsKey(field) ? Col(field) : null;
        var user = Optional("user_id") is { } u ? $"NULLIF({d.Trim(d.Text(u))}, '')" : $"CAST(NULL AS {d.StringType})";
        var count = Optional("count") is { } c ? $"COALESCE({d.Double(c)}, 1)" : d.Double("1");
        var value = Optional("value") is { } v ? $"COALESCE({d.Double(v)}, 0)" : d.Double("0");
        return $"SELECT {d.Trim(d.Text(Col("account_id")))} AS account_id, {d.Day(Col("occurred_at"), zone)} AS day, {d.Trim(d.Text(Col("event")))} AS event, " +
            $"{user} AS user_id, {count} AS n, {value} AS v FROM {Relation(source, d)}";
    }

    /// <summary>
    /// A ticket a row, as the import reads one (SPEC §3): priority `normal` and status `open` when not given, the
    /// values' case and spaces ignored; closed when it has a closing time, else (status solved or closed) when it was
    /// first answered, else when it opened (<see cref="Core.Measures.TicketClosing"/>); the hours to close only from a
    /// closing time given.
    /// </summary>
    private static string TicketRows(ExternalSource source, Dialect d, string zone)
    {
        string Col(string field) => d.Quote(source.Columns[field]);
        string? Optional(string field) => source.Columns.ContainsKey(field) ? Col(field) : null;
        string Word(string column) => $"lower({d.Trim(d.Text(column))})";
        string NullLike(string e) => $"NULLIF({e}, {e})";
        var opened = d.Instant(Col("opened_at"));
        var openedDay = d.Day(opened, zone);
        var closed = Optional("closed_at") is { } c ? d.Instant(c) : null;
        var first = Optional("first_response_at") is { } f ? d.Instant(f) : null;
        var solved = Optional("status") is { } st ? $"CASE WHEN {Word(st)} IN ('solved', 'closed') THEN {(first is null ? opened : $"COALESCE({first}, {opened})")} END" : null;
        var closing = (closed, solved) switch
        {
            (null, null) => null,
            ({ } x, null) => x,
            (null, { } y) => y,
            ({ } x, { } y) => $"COALESCE({x}, {y})",
        };
        var noHours = NullLike(d.Double("0"));
        var priority = Optional("priority") is { } p ? $"COALESCE(NULLIF({Word(p)}, ''), 'normal')" : "'normal'";
        var escalated = Optional("escalated") is { } e ? $"CASE WHEN {Word(e)} IN ('true', '1', 'yes') THEN 1 ELSE 0 END" : "0";
        var good = Optional("satisfaction") is { } g ? $"CASE WHEN {Word(g)} = 'good' THEN 1 WHEN {Word(g)} = 'bad' THEN 0 END" : NullLike("1");
        return $"SELECT {d.Trim(d.Text(Col("account_id")))} AS account_id, {openedDay} AS day, {priority} AS priority, " +
            $"{(closing is null ? NullLike(openedDay) : d.Day(closing, zone))} AS closed_day, " +
            $"{(first is null ? NullLike(openedDay) : d.Day(first, zone))} AS response_day, " +
            $"{(closed is null ? noHours : d.Double(d.Hours(opened, closed)))} AS resolution_hours, " +
            $"{(first is null ? noHours : d.Double(d.Hours(opened, first)))} AS response_hours, " +
            $"{escalated} AS escalated, {good} AS good FROM {Relation(source, d)}";
    }

    /// <summary>
    /// The query of a source's measures as of a day, in one pass over its rows: columns account_id, first_day, then for
    /// each measure j value_j, prior_j, prior_rows_j, last_day_j.
    /// </summary>
    public static string Measures(ExternalSource source, Dialect d, string zone, IReadOnlyList<ValueSpec> values, DateOnly day) =>
        source.Kind == SignalKind.Tickets ? Tickets(source, d, zone, values, day) : Usage(source, d, zone, values, day);

    /// <summary>
    /// The query of a source's usage measures as of a day, in one pass over its rows: columns account_id, first_day,
    /// then for each measure j value_j, prior_j, prior_rows_j, last_day_j.
    /// </summary>
    private static string Usage(ExternalSource source, Dialect d, string zone, IReadOnlyList<ValueSpec> values, DateOnly day)
    {
        var columns = new List<string>();
        for (var j = 0; j < values.Count; j++)
        {
            var value = values[j];
            var match = value.Events.Count == 0 ? "1 = 1" : $"event IN ({string.Join(", ", value.Events.Select(d.Literal))})";
            var window = value.WindowDays;
            var from = window is { } w ? day.AddDays(-w + 1) : (DateOnly?)null;
            var inWindow = from is { } f ? $"{match} AND day >= {d.Date(f)}" : match;
            var before = window is { } w2 && from is { } f2 ? $"{match} AND day >= {d.Date(f2.AddDays(-w2))} AND day < {d.Date(f2)}" : "1 = 0";
            var aggregate = value.Aggregate switch
            {
                "count" or "change" => $"SUM(CASE WHEN {inWindow} THEN n ELSE 0 END)",
                "sum" => $"SUM(CASE WHEN {inWindow} THEN v ELSE 0 END)",
                // COALESCE: an engine may count nothing as null (ClickHouse).
                "active_days" => $"COALESCE(COUNT(DISTINCT CASE WHEN {inWindow} AND n > 0 THEN day END), 0)",
                "distinct_users" => $"COALESCE(COUNT(DISTINCT CASE WHEN {inWindow} THEN user_id END), 0)",
                "distinct_events" => $"COALESCE(COUNT(DISTINCT CASE WHEN {inWindow} AND n > 0 THEN event END), 0)",
                "days_since_last" => "NULL",
                var other => throw new StoreException($"`{other}` of usage is not computed by a source"),
            };
            columns.Add($"{d.Double(aggregate)} AS value_{j}");
            columns.Add(value.Aggregate == "change" ? $"{d.Double($"SUM(CASE WHEN {before} THEN n ELSE 0 END)")} AS prior_{j}" : $"{d.Double("0")} AS prior_{j}");
            columns.Add(value.Aggregate == "change" ? $"COUNT(CASE WHEN {before} THEN 1 END) AS prior_rows_{j}" : $"0 AS prior_rows_{j}");
            columns.Add($"{d.DateText($"MAX(CASE WHEN {match} THEN day END)")} AS last_day_{j}");
        }
        return $"""
            SELECT account_id, {d.DateText("MIN(day)")} AS first_day,
                {string.Join(",\n    ", columns)}
            FROM ({Rows(source, d, zone)}) AS source_rows
            WHERE day <= {d.Date(day)}
            GROUP BY account_id
            """;
    }

    /// <summary>
    /// The query of a source's ticket measures as of a day (<see cref="Core.Measures.AggregateCatalog"/>'s tickets, the same
    /// rules): the tickets opened up to the day with the measure's priorities; the value itself in value_j (null: nothing
    /// to average), the day of the last matching ticket opened, else of the last ticket, in last_day_j.
    /// </summary>
    private static string Tickets(ExternalSource source, Dialect d, string zone, IReadOnlyList<ValueSpec> values, DateOnly day)
    {
        var asOf = d.Date(day);
        var columns = new List<string>();
        for (var j = 0; j < values.Count; j++)
        {
            var value = values[j];
            var match = value.Priorities.Count == 0 ? "1 = 1" : $"priority IN ({string.Join(", ", value.Priorities.Select(p => d.Literal(p.ToLowerInvariant())))})";
            var from = value.WindowDays is { } w ? d.Date(day.AddDays(-w + 1)) : null;
            string InWindow(string dayOf) => from is null ? "1 = 1" : $"{dayOf} >= {from}";
            var rated = $"{match} AND good IS NOT NULL AND COALESCE(closed_day, day) <= {asOf} AND {InWindow("COALESCE(closed_day, day)")}";
            var aggregate = value.Aggregate switch
            {
                "count" => $"SUM(CASE WHEN {match} AND {InWindow("day")} THEN 1 ELSE 0 END)",
                "escalated_count" => $"SUM(CASE WHEN {match} AND escalated = 1 AND {InWindow("day")} THEN 1 ELSE 0 END)",
                "open_count" => $"SUM(CASE WHEN {match} AND (closed_day IS NULL OR closed_day > {asOf}) THEN 1 ELSE 0 END)",
                "avg_resolution_hours" => $"AVG(CASE WHEN {match} AND closed_day <= {asOf} AND {InWindow("closed_day")} THEN resolution_hours END)",
                "avg_first_response_hours" => $"AVG(CASE WHEN {match} AND response_day <= {asOf} AND {InWindow("response_day")} THEN response_hours END)",
                "satisfaction" => $"100 * {d.Double($"SUM(CASE WHEN {rated} THEN good ELSE 0 END)")} / NULLIF({d.Double($"SUM(CASE WHEN {rated} THEN 1 ELSE 0 END)")}, 0)",
                var other => throw new StoreException($"`{other}` of tickets is not computed by a source"),
            };
            columns.Add($"{d.Double(aggregate)} AS value_{j}");
            columns.Add($"{d.Double("0")} AS prior_{j}");
            columns.Add($"0 AS prior_rows_{j}");
            columns.Add($"{d.DateText($"COALESCE(MAX(CASE WHEN {match} THEN day END), MAX(day))")} AS last_day_{j}");
        }
        return $"""
            SELECT account_id, {d.DateText("MIN(day)")} AS first_day,
                {string.Join(",\n    ", columns)}
            FROM ({Rows(source, d, zone)}) AS source_rows
            WHERE day <= {asOf}
            GROUP BY account_id
            """;
    }

    /// <summary>What `chs sources test` reads: how many rows and accounts, the first and last day, and the account ids.</summary>
    public static string Probe(ExternalSource source, Dialect d, string zone) =>
        $"SELECT account_id, COUNT(*) AS n, {d.DateText("MIN(day)")} AS first_day, {d.DateText("MAX(day)")} AS last_day " +
        $"FROM ({Rows(source, d, zone)}) AS source_rows GROUP BY account_id";
}
