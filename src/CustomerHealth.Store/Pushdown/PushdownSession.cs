using System.Data.Common;
using System.Globalization;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;
using Dapper;
using DuckDB.NET.Data;
using Npgsql;

namespace CustomerHealth.Store.Pushdown;

/// <summary>
/// The measures of a scoring run that external sources compute: for each day scored, every such measure's SQL runs in
/// its source's engine (<see cref="PushdownSql"/>) and only one row an account comes back. One connection a source,
/// open for the run. A source that cannot be read, a query that fails, or rows for accounts the store does not hold
/// stop the run with a message naming the source and the measure (and the source remembers it, for `chs sources list`).
/// </summary>
public sealed class PushdownSession : IDisposable
{
    private readonly ExternalSources sources;
    private readonly ScoringPlan plan;
    private readonly (ExternalSource Source, PushdownSql.Dialect Dialect)?[] byMeasure;
    private readonly Dictionary<string, DbConnection> connections = [];
    private readonly Dictionary<string, int> keys;
    private readonly string zone;
    private readonly HashSet<string> read = [];

    private PushdownSession(StoreDb db, TimeProvider clock, ScoringPlan plan, IReadOnlyList<ExternalSource> all)
    {
        sources = new ExternalSources(db, clock);
        this.plan = plan;
        byMeasure = plan.Measures.Select(m => all.FirstOrDefault(s => s.Kind == m.Value.Signal) is { } s
            ? ((ExternalSource, PushdownSql.Dialect)?)(s, PushdownSql.For(s.Engine))
            : null).ToArray();
        foreach (var (m, i) in plan.Measures.Select((m, i) => (m, i)))
        {
            if (byMeasure[i] is { } s && !PushedValues.CanPush(m.Value))
            {
                throw new StoreException($"measure `{m.Id}`: `{m.Value.Aggregate}` of {ExternalSources.KindName(m.Value.Signal)} is not computed by source `{s.Source.Name}`; " +
                    $"a source computes {string.Join(", ", PushedValues.Aggregates[m.Value.Signal])}");
            }
        }
        keys = db.Connection.Query<(string Id, long Key)>("SELECT account_id, account_key FROM accounts").ToDictionary(a => a.Id, a => (int)a.Key, StringComparer.Ordinal);
        zone = db.Setting("usage_timezone") ?? "UTC";
    }

    /// <summary>A session for the plan, or null when no measure of it is computed by a source.</summary>
    public static PushdownSession? For(StoreDb db, TimeProvider clock, ScoringPlan plan)
    {
        var all = new ExternalSources(db, clock).List();
        return Computes(all, plan) ? new PushdownSession(db, clock, plan, all) : null;
    }

    /// <summary>Whether a source computes any measure of the plan.</summary>
    public static bool Computes(StoreDb db, TimeProvider clock, ScoringPlan plan) => Computes(new ExternalSources(db, clock).List(), plan);

    private static bool Computes(IReadOnlyList<ExternalSource> all, ScoringPlan plan) => plan.Measures.Any(m => all.Any(s => s.Kind == m.Value.Signal));

    /// <summary>Per measure of the plan, the values its source computed as of the day by account key (null: computed from imported signals).</summary>
    public IReadOnlyList<IReadOnlyDictionary<int, PushedValue>?> Values(DateOnly day)
    {
        var result = new IReadOnlyDictionary<int, PushedValue>?[byMeasure.Length];
        // One query a source and day for all of its measures: its rows are read once.
        foreach (var group in Enumerable.Range(0, byMeasure.Length).Where(i => byMeasure[i] is not null).GroupBy(i => byMeasure[i]!.Value.Source.Name))
        {
            var at = byMeasure[group.First()]!.Value;
            var measures = group.ToList();
            try
            {
                var source = Fitted(at.Source, at.Dialect);
                var values = Read(source, PushdownSql.Usage(source, at.Dialect, zone, [.. measures.Select(i => plan.Measures[i].Value)], day), measures.Count,
                    plan.Measures[measures[0]].Id);
                for (var k = 0; k < measures.Count; k++)
                {
                    result[measures[k]] = values[k];
                }
            }
            catch (Exception e) when (e is StoreException || IsEngineError(e))
            {
                var message = e is StoreException ? e.Message : Blame(at.Source, at.Dialect, measures, day, e);
                sources.Checked(at.Source.Name, message);
                throw new StoreException(message);
            }
            read.Add(at.Source.Name);
        }
        return result;
    }

    /// <summary>Which measure the engine refused, asked of it one measure at a time, and why, in a sentence naming the source and the measure.</summary>
    private string Blame(ExternalSource source, PushdownSql.Dialect dialect, List<int> measures, DateOnly day, Exception failed)
    {
        foreach (var i in measures)
        {
            try
            {
                var fitted = Fitted(source, dialect);
                Read(fitted, PushdownSql.Usage(fitted, dialect, zone, [plan.Measures[i].Value], day), 1, plan.Measures[i].Id);
            }
            catch (Exception e) when (IsEngineError(e))
            {
                return $"source `{source.Name}` ({source.EngineName}), measure `{plan.Measures[i].Id}`: {Secrets.Redact(e.Message)}";
            }
            catch (StoreException e)
            {
                return e.Message;
            }
        }
        return $"source `{source.Name}` ({source.EngineName}), measure `{plan.Measures[measures[0]].Id}`: {Secrets.Redact(failed.Message)}";
    }

