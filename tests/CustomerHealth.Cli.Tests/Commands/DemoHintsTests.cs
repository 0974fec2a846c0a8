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
}
