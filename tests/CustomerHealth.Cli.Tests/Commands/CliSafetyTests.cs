using System.Diagnostics;
using System.Text;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>
/// What `chs` says when something goes wrong, and what it never says: an unexpected error is one line and exit 1
/// (the stack trace only with --verbose), a full disk is named as such with the store left as it was, a password in
/// --db never appears, and exported CSV cannot run as a spreadsheet formula.
/// </summary>
public abstract class CliSafetyTests(TestEngine engine) : IDisposable
{
    private const string Secret = "s3cret-PW-71";

    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    private static void OneLineNoStackTrace(ChsRunner.Result r)
    {
        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.TrimEnd().Split('\n').Length.ShouldBe(1, r.ToString());
        r.Err.ShouldStartWith("error: ");
        (r.Out + r.Err).ShouldNotContain("   at ");
        (r.Out + r.Err).ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public void AnUnexpectedError_IsOneLineAndExitOne_TheStackTraceOnlyWithVerbose()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var nowhere = Path.Combine(chs.Dir, "no-such-folder", "scores.csv");

        var plain = chs.Run("export", "scores", nowhere);

        OneLineNoStackTrace(plain);
        plain.Err.ShouldContain("no-such-folder");
        var verbose = chs.Run("export", "scores", nowhere, "--verbose");
        verbose.ExitCode.ShouldBe(1);
        verbose.Err.ShouldStartWith("error: ");
        verbose.Err.ShouldContain("   at ");
    }

    [Theory]
    [InlineData("--as-of", "score", "--as-of", "9999-12-31")]
    [InlineData("--as-of", "show", "A1", "--as-of", "0001-01-01")]
    [InlineData("--limit", "accounts", "--limit", "-1")]
    [InlineData("--accounts", "demo", "--no-serve", "--accounts", "2147483647")]
    public void AnExtremeOptionValue_IsAUsageErrorNamingTheOption(string option, params string[] args)
    {
        chs.Run("init").ExitCode.ShouldBe(0);

        var r = chs.Run(args);

        r.ExitCode.ShouldBe(2, r.ToString());
        r.Err.ShouldStartWith("error: " + option);
        (r.Out + r.Err).ShouldNotContain("   at ");
    }

