using CustomerHealth.Store.Engines;
using System.Globalization;
using System.Text;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using Dapper;
using Microsoft.Data.Sqlite;

namespace CustomerHealth.Store.Tests;

/// <summary>
/// A store of its own (an SQLite file in a temporary folder, or a new PostgreSQL database), with the operations the
/// tests use, and helpers to write input files into that folder. Disposing it closes the store and deletes both.
/// </summary>
internal sealed class TestStore : IDisposable
{
    private int fileCounter;

    private readonly string? postgres;

    public TestStore(TestEngine engine, DateOnly? today = null)
    {
        Engine = engine;
        Dir = Path.Combine(Path.GetTempPath(), "chs-store-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Dir);
        Clock = new FakeTimeProvider(DateTimeOffset.MinValue);
        Clock.SetDate(today ?? new DateOnly(2025, 6, 1));
        postgres = engine == TestEngine.Postgres ? TestPostgres.CreateDatabase() : null;
        Db = StoreDb.Open(postgres ?? Path.Combine(Dir, "chs.db"));
        Importer = new Importer(Db, Clock);
        Models = new ModelVersions(Db, Clock);
        Scoring = new ScoringRun(Db, Models);
        Reader = new AccountReader(Db, Models);
        Overrides = new OverrideBook(Db, Models, Clock);
    }

    public TestEngine Engine { get; }

    /// <summary>The store's address, as `--db` gives it: another connection to the same store opens it.</summary>
    public string Target => postgres ?? Path.Combine(Dir, "chs.db");
    public string Dir { get; }
    public FakeTimeProvider Clock { get; }
    public StoreDb Db { get; }
    public Importer Importer { get; }
    public ModelVersions Models { get; }
    public ScoringRun Scoring { get; }
    public AccountReader Reader { get; }
    public OverrideBook Overrides { get; }

    /// <summary>Writes a file (UTF-8, no BOM) into the store's folder, or a sub-folder of it.</summary>
    public string WriteFile(string name, string text)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    /// <summary>Writes the lines of a CSV file (header first), each ended by a newline.</summary>
    public string WriteCsv(string name, params string[] lines) => WriteFile(name, string.Concat(lines.Select(l => l + "\n")));

    /// <summary>Writes JSON Lines, one object a line.</summary>
    public string WriteJsonl(string name, params string[] lines) => WriteFile(name, string.Concat(lines.Select(l => l + "\n")));

    /// <summary>A new file name for a kind, so that each import of a test reads its own file.</summary>
    public string NextName(ImportKind kind, string ext) => $"{kind.Name()}-{++fileCounter}.{ext}";

    public ImportResult ImportCsv(ImportKind kind, params string[] lines) => ImportCsv(kind, new ImportOptions(), lines);

    public ImportResult ImportCsv(ImportKind kind, ImportOptions options, params string[] lines) =>
        Importer.ImportFile(kind, WriteCsv(NextName(kind, "csv"), lines), options);

    public ImportResult ImportJsonl(ImportKind kind, params string[] lines) => ImportJsonl(kind, new ImportOptions(), lines);

    public ImportResult ImportJsonl(ImportKind kind, ImportOptions options, params string[] lines) =>
        Importer.ImportFile(kind, WriteJsonl(NextName(kind, "jsonl"), lines), options);

    /// <summary>Imports one metric value per account on a day (the test models score the `health` metric directly).</summary>
    public void Metric(string accountId, DateOnly day, double value, string metric = "health") =>
        ImportCsv(ImportKind.Metrics, "account_id,metric,date,value", $"{accountId},{metric},{Iso(day)},{value.ToString(CultureInfo.InvariantCulture)}")
            .Applied.ShouldBeTrue();

    public ModelVersion Publish(string yaml = TestModels.Health, string? note = null) => Models.Publish(yaml, "test-model.yaml", note);

    public List<T> Query<T>(string sql, object? param = null) => Db.Connection.Query<T>(sql, param).ToList();

    public T Scalar<T>(string sql, object? param = null) => Db.Connection.ExecuteScalar<T>(sql, param)!;

    /// <summary>The rows of a query as column name to value (INTEGER is long, REAL is double, NULL is null).</summary>
    public List<Dictionary<string, object?>> Rows(string sql, object? param = null) =>
        Db.Connection.Query(sql, param).Cast<IDictionary<string, object?>>().Select(r => new Dictionary<string, object?>(r, StringComparer.Ordinal)).ToList();

    public Dictionary<string, object?> Row(string sql, object? param = null) => Rows(sql, param).ShouldHaveSingleItem();

    public long Count(string table) => Scalar<long>($"SELECT COUNT(*) FROM {table}");

    /// <summary>
    /// Takes the store back to the layout before migration 0019 (the Portfolio's log; migration 0017's change counter;
    /// without the later migrations' tables, and with PostgreSQL's snapshot index of before migration 0030), at schema version <paramref name="version"/> (at most 18): opened again, it migrates from there. Both stores run
    /// migration 0017's script again.
    /// </summary>
    public void TakeBackBeforePortfolioLog(int version)
    {
        var c = Db.Connection;
        c.Execute("DROP TABLE source_arrivals");
        c.Execute("DROP TABLE touches");
        c.Execute("DROP TABLE import_mappings");
        c.Execute("DROP TABLE predictors");
        c.Execute("DROP TABLE predictions");
        c.Execute("ALTER TABLE alerts DROP COLUMN held_out");
        c.Execute("DROP TABLE external_sources");
        c.Execute("DROP TABLE rescore_parts");
        if (Db.Engine is PostgresEngine)
        {
            c.Execute("""
                DROP TABLE portfolio_log, portfolio_log_pruned;
                DROP FUNCTION portfolio_log_keys() CASCADE; DROP FUNCTION portfolio_log_snapshots() CASCADE;
                DROP FUNCTION portfolio_log_everything() CASCADE; DROP FUNCTION portfolio_log_prune() CASCADE;
                DROP INDEX snapshots_as_of; CREATE INDEX snapshots_as_of_score ON snapshots (as_of, score)
                """);
        }
        else
        {
            foreach (var table in new[] { "accounts", "current_scores", "subscriptions", "snapshots" })
            {
                c.Execute($"DROP TRIGGER {table}_inserted; DROP TRIGGER {table}_updated; DROP TRIGGER {table}_deleted");
            }
            c.Execute("DROP TABLE portfolio_log");
        }
        var assembly = typeof(StoreDb).Assembly;
        using (var script = new StreamReader(assembly.GetManifestResourceStream(assembly.GetManifestResourceNames()
                   .Single(n => n.EndsWith($"{Db.Engine.SchemaFolder}.0017_portfolio_changes.sql", StringComparison.Ordinal)))!))
        {
            c.Execute(script.ReadToEnd());
        }
        using var tx = c.BeginTransaction();
        Db.Engine.SetSchemaVersion(c, tx, version);
        tx.Commit();
    }

    /// <summary>The usage as stored: every cell of the usage blocks (<see cref="UsageBlocks"/>), by keys.</summary>
    public List<UsageCell> UsageCells() => StoredUsage.Cells(Db.Connection);

    /// <summary>The usage as stored, one row per account, day and event with its count and sum, by ids and names; ordered.</summary>
    public List<(string Account, long Day, string Event, long Count, double Sum)> UsageDaily()
    {
        var (accounts, events, _) = Names();
        return [.. UsageCells().Select(c => (accounts[c.Account], (long)c.Day, events[c.Event], c.Count, c.Sum))
            .OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2).ThenBy(r => r.Item3, StringComparer.Ordinal)];
    }

