namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>What a command compiled as it started, kept in the user's cache folder for its next run (multicore JIT).</summary>
public sealed class StartupProfileTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void ACommand_KeepsWhatItCompiledInTheCacheFolder_AndRunsTheSameWithIt()
    {
        var cache = Path.Combine(chs.Dir, "cache");
        var env = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache };

        chs.RunWithEnv(env, "init").ExitCode.ShouldBe(0);
        var first = chs.RunWithEnv(env, "accounts", "--json");
        var again = chs.RunWithEnv(env, "accounts", "--json");

        File.Exists(Path.Combine(cache, "chs", "startup", "init.jit")).ShouldBeTrue();
        new FileInfo(Path.Combine(cache, "chs", "startup", "accounts.jit")).Length.ShouldBeGreaterThan(0);
        (again.ExitCode, again.Out, again.Err).ShouldBe((first.ExitCode, first.Out, first.Err));
        first.ExitCode.ShouldBe(0);
    }

    [Fact]
    public void ACacheFolderThatCannotBeMade_IsDoneWithout()
    {
        // A file where the folder would be: nothing is kept, and the command says nothing of it.
        var blocked = chs.Write("blocked", "not a folder");

        var result = chs.RunWithEnv(new Dictionary<string, string> { ["XDG_CACHE_HOME"] = blocked }, "init");

        result.ExitCode.ShouldBe(0, result.ToString());
        result.Err.ShouldBeEmpty();
        File.ReadAllText(blocked).ShouldBe("not a folder");
    }

    [Fact]
    public void AProfileOfGarbage_IsPassedOver_TheCommandRunsAsWithout()
    {
        // Hostile or damaged: random bytes, an empty file, a profile's first bytes cut short.
        var cache = Path.Combine(chs.Dir, "cache");
        var env = new Dictionary<string, string> { ["XDG_CACHE_HOME"] = cache };
        chs.RunWithEnv(env, "init").ExitCode.ShouldBe(0);
        var profile = Path.Combine(cache, "chs", "startup", "accounts.jit");
        var expected = chs.RunWithEnv(env, "accounts", "--json");
        var cut = File.ReadAllBytes(profile)[..16];
        var random = new byte[40_000];
        new Random(7).NextBytes(random);

        foreach (var bytes in new[] { random, [], cut })
        {
            File.WriteAllBytes(profile, bytes);
            var result = chs.RunWithEnv(env, "accounts", "--json");
            (result.ExitCode, result.Out, result.Err).ShouldBe((expected.ExitCode, expected.Out, expected.Err));
        }
    }

    [Theory]
    [InlineData(new[] { "score", "--as-of", "2025-06-30" }, "score")]
    [InlineData(new[] { "--db", "x.db", "model", "publish", "m.yaml" }, "model")]
    [InlineData(new[] { "--verbose", "--db", "postgres://u@h/d", "accounts" }, "accounts")]
    [InlineData(new[] { "--db", "score" }, null)]
    [InlineData(new[] { "../../etc" }, null)]
    [InlineData(new string[0], null)]
    public void Command_IsTheFirstWordBesidesTheRootOptions(string[] args, string? expected) =>
        StartupProfile.Command(args).ShouldBe(expected);
}
