using System.Diagnostics;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>The demo's store lands where the user stands, and the commands it suggests run there as printed.</summary>
public sealed class DemoHintsTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public async Task Demo_TheCommandsItSuggests_RunAsPrintedInTheUsersFolder()
    {
        // No --db and no CHS_DB: the demo's own default store.
        var demo = chs.RunWithEnv(new Dictionary<string, string> { ["CHS_DB"] = "" }, "demo", "--accounts", "200", "--months", "3", "--no-serve");
        demo.ExitCode.ShouldBe(0, demo.ToString());
        File.Exists(Path.Combine(chs.Dir, "chs-demo.db")).ShouldBeTrue(demo.ToString());

        // Started as `dotnet chs.dll` here, so that is how the hints say to run it (`chs` once it is on the PATH).
        var hints = demo.Out.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("dotnet ", StringComparison.Ordinal) && l.Contains("--db chs-demo.db", StringComparison.Ordinal)).ToList();
        hints.Count.ShouldBe(3, demo.Out);
        hints.ShouldContain(h => h.Contains(" show ACC-", StringComparison.Ordinal), "a real account to show, not a placeholder");
        foreach (var hint in hints)
        {
            var psi = new ProcessStartInfo("bash") { WorkingDirectory = chs.Dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add(hint);
            psi.Environment.Remove("CHS_DB");
            using var p = Process.Start(psi)!;
            var output = p.StandardOutput.ReadToEndAsync();
            var errors = p.StandardError.ReadToEndAsync();
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await p.WaitForExitAsync(limit.Token);
            var (printed, complained) = (await output, await errors);
            p.ExitCode.ShouldBe(0, $"{hint}\n{printed}\n{complained}");
            printed.ShouldNotBeEmpty(hint);
        }
    }

    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public void Demo_NeverFillsTheStoreInChsDb_AndRefusesADbThatHoldsAccounts(TestEngine engine)
    {
        using var team = new ChsRunner(engine);
        team.Run("init").ExitCode.ShouldBe(0);
        team.Write("accounts.csv", "account_id,name\nREAL-1,A real customer\n");
        team.Run("import", "accounts", Path.Combine(team.Dir, "accounts.csv")).ExitCode.ShouldBe(0);

        // CHS_DB names the real store: the demo builds its own chs-demo.db where the user is.
        var demo = team.Run("demo", "--accounts", "5", "--months", "1", "--to", "2026-11-22", "--no-serve");
        demo.ExitCode.ShouldBe(0, demo.ToString());
        File.Exists(Path.Combine(team.Dir, "chs-demo.db")).ShouldBeTrue(demo.ToString());
        team.Count("SELECT COUNT(*) FROM accounts").ShouldBe(1);

        // Named outright with --db, a store that holds accounts is refused and left as it was.
        var refused = team.Run("--db", team.DbPath, "demo", "--accounts", "5", "--months", "1", "--no-serve");
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Err.ShouldContain(engine == TestEngine.Sqlite ? "already exists" : "already holds accounts");
        team.Count("SELECT COUNT(*) FROM accounts").ShouldBe(1);
    }

    [Fact]
    public void Demo_To_EndsTheHistoryOnThatDay_AndRefusesTheFuture()
    {
        var demo = chs.RunWithEnv(new Dictionary<string, string> { ["CHS_DB"] = "" }, "demo", "--accounts", "5", "--months", "1", "--to", "2026-11-22", "--no-serve");
        demo.ExitCode.ShouldBe(0, demo.ToString());
        demo.Out.ShouldContain("history ending 2026-11-22");
        demo.Out.ShouldContain("to 2026-11-22");
        var future = chs.RunWithEnv(new Dictionary<string, string> { ["CHS_DB"] = "" }, "demo", "--to", "2999-01-01", "--no-serve");
        future.ExitCode.ShouldBe(2, future.ToString());
        future.Err.ShouldContain("--to");
    }
}
