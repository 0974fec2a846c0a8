using System.Diagnostics;
using System.Text;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>A real `chs import` process killed in the middle of a large file leaves the store as before, or with all of the file.</summary>
public abstract class ImportInterruptionTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Import_KilledInTheMiddle_LeavesTheStoreAsBeforeAndConsistent()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var small = chs.Write("first.csv", "account_id,occurred_at,event,user_id,event_id\nK1,2025-01-01T00:00:00Z,login,u1,first-1\nK1,2025-01-02T00:00:00Z,login,u2,first-2\n");
        chs.Run("import", "usage", small).ExitCode.ShouldBe(0);

        const int rows = 1_000_000;
        var big = Path.Combine(chs.Dir, "big.csv");
        using (var w = new StreamWriter(big, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("account_id,occurred_at,event,user_id,event_id\n");
            var rnd = new Random(7);
            for (var i = 0; i < rows; i++)
            {
                var a = rnd.Next(3000);
                w.Write($"K{a},2025-0{1 + rnd.Next(6)}-1{rnd.Next(10)}T0{rnd.Next(10)}:00:00Z,ev{rnd.Next(9)},K{a}-u{rnd.Next(40)},big-{i}\n");
            }
        }

        using var p = chs.Start(null, "import", "usage", big);
        var watch = Stopwatch.StartNew();
        // Wait until the import's transaction is visibly writing, then kill it without warning.
        while (!p.HasExited && !Writing() && watch.Elapsed < TimeSpan.FromMinutes(3))
        {
            Thread.Sleep(20);
        }
        p.HasExited.ShouldBeFalse("the import finished before it could be interrupted; use a larger file");
        p.Kill(entireProcessTree: true);
        p.WaitForExit();

        using (var c = chs.Connect())
        {
            if (engine == TestEngine.Sqlite)
            {
                Scalar(c, "PRAGMA integrity_check").ShouldBe("ok");
            }
            else
            {
                // The server ends the dead client's session (and rolls back its transaction) once it notices; do it now.
                Scalar(c, "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()");
            }
            var events = Convert.ToInt64(Scalar(c, "SELECT COUNT(*) FROM usage_events"), System.Globalization.CultureInfo.InvariantCulture);
            events.ShouldBeOneOf(2L, 2L + rows);
            var rolledUp = StoredUsage.Cells(c).Sum(cell => cell.Count);
            rolledUp.ShouldBe(events);
        }

        // The store still works: the interrupted file can simply be imported again.
        var again = chs.Run("import", "usage", small, "--json");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Json[0].GetProperty("unchanged").GetInt32().ShouldBe(2);
    }

    /// <summary>Whether the import's transaction is under way: SQLite's log growing, or PostgreSQL running its merge (looking up or writing the stored events).</summary>
    private bool Writing()
    {
        if (engine == TestEngine.Sqlite)
        {
            var wal = new FileInfo(chs.DbPath + "-wal");
            return wal.Exists && wal.Length >= 16 << 20;
        }
        using var c = chs.Connect();
        return Convert.ToInt64(Scalar(c,
            "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' AND query LIKE '%usage_events%' AND pid <> pg_backend_pid()"),
            System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static string? Scalar(System.Data.Common.DbConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToString(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }
}

public sealed class ImportInterruptionTestsOnSqlite() : ImportInterruptionTests(TestEngine.Sqlite);

public sealed class ImportInterruptionTestsOnPostgres() : ImportInterruptionTests(TestEngine.Postgres);