    /// <summary>
    /// The users kept in the usage blocks: one row per account, day, event and user, with how many events the user had
    /// there; ordered.
    /// </summary>
    public List<(string Account, long Day, string Event, string User, long N)> UsageUsers()
    {
        var (accounts, events, users) = Names();
        var rows = UsageCells().SelectMany(c => c.Users.Select(u => (accounts[c.Account], (long)c.Day, events[c.Event], users[u.User], u.N)));
        return [.. rows.OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2).ThenBy(r => r.Item3, StringComparer.Ordinal).ThenBy(r => r.Item4, StringComparer.Ordinal)];
    }

    private (Dictionary<long, string> Accounts, Dictionary<long, string> Events, Dictionary<long, string> Users) Names() =>
        (Query<(long, string)>("SELECT account_key, account_id FROM accounts").ToDictionary(a => a.Item1, a => a.Item2),
         Query<(long, string)>("SELECT event_key, name FROM event_names").ToDictionary(e => e.Item1, e => e.Item2),
         Query<(long, string)>("SELECT user_key, user_id FROM users").ToDictionary(u => u.Item1, u => u.Item2));

    /// <summary>Every row of a table as text, in a stable order: two dumps are equal exactly when the contents are.</summary>
    public string Dump(string table)
    {
        using var cmd = Db.Connection.CreateCommand();
        cmd.CommandText = $"SELECT * FROM {table}";
        using var r = cmd.ExecuteReader();
        var rows = new List<string>();
        while (r.Read())
        {
            var cells = new string[r.FieldCount];
            for (var i = 0; i < r.FieldCount; i++)
            {
                cells[i] = r.IsDBNull(i) ? "NULL" : r.GetValue(i) switch
                {
                    byte[] b => Convert.ToHexString(b),
                    double d => d.ToString("R", CultureInfo.InvariantCulture),
                    var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
                };
            }
            rows.Add(string.Join("|", cells));
        }
        rows.Sort(StringComparer.Ordinal);
        return string.Join("\n", rows);
    }

    /// <summary>The dump of every table that holds imported data.</summary>
    public string DumpSignals() => string.Join("\n---\n", SignalTables.Select(t => t + ":\n" + Dump(t)));

    public static readonly string[] SignalTables =
    [
        "accounts", "event_names", "users", "usage_events", "usage_blocks", "surveys", "tickets", "invoices", "subscriptions",
        "orders", "metrics", "sentiment",
    ];

    public long AccountKey(string accountId) => Scalar<long>("SELECT account_key FROM accounts WHERE account_id = @accountId", new { accountId });

    /// <summary>The stored snapshot of an account on a day, or null.</summary>
    public SnapshotRow? Snapshot(string accountId, DateOnly day) =>
        Db.Connection.QueryFirstOrDefault<SnapshotRow>(
            """
            SELECT s.as_of AS AsOf, s.model_version AS ModelVersion, s.scorecard AS Scorecard, s.score AS Score, s.computed_score AS ComputedScore,
                   s.grade AS Grade, s.override_reason AS OverrideReason, s.note AS Note
            FROM snapshots s JOIN accounts a ON a.account_key = s.account_key
            WHERE a.account_id = @accountId AND s.as_of = @d
            """, new { accountId, d = Iso(day) });

    /// <summary>The days an account has snapshots on, in order.</summary>
    public List<string> SnapshotDays(string accountId) =>
        Query<string>("SELECT s.as_of FROM snapshots s JOIN accounts a ON a.account_key = s.account_key WHERE a.account_id = @accountId ORDER BY s.as_of", new { accountId });

    public static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        Db.Dispose();
        SqliteConnection.ClearAllPools();
        if (postgres is not null)
        {
            TestPostgres.DropDatabase(postgres);
        }
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // a file still held by the OS: the temp folder is cleaned by the system
        }
    }
}

