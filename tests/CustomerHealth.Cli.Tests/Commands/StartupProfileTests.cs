namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>
/// What a command compiled as it started, kept in the user's cache folder for its next run (multicore JIT); a damaged
/// or hostile profile is in <see cref="Hostile.HostileCliProcessTests"/>.
/// </summary>
public sealed class StartupProfileTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void ACommand_KeepsWhatItCompiledInTheCacheFolder_AndRunsTheSameWithIt()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var first = chs.Run("accounts", "--json");
        var again = chs.Run("accounts", "--json");

        File.Exists(Path.Combine(chs.CacheDir, "chs", "startup", "init.jit")).ShouldBeTrue();
        new FileInfo(Path.Combine(chs.CacheDir, "chs", "startup", "accounts.jit")).Length.ShouldBeGreaterThan(0);
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
