using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using Dapper;

namespace CustomerHealth.Store.Pushdown;

/// <summary>The SQL engines a source can be computed in.</summary>
public enum SourceEngine { Postgres, DuckDb, ClickHouse }

/// <summary>Where a source's rows are read: a table (or view) of the engine, files DuckDB reads, or a query.</summary>
public enum RelationType { Table, Files, Query }

/// <summary>
/// A signal kind computed where the data lives: the engine, what to read there and which of its columns feed the
/// kind's fields. The connection is kept sealed apart (<see cref="ExternalSources.Connection"/>) and never shown.
/// </summary>
/// <param name="Name">The source's name (letters, digits, `-` and `_`).</param>
/// <param name="Kind">The signal kind whose measures it computes.</param>
/// <param name="Engine">The engine.</param>
/// <param name="RelationType">A table, files or a query.</param>
/// <param name="Relation">The table's name, the files' path or pattern, or the query.</param>
/// <param name="Columns">The column of the engine that feeds each field of the kind (every field named).</param>
/// <param name="CreatedAt">When it was added.</param>
/// <param name="CreatedBy">Who added it.</param>
/// <param name="CheckedAt">When it was last read (a test or a scoring run), if ever.</param>
/// <param name="LastError">What went wrong the last time it was read; null when it worked.</param>
/// <param name="Schedule">A cron expression (five fields, UTC) at which the server scores again with the source; null: only the daily rescore and `chs score`.</param>
/// <param name="LastRunAt">When the last scheduled run was claimed, if one was.</param>
public sealed record ExternalSource(
    string Name, SignalKind Kind, SourceEngine Engine, RelationType RelationType, string Relation, IReadOnlyDictionary<string, string> Columns,
    string CreatedAt, string? CreatedBy, string? CheckedAt, string? LastError, string? Schedule = null, string? LastRunAt = null)
{
    /// <summary>The engine as written on the command line and in JSON.</summary>
    public string EngineName => ExternalSources.EngineName(Engine);

    /// <summary>The signal kind as written on the command line and in JSON (`usage`).</summary>
    public string KindName => ExternalSources.KindName(Kind);

    /// <summary>Whether it computes a measure's value: every measure of its kind, while it is the kind's source.</summary>
    public bool Computes(ValueSpec value) => value.Signal == Kind;

    /// <summary>What it reads, in words: "the table events.usage", "the files /data/*.parquet", "a query".</summary>
    public string Reads => RelationType switch
    {
        RelationType.Table => $"the table {Relation}",
        RelationType.Files => $"the files {Relation}",
        _ => "a query",
    };
}

/// <summary>What `chs sources test` found: the rows and accounts the source holds, and its first and last day (in the usage time zone).</summary>
/// <param name="Name">The source.</param>
/// <param name="Kind">Its signal kind.</param>
/// <param name="Engine">Its engine.</param>
/// <param name="Rows">How many rows it holds.</param>
/// <param name="Accounts">How many accounts those rows are of (every one an account of the store).</param>
/// <param name="StoreAccounts">How many accounts the store holds.</param>
/// <param name="FirstDay">The day of its first row.</param>
/// <param name="LastDay">The day of its last row.</param>
public sealed record SourceCheck(string Name, string Kind, string Engine, long Rows, int Accounts, int StoreAccounts, string? FirstDay, string? LastDay);

/// <summary>
/// The external sources of a store (`chs sources add|list|test|remove`): one a signal kind, its connection sealed in the
/// store (<see cref="SealedSecrets"/>, name `source:NAME`).
/// </summary>
public sealed partial class ExternalSources(StoreDb db, TimeProvider clock)
{
    private const string SecretPrefix = "source:";

    /// <summary>
    /// The fields of each kind a source can feed, with the required ones first (SPEC §3's columns of the kind; a source's
    /// tickets, invoices and orders are one row each as it stands, so their ids are not read).
    /// </summary>
    public static IReadOnlyDictionary<SignalKind, (string[] Required, string[] Optional)> Fields { get; } = new Dictionary<SignalKind, (string[], string[])>
    {
        [SignalKind.Usage] = (["account_id", "occurred_at", "event"], ["user_id", "count", "value"]),
        [SignalKind.Tickets] = (["account_id", "opened_at"], ["priority", "status", "first_response_at", "closed_at", "escalated", "satisfaction"]),
        [SignalKind.Invoices] = (["account_id", "amount", "due_on"], ["issued_on", "paid_on", "status"]),
        [SignalKind.Orders] = (["account_id", "placed_at", "amount"], ["returned_amount"]),
        [SignalKind.Surveys] = (["account_id", "kind", "score", "responded_at"], []),
        [SignalKind.Metrics] = (["account_id", "metric", "date", "value"], []),
    };