/// <summary>A stored snapshot as the tests read it.</summary>
internal sealed class SnapshotRow
{
    public string AsOf { get; init; } = "";
    public string ModelVersion { get; init; } = "";
    public string Scorecard { get; init; } = "";
    public double? Score { get; init; }
    public double? ComputedScore { get; init; }
    public string? Grade { get; init; }
    public string? OverrideReason { get; init; }
    public string? Note { get; init; }
}

/// <summary>Small models whose scores are easy to work out by hand.</summary>
internal static class TestModels
{
    public const string Grades =
        """
        grades:
          - { id: green,  label: Healthy,         min: 70, color: "#2e7d32" }
          - { id: yellow, label: Needs attention, min: 40, color: "#f9a825" }
          - { id: red,    label: At risk,         min: 0,  color: "#c62828" }
        """;

    /// <summary>
    /// Score = the latest `health` metric (0..100) when that is all the account has; with an NPS survey too,
    /// 0.6 × health + 0.4 × (nps score × 10).
    /// </summary>
    public const string Health =
        "name: Health test\ntrend_days: 30\n" + Grades + "\n" +
        """
        dimensions:
          - id: product
            weight: 60
            measures:
              - id: health
                weight: 100
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
          - id: voice
            weight: 40
            measures:
              - id: nps
                weight: 100
                value: { signal: surveys, kind: nps, aggregate: latest }
                score: { range: { worst: 0, best: 10 } }
        """ + "\n";

