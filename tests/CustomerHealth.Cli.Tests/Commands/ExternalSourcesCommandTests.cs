using System.Globalization;
using Npgsql;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs sources add|list|test|remove`: usage computed where it lives, on both stores; connections never shown.</summary>
public abstract class ExternalSourcesCommandTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);
    private string? warehouse;
    private (string Name, string Shard1, string Shard2)? clickHouse;

    public void Dispose()
    {
        chs.Dispose();
        if (warehouse is not null)
        {
            TestPostgres.DropDatabase(warehouse);
        }
        if (clickHouse is { } ch)
        {
            TestClickHouse.DropDatabase(ch);
        }
        GC.SuppressFinalize(this);
    }

    private static string Day(int daysAgo) => TimeProvider.System.Today().AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private const string Events = "account_id,occurred_at,event,user_id,event_id";

    private string Usage() =>
        Events + "\n" + string.Concat(Enumerable.Range(0, 40).Select(d => $"A{d % 3 + 1},{Day(d)}T10:00:00Z,login,u{d % 4},e{d}\n"));

    [Fact]
    public void AFileSource_IsAddedTestedScoredFromListedAndRemoved_WithTheScoresOfTheImportedFile()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("import", "accounts", chs.Write("accounts.csv", "account_id,name,seats\nA1,Acme,5\nA2,Beta,10\nA3,Gamma,2\nA4,Delta,3\n")).ExitCode.ShouldBe(0);
        var file = chs.Write("events.csv", Usage());

        var added = chs.Run("sources", "add", "lake", "--engine", "duckdb", "--files", file);
        added.ExitCode.ShouldBe(0, added.ToString());
        added.Out.ShouldContain("Added the source `lake`: the usage measures are now computed in duckdb");
        var test = chs.Run("sources", "test", "lake", "--json");
        test.ExitCode.ShouldBe(0, test.ToString());
        (test.Json.GetProperty("rows").GetInt64(), test.Json.GetProperty("accounts").GetInt32(), test.Json.GetProperty("store_accounts").GetInt32()).ShouldBe((40, 3, 4));
        test.Json.GetProperty("last_day").GetString().ShouldBe(Day(0));

        var pushed = chs.Run("score", "--json");
        pushed.ExitCode.ShouldBe(0, pushed.ToString());
        var health = chs.Run("sources", "--json");
        health.Json.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("kind").GetString() == "usage")
            .GetProperty("status").GetString().ShouldBe("external");
        chs.Run("sources").Out.ShouldContain("computed in lake (duckdb)");
        var scores = Scores();

        // The same file imported, the source removed: the same scores.
        chs.Run("sources", "remove", "lake").ExitCode.ShouldBe(0);
        chs.Run("import", "usage", file).ExitCode.ShouldBe(0);
        chs.Run("score").ExitCode.ShouldBe(0);
        var imported = Scores();
        imported.Keys.ShouldBe(scores.Keys, ignoreOrder: true);
        foreach (var (account, score) in scores)
        {
            (score is null).ShouldBe(imported[account] is null, account);
            (score ?? 0).ShouldBe(imported[account] ?? 0, 1e-9, account);
        }
        scores["A1"].ShouldNotBeNull();

        var unknown = chs.Run("sources", "test", "lake");
        unknown.ExitCode.ShouldBe(1);
        unknown.Err.ShouldContain("no source `lake` in this store");
        chs.Run("sources", "list").Out.ShouldContain("No source is computed in an external engine");
    }

    [Fact]
    public void APostgreSqlSource_NeverShowsItsPassword_AndSaysWhyItCannotBeRead()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("import", "accounts", chs.Write("accounts.csv", "account_id,name\nA1,Acme\nA2,Beta\n")).ExitCode.ShouldBe(0);
        warehouse = TestPostgres.CreateDatabase();
        using (var c = new NpgsqlConnection(warehouse))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "CREATE TABLE events (acct TEXT, at TIMESTAMPTZ, name TEXT); " +
                string.Concat(Enumerable.Range(0, 10).Select(d => $"INSERT INTO events VALUES ('A{d % 2 + 1}', '{Day(d)}T10:00:00Z', 'login'); ")) +
                "INSERT INTO events VALUES ('Z9', now(), 'login');";
            cmd.ExecuteNonQuery();
        }
        // The warehouse's own password, as a user would give it.
        var connection = new NpgsqlConnectionStringBuilder(warehouse) { Password = "s3cret-warehouse" }.ConnectionString;
        var added = chs.Run("sources", "add", "wh", "--engine", "postgres", "--connection", connection, "--table", "events",
            "--columns", "account_id=acct", "--columns", "occurred_at=at,event=name,user_id=,count=,value=");
        added.ExitCode.ShouldBe(0, added.ToString());

        // An account the store does not hold: the test and the scoring say so, naming the source (and the measure).
        var test = chs.Run("sources", "test", "wh");
        test.ExitCode.ShouldBe(1);
        test.Err.ShouldContain("source `wh` (postgres): 1 of its 3 account ids are not accounts of the store, such as `Z9`");
        var score = chs.Run("score");
        score.ExitCode.ShouldBe(1);
        score.Err.ShouldContain("source `wh` (postgres), measure `active_seats`");

        var list = chs.Run("sources", "list", "--json");
        list.Out.ShouldNotContain("s3cret-warehouse");
        list.Out.ShouldNotContain("Host=");
        list.Json[0].GetProperty("last_error").GetString()!.ShouldContain("Z9");
        chs.Run("sources", "list").Out.ShouldContain("Z9");
        foreach (var r in new[] { added, test, score, list })
        {
            (r.Out + r.Err).ShouldNotContain("s3cret-warehouse");
        }

        // Unreachable: the message names the source; the password stays out of it.
        chs.Run("sources", "remove", "wh").ExitCode.ShouldBe(0);
        chs.Run("sources", "add", "down", "--engine", "postgres", "--connection", "Host=127.0.0.1;Port=1;Username=x;Password=s3cret-warehouse;Timeout=2", "--table", "events")
            .ExitCode.ShouldBe(0);
        var down = chs.Run("sources", "test", "down");
        down.ExitCode.ShouldBe(1);
        down.Err.ShouldContain("source `down` (postgres):");
        down.Err.ShouldNotContain("s3cret-warehouse");
    }

    [Fact]
    public void AClickHouseSource_IsTestedAndScoredFrom_AndWhenItFails_ShowSaysTheScoreIsNotCurrent()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("import", "accounts", chs.Write("accounts.csv", "account_id,name,seats\nA1,Acme,5\nA2,Beta,10\nA3,Gamma,2\n")).ExitCode.ShouldBe(0);
        var ch = TestClickHouse.CreateDatabase();
        clickHouse = ch;
        TestClickHouse.Execute(ch.Shard1, "CREATE TABLE events (account_id String, at DateTime('UTC'), event String, user_id Nullable(String)) ENGINE = MergeTree ORDER BY at");
        TestClickHouse.Execute(ch.Shard1, "INSERT INTO events VALUES " +
            string.Join(", ", Enumerable.Range(0, 30).Select(d => $"('A{d % 2 + 1}', '{Day(d)} 10:00:00', 'login', 'u{d % 3}')")));
        var connection = TestClickHouse.AsWarehouse(ch.Shard1);

        var added = chs.Run("sources", "add", "clicks", "--engine", "clickhouse", "--connection", connection, "--table", "events", "--columns", "occurred_at=at");
        added.ExitCode.ShouldBe(0, added.ToString());
        added.Out.ShouldContain("computed in clickhouse");
        var test = chs.Run("sources", "test", "clicks", "--json");
        test.ExitCode.ShouldBe(0, test.ToString());
        (test.Json.GetProperty("rows").GetInt64(), test.Json.GetProperty("accounts").GetInt32(), test.Json.GetProperty("store_accounts").GetInt32()).ShouldBe((30, 2, 3));
        test.Json.GetProperty("first_day").GetString().ShouldBe(Day(29));
        chs.Run("score", "--as-of", Day(1)).ExitCode.ShouldBe(0);
        chs.Run("show", "A1").Out.ShouldNotContain("Not current");

        // The password changes at the warehouse: today's score cannot be made; A1 keeps yesterday's, said to be not current.
        chs.Run("sources", "remove", "clicks").ExitCode.ShouldBe(0);
        chs.Run("sources", "add", "clicks", "--engine", "clickhouse", "--connection", connection.Replace("warehouse-secret", "old-secret-77", StringComparison.Ordinal),
            "--table", "events", "--columns", "occurred_at=at").ExitCode.ShouldBe(0);
        var score = chs.Run("score");
        score.ExitCode.ShouldBe(1);
        score.Err.ShouldContain("source `clicks` (clickhouse), measure `");
        score.Err.ShouldContain("password");
        var show = chs.Run("show", "A1");
        show.ExitCode.ShouldBe(0, show.ToString());
        show.Out.ShouldContain($"Not current: the source `clicks` (clickhouse) could not be read at ");
        show.Out.ShouldContain($"as of {Day(1)}");
        var json = chs.Run("show", "A1", "--json").Json;
        json.GetProperty("stale_source").GetProperty("source").GetString().ShouldBe("clicks");
        foreach (var r in new[] { score, show })
        {
            (r.Out + r.Err).ShouldNotContain("old-secret-77");
            (r.Out + r.Err).ShouldNotContain("warehouse-secret");
        }
    }

    private Dictionary<string, double?> Scores() =>
        chs.Run("accounts", "--json").Json.EnumerateArray().ToDictionary(
            a => a.GetProperty("account_id").GetString()!,
            a => a.GetProperty("score").ValueKind == System.Text.Json.JsonValueKind.Number ? a.GetProperty("score").GetDouble() : (double?)null);
}

public sealed class ExternalSourcesCommandTestsOnSqlite() : ExternalSourcesCommandTests(TestEngine.Sqlite);

public sealed class ExternalSourcesCommandTestsOnPostgres() : ExternalSourcesCommandTests(TestEngine.Postgres);
