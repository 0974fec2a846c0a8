using System.Globalization;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Store.Pushdown;

/// <summary>
/// The measures of a scoring run that external sources compute: for each day scored, one query a source computes all of
/// its measures in its engine (<see cref="PushdownSql"/>) and only one row an account comes back. One connection a source,
/// open for the run. A source that cannot be read, a query that fails, or rows for accounts the store does not hold
/// stop the run with a message naming the source and the measure (and the source remembers it, for `chs sources list`).
/// </summary>
public sealed class PushdownSession : IDisposable
{
    private readonly ExternalSources sources;
    private readonly ScoringPlan plan;
    // The source that computes each measure of the plan (null: computed from imported signals).
    private readonly ExternalSource?[] byMeasure;
    private readonly Dictionary<string, EngineConnection> connections = [];
    private readonly Dictionary<string, ExternalSource> readable = [];
    private readonly string usageZone;
    private readonly HashSet<string> read = [];
    // The run's accounts by id: a source's account ids are matched to them.
    private Dictionary<string, AccountData>? byId;

    private PushdownSession(StoreDb db, TimeProvider clock, ScoringPlan plan, IReadOnlyList<ExternalSource> all)
    {
        sources = new ExternalSources(db, clock);
        this.plan = plan;
        byMeasure = plan.Measures.Select(m => all.FirstOrDefault(s => s.Computes(m.Value))).ToArray();
        foreach (var (m, i) in plan.Measures.Select((m, i) => (m, i)))
        {
            if (byMeasure[i] is { } s && !PushedValues.CanPush(m.Value))
            {
                throw new StoreException($"measure `{m.Id}`: `{m.Value.Aggregate}` of {s.KindName} is not computed by source `{s.Name}`; " +
                    $"a source computes {string.Join(", ", PushedValues.Aggregates[m.Value.Signal])}");
            }
        }
        usageZone = db.Setting("usage_timezone") ?? "UTC";
    }

    /// <summary>A session for the plan, or null when no measure of it is computed by a source.</summary>
    public static PushdownSession? For(StoreDb db, TimeProvider clock, ScoringPlan plan)
    {
        var all = new ExternalSources(db, clock).List();
        return Computes(all, plan) ? new PushdownSession(db, clock, plan, all) : null;
    }

    /// <summary>Whether a source computes any measure of the plan.</summary>
    public static bool Computes(StoreDb db, TimeProvider clock, ScoringPlan plan) => Computes(new ExternalSources(db, clock).List(), plan);

    private static bool Computes(IReadOnlyList<ExternalSource> all, ScoringPlan plan) => plan.Measures.Any(m => all.Any(s => s.Computes(m.Value)));

    /// <summary>Per measure of the plan, the values its source computed as of the day by account key (null: computed from imported signals).</summary>
    /// <param name="day">The day scored.</param>
    /// <param name="accounts">The run's accounts (every account of the store): a source's account ids are matched to them.</param>
    public IReadOnlyList<IReadOnlyDictionary<int, PushedValue>?> Values(DateOnly day, IReadOnlyList<AccountData> accounts)
    {
        if (byId is null)
        {
            byId = accounts.ToDictionary(a => a.AccountId, StringComparer.Ordinal);
            KnownFrom();
        }
        var result = new IReadOnlyDictionary<int, PushedValue>?[byMeasure.Length];
        // One query a source and day for all of its measures: its rows are read once.
        foreach (var group in Enumerable.Range(0, byMeasure.Length).Where(i => byMeasure[i] is not null).GroupBy(i => byMeasure[i]!.Name))
        {
            var source = byMeasure[group.First()]!;
            var measures = group.ToList();
            try
            {
                var values = Read(source, measures, day);
                for (var k = 0; k < measures.Count; k++)
                {
                    result[measures[k]] = values[k];
                }
            }
            catch (Exception e) when (e is StoreException || EngineConnection.IsEngineError(e))
            {
                var message = e is StoreException ? e.Message : Blame(source, measures, day, e);
                sources.Checked(source.Name, message);
                throw new StoreException(message);
            }
            read.Add(source.Name);
        }
        return result;
    }

    /// <summary>
    /// Dates each account from its first row in each source the plan reads, over all days (as its first imported signal
    /// dates it): an account is scored from the day it is known (<see cref="Core.Scoring.Eligibility"/>), whichever holds its rows.
    /// Ids the store does not hold are left to the day's query, which names them.
    /// </summary>
    private void KnownFrom()
    {
        foreach (var i in Enumerable.Range(0, byMeasure.Length).Where(i => byMeasure[i] is not null).DistinctBy(i => byMeasure[i]!.Name))
        {
            var source = byMeasure[i]!;
            try
            {
                var c = Connection(source);
                using var reader = c.Query(PushdownSql.Probe(Fitted(c, source), PushdownSql.For(source.Engine), Zone(source)));
                while (reader.Read())
                {
                    if (!reader.IsNull(0) && byId!.TryGetValue(reader.Text(0), out var a) && Day(reader, 2) is { } first
                        && (a.FirstExternalDay is not { } known || first < known))
                    {
                        a.FirstExternalDay = first;
                    }
                }
            }
            catch (Exception e) when (EngineConnection.IsEngineError(e))
            {
                var message = Named(source, plan.Measures[i].Id, e);
                sources.Checked(source.Name, message);
                throw new StoreException(message);
            }
        }
    }