    /// <summary>The same measures with other dimension weights (a second model version).</summary>
    public const string HealthReweighted =
        "name: Health test v2\ntrend_days: 30\n" + Grades + "\n" +
        """
        dimensions:
          - id: product
            weight: 20
            measures:
              - id: health
                weight: 100
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
          - id: voice
            weight: 80
            measures:
              - id: nps
                weight: 100
                value: { signal: surveys, kind: nps, aggregate: latest }
                score: { range: { worst: 0, best: 10 } }
        """ + "\n";

    /// <summary>The same as <see cref="Health"/>, with parents scored from their children.</summary>
    public const string HealthWithHierarchy = "hierarchy: children\n" + Health;

    /// <summary>One percentile measure on the `rank` metric, higher is better.</summary>
    public const string Percentile =
        "name: Percentile test\n" + Grades + "\n" +
        """
        dimensions:
          - id: product
            weight: 1
            measures:
              - id: rank
                weight: 1
                value: { signal: metrics, metric: rank, aggregate: latest }
                score: { percentile: { better: higher } }
        """ + "\n";

    /// <summary>The days since the last note, call or meeting (0 → 100, 30 or more → 0) and the touches in 90 days (0 → 0, 6 → 100), weighted alike.</summary>
    public const string Touches =
        "name: Touches test\n" + Grades + "\n" +
        """
        dimensions:
          - id: relationship
            weight: 1
            measures:
              - id: since
                weight: 1
                value: { signal: touches, aggregate: days_since_last }
                score: { range: { worst: 30, best: 0 } }
              - id: touches
                weight: 1
                value: { signal: touches, aggregate: count, window: 90d }
                score: { range: { worst: 0, best: 6 } }
        """ + "\n";

    /// <summary>Days with activity over 30 days, scored 0 days → 0 and 10 days → 100.</summary>
    public const string ActiveDays =
        "name: Active days test\n" + Grades + "\n" +
        """
        dimensions:
          - id: adoption
            weight: 1
            measures:
              - id: days
                weight: 1
                value: { signal: usage, aggregate: active_days, window: 30d }
                score: { range: { worst: 0, best: 10 } }
        """ + "\n";

    /// <summary>Distinct users over 30 days, scored 0 users → 0 and 10 users → 100.</summary>
    public const string DistinctUsers =
        "name: Users test\n" + Grades + "\n" +
        """
        dimensions:
          - id: adoption
            weight: 1
            measures:
              - id: users
                weight: 1
                value: { signal: usage, aggregate: distinct_users, window: 30d }
                score: { range: { worst: 0, best: 10 } }
        """ + "\n";
}