    public static string EngineName(SourceEngine engine) => engine switch
    {
        SourceEngine.Postgres => "postgres",
        SourceEngine.ClickHouse => "clickhouse",
        _ => "duckdb",
    };

    /// <summary>The engine of that name (`postgres`, `clickhouse`, `duckdb`), or null.</summary>
    public static SourceEngine? ParseEngine(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "postgres" or "postgresql" => SourceEngine.Postgres,
        "clickhouse" => SourceEngine.ClickHouse,
        "duckdb" => SourceEngine.DuckDb,
        _ => null,
    };

    /// <summary>
    /// Checks a new source and keeps it with its connection sealed. Refused with a message that says why: a name that
    /// is taken or not a name, a kind no source computes, a kind that already has a source, a column mapping naming a
    /// field the kind does not have, a relation that does not fit the engine.
    /// </summary>
    public ExternalSource Add(string name, string kind, string engine, string connection, RelationType relationType, string relation,
        IReadOnlyDictionary<string, string>? columns, string? by, string? schedule = null)
    {
        if (name is null || !NamePattern().IsMatch(name))
        {
            throw new StoreException($"source name `{Shown(name)}`: use 1 to 40 letters, digits, `-` or `_`, starting with a letter");
        }
        if (!Enum.TryParse<SignalKind>(kind, ignoreCase: true, out var k) || !Fields.ContainsKey(k) || !PushedValues.Aggregates.ContainsKey(k))
        {
            throw new StoreException($"--kind `{Shown(kind)}`: a source computes the measures of {string.Join(", ", Fields.Keys.Select(KindName))} (other kinds are imported)");
        }
        var e = ParseEngine(engine) ?? throw new StoreException($"--engine `{Shown(engine)}`: use postgres, clickhouse or duckdb");
        if (string.IsNullOrWhiteSpace(relation))
        {
            throw new StoreException("give what to read: --table NAME, --query SQL, or (DuckDB) --files PATH");
        }
        var option = "--" + relationType.ToString().ToLowerInvariant();
        if (relation.Length > 20_000 || relation.Any(c => char.IsControl(c) && c is not ('\n' or '\r' or '\t')))
        {
            throw new StoreException($"{option}: at most 20,000 characters, and no control characters");
        }
        if (connection?.Length > 4_000 || connection?.Any(char.IsControl) == true)
        {
            throw new StoreException("--connection: at most 4,000 characters, and no control characters");
        }
        if (relationType == RelationType.Files && e != SourceEngine.DuckDb)
        {
            throw new StoreException("--files is for DuckDB sources (DuckDB reads Parquet, CSV and JSON files); give --table or --query");
        }
        if (relationType == RelationType.Table && !TablePattern().IsMatch(relation))
        {
            throw new StoreException($"--table `{Shown(relation)}`: a table name is letters, digits and `_`, with an optional schema (`events.usage`); use --query for anything else");
        }
        if (e != SourceEngine.DuckDb && string.IsNullOrWhiteSpace(connection))
        {
            throw new StoreException($"--connection: a {EngineName(e)} source needs its connection string");
        }
        // Each field is read from the column of its own name unless --columns names another, or none (`value=`: the
        // source has no such column; only for the fields a row may leave out).
        var (required, optional) = Fields[k];
        var mapped = required.Concat(optional).ToDictionary(f => f, f => f, StringComparer.Ordinal);
        foreach (var (field, column) in columns ?? new Dictionary<string, string>())
        {
            if (!mapped.ContainsKey(field))
            {
                throw new StoreException($"--columns: `{Shown(field)}` is not a field of {KindName(k)} (its fields: {string.Join(", ", required.Concat(optional))})");
            }
            if (string.IsNullOrWhiteSpace(column) && optional.Contains(field))
            {
                mapped.Remove(field);
                continue;
            }
            if (string.IsNullOrWhiteSpace(column) || column.Length > 128 || column.Any(char.IsControl))
            {
                throw new StoreException($"--columns: the column for `{field}` must be a name of 1 to 128 characters{(required.Contains(field) ? $" (every {KindName(k)} row needs its {field})" : "")}");
            }
            mapped[field] = column.Trim();
        }
        schedule = string.IsNullOrWhiteSpace(schedule) ? null : schedule.Trim();
        if (schedule is not null && (schedule.Length > 200 || !Cronos.CronExpression.TryParse(schedule, Cronos.CronFormat.Standard, out _)))
        {
            throw new StoreException($"--schedule `{Shown(schedule)}`: not a cron expression of five fields (minute hour day month weekday, in UTC), such as `0 * * * *` for every hour or `30 6 * * 1-5` for 06:30 on weekdays");
        }
        if (e == SourceEngine.DuckDb)
        {
            // Files and database files are named from where the source is added: a server started elsewhere finds them.
            relation = relationType == RelationType.Files ? Absolute(relation) : relation;
            connection = string.IsNullOrWhiteSpace(connection) || connection.Contains('=', StringComparison.Ordinal) ? connection ?? "" : Absolute(connection);
        }
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        if (db.Connection.ExecuteScalar<string?>("SELECT name FROM external_sources WHERE name = @name OR kind = @kind", new { name, kind = KindName(k) }, tx) is { } taken)
        {
            throw new StoreException(taken == name
                ? $"a source named `{name}` already exists: remove it first (`chs sources remove {name}`)"
                : $"{KindName(k)} already has a source, `{taken}`: a kind is computed in one place; remove it first");
        }
        var at = StoredDates.Stamp(clock.GetUtcNow());
        db.Connection.Execute(
            """
            INSERT INTO external_sources (name, kind, engine, relation_type, relation, columns, created_at, created_by, schedule)
            VALUES (@name, @kind, @engine, @type, @relation, @columns, @at, @by, @schedule)
            """,
            new { name, kind = KindName(k), engine = EngineName(e), type = relationType.ToString().ToLowerInvariant(), relation, columns = JsonSerializer.Serialize(mapped), at, by, schedule }, tx);
        new SealedSecrets(db, clock).Put(SecretPrefix + name, connection ?? "", tx);
        tx.Commit();
        return Find(name)!;
    }