    [Fact]
    public void ExportScores_AFormulaInAName_IsDefused()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("accounts.csv", "account_id,name,segment\nA1,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",@SUM(A1)\nA2,-1+2,SMB\n");
        chs.Run("import", "accounts", file).ExitCode.ShouldBe(0);
        var csv = Path.Combine(chs.Dir, "scores.csv");

        chs.Run("export", "scores", csv).ExitCode.ShouldBe(0);

        var text = File.ReadAllText(csv);
        text.ShouldContain("A1,\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",'@SUM(A1)");
        text.ShouldContain("A2,'-1+2,SMB");
        text.ShouldNotContain(",=HYPERLINK");
    }

    /// <summary>The store's connection with a password added (the test server trusts local connections and ignores it).</summary>
    private string WithPassword()
    {
        if (engine == TestEngine.Postgres)
        {
            return chs.DbPath + ";Password=" + Secret;
        }
        // On SQLite the password-bearing value is one for a PostgreSQL server that is not there.
        return "Host=127.0.0.1;Port=1;Username=chs;Password=" + Secret + ";Database=nowhere;Timeout=2";
    }

    [Fact]
    public void AStoreThatCannotBeReached_IsNamedWithoutItsPassword()
    {
        foreach (var db in new[] { "Host=127.0.0.1;Port=1;Username=chs;Password=" + Secret + ";Database=health;Timeout=2", $"postgres://chs:{Secret}@127.0.0.1:1/health?timeout=2" })
        {
            var r = chs.Run("--db", db, "accounts");

            r.ExitCode.ShouldBe(1, r.ToString());
            r.Err.ShouldContain("cannot connect to PostgreSQL (127.0.0.1:1/health)");
            (r.Out + r.Err).ShouldNotContain(Secret);
            (r.Out + r.Err).ShouldNotContain("   at ");
        }
    }

    [Fact]
    public async Task ServeAndDemo_WithAPasswordInTheConnection_NeverPrintIt()
    {
        var db = WithPassword();
        if (engine == TestEngine.Sqlite)
        {
            var refused = chs.Run("--db", db, "serve", "--urls", "http://127.0.0.1:0");
            refused.ExitCode.ShouldBe(1, refused.ToString());
            (refused.Out + refused.Err).ShouldNotContain(Secret);
            return;
        }
        var demo = chs.Run("--db", db, "demo", "--no-serve", "--accounts", "20", "--months", "3");
        demo.ExitCode.ShouldBe(0, demo.ToString());
        demo.Out.ShouldContain("Password=***");
        (demo.Out + demo.Err).ShouldNotContain(Secret);

        using var server = chs.Start(null, "--db", db, "serve", "--urls", "http://127.0.0.1:0");
        var output = new StringBuilder();
        try
        {
            while (await server.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromMinutes(2)) is { } line)
            {
                output.AppendLine(line);
                if (line.StartsWith("Stop with", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        var all = output + await server.StandardError.ReadToEndAsync();
        all.ShouldContain("Customer Health is serving ");
        all.ShouldContain("Password=***");
        all.ShouldNotContain(Secret);
    }
}

public sealed class CliSafetyTestsOnSqlite() : CliSafetyTests(TestEngine.Sqlite);

public sealed class CliSafetyTestsOnPostgres() : CliSafetyTests(TestEngine.Postgres);

/// <summary>
/// An import onto a disk that fills up: a real full file system (a small tmpfs mounted for the test; CI runs as root),
/// or where mounting is not allowed, a real file size limit on the process (SQLite then fails its writes the same way).
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);
    private readonly string mount;
    private readonly bool mounted;

    public DiskFullTests()
    {
        mount = Path.Combine(chs.Dir, "small-disk");
        Directory.CreateDirectory(mount);
        mounted = Run("mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", mount) == 0;
    }

    public void Dispose()
    {
        if (mounted)
        {
            Run("umount", "-l", mount);
        }
        chs.Dispose();
    }

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        try
        {
            using var p = Process.Start(psi)!;
            p.WaitForExit();
            return p.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }

    private ChsRunner.Result Chs(string db, params string[] args)
    {
        // Without a tmpfs, the file size limit stands in: SIGXFSZ ignored, so a write past it fails as on a full disk.
        var psi = mounted
            ? new ProcessStartInfo("dotnet") { ArgumentList = { ChsRunner.Executable } }
            : new ProcessStartInfo("bash") { ArgumentList = { "-c", "trap '' XFSZ; ulimit -f 12288; exec dotnet \"$@\"", "bash", ChsRunner.Executable } };
        psi.WorkingDirectory = chs.Dir;
        psi.RedirectStandardOutput = psi.RedirectStandardError = true;
        psi.Environment["CHS_DB"] = db;
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit(TimeSpan.FromMinutes(5)).ShouldBeTrue();
        return new ChsRunner.Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    [Fact]
    public void Import_OntoAFullDisk_SaysSoInOneLineAndLeavesTheStoreAsBefore()
    {
        var db = Path.Combine(mount, "chs.db");
        Chs(db, "init").ExitCode.ShouldBe(0);
        var small = chs.Write("accounts.csv", "account_id,name\nA1,Acme\nA2,Beta\n");
        Chs(db, "import", "accounts", small).ExitCode.ShouldBe(0);
        var big = Path.Combine(chs.Dir, "usage.csv");
        using (var w = new StreamWriter(big, false, new UTF8Encoding(false), 1 << 20))
        {
            w.Write("account_id,occurred_at,event,user_id,event_id\n");
            for (var i = 0; i < 400_000; i++)
            {
                w.Write($"A{i % 500},2025-0{1 + i % 6}-1{i % 10}T0{i % 10}:00:00Z,event-{i % 50},user-{i % 3000},event-id-{i:D9}\n");
            }
        }

        var r = Chs(db, "import", "usage", big);

        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.TrimEnd().Split('\n').Length.ShouldBe(1, r.ToString());
        r.Err.ShouldBe($"error: the disk holding the store is full: {big} was not imported (a file lands whole or not at all); free some space and import it again\n");
        (r.Out + r.Err).ShouldNotContain("   at ");
        using var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={db};Pooling=false");
        c.Open();
        long Scalar(string sql)
        {
            using var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        }
        Scalar("SELECT COUNT(*) FROM accounts").ShouldBe(2);
        Scalar("SELECT COUNT(*) FROM usage_events").ShouldBe(0);
        Scalar("SELECT COUNT(*) FROM usage_blocks").ShouldBe(0);
        using (var check = c.CreateCommand())
        {
            check.CommandText = "PRAGMA integrity_check";
            check.ExecuteScalar().ShouldBe("ok");
        }
    }
}
