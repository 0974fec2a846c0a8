using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using Dapper;
using Npgsql;

namespace CustomerHealth.Store.Tests.Engines;

public sealed class PostgresEngineTests
{
    [Fact]
    public void ConnectionString_PostgresUrl_BecomesNpgsqlKeywords()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("postgres://cs%20team:p%40ss@db.example:6543/health?sslmode=require"));

        b.Host.ShouldBe("db.example");
        b.Port.ShouldBe(6543);
        b.Username.ShouldBe("cs team");
        b.Password.ShouldBe("p@ss");
        b.Database.ShouldBe("health");
        b.SslMode.ShouldBe(SslMode.Require);
    }

    [Fact]
    public void ConnectionString_KeywordForm_IsKept()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("Host=127.0.0.1;Port=5433;Username=chs;Database=portfolio"));

        (b.Host, b.Port, b.Username, b.Database).ShouldBe(("127.0.0.1", 5433, "chs", "portfolio"));
    }

    [Fact]
    public void ConnectionString_NoCommandTimeoutUnlessGiven()
    {
        // A 50-million-event import runs merge statements far longer than Npgsql's default 30 seconds.
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("Host=h;Database=d")).CommandTimeout.ShouldBe(0);
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("postgres://u@h/d")).CommandTimeout.ShouldBe(0);
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("Host=h;Database=d;Command Timeout=45")).CommandTimeout.ShouldBe(45);
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("postgres://u@h/d?command_timeout=60")).CommandTimeout.ShouldBe(60);
    }

    [Fact]
    public void Describe_NeverShowsThePassword()
    {
        var text = PostgresEngine.Describe("Host=db;Port=5432;Username=u;Password=secret;Database=d");

        text.ShouldBe("db:5432/d");
        text.ShouldNotContain("secret");
    }

    [Theory]
    [InlineData("postgres://u@h/d", true)]
    [InlineData("postgresql://u@h/d", true)]
    [InlineData("Host=h;Database=d", true)]
    [InlineData("chs.db", false)]
    [InlineData("/data/host=1.db", false)]
    public void IsTarget_TellsServersFromFiles(string target, bool expected) => PostgresEngine.IsTarget(target).ShouldBe(expected);

    [Fact]
    public void Open_UnreachableServer_SaysWhereWithoutThePassword()
    {
        var e = Should.Throw<StoreException>(() => StoreDb.Open("Host=127.0.0.1;Port=1;Username=u;Password=secret;Database=d;Timeout=2"));

        e.Message.ShouldContain("127.0.0.1:1/d");
        e.Message.ShouldNotContain("secret");
    }

    [Fact]
    public void ImportFile_ALargeFile_HasTheStatisticsTakenAgainAfterIt_ASmallOneDoesNot()
    {
        using var store = new TestStore(TestEngine.Postgres);
        long Analyzed() => store.Db.Connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname IN ('usage_events', 'usage_blocks', 'accounts') AND last_analyze IS NOT NULL");
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,event_id", "A1,2025-05-01T10:00:00Z,login,small-1").Changed.ShouldBe(1);
        Analyzed().ShouldBe(0);

        var lines = new[] { "account_id,occurred_at,event,event_id" }
            .Concat(Enumerable.Range(0, StoreDb.BulkRows).Select(i => $"A{i % 500},2025-05-{1 + i % 28:00}T10:00:00Z,login,big-{i}"));
        store.ImportCsv(ImportKind.Usage, [.. lines]).Changed.ShouldBe(StoreDb.BulkRows);

        Analyzed().ShouldBe(3);
    }

    [Fact]
    public void ScoreRange_ManySnapshots_HasTheirStatisticsTakenAgainAfterIt()
    {
        using var store = new TestStore(TestEngine.Postgres);
        store.Publish();
        store.ImportCsv(ImportKind.Accounts, ["account_id", .. Enumerable.Range(0, 1_000).Select(i => $"A{i}")]);
        long Analyzed() => store.Db.Connection.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname IN ('snapshots', 'current_scores') AND last_analyze IS NOT NULL");
        store.Scoring.ScoreRange(new DateOnly(2025, 5, 1), new DateOnly(2025, 5, 10), 1);
        Analyzed().ShouldBe(0);

        // 1,000 accounts × 100 days: as many snapshots as the threshold.
        store.Scoring.ScoreRange(new DateOnly(2025, 1, 1), new DateOnly(2025, 4, 10), 1);

        Analyzed().ShouldBe(2);

        // The same days scored again change nothing, write nothing and take no statistics.
        long Analyses() => store.Db.Connection.ExecuteScalar<long>(
            "SELECT SUM(analyze_count) FROM pg_stat_user_tables WHERE relname IN ('snapshots', 'current_scores')");
        var analyses = Analyses();
        store.Scoring.ScoreRange(new DateOnly(2025, 1, 1), new DateOnly(2025, 4, 10), 1);
        Analyses().ShouldBe(analyses);
    }

    [Fact]
    public async Task WriteSnapshots_ADaysFirstScoringMeetsAnotherWritersSnapshotOfIt_UpsertsInsteadAndWritesEveryOne()
    {
        using var store = new TestStore(TestEngine.Postgres);
        var version = store.Publish().VersionId;
        store.ImportCsv(ImportKind.Accounts, ["account_id", "A1", "A2", "A3"]);
        var keys = store.Query<long>("SELECT account_key FROM accounts ORDER BY account_key").ToList();
        // Another writer stores A2's snapshot of the day, and has not committed when the day's first scoring looks for
        // the day's snapshots (it sees none, and copies straight into the table).
        using var other = new NpgsqlConnection(store.Db.Path);
        other.Open();
        using var otherTx = other.BeginTransaction();
        other.Execute("INSERT INTO snapshots (account_key, as_of, model_version, scorecard, score, detail) VALUES (@key, '2025-06-01', @version, 'default', 10, '\\x00'::bytea)",
            new { key = keys[1], version }, otherTx);

        var writing = Task.Run(() => store.Db.Engine.WriteSnapshots(store.Db, "2025-06-01",
            keys.Select(k => new SnapshotRecord(k, version, "default", 70, 70, "green", null, null, [1, 2, 3], 1))));
        // The copy waits for A2's key until the other writer commits, then fails on it.
        await Task.Delay(1_000);
        writing.IsCompleted.ShouldBeFalse();
        await otherTx.CommitAsync();

        (await writing.WaitAsync(TimeSpan.FromSeconds(30))).ShouldBe(3);
        store.Query<(long, double, string)>("SELECT account_key, score, grade FROM snapshots WHERE as_of = '2025-06-01' ORDER BY account_key")
            .ShouldBe(keys.Select(k => (k, 70.0, "green")));
    }

    [Fact]
    public async Task ImportFile_NewUsersMeetAnotherWritersUserOfTheSameId_EachEventKeepsItsUser()
    {
        using var store = new TestStore(TestEngine.Postgres);
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id", "A1,2025-05-01T10:00:00Z,login,u0,e0").Changed.ShouldBe(1);
        // Another writer creates u2 and has not committed when the import looks its users up (it sees u0 only, and
        // creates u1, u2 and u3 with a plain copy).
        using var other = new NpgsqlConnection(store.Db.Path);
        other.Open();
        using var otherTx = other.BeginTransaction();
        var u2 = other.ExecuteScalar<long>("INSERT INTO users (user_id) VALUES ('u2') RETURNING user_key", transaction: otherTx);

        var importing = Task.Run(() => store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id",
            "A1,2025-05-01T11:00:00Z,login,u1,e1", "A1,2025-05-01T12:00:00Z,login,u2,e2", "A1,2025-05-01T13:00:00Z,login,u3,e3", "A1,2025-05-01T14:00:00Z,login,u0,e4"));
        // The copy waits for u2's id until the other writer commits, then fails on it.
        await Task.Delay(1_000);
        importing.IsCompleted.ShouldBeFalse();
        await otherTx.CommitAsync();

        (await importing.WaitAsync(TimeSpan.FromSeconds(30))).Changed.ShouldBe(4);
        store.Query<string>("SELECT u.user_id FROM usage_events e JOIN users u ON u.user_key = e.user_key ORDER BY u.user_id, e.occurred_at")
            .ShouldBe(["u0", "u0", "u1", "u2", "u3"]);
        store.Query<long>("SELECT user_key FROM users WHERE user_id = 'u2'").ShouldBe([u2]);
        store.Count("users").ShouldBe(4);
    }
}