    /// <summary>Every source, by name.</summary>
    public IReadOnlyList<ExternalSource> List() =>
        db.Connection.Query<Row>("SELECT name, kind, engine, relation_type, relation, columns, created_at, created_by, checked_at, last_error, schedule, last_run_at FROM external_sources ORDER BY name")
            .Select(ToSource).ToList();

    public ExternalSource? Find(string name) => List().FirstOrDefault(s => s.Name == name);

    /// <summary>The source's connection (for the engine only: never shown).</summary>
    internal string Connection(ExternalSource source) =>
        new SealedSecrets(db, clock).Get(SecretPrefix + source.Name)
            ?? throw new StoreException($"source `{source.Name}`: its connection cannot be opened with this store's key (a store copied without its keys?): remove the source and add it again");

    /// <summary>Removes a source: its kind's measures are computed from imported signals again. False when there is none of that name.</summary>
    public bool Remove(string name)
    {
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        var removed = db.Connection.Execute("DELETE FROM external_sources WHERE name = @name", new { name }, tx) > 0;
        new SealedSecrets(db, clock).Remove(SecretPrefix + name, tx);
        tx.Commit();
        return removed;
    }

    /// <summary>The next time the source's schedule is due after its last scheduled run (or after it was added); null without a schedule.</summary>
    public static DateTimeOffset? NextRun(ExternalSource source)
    {
        if (source.Schedule is null)
        {
            return null;
        }
        var since = DateTimeOffset.Parse(source.LastRunAt ?? source.CreatedAt, CultureInfo.InvariantCulture);
        return Cronos.CronExpression.Parse(source.Schedule, Cronos.CronFormat.Standard).GetNextOccurrence(since, TimeZoneInfo.Utc);
    }

    /// <summary>
    /// Claims the scheduled runs due by now: each source whose schedule came due since its last run is marked as run now,
    /// by a change that only one of several servers sharing the store can make (it names the last run it saw). True when
    /// this caller claimed at least one: it then scores.
    /// </summary>
    public bool ClaimDue(DateTimeOffset now)
    {
        var claimed = false;
        foreach (var source in List().Where(s => NextRun(s) is { } next && next <= now))
        {
            using var turn = db.WriteTurn();
            claimed |= db.Connection.Execute(
                "UPDATE external_sources SET last_run_at = @now WHERE name = @name AND COALESCE(last_run_at, '') = @seen",
                new { now = StoredDates.Stamp(now), name = source.Name, seen = source.LastRunAt ?? "" }) == 1;
        }
        return claimed;
    }

    /// <summary>Records when a source was read and what went wrong (null: it worked).</summary>
    public void Checked(string name, string? error)
    {
        using var turn = db.WriteTurn();
        db.Connection.Execute("UPDATE external_sources SET checked_at = @at, last_error = @error WHERE name = @name",
            new { name, at = StoredDates.Stamp(clock.GetUtcNow()), error });
    }

