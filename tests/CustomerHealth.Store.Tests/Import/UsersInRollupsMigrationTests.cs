using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using Dapper;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>
/// Migration 0018 moves the per-day users of `usage_users` (one row per account, day, event and user, with how many
/// events the user had) into the roll-up rows. A store is taken back to the layout before it, then opened again.
/// </summary>
public abstract class UsersInRollupsMigrationTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine);

    public void Dispose() => store.Dispose();

    [Fact]
    public void Open_AStoreWithPerUserRows_KeepsEveryUserAndHowManyEventsTheyHad()
    {
        store.ImportCsv(ImportKind.Usage,
            "account_id,occurred_at,event,user_id,event_id,count",
            "A1,2025-05-01T08:00:00Z,login,u1,e1,1",
            "A1,2025-05-01T09:00:00Z,login,u1,e2,1",
            "A1,2025-05-01T10:00:00Z,login,u2,e3,1",
            "A1,2025-05-01T11:00:00Z,login,,e4,1",
            "A1,2025-05-02T11:00:00Z,export,u2,e5,3",
            "A2,2025-05-01T12:00:00Z,login,u3,e6,1",
            "A2,2025-05-03T12:00:00Z,login,u3,e7,0");
        var expected = store.UsageUsers();
        expected.ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", "u1", 2L));
        expected.Count.ShouldBe(5);
        var daily = store.Dump("usage_daily");

        // Back to the layout of migration 0017: a row per user, none in the roll-up rows; and one day whose roll-up a
        // correction had emptied while its users stayed.
        var c = store.Db.Connection;
        c.Execute("CREATE TABLE usage_users (account_key BIGINT NOT NULL, day BIGINT NOT NULL, event_key BIGINT NOT NULL, user_key BIGINT NOT NULL, n BIGINT NOT NULL, PRIMARY KEY (account_key, day, event_key, user_key))");
        foreach (var (account, day, ev, set) in store.Query<(long, long, long, byte[])>("SELECT account_key, day, event_key, users FROM usage_daily WHERE users IS NOT NULL"))
        {
            foreach (var g in Enumerable.Range(0, UserSet.Count(set)).Select(i => UserSet.KeyAt(set, i)).GroupBy(k => k))
            {
                c.Execute("INSERT INTO usage_users VALUES (@account, @day, @ev, @user, @n)", new { account, day, ev, user = g.Key, n = (long)g.Count() });
            }
        }
        var orphanDay = new DateOnly(2025, 5, 9).DayNumber;
        c.Execute("INSERT INTO usage_users SELECT account_key, @orphanDay, event_key, user_key, 1 FROM usage_users WHERE n = 2", new { orphanDay });
        c.Execute("ALTER TABLE usage_daily DROP COLUMN users");
        if (engine == TestEngine.Postgres)
        {
            c.Execute("DROP FUNCTION users_merge(bytea, bytea); DROP FUNCTION users_remove(bytea, bytea)");
        }
        store.TakeBackBeforePortfolioLog(17);

        using var reopened = StoreDb.Open(store.Db.Path);

        reopened.SchemaVersion.ShouldBe(27);
        store.UsageUsers().ShouldBe([.. expected, ("A1", orphanDay, "login", "u1", 1L)], ignoreOrder: true);
        store.Scalar<long>("SELECT count FROM usage_daily WHERE day = @orphanDay", new { orphanDay }).ShouldBe(0);
        store.Dump("usage_daily").Split('\n').Where(r => !r.Contains($"|{orphanDay}|", StringComparison.Ordinal))
            .ShouldBe(daily.Split('\n'), ignoreOrder: true);
        // The migrated store goes on counting: a new event of u1 joins the two of that day.
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id", "A1,2025-05-01T13:00:00Z,login,u1,e8");
        store.UsageUsers().ShouldContain(("A1", new DateOnly(2025, 5, 1).DayNumber, "login", "u1", 3L));
    }
}

public sealed class UsersInRollupsMigrationTestsOnSqlite() : UsersInRollupsMigrationTests(TestEngine.Sqlite);

public sealed class UsersInRollupsMigrationTestsOnPostgres() : UsersInRollupsMigrationTests(TestEngine.Postgres);