    /// <summary>Which measure the engine refused, asked of it one measure at a time, and why, in a sentence naming the source and the measure.</summary>
    private string Blame(ExternalSource source, List<int> measures, DateOnly day, Exception failed)
    {
        foreach (var i in measures)
        {
            try
            {
                Read(source, [i], day);
            }
            catch (Exception e) when (EngineConnection.IsEngineError(e))
            {
                return Named(source, plan.Measures[i].Id, e);
            }
            catch (StoreException e)
            {
                return e.Message;
            }
        }
        return Named(source, plan.Measures[measures[0]].Id, failed);
    }

    private static string Named(ExternalSource source, string measure, Exception e) =>
        $"source `{source.Name}` ({source.EngineName}), measure `{measure}`: {Secrets.Redact(e.Message)}";

    /// <summary>Records that the sources read worked (called once the run has stored its days).</summary>
    public void Succeeded()
    {
        foreach (var name in read)
        {
            sources.Checked(name, null);
        }
    }

    /// <summary>Runs the source's query for those measures of the plan as of the day and reads each one's values by account key.</summary>
    private Dictionary<int, PushedValue>[] Read(ExternalSource source, List<int> measures, DateOnly day)
    {
        var c = Connection(source);
        var fitted = Fitted(c, source);
        var count = measures.Count;
        var values = Enumerable.Range(0, count).Select(_ => new Dictionary<int, PushedValue>()).ToArray();
        var unknown = new List<string>();
        using var reader = c.Query(PushdownSql.Measures(fitted, PushdownSql.For(source.Engine), Zone(source), [.. measures.Select(i => plan.Measures[i].Value)], day));
        while (reader.Read())
        {
            var id = reader.IsNull(0) ? "" : reader.Text(0);
            if (!byId!.TryGetValue(id, out var account))
            {
                unknown.Add(id);
                continue;
            }
            var key = account.Key;
            var first = Day(reader, 1);
            for (var j = 0; j < count; j++)
            {
                var col = 2 + 4 * j;
                values[j][key] = new PushedValue(
                    reader.IsNull(col) ? null : reader.Number(col),
                    reader.IsNull(col + 1) ? 0 : reader.Number(col + 1),
                    reader.IsNull(col + 2) ? 0 : reader.Whole(col + 2),
                    first, Day(reader, col + 3));
            }
        }
        if (unknown.Count > 0)
        {
            throw new StoreException($"source `{source.Name}` ({source.EngineName}), measure `{plan.Measures[measures[0]].Id}`: {unknown.Count:N0} account id{(unknown.Count == 1 ? "" : "s")} the store does not hold, " +
                ExternalSources.SuchAs(unknown));
        }
        return values;
    }

    private string Zone(ExternalSource source) => Zone(source, usageZone, plan.Model.Timezone);

    /// <summary>
    /// The time zone a source's timestamps become days in, as for the same rows imported: usage's days are the usage time
    /// zone's (its roll-ups are kept by them), the other kinds' the model's.
    /// </summary>
    public static string Zone(ExternalSource source, string usageZone, string modelZone) => source.Kind == SignalKind.Usage ? usageZone : modelZone;

    /// <summary>The source as read in this run, fitted to the engine's columns the first time.</summary>
    private ExternalSource Fitted(EngineConnection c, ExternalSource source)
    {
        if (!readable.TryGetValue(source.Name, out var fitted))
        {
            fitted = Readable(c, source);
            readable[source.Name] = fitted;
        }
        return fitted;
    }

    /// <summary>The source as the engine's columns let it be read (<see cref="PushdownSql.Fitted"/>): the columns are asked of the engine, no row is read.</summary>
    internal static ExternalSource Readable(EngineConnection c, ExternalSource source)
    {
        using var reader = c.Query(PushdownSql.Columns(source, PushdownSql.For(source.Engine)));
        return PushdownSql.Fitted(source, [.. Enumerable.Range(0, reader.FieldCount).Select(reader.Name)]);
    }

    private static int? Day(EngineRows reader, int column) =>
        reader.IsNull(column) ? null : DateOnly.ParseExact(reader.Text(column), "yyyy-MM-dd", CultureInfo.InvariantCulture).DayNumber;

    /// <summary>The source's connection for this run, opened the first time it is needed.</summary>
    private EngineConnection Connection(ExternalSource source)
    {
        if (!connections.TryGetValue(source.Name, out var c))
        {
            c = EngineConnection.Open(source, sources.Connection(source));
            connections[source.Name] = c;
        }
        return c;
    }

    public void Dispose()
    {
        foreach (var c in connections.Values)
        {
            c.Dispose();
        }
        connections.Clear();
    }
}