    /// <summary>
    /// Reads a source as a scoring run would, before it is used: the connection, the table or query, every mapped column
    /// and the account ids (every one must be an account of the store). Refused with why, which the source remembers.
    /// </summary>
    public SourceCheck Test(string name)
    {
        var source = Find(name) ?? throw new StoreException($"no source `{Shown(name)}` in this store: `chs sources list` shows them");
        var known = db.Connection.Query<string>("SELECT account_id FROM accounts").ToHashSet(StringComparer.Ordinal);
        long rows = 0;
        var accounts = 0;
        var unknown = new List<string>();
        string? first = null, last = null;
        try
        {
            using var c = EngineConnection.Open(source, Connection(source));
            // Its days as scoring counts them: usage in the usage time zone, the other kinds in the model's.
            var zone = PushdownSession.Zone(source, db.Setting("usage_timezone") ?? "UTC", new Models.ModelVersions(db, clock).Current()?.Model.Timezone ?? "UTC");
            using var r = c.Query(PushdownSql.Probe(PushdownSession.Readable(c, source), PushdownSql.For(source.Engine), zone));
            while (r.Read())
            {
                accounts++;
                rows += r.Whole(1);
                if (!r.IsNull(2) && (first is null || string.CompareOrdinal(r.Text(2), first) < 0))
                {
                    first = r.Text(2);
                }
                if (!r.IsNull(3) && (last is null || string.CompareOrdinal(r.Text(3), last) > 0))
                {
                    last = r.Text(3);
                }
                if (r.IsNull(0) || !known.Contains(r.Text(0)))
                {
                    unknown.Add(r.IsNull(0) ? "" : r.Text(0));
                }
            }
        }
        catch (Exception e) when (EngineConnection.IsEngineError(e))
        {
            var message = $"source `{name}` ({source.EngineName}): {Secrets.Redact(e.Message)}";
            Checked(name, message);
            throw new StoreException(message);
        }
        if (unknown.Count > 0)
        {
            var message = $"source `{name}` ({source.EngineName}): {unknown.Count:N0} of its {accounts:N0} account ids are not accounts of the store, {SuchAs(unknown)}";
            Checked(name, message);
            throw new StoreException(message);
        }
        Checked(name, null);
        return new SourceCheck(name, source.KindName, source.EngineName, rows, accounts, known.Count, first, last);
    }

    // A local path made absolute; an address (s3://, https://) or DuckDB's :memory: as given.
    private static string Absolute(string path) =>
        path.Contains("://", StringComparison.Ordinal) || path.StartsWith(':') ? path.Trim() : Path.GetFullPath(path.Trim());

    /// <summary>A kind's name as sources, commands and pages give it (`usage`, `tickets`...).</summary>
    public static string KindName(SignalKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>The first of the account ids a source holds that the store does not, and what to do about them.</summary>
    internal static string SuchAs(IEnumerable<string> unknown) =>
        $"such as {string.Join(", ", unknown.Order(StringComparer.Ordinal).Take(3).Select(u => $"`{Shown(u)}`"))}: import those accounts first, or leave their rows out with --query";

    /// <summary>
    /// The column mapping typed as `FIELD=COLUMN` pairs separated by commas or lines (each text may hold several), or
    /// null with the piece that is not a pair in <paramref name="bad"/>.
    /// </summary>
    public static Dictionary<string, string>? ParseColumns(IEnumerable<string> texts, out string? bad)
    {
        var mapped = new Dictionary<string, string>(StringComparer.Ordinal);
        bad = null;
        foreach (var pair in texts.SelectMany(t => t.Split([',', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                bad = Shown(pair);
                return null;
            }
            mapped[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
        }
        return mapped;
    }

    /// <summary>What a refusal repeats of what was given: short, on one line.</summary>
    public static string Shown(string? text)
    {
        var t = new string((text ?? "").Where(c => !char.IsControl(c)).ToArray());
        return t.Length > 60 ? t[..60] + "…" : t;
    }

    private static ExternalSource ToSource(Row r) => new(
        r.name, Enum.Parse<SignalKind>(r.kind, ignoreCase: true), ParseEngine(r.engine)!.Value, Enum.Parse<RelationType>(r.relation_type, ignoreCase: true), r.relation,
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.columns)!, r.created_at, r.created_by, r.checked_at, r.last_error, r.schedule, r.last_run_at);

#pragma warning disable IDE1006 // Dapper maps the columns by name.
    private sealed record Row(string name, string kind, string engine, string relation_type, string relation, string columns, string created_at, string? created_by,
        string? checked_at, string? last_error, string? schedule, string? last_run_at);
#pragma warning restore IDE1006

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,39}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]{0,62}(\\.[A-Za-z_][A-Za-z0-9_]{0,62}){0,2}$")]
    private static partial Regex TablePattern();
}
