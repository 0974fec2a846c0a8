using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using Dapper;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>
/// The usage's layout moved twice: migration 0018 moved the per-day users of `usage_users` (one row per account, day,
/// event and user, with how many events the user had) into the day roll-ups of `usage_daily`, and migration 0028 moved
/// those roll-ups into blocks of days (`usage_blocks`, Engines/UsageBlocks). A store is taken back to the layout before
/// both, then opened again: every count, sum and user comes through.
/// </summary>
public abstract class UsageMigrationTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine);

    public void Dispose() => store.Dispose();

    [Fact]
    public void Open_AStoreWithPerUserRowsAndDayRollUps_KeepsEveryCountSumAndUser()
    {
        store.ImportCsv(ImportKind.Usage,
            "account_id,occurred_at,event,user_id,event_id,count,value",
            "A1,2025-05-01T08:00:00Z,login,u1,e1,1,",
            "A1,2025-05-01T09:00:00Z,login,u1,e2,1,2.5",
            "A1,2025-05-01T10:00:00Z,login,u2,e3,1,",
            "A1,2025-05-01T11:00:00Z,login,,e4,1,-0.25",
            "A1,2025-05-02T11:00:00Z,export,u2,e5,3,",
            "A1,2025-06-20T11:00:00Z,export,u2,e9,2,7",
            "A2,2025-05-01T12:00:00Z,login,u3,e6,1,",
            "A2,2025-05-03T12:00:00Z,login,u3,e7,0,");
        var users = store.UsageUsers();
        users.ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", "u1", 2L));
        users.Count.ShouldBe(6);
        var daily = store.UsageDaily();
        daily.ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", 4L, 2.25));
        daily.Count.ShouldBe(5);

        // Back to the layout of migration 0017: a roll-up row per account, day and event, a row per user, no blocks;
        // and one day whose roll-up a correction had emptied while its users stayed.
        var c = store.Db.Connection;
        c.Execute("CREATE TABLE usage_daily (account_key BIGINT NOT NULL, day BIGINT NOT NULL, event_key BIGINT NOT NULL, count BIGINT NOT NULL, sum DOUBLE PRECISION NOT NULL, PRIMARY KEY (account_key, day, event_key))");
        c.Execute("CREATE TABLE usage_users (account_key BIGINT NOT NULL, day BIGINT NOT NULL, event_key BIGINT NOT NULL, user_key BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (account_key, day, event_key, user_key))");
        foreach (var cell in store.UsageCells())
        {
            c.Execute("INSERT INTO usage_daily VALUES (@Account, @Day, @Event, @Count, @Sum)", new { cell.Account, Day = (long)cell.Day, cell.Event, cell.Count, cell.Sum });
            foreach (var (user, n) in cell.Users)
            {
                c.Execute("INSERT INTO usage_users VALUES (@Account, @Day, @Event, @user, @n)", new { cell.Account, Day = (long)cell.Day, cell.Event, user, n });
            }
        }
        var orphanDay = new DateOnly(2025, 5, 9).DayNumber;
        c.Execute("INSERT INTO usage_users SELECT account_key, @orphanDay, event_key, user_key, 1 FROM usage_users WHERE n = 2", new { orphanDay });
        c.Execute("DROP TABLE usage_blocks");
        store.TakeBackBeforePortfolioLog(17);

        // One account's roll-ups at a time: the migration's ranges of accounts meet without losing or repeating a row.
        UsageBlocks.MigrationAccounts = 1;
        try
        {
            using var reopened = StoreDb.Open(store.Db.Path);
            reopened.SchemaVersion.ShouldBe(30);
        }
        finally
        {
            UsageBlocks.MigrationAccounts = 10_000;
        }
        store.Count("usage_blocks").ShouldBe(3);
        store.UsageUsers().ShouldBe([.. users, ("A1", orphanDay, "login", "u1", 1L)], ignoreOrder: true);
        store.UsageDaily().ShouldBe([.. daily, ("A1", orphanDay, "login", 0L, 0.0)], ignoreOrder: true);
        // The migrated store goes on counting: a new event of u1 joins the two of that day, and a correction takes one back.
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id", "A1,2025-05-01T13:00:00Z,login,u1,e8");
        store.UsageUsers().ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", "u1", 3L));
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id", "A1,2025-05-01T13:00:00Z,login,u2,e8");
        store.UsageUsers().ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", "u1", 2L));
        store.UsageUsers().ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", "u2", 2L));
        store.UsageDaily().ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", 5L, 2.25));
    }
}

public sealed class UsageMigrationTestsOnSqlite() : UsageMigrationTests(TestEngine.Sqlite);

public sealed class UsageMigrationTestsOnPostgres() : UsageMigrationTests(TestEngine.Postgres);
