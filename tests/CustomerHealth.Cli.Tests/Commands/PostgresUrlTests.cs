using Npgsql;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`--db` and CHS_DB take PostgreSQL as a URL as well as a connection string, for every verb (SPEC §5).</summary>
public sealed class PostgresUrlTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Postgres);

    public void Dispose() => chs.Dispose();

    private string Url()
    {
        var b = new NpgsqlConnectionStringBuilder(chs.DbPath);
        var user = Uri.EscapeDataString(b.Username ?? "postgres");
        var password = b.Password is { Length: > 0 } pw ? ":" + Uri.EscapeDataString(pw) : "";
        return $"postgres://{user}{password}@{b.Host}:{b.Port}/{Uri.EscapeDataString(b.Database!)}";
    }

    private void Write()
    {
        chs.Write("data/accounts.csv", "account_id,name,segment\nA1,Acme,SMB\nA2,Beta,SMB\n");
        chs.Write("data/usage.csv", "account_id,occurred_at,event,user_id,event_id\nA1,2025-06-01T09:00:00Z,login,u1,e1\nA2,2025-06-02T09:00:00Z,login,u2,e2\n");
    }

    private void Verbs(Func<string[], ChsRunner.Result> run)
    {
        foreach (var args in new[] { new[] { "init" }, ["import", "data"], ["score", "--as-of", "2025-06-30"] })
        {
            var r = run(args);
            r.ExitCode.ShouldBe(0, r.ToString());
        }
        var accounts = run(["accounts", "--json"]);
        accounts.ExitCode.ShouldBe(0, accounts.ToString());
        accounts.Json.GetArrayLength().ShouldBe(2);
        chs.Count("SELECT COUNT(*) FROM snapshots").ShouldBe(2);
    }

    [Fact]
    public void EveryVerb_DbOptionAsPostgresUrl_UsesThatDatabase()
    {
        Write();
        var url = Url();
        // CHS_DB points at a missing file, so only --db can make these work.
        var env = new Dictionary<string, string> { ["CHS_DB"] = Path.Combine(chs.Dir, "missing.db") };
        Verbs(args => chs.RunWithEnv(env, ["--db", url, .. args]));
        File.Exists(Path.Combine(chs.Dir, "missing.db")).ShouldBeFalse();
    }

    [Fact]
    public void EveryVerb_ChsDbAsPostgresUrl_UsesThatDatabase()
    {
        Write();
        var env = new Dictionary<string, string> { ["CHS_DB"] = Url() };
        Verbs(args => chs.RunWithEnv(env, args));
    }
}
