using System.Globalization;
using System.Text;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Store.Scoring;
using Dapper;
using DuckDB.NET.Data;
using Npgsql;

namespace CustomerHealth.Store.Tests.Pushdown;

/// <summary>
/// Measures computed where the data lives: a portfolio scored from imported usage, and the same portfolio scored from
/// the same rows kept in an external engine (DuckDB over files, a PostgreSQL table, a ClickHouse `Distributed` table over two
/// shards), give the same values and scores on
/// every day of a range; what goes wrong names the source and the measure and stores nothing for the day.
/// </summary>
public abstract class PushdownTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly Start = new(2025, 1, 1);
    private static readonly DateOnly From = new(2025, 3, 3);
    private static readonly DateOnly To = new(2025, 5, 26);

    private const string Model =
        "name: Pushdown test\ntrend_days: 30\n" + TestModels.Grades + "\n" +
        """
        dimensions:
          - id: adoption
            weight: 60
            measures:
              - id: logins
                weight: 20
                value: { signal: usage, event: login, aggregate: count, window: 30d }
                score: { percentile: { better: higher } }
              - id: spend
                weight: 10
                value: { signal: usage, events: [export, report], aggregate: sum, window: 30d }
                score: { range: { worst: 0, best: 40 } }
              - id: active_days
                weight: 10
                value: { signal: usage, aggregate: active_days, window: 14d }
                score: { range: { worst: 0, best: 10 } }
              - id: seats_used
                weight: 10
                value: { signal: usage, aggregate: distinct_users, window: 30d, per: seats }
                score: { range: { worst: 0.05, best: 0.5 } }
              - id: users
                weight: 10
                value: { signal: usage, event: login, aggregate: distinct_users, window: 7d }
                score: { bands: [ { below: 1, score: 0 }, { below: 3, score: 50 }, { score: 100 } ] }
              - id: breadth
                weight: 10
                value: { signal: usage, aggregate: distinct_events, window: 30d }
                score: { range: { worst: 0, best: 3 } }
          - id: momentum
            weight: 40
            measures:
              - id: login_change
                weight: 20
                value: { signal: usage, event: login, aggregate: change, window: 28d }
                score: { range: { worst: -0.5, best: 0.5 } }
              - id: since_export
                weight: 20
                value: { signal: usage, event: export, aggregate: days_since_last }
                score: { range: { worst: 60, best: 0 } }
              - id: reports_ever
                weight: 10
                value: { signal: usage, event: report, aggregate: count, default: 0 }
                score: { percentile: { better: higher } }
                valid_for: 45d
              - id: all_events
                weight: 10
                value: { signal: usage, aggregate: count, window: 90d }
                score: { percentile: { better: higher } }
        """ + "\n";

    private readonly TestStore imported = new(engine, To);
    private readonly TestStore pushed = new(engine, To);
    private readonly List<string> externalDatabases = [];
    private (string Name, string Shard1, string Shard2)? clickHouse;

    public void Dispose()
    {
        imported.Dispose();
        pushed.Dispose();
        foreach (var db in externalDatabases)
        {
            TestPostgres.DropDatabase(db);
        }
        if (clickHouse is { } ch)
        {
            TestClickHouse.DropDatabase(ch);
        }
        GC.SuppressFinalize(this);
    }

    [Fact]
    public void EveryUsageAggregate_ComputedByDuckDbOverCsvAndParquetFiles_GivesTheScoresOfTheImportedRows_OnEveryDayOfTheRange()
    {
        var csv = Portfolio();
        var expected = ScoreImported(csv);

        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        sources.Add("events-csv", "usage", "duckdb", "", RelationType.Files, csv, null, "test");
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
        sources.Find("events-csv")!.LastError.ShouldBeNull();
        sources.Find("events-csv")!.CheckedAt.ShouldNotBeNull();

        // The same rows as Parquet, read by a DuckDB database file's view of them: the same answer.
        var parquet = Path.Combine(pushed.Dir, "usage.parquet");
        var duckFile = Path.Combine(pushed.Dir, "warehouse.duckdb");
        using (var duck = new DuckDBConnection($"Data Source={duckFile}"))
        {
            duck.Open();
            duck.Execute($"COPY (SELECT * FROM read_csv('{csv}', header = true)) TO '{parquet}' (FORMAT parquet)");
            duck.Execute($"CREATE VIEW product_events AS SELECT account_id AS acct, occurred_at AS ts, event AS name, user_id AS who, count AS n, value AS amount FROM read_parquet('{parquet}')");
        }
        sources.Remove("events-csv").ShouldBeTrue();
        sources.Add("warehouse", "usage", "duckdb", duckFile, RelationType.Table, "product_events",
            new Dictionary<string, string> { ["account_id"] = "acct", ["occurred_at"] = "ts", ["event"] = "name", ["user_id"] = "who", ["count"] = "n", ["value"] = "amount" }, "test");
        pushed.Db.Connection.Execute("DELETE FROM snapshots");
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
    }

    [Fact]
    public void EveryUsageAggregate_ComputedByPostgreSql_GivesTheScoresOfTheImportedRows_AndTheLatestDayIsScoredWholeAgain()
    {
        var csv = Portfolio();
        var expected = ScoreImported(csv);
        var warehouse = Warehouse(csv);

        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        sources.Add("warehouse", "usage", "postgres", warehouse, RelationType.Query,
            "SELECT account_id, occurred_at, event, user_id, n, amount FROM analytics.product_events WHERE event <> 'heartbeat';",
            new Dictionary<string, string> { ["count"] = "n", ["value"] = "amount", ["user_id"] = "user_id" }, "test");
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);

        // A new row where the data lives: scoring the latest day again reads it (no import marked the account).
        using (var c = new NpgsqlConnection(warehouse))
        {
            c.Open();
            c.Execute("INSERT INTO analytics.product_events VALUES ('A01', '2025-05-26T09:00:00Z', 'export', NULL, 1, 40, 'late-1')");
        }
        pushed.Scoring.Score(To);
        var a01 = pushed.Snapshot("A01", To)!;
        imported.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,count,value,event_id", "A01,2025-05-26T09:00:00Z,export,,1,40,late-1").Applied.ShouldBeTrue();
        imported.Scoring.Score(To);
        a01.Score!.Value.ShouldBe(imported.Snapshot("A01", To)!.Score!.Value, 1e-9);
    }

    [Fact]
    public void EveryUsageAggregate_ComputedByClickHouse_OverADistributedTableOfTwoShards_GivesTheScoresOfTheImportedRows()
    {
        var csv = Portfolio();
        var expected = ScoreImported(csv);
        var ch = ClickHouseWarehouse(csv);

        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        sources.Add("events", "usage", "clickhouse", TestClickHouse.AsWarehouse(ch.Shard1), RelationType.Table, "usage_all",
            new Dictionary<string, string> { ["occurred_at"] = "ts", ["count"] = "n", ["value"] = "amount" }, "test");
        // Each shard holds a part of the accounts; the distributed table reads both.
        TestClickHouse.Query(ch.Shard1, "SELECT uniqExact(account_id) FROM usage_local").ShouldNotBe("0");
        TestClickHouse.Query(ch.Shard2, "SELECT uniqExact(account_id) FROM usage_local").ShouldNotBe("0");
        var check = sources.Test("events");
        check.Accounts.ShouldBe(37);
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
        sources.Find("events")!.LastError.ShouldBeNull();

        // A wrong password: named source and measure, the password given nowhere in what is said or kept.
        sources.Remove("events");
        sources.Add("events", "usage", "clickhouse", new ClickHouse.Driver.ADO.ClickHouseConnectionStringBuilder(TestClickHouse.AsWarehouse(ch.Shard1)) { Password = "not-the-secret" }.ConnectionString,
            RelationType.Table, "usage_all", new Dictionary<string, string> { ["occurred_at"] = "ts", ["count"] = "n", ["value"] = "amount" }, "test");
        var e = Should.Throw<StoreException>(() => pushed.Scoring.Score(To));
        e.Message.ShouldContain("source `events` (clickhouse), measure `logins`");
        e.Message.ShouldContain("password");
        e.Message.ShouldNotContain("not-the-secret");
        sources.Find("events")!.LastError!.ShouldNotContain("not-the-secret");

        // A column the table does not have, through a query.
        sources.Remove("events");
        sources.Add("events", "usage", "clickhouse", TestClickHouse.AsWarehouse(ch.Shard1), RelationType.Query, "SELECT account_id, ts, event FROM usage_all",
            new Dictionary<string, string> { ["occurred_at"] = "ts", ["value"] = "amount" }, "test");
        e = Should.Throw<StoreException>(() => pushed.Scoring.Score(To));
        e.Message.ShouldContain("source `events` (clickhouse), measure `");
        e.Message.ShouldContain("amount");
    }

    [Fact]
    public void WhatGoesWrong_NamesTheSourceAndTheMeasure_StoresNothingForTheDay_AndIsRemembered()
    {
        var csv = Portfolio();
        pushed.Publish(Model);
        var sources = new ExternalSources(pushed.Db, pushed.Clock);

        // Rows for an account the store does not hold.
        var extra = pushed.WriteFile("more.csv", File.ReadAllText(csv) + "ZZ-404,2025-05-01T10:00:00Z,login,u1,1,,x-1\n");
        sources.Add("files", "usage", "duckdb", "", RelationType.Files, extra, null, "test");
        var e = Should.Throw<StoreException>(() => pushed.Scoring.ScoreRange(From, To, 7));
        e.Message.ShouldContain("source `files` (duckdb), measure `logins`");
        e.Message.ShouldContain("`ZZ-404`");
        // Its row is dated 2025-05-01: the days before are stored whole, that day and after nothing.
        pushed.Scalar<string>("SELECT MAX(as_of) FROM snapshots").ShouldBe("2025-04-28");
        var stored = pushed.Count("snapshots");
        stored.ShouldBe(9 * 40);
        sources.Find("files")!.LastError!.ShouldContain("ZZ-404");
        // Each account keeps its last good score, marked as not current: which source failed, when, why, and the measures it computes.
        var shown = pushed.Reader.Show("A01")!;
        shown.AsOf.ShouldBe("2025-04-28");
        var stale = shown.StaleSource.ShouldNotBeNull();
        stale.Source.ShouldBe("files");
        stale.Engine.ShouldBe("duckdb");
        stale.Error.ShouldContain("ZZ-404");
        stale.FailedAt.ShouldNotBeNull();
        stale.Measures.ShouldBe(["logins", "spend", "active_days", "seats_used", "users", "breadth", "login_change", "since_export", "reports_ever", "all_events"]);
        // A day asked for is what it was that day: not marked.
        pushed.Reader.Show("A01", new DateOnly(2025, 4, 28))!.StaleSource.ShouldBeNull();
        sources.Remove("files");
        pushed.Reader.Show("A01")!.StaleSource.ShouldBeNull();

        // A column the files do not have.
        sources.Add("files", "usage", "duckdb", "", RelationType.Files, csv, new Dictionary<string, string> { ["user_id"] = "person" }, "test");
        e = Should.Throw<StoreException>(() => pushed.Scoring.Score(To));
        e.Message.ShouldContain("source `files` (duckdb), measure `logins`");
        e.Message.ShouldContain("person");
        sources.Remove("files");

        // An engine that does not answer: the password given is not in the message nor in the stored error.
        sources.Add("gone", "usage", "postgres", "Host=127.0.0.1;Port=1;Username=u;Password=hunter2;Timeout=3", RelationType.Table, "events", null, "test");
        e = Should.Throw<StoreException>(() => pushed.Scoring.Score(To));
        e.Message.ShouldContain("source `gone` (postgres), measure `logins`");
        e.Message.ShouldNotContain("hunter2");
        sources.Find("gone")!.LastError!.ShouldNotContain("hunter2");
        pushed.Count("snapshots").ShouldBe(stored);
        // The connection is kept sealed: nowhere in the store in clear.
        pushed.Db.Connection.Query<string>("SELECT sealed FROM secrets").ShouldAllBe(s => !s.Contains("hunter2"));
        pushed.Db.Connection.Query<string>("SELECT columns || relation || engine FROM external_sources").ShouldAllBe(s => !s.Contains("hunter2"));
    }

    [Theory]
    [InlineData("bad name!", "usage", "duckdb", "table", "events", "source name")]
    [InlineData("s", "sentiment", "duckdb", "table", "events", "--kind `sentiment`")]
    [InlineData("s", "usage", "oracle", "table", "events", "--engine `oracle`")]
    [InlineData("s", "usage", "postgres", "files", "/tmp/x.csv", "--files is for DuckDB")]
    [InlineData("s", "usage", "duckdb", "table", "events; DROP TABLE accounts", "--table `events; DROP TABLE accounts`")]
    [InlineData("s", "usage", "duckdb", "table", "", "give what to read")]
    [InlineData("s", "usage", "postgres", "table", "events", "--connection")]
    public void ASourceThatCannotWork_IsRefusedWithWhy_AndNothingIsKept(string name, string kind, string engineName, string type, string relation, string why)
    {
        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        var e = Should.Throw<StoreException>(() => sources.Add(name, kind, engineName, "", Enum.Parse<RelationType>(type, ignoreCase: true), relation, null, "test"));
        e.Message.ShouldContain(why);
        sources.List().ShouldBeEmpty();
        pushed.Count("secrets").ShouldBe(0);
        Should.Throw<StoreException>(() => sources.Add("s", "usage", "duckdb", "", RelationType.Table, "events", new Dictionary<string, string> { ["colour"] = "c" }, "test"))
            .Message.ShouldContain("`colour` is not a field of usage");
        sources.Add("one", "usage", "duckdb", "", RelationType.Table, "events", null, "test");
        Should.Throw<StoreException>(() => sources.Add("two", "usage", "duckdb", "", RelationType.Table, "events", null, "test"))
            .Message.ShouldContain("usage already has a source, `one`");
    }

    private const string TicketModel =
        "name: Ticket pushdown test\ntrend_days: 30\ntimezone: America/New_York\n" + TestModels.Grades + "\n" +
        """
        dimensions:
          - id: support
            weight: 100
            measures:
              - id: opened
                weight: 10
                value: { signal: tickets, aggregate: count, window: 30d }
                score: { percentile: { better: lower } }
              - id: urgent_open
                weight: 20
                value: { signal: tickets, aggregate: open_count, where: { priority: [high, urgent] } }
                score: { range: { worst: 4, best: 0 } }
              - id: escalated
                weight: 10
                value: { signal: tickets, aggregate: escalated_count, window: 60d }
                score: { range: { worst: 3, best: 0 } }
              - id: resolution
                weight: 10
                value: { signal: tickets, aggregate: avg_resolution_hours, window: 30d }
                score: { range: { worst: 96, best: 4 } }
              - id: first_response
                weight: 10
                value: { signal: tickets, aggregate: avg_first_response_hours, window: 14d, where: { priority: [normal, high] } }
                score: { range: { worst: 48, best: 1 } }
              - id: happy
                weight: 10
                value: { signal: tickets, aggregate: satisfaction, window: 90d }
                score: { range: { worst: 50, best: 100 } }
              - id: ever_opened
                weight: 10
                value: { signal: tickets, aggregate: count, default: 0 }
                score: { percentile: { better: lower } }
                valid_for: 30d
              - id: low_open
                weight: 10
                value: { signal: tickets, aggregate: open_count, where: { priority: [low] } }
                score: { range: { worst: 5, best: 0 } }
        """ + "\n";

    [Fact]
    public void EveryTicketAggregate_ComputedByDuckDbOverACsvFile_GivesTheScoresOfTheImportedTickets()
    {
        var csv = TicketPortfolio();
        var expected = ScoreImportedTickets(csv);
        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        // The file read as it is: its ticket_id column is not read, the others by their own names.
        sources.Add("helpdesk", "tickets", "duckdb", "", RelationType.Files, csv, null, "test");
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
        var check = sources.Test("helpdesk");
        check.Kind.ShouldBe("tickets");
        check.Accounts.ShouldBe(27);
        // The latest score says which source computes the ticket measures when it fails.
        File.WriteAllText(csv, File.ReadAllText(csv) + "T-404,ZZ-404,2025-05-20T10:00:00Z,high,open,,,false,\n");
        var e = Should.Throw<StoreException>(() => pushed.Scoring.Score(To));
        e.Message.ShouldContain("source `helpdesk` (duckdb), measure `opened`");
        e.Message.ShouldContain("`ZZ-404`");
        pushed.Reader.Show("A01")!.StaleSource!.Measures.ShouldBe(["opened", "urgent_open", "escalated", "resolution", "first_response", "happy", "ever_opened", "low_open"]);
    }

    [Fact]
    public void SourcesTest_GivesATicketSourcesDaysAsScoringCountsThem_InTheModelsTimeZone()
    {
        pushed.Importer.ImportFile(ImportKind.Accounts, pushed.WriteFile("accounts.csv", "account_id\nA01\n"), new()).Applied.ShouldBeTrue();
        pushed.Publish(TicketModel);
        // 02:00 UTC on 1 May is still 30 April in New York, the model's time zone; the usage time zone is UTC.
        var csv = pushed.WriteFile("edge-tickets.csv", "ticket_id,account_id,opened_at\nT-1,A01,2025-05-01T02:00:00Z\nT-2,A01,2025-05-03T12:00:00Z\n");
        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        sources.Add("edge", "tickets", "duckdb", "", RelationType.Files, csv, null, "test");
        var check = sources.Test("edge");
        (check.Rows, check.FirstDay, check.LastDay).ShouldBe((2L, "2025-04-30", "2025-05-03"));
    }

    [Fact]
    public void EveryTicketAggregate_ComputedByPostgreSql_FromTypedColumnsWithOtherNames_GivesTheScoresOfTheImportedTickets()
    {
        var csv = TicketPortfolio();
        var expected = ScoreImportedTickets(csv);
        var cs = TestPostgres.CreateDatabase();
        externalDatabases.Add(cs);
        using (var c = new NpgsqlConnection(cs))
        {
            c.Open();
            c.Execute("""
                CREATE TABLE support_tickets (id TEXT, customer TEXT, created TIMESTAMPTZ, prio TEXT, state TEXT, answered TIMESTAMPTZ, resolved TIMESTAMPTZ,
                  escalated BOOLEAN, csat TEXT)
                """);
            foreach (var f in File.ReadLines(csv).Skip(1).Select(l => l.Split(',')))
            {
                c.Execute("INSERT INTO support_tickets VALUES (@id, @customer, CAST(@created AS TIMESTAMPTZ), @prio, @state, CAST(@answered AS TIMESTAMPTZ), CAST(@resolved AS TIMESTAMPTZ), @esc, @csat)",
                    new
                    {
                        id = f[0], customer = f[1], created = f[2], prio = Null(f[3]), state = Null(f[4]), answered = Null(f[5]), resolved = Null(f[6]),
                        esc = f[7].ToLowerInvariant() switch { "true" or "1" or "yes" => true, "false" or "0" or "no" => false, _ => (bool?)null },
                        csat = Null(f[8]),
                    });
            }
        }
        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        sources.Add("helpdesk", "tickets", "postgres", cs, RelationType.Table, "support_tickets", new Dictionary<string, string>
        {
            ["account_id"] = "customer", ["opened_at"] = "created", ["priority"] = "prio", ["status"] = "state", ["first_response_at"] = "answered",
            ["closed_at"] = "resolved", ["satisfaction"] = "csat",
        }, "test");
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
    }

    [Fact]
    public void EveryTicketAggregate_ComputedByClickHouse_OverADistributedTableOfTwoShards_GivesTheScoresOfTheImportedTickets()
    {
        var csv = TicketPortfolio();
        var expected = ScoreImportedTickets(csv);
        var ch = TestClickHouse.CreateDatabase();
        clickHouse = ch;
        const string columns = "(ticket_id String, account_id String, opened_at DateTime('UTC'), priority Nullable(String), status Nullable(String), " +
            "first_response_at Nullable(DateTime('UTC')), closed_at Nullable(DateTime('UTC')), escalated UInt8, satisfaction Nullable(String))";
        string Time(string t) => t.Length == 0 ? "NULL" : $"'{DateTimeOffset.Parse(t, CultureInfo.InvariantCulture).UtcDateTime:yyyy-MM-dd HH:mm:ss}'";
        string Text(string t) => t.Length == 0 ? "NULL" : $"'{t}'";
        var rows = File.ReadLines(csv).Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var (shard, part) in new[] { (ch.Shard1, 0), (ch.Shard2, 1) })
        {
            TestClickHouse.Execute(shard, $"CREATE TABLE tickets_local {columns} ENGINE = MergeTree ORDER BY (account_id, opened_at)");
            TestClickHouse.Execute(shard, "INSERT INTO tickets_local VALUES " + string.Join(", ", rows.Where(f => int.Parse(f[1][1..], CultureInfo.InvariantCulture) % 2 == part).Select(f =>
                $"('{f[0]}', '{f[1]}', {Time(f[2])}, {Text(f[3])}, {Text(f[4])}, {Time(f[5])}, {Time(f[6])}, {(f[7].ToLowerInvariant() is "true" or "1" or "yes" ? 1 : 0)}, {Text(f[8])})")));
        }
        TestClickHouse.Execute(ch.Shard1, $"CREATE TABLE tickets_all {columns} ENGINE = Distributed(chs, {ch.Name}, tickets_local)");
        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        sources.Add("helpdesk", "tickets", "clickhouse", TestClickHouse.AsWarehouse(ch.Shard1), RelationType.Table, "tickets_all", null, "test");
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
    }

    private const string KindsModel =
        "name: Kinds pushdown test\ntrend_days: 30\ntimezone: America/New_York\n" + TestModels.Grades + "\n" +
        """
        dimensions:
          - id: money
            weight: 40
            measures:
              - { id: overdue_days, weight: 10, value: { signal: invoices, aggregate: max_days_overdue }, score: { range: { worst: 60, best: 0 } } }
              - { id: overdue_amount, weight: 10, value: { signal: invoices, aggregate: overdue_amount }, score: { range: { worst: 5000, best: 0 } } }
              - { id: failed, weight: 10, value: { signal: invoices, aggregate: failed_count, window: 90d }, score: { range: { worst: 3, best: 0 } } }
              - { id: on_time, weight: 10, value: { signal: invoices, aggregate: on_time_ratio, window: 120d }, score: { range: { worst: 0, best: 1 } } }
              - { id: orders_30, weight: 10, value: { signal: orders, aggregate: count, window: 30d }, score: { range: { worst: 0, best: 6 } } }
              - { id: spend_60, weight: 10, value: { signal: orders, aggregate: sum, window: 60d }, score: { range: { worst: 0, best: 3000 } } }
              - { id: basket, weight: 10, value: { signal: orders, aggregate: average, window: 60d }, score: { range: { worst: 20, best: 400 } } }
              - { id: basket_median, weight: 10, value: { signal: orders, aggregate: median, window: 90d }, score: { range: { worst: 20, best: 400 } } }
              - { id: returns, weight: 10, value: { signal: orders, aggregate: return_rate, window: 90d }, score: { range: { worst: 0.5, best: 0 } } }
              - { id: since_order, weight: 10, value: { signal: orders, aggregate: days_since_last }, score: { range: { worst: 90, best: 0 } }, valid_for: 60d }
          - id: voice
            weight: 30
            measures:
              - { id: nps, weight: 10, value: { signal: surveys, kind: nps, aggregate: nps, window: 180d }, score: { range: { worst: -100, best: 100 } } }
              - { id: csat, weight: 10, value: { signal: surveys, kind: csat, aggregate: average, window: 90d }, score: { range: { worst: 1, best: 5 } } }
              - { id: ces_latest, weight: 10, value: { signal: surveys, kind: ces, aggregate: latest, window: 120d }, score: { range: { worst: 1, best: 7 } } }
              - { id: nps_answers, weight: 10, value: { signal: surveys, kind: nps, aggregate: count, window: 90d, default: 0 }, score: { range: { worst: 0, best: 4 } } }
              - { id: csat_positive, weight: 10, value: { signal: surveys, kind: csat, aggregate: positive_share, window: 180d }, score: { range: { worst: 0, best: 100 } } }
          - id: metrics
            weight: 30
            measures:
              - { id: mrr, weight: 10, value: { signal: metrics, metric: mrr, aggregate: latest }, score: { range: { worst: 0, best: 2000 } }, valid_for: 45d }
              - { id: mrr_avg, weight: 10, value: { signal: metrics, metric: mrr, aggregate: average, window: 30d }, score: { range: { worst: 0, best: 2000 } } }
              - { id: seats_median, weight: 10, value: { signal: metrics, metric: seats used, aggregate: median, window: 60d }, score: { range: { worst: 0, best: 50 } } }
              - { id: seats_sum, weight: 10, value: { signal: metrics, metric: seats used, aggregate: sum, window: 30d }, score: { range: { worst: 0, best: 500 } } }
              - { id: mrr_min, weight: 10, value: { signal: metrics, metric: mrr, aggregate: min, window: 30d }, score: { range: { worst: 0, best: 2000 } } }
              - { id: mrr_max, weight: 10, value: { signal: metrics, metric: mrr, aggregate: max, window: 30d }, score: { range: { worst: 0, best: 2000 } } }
              - { id: mrr_change, weight: 10, value: { signal: metrics, metric: mrr, aggregate: change, window: 28d }, score: { range: { worst: -0.5, best: 0.5 } } }
          - id: buying
            weight: 10
            measures:
              - { id: alive, weight: 10, value: { signal: orders, aggregate: p_alive }, score: { range: { worst: 0, best: 1 } } }
        """ + "\n";

    /// <summary>Each kind's file: its header, and for PostgreSQL and ClickHouse each column's type (d: a day, t: a time, n: a number, s: text).</summary>
    private static readonly (string Kind, string Header, string Types)[] Kinds =
    [
        ("invoices", "invoice_id,account_id,amount,due_on,issued_on,paid_on,status", "ssnddds"),
        ("orders", "order_id,account_id,placed_at,amount,returned_amount", "sstnn"),
        ("surveys", "response_id,account_id,kind,score,responded_at", "sssnt"),
        ("metrics", "account_id,metric,date,value", "ssdn"),
    ];

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    [InlineData("clickhouse")]
    public void EveryInvoiceOrderSurveyAndMetricAggregate_ComputedInTheEngine_GivesTheScoresOfTheImportedRows(string engineName)
    {
        var files = KindsPortfolio();
        foreach (var (kind, file) in files)
        {
            imported.Importer.ImportFile(Enum.Parse<ImportKind>(kind, ignoreCase: true), file, new()).Applied.ShouldBeTrue();
        }
        imported.Publish(KindsModel);
        pushed.Publish(KindsModel);
        imported.Scoring.ScoreRange(From, To, 7);
        var expected = Snapshots(imported);
        expected.Count.ShouldBeGreaterThan(300);
        // The portfolio exercises what it should: every measure varied, missing (no row of the kind, the survey kind or
        // the metric; nothing to average), stale and zero values.
        for (var j = 0; j < 23; j++)
        {
            var seen = expected.Select(e => e.Values[j]).ToList();
            seen.Distinct().Count().ShouldBeGreaterThan(3, $"measure {j}");
            if (j != 13)
            {
                // (13 has a default: never missing.)
                seen.ShouldContain("missing", $"measure {j}");
            }
        }
        expected.Select(e => e.Values[9]).ShouldContain("stale");
        expected.Select(e => e.Values[15]).ShouldContain("stale");
        expected.Select(e => e.Values[13]).ShouldContain("0");

        var sources = new ExternalSources(pushed.Db, pushed.Clock);
        string? ch = null;
        foreach (var (kind, file) in files)
        {
            var (_, header, types) = Kinds.Single(k => k.Kind == kind);
            var columns = header.Split(',');
            var rows = File.ReadLines(file).Skip(1).Select(l => l.Split(',')).ToList();
            switch (engineName)
            {
                case "duckdb":
                    sources.Add(kind, kind, "duckdb", "", RelationType.Files, file, null, "test");
                    break;
                case "postgres":
                    var cs = externalDatabases.FirstOrDefault() ?? TestPostgres.CreateDatabase();
                    if (externalDatabases.Count == 0)
                    {
                        externalDatabases.Add(cs);
                    }
                    using (var c = new NpgsqlConnection(cs))
                    {
                        c.Open();
                        c.Execute($"CREATE TABLE {kind}_table ({string.Join(", ", columns.Select((col, i) => $"\"{col}\" {types[i] switch { 'd' => "DATE", 't' => "TIMESTAMPTZ", 'n' => "DOUBLE PRECISION", _ => "TEXT" }}"))})");
                        using var copy = c.BeginTextImport($"COPY {kind}_table FROM STDIN (FORMAT csv, HEADER true)");
                        copy.Write(File.ReadAllText(file));
                    }
                    sources.Add(kind, kind, "postgres", cs, RelationType.Table, $"{kind}_table", null, "test");
                    break;
                default:
                    var db = clickHouse ??= TestClickHouse.CreateDatabase();
                    string Cell(string v, char type) => v.Length == 0 ? "NULL" : type switch
                    {
                        'n' => v,
                        't' => $"'{DateTimeOffset.Parse(v, CultureInfo.InvariantCulture).UtcDateTime:yyyy-MM-dd HH:mm:ss}'",
                        _ => $"'{v}'",
                    };
                    var typed = string.Join(", ", columns.Select((col, i) => $"`{col}` Nullable({types[i] switch { 'd' => "Date", 't' => "DateTime('UTC')", 'n' => "Float64", _ => "String" }})"));
                    foreach (var (shard, part) in new[] { (db.Shard1, 0), (db.Shard2, 1) })
                    {
                        TestClickHouse.Execute(shard, $"CREATE TABLE {kind}_local ({typed}) ENGINE = MergeTree ORDER BY tuple()");
                        var account = Array.IndexOf(columns, "account_id");
                        var mine = rows.Where(f => int.Parse(f[account][1..], CultureInfo.InvariantCulture) % 2 == part).ToList();
                        TestClickHouse.Execute(shard, $"INSERT INTO {kind}_local VALUES " + string.Join(", ", mine.Select(f => "(" + string.Join(", ", f.Select((v, i) => Cell(v, types[i]))) + ")")));
                    }
                    TestClickHouse.Execute(db.Shard1, $"CREATE TABLE {kind}_all ({typed}) ENGINE = Distributed(chs, {db.Name}, {kind}_local)");
                    ch = TestClickHouse.AsWarehouse(db.Shard1);
                    sources.Add(kind, kind, "clickhouse", ch, RelationType.Table, $"{kind}_all", null, "test");
                    break;
            }
        }
        pushed.Scoring.ScoreRange(From, To, 7);
        Same(Snapshots(pushed), expected);
        sources.List().ShouldAllBe(x => x.LastError == null);
    }

    /// <summary>
    /// Writes the accounts into both stores, and a file a kind (returned): invoices issued before, after and without an
    /// issue day, paid on time, late, not at all, paid without a payment day, failed and void, with and without a status;
    /// orders with and without returns; NPS, CSAT and CES answers (kinds in capitals too) at times near midnight in New
    /// York; two metrics, one a day, one name with spaces around it. Each kind leaves out some accounts.
    /// </summary>
    private List<(string Kind, string File)> KindsPortfolio()
    {
        var accounts = new StringBuilder("account_id,name\n");
        for (var i = 1; i <= 30; i++)
        {
            accounts.Append(CultureInfo.InvariantCulture, $"A{i:00},Account {i}\n");
        }
        foreach (var store in new[] { imported, pushed })
        {
            store.Importer.ImportFile(ImportKind.Accounts, store.WriteFile("accounts.csv", accounts.ToString()), new()).Applied.ShouldBeTrue();
        }
        var rng = new Random(5);
        static string D(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        static string T(DateTimeOffset t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        DateTimeOffset Moment(DateOnly d) => new(d.ToDateTime(new TimeOnly(rng.Next(0, 24), rng.Next(0, 60), rng.Next(0, 60))), TimeSpan.Zero);
        DateOnly Day(int from, int span) => Start.AddDays(from + rng.Next(0, span));
        var files = new List<(string, string)>();
        var invoices = new StringBuilder(Kinds[0].Header + "\n");
        string[] statuses = ["", "", "open", "paid", "Paid", "failed", "void"];
        var n = 0;
        for (var i = 1; i <= 26; i++)
        {
            for (var k = rng.Next(1, 8); k > 0; k--)
            {
                var due = Day(0, 150);
                var issued = rng.Next(6) switch { 0 => "", 1 => D(due.AddDays(3)), _ => D(due.AddDays(-rng.Next(5, 35))) };
                var status = statuses[rng.Next(statuses.Length)];
                var paid = status is "failed" or "void" || rng.Next(4) == 0 ? "" : D(due.AddDays(rng.Next(-10, 25)));
                invoices.Append(CultureInfo.InvariantCulture, $"I-{++n},A{i:00},{rng.Next(10, 400) * 5},{D(due)},{issued},{paid},{status}\n");
            }
        }
        files.Add(("invoices", imported.WriteFile("invoices.csv", invoices.ToString())));
        var orders = new StringBuilder(Kinds[1].Header + "\n");
        for (var i = 3; i <= 30; i++)
        {
            var busy = rng.Next(1, 25);
            for (var k = 0; k < busy; k++)
            {
                var amount = rng.Next(5, 500) + rng.Next(0, 4) * 0.25;
                var returned = rng.Next(5) == 0 ? (amount * rng.Next(1, 4) / 4).ToString(CultureInfo.InvariantCulture) : rng.Next(3) == 0 ? "0" : "";
                orders.Append(CultureInfo.InvariantCulture, $"O-{++n},A{i:00},{T(Moment(Day(0, 145)))},{amount.ToString(CultureInfo.InvariantCulture)},{returned}\n");
            }
        }
        files.Add(("orders", imported.WriteFile("orders.csv", orders.ToString())));
        var surveys = new StringBuilder(Kinds[2].Header + "\n");
        string[] kinds = ["nps", "nps", "NPS", "csat", "ces"];
        for (var i = 1; i <= 27; i++)
        {
            for (var k = rng.Next(0, 9); k > 0; k--)
            {
                var kind = i % 9 == 0 ? "csat" : kinds[rng.Next(kinds.Length)];
                var score = kind.ToLowerInvariant() switch { "nps" => rng.Next(0, 11), "csat" => rng.Next(1, 6), _ => rng.Next(1, 8) };
                surveys.Append(CultureInfo.InvariantCulture, $"R-{++n},A{i:00},{kind},{score},{T(Moment(Day(0, 145)))}\n");
            }
        }
        files.Add(("surveys", imported.WriteFile("surveys.csv", surveys.ToString())));
        var metrics = new StringBuilder(Kinds[3].Header + "\n");
        for (var i = 2; i <= 29; i++)
        {
            var level = rng.Next(100, 2000);
            foreach (var metric in i % 7 == 0 ? new[] { "mrr" } : ["mrr", " seats used "])
            {
                var last = To.AddDays(i % 5 == 0 ? -70 : 0);
                for (var d = Day(0, 60); d <= last; d = d.AddDays(rng.Next(1, 12)))
                {
                    var value = metric == "mrr" ? level + rng.Next(-200, 200) : rng.Next(0, 50);
                    metrics.Append(CultureInfo.InvariantCulture, $"A{i:00},{metric},{D(d)},{value}\n");
                }
            }
        }
        files.Add(("metrics", imported.WriteFile("metrics.csv", metrics.ToString())));
        return files;
    }

    private static string? Null(string s) => s.Length == 0 ? null : s;

    /// <summary>
    /// Writes the accounts into both stores, and the tickets file (returned): every priority (some in capitals, some not
    /// given), every status, answered and closed or not, closed by a closing time or only by a solved status, escalated in
    /// every spelling, rated or not; times near midnight in New York (the model's zone). Accounts 28 to 30 have none.
    /// </summary>
    private string TicketPortfolio()
    {
        var accounts = new StringBuilder("account_id,name\n");
        for (var i = 1; i <= 30; i++)
        {
            accounts.Append(CultureInfo.InvariantCulture, $"A{i:00},Account {i}\n");
        }
        foreach (var store in new[] { imported, pushed })
        {
            store.Importer.ImportFile(ImportKind.Accounts, store.WriteFile("accounts.csv", accounts.ToString()), new()).Applied.ShouldBeTrue();
        }
        var rng = new Random(11);
        var tickets = new StringBuilder("ticket_id,account_id,opened_at,priority,status,first_response_at,closed_at,escalated,satisfaction\n");
        string[] priorities = ["low", "normal", "high", "urgent", "", "High", "URGENT"];
        string[] statuses = ["open", "pending", "solved", "closed", "", "Solved"];
        string[] escalations = ["true", "false", "", "yes", "0", "1", "no"];
        string[] ratings = ["good", "bad", "", "", "Good"];
        var n = 0;
        for (var i = 1; i <= 27; i++)
        {
            var count = rng.Next(1, 14);
            for (var k = 0; k < count; k++)
            {
                // Opened at a time of day that is often the evening before in New York.
                var opened = new DateTimeOffset(Start.AddDays(rng.Next(0, 145)).ToDateTime(new TimeOnly(rng.Next(0, 24), rng.Next(0, 60), rng.Next(0, 60))), TimeSpan.Zero);
                var status = statuses[rng.Next(statuses.Length)];
                var answered = rng.Next(10) < 7 ? opened.AddMinutes(rng.Next(5, 72 * 60)) : (DateTimeOffset?)null;
                var done = status.ToLowerInvariant() is "solved" or "closed";
                var closed = (done && rng.Next(10) < 7) || rng.Next(20) == 0 ? (answered ?? opened).AddMinutes(rng.Next(10, 14 * 24 * 60)) : (DateTimeOffset?)null;
                static string T(DateTimeOffset? t) => t is { } x ? x.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "";
                tickets.Append(CultureInfo.InvariantCulture,
                    $"T-{++n},A{i:00},{T(opened)},{priorities[rng.Next(priorities.Length)]},{status},{T(answered)},{T(closed)},{escalations[rng.Next(escalations.Length)]},{ratings[rng.Next(ratings.Length)]}\n");
            }
        }
        return imported.WriteFile("tickets.csv", tickets.ToString());
    }

    /// <summary>Imports the tickets and scores the range the usual way, checking that the portfolio exercises every aggregate.</summary>
    private List<Snap> ScoreImportedTickets(string csv)
    {
        imported.Importer.ImportFile(ImportKind.Tickets, csv, new()).Applied.ShouldBeTrue();
        imported.Publish(TicketModel);
        pushed.Publish(TicketModel);
        imported.Scoring.ScoreRange(From, To, 7);
        var snaps = Snapshots(imported);
        snaps.Count.ShouldBeGreaterThan(300);
        for (var j = 0; j < 8; j++)
        {
            snaps.Select(s => s.Values[j]).Distinct().Count().ShouldBeGreaterThan(3, $"measure {j}");
        }
        snaps.ShouldContain(s => s.Values[3] == "missing" && s.Values[0] != "missing");
        snaps.ShouldContain(s => s.Values[6] == "stale");
        snaps.ShouldContain(s => s.Values[0] == "0");
        return snaps;
    }

    /// <summary>Writes the accounts into both stores, and the usage file (returned) that the imported store imports.</summary>
    private string Portfolio()
    {
        var accounts = new StringBuilder("account_id,name,seats\n");
        for (var i = 1; i <= 40; i++)
        {
            accounts.Append(CultureInfo.InvariantCulture, $"A{i:00},Account {i},{(i % 7 == 0 ? "" : (5 + i % 11).ToString(CultureInfo.InvariantCulture))}\n");
        }
        foreach (var store in new[] { imported, pushed })
        {
            store.Importer.ImportFile(ImportKind.Accounts, store.WriteFile("accounts.csv", accounts.ToString()), new()).Applied.ShouldBeTrue();
        }
        var rng = new Random(7);
        var usage = new StringBuilder("account_id,occurred_at,event,user_id,count,value,event_id\n");
        var n = 0;
        string[] events = ["login", "login", "login", "export", "report", "heartbeat"];
        for (var i = 1; i <= 37; i++)
        {
            // Accounts 35 to 37 stop in January (zero in the windows after), 38 to 40 send nothing (missing).
            var last = i >= 35 ? new DateOnly(2025, 1, 31) : To.AddDays(rng.Next(0, 20) == 0 ? -40 : 0);
            var rate = 0.2 + rng.NextDouble() * 1.5 * (i % 5 == 0 ? 0.3 : 1);
            for (var d = Start.AddDays(rng.Next(0, 50)); d <= last; d = d.AddDays(1))
            {
                var k = rng.NextDouble() < rate % 1 ? (int)rate + 1 : (int)rate;
                for (var j = 0; j < k; j++)
                {
                    var ev = events[rng.Next(events.Length)];
                    var at = d.ToDateTime(new TimeOnly(rng.Next(0, 24), rng.Next(0, 60), rng.Next(0, 60)));
                    var user = ev == "heartbeat" || rng.Next(8) == 0 ? "" : $"A{i:00}-u{rng.Next(1, 9)}";
                    var count = ev == "export" ? rng.Next(1, 4) : 1;
                    var value = ev is "export" or "report" ? (rng.Next(0, 40) / 2.0).ToString(CultureInfo.InvariantCulture) : "";
                    usage.Append(CultureInfo.InvariantCulture, $"A{i:00},{at:yyyy-MM-dd'T'HH:mm:ss'Z'},{ev},{user},{count},{value},e-{++n}\n");
                }
            }
        }
        return imported.WriteFile("usage.csv", usage.ToString());
    }

    /// <summary>Imports the usage and scores the range the usual way; the heartbeat rows are left out (the query of the PostgreSQL source leaves them out too).</summary>
    private List<Snap> ScoreImported(string csv)
    {
        var kept = File.ReadAllLines(csv).Where(l => !l.Contains(",heartbeat,", StringComparison.Ordinal));
        var file = imported.WriteFile("usage-kept.csv", string.Join("\n", kept) + "\n");
        File.Copy(file, csv, overwrite: true);
        imported.Importer.ImportFile(ImportKind.Usage, file, new()).Applied.ShouldBeTrue();
        imported.Publish(Model);
        pushed.Publish(Model);
        imported.Scoring.ScoreRange(From, To, 7);
        var snaps = Snapshots(imported);
        snaps.Count.ShouldBe(13 * 40);
        // The portfolio exercises what it should: zero and missing values, stale ones, every aggregate varied.
        snaps.ShouldContain(s => s.Values[0] == "0");
        snaps.ShouldContain(s => s.Values[6] == "missing");
        snaps.ShouldContain(s => s.Values[8] == "stale");
        snaps.Select(s => s.Values[6]).Distinct().Count().ShouldBeGreaterThan(20);
        snaps.Select(s => s.Values[3]).Distinct().Count().ShouldBeGreaterThan(20);
        return snaps;
    }

    /// <summary>A PostgreSQL database holding the usage rows (with a heartbeat row a source query leaves out), as a warehouse would.</summary>
    private string Warehouse(string csv)
    {
        var cs = TestPostgres.CreateDatabase();
        externalDatabases.Add(cs);
        using var c = new NpgsqlConnection(cs);
        c.Open();
        c.Execute("CREATE SCHEMA analytics; CREATE TABLE analytics.product_events (account_id TEXT, occurred_at TIMESTAMPTZ, event TEXT, user_id TEXT, n INTEGER, amount DOUBLE PRECISION, event_id TEXT)");
        using (var copy = c.BeginBinaryImport("COPY analytics.product_events FROM STDIN (FORMAT BINARY)"))
        {
            foreach (var line in File.ReadLines(csv).Skip(1).Append("A02,2025-05-20T10:00:00Z,heartbeat,,1,,hb-1"))
            {
                var f = line.Split(',');
                copy.StartRow();
                copy.Write(f[0]);
                copy.Write(DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture).UtcDateTime, NpgsqlTypes.NpgsqlDbType.TimestampTz);
                copy.Write(f[2]);
                if (f[3].Length == 0)
                {
                    copy.WriteNull();
                }
                else
                {
                    copy.Write(f[3]);
                }
                copy.Write(int.Parse(f[4], CultureInfo.InvariantCulture));
                if (f[5].Length == 0)
                {
                    copy.WriteNull();
                }
                else
                {
                    copy.Write(double.Parse(f[5], CultureInfo.InvariantCulture));
                }
                copy.Write(f[6]);
            }
            copy.Complete();
        }
        return cs;
    }

    /// <summary>
    /// The usage rows in ClickHouse as a team keeps them: a MergeTree table on each of two shards, the accounts split
    /// between them, and a `Distributed` table over both (on shard 1) that a source reads.
    /// </summary>
    private (string Name, string Shard1, string Shard2) ClickHouseWarehouse(string csv)
    {
        var ch = TestClickHouse.CreateDatabase();
        clickHouse = ch;
        const string columns = "(account_id String, ts DateTime('UTC'), event String, user_id Nullable(String), n UInt32, amount Nullable(Float64), event_id String)";
        var rows = File.ReadLines(csv).Skip(1).Select(line => line.Split(',')).ToList();
        foreach (var (shard, part) in new[] { (ch.Shard1, 0), (ch.Shard2, 1) })
        {
            TestClickHouse.Execute(shard, $"CREATE TABLE usage_local {columns} ENGINE = MergeTree ORDER BY (account_id, ts)");
            var values = rows.Where(f => int.Parse(f[0][1..], CultureInfo.InvariantCulture) % 2 == part).Select(f =>
                $"('{f[0]}', '{DateTimeOffset.Parse(f[1], CultureInfo.InvariantCulture).UtcDateTime:yyyy-MM-dd HH:mm:ss}', '{f[2]}', {(f[3].Length == 0 ? "NULL" : $"'{f[3]}'")}, {f[4]}, {(f[5].Length == 0 ? "NULL" : f[5])}, '{f[6]}')");
            TestClickHouse.Execute(shard, "INSERT INTO usage_local VALUES " + string.Join(", ", values));
        }
        TestClickHouse.Execute(ch.Shard1, $"CREATE TABLE usage_all {columns} ENGINE = Distributed(chs, {ch.Name}, usage_local) ");
        return ch;
    }

    private sealed record Snap(string Account, string AsOf, double? Score, string? Grade, string[] Values);

    /// <summary>Every snapshot alike: the same accounts and days, scores within 1e-9, grades, and each measure's value (within 1e-9, or both missing or stale).</summary>
    private static void Same(List<Snap> actual, List<Snap> expected)
    {
        actual.Count.ShouldBe(expected.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            var (a, b) = (actual[i], expected[i]);
            var same = a.Account == b.Account && a.AsOf == b.AsOf && a.Grade == b.Grade && (a.Score is null) == (b.Score is null)
                && (a.Score is null || Math.Abs(a.Score.Value - b.Score!.Value) <= 1e-9)
                && a.Values.Zip(b.Values).All(v => v.First == v.Second || (double.TryParse(v.First, CultureInfo.InvariantCulture, out var x)
                    && double.TryParse(v.Second, CultureInfo.InvariantCulture, out var y) && Math.Abs(x - y) <= 1e-9));
            same.ShouldBeTrue($"{a.Account} on {a.AsOf}: pushed down {a.Score} [{string.Join(" ", a.Values)}], imported {b.Score} [{string.Join(" ", b.Values)}]");
        }
    }

    private static List<Snap> Snapshots(TestStore store) =>
        store.Db.Connection.Query<(string Account, string AsOf, double? Score, string? Grade, byte[] Detail)>(
                "SELECT a.account_id, s.as_of, s.score, s.grade, s.detail FROM snapshots s JOIN accounts a ON a.account_key = s.account_key ORDER BY a.account_id, s.as_of")
            .Select(r => new Snap(r.Account, r.AsOf, r.Score, r.Grade, SnapshotCodec.Decode(r.Detail).Select(m =>
                m.Value.IsStale ? "stale" : m.Value.IsMissing ? "missing" : m.Value.Number.ToString("R", CultureInfo.InvariantCulture)).ToArray()))
            .ToList();
}

public sealed class PushdownTestsOnSqlite() : PushdownTests(TestEngine.Sqlite);

public sealed class PushdownTestsOnPostgres() : PushdownTests(TestEngine.Postgres);