    /// <summary>Records that the sources read worked (called once the run has stored its days).</summary>
    public void Succeeded()
    {
        foreach (var name in read)
        {
            sources.Checked(name, null);
        }
    }

    /// <summary>Runs a source's query and reads, for each of its <paramref name="count"/> measures, the values by account key.</summary>
    private Dictionary<int, PushedValue>[] Read(ExternalSource source, string sql, int count, string firstMeasure)
    {
        var values = Enumerable.Range(0, count).Select(_ => new Dictionary<int, PushedValue>()).ToArray();
        var unknown = new List<string>();
        using var command = Connection(source).CreateCommand();
        command.CommandText = sql;
        command.CommandTimeout = 600;
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.IsDBNull(0) ? "" : reader.GetString(0);
            if (!keys.TryGetValue(id, out var key))
            {
                unknown.Add(id);
                continue;
            }
            var first = Day(reader, 1);
            for (var j = 0; j < count; j++)
            {
                var c = 2 + 4 * j;
                values[j][key] = new PushedValue(
                    reader.IsDBNull(c) ? null : Convert.ToDouble(reader.GetValue(c), CultureInfo.InvariantCulture),
                    reader.IsDBNull(c + 1) ? 0 : Convert.ToDouble(reader.GetValue(c + 1), CultureInfo.InvariantCulture),
                    reader.IsDBNull(c + 2) ? 0 : Convert.ToInt64(reader.GetValue(c + 2), CultureInfo.InvariantCulture),
                    first, Day(reader, c + 3));
            }
        }
        if (unknown.Count > 0)
        {
            throw new StoreException($"source `{source.Name}` ({source.EngineName}), measure `{firstMeasure}`: {unknown.Count:N0} account id{(unknown.Count == 1 ? "" : "s")} the store does not hold, " +
                $"such as {string.Join(", ", unknown.Order(StringComparer.Ordinal).Take(3).Select(u => $"`{Shorten(u)}`"))}: import those accounts first, or leave their rows out with --query");
        }
        return values;
    }

    private readonly Dictionary<string, ExternalSource> fitted = [];

    /// <summary>The source as its engine's columns let it be read, asked once a run.</summary>
    private ExternalSource Fitted(ExternalSource source, PushdownSql.Dialect dialect)
    {
        if (!fitted.TryGetValue(source.Name, out var f))
        {
            f = PushdownSql.Fitted(source, ColumnsOf(Connection(source), source, dialect));
            fitted[source.Name] = f;
        }
        return f;
    }

    /// <summary>The names of the columns of what the source reads.</summary>
    internal static IReadOnlyList<string> ColumnsOf(DbConnection c, ExternalSource source, PushdownSql.Dialect dialect)
    {
        using var command = c.CreateCommand();
        command.CommandText = PushdownSql.Columns(source, dialect);
        command.CommandTimeout = 600;
        using var reader = command.ExecuteReader();
        return Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
    }

    private static int? Day(DbDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : DateOnly.ParseExact(reader.GetString(column), "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber;

    private static string Shorten(string text) => text.Length > 40 ? text[..40] + "…" : text;

    /// <summary>The source's connection for this run, opened the first time it is needed.</summary>
    private DbConnection Connection(ExternalSource source)
    {
        if (!connections.TryGetValue(source.Name, out var c))
        {
            c = Open(source, sources.Connection(source));
            connections[source.Name] = c;
        }
        return c;
    }

    /// <summary>Opens a connection to the source's engine (DuckDB: the database file named, else an in-memory one for files), in UTC.</summary>
    internal static DbConnection Open(ExternalSource source, string connection)
    {
        DbConnection c = source.Engine switch
        {
            SourceEngine.Postgres => new NpgsqlConnection(connection),
            _ => new DuckDBConnection(string.IsNullOrWhiteSpace(connection) ? "Data Source=:memory:"
                : connection.Contains('=', StringComparison.Ordinal) ? connection : $"Data Source={connection}"),
        };
        c.Open();
        // A timestamp the source keeps without a zone is read as UTC, whatever the engine's or the machine's own zone.
        using var utc = c.CreateCommand();
        utc.CommandText = source.Engine == SourceEngine.Postgres ? "SET TIME ZONE 'UTC'" : "SET TimeZone = 'UTC'";
        utc.ExecuteNonQuery();
        return c;
    }

    /// <summary>What an engine or its connection throws when it cannot answer (not a defect of the product).</summary>
    internal static bool IsEngineError(Exception e) =>
        e is DbException or InvalidOperationException or TimeoutException or System.Net.Sockets.SocketException or IOException or ArgumentException or FormatException;

    public void Dispose()
    {
        foreach (var c in connections.Values)
        {
            c.Dispose();
        }
        connections.Clear();
    }
}
