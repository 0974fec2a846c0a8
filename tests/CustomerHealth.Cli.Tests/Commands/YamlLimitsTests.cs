namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>Hostile YAML given to `chs`: refused with the file, line and column, never a crash of the process.</summary>
public sealed class YamlLimitsTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void ModelValidate_YamlNested40000Deep_ExitsOneWithTheLineAndColumn()
    {
        var file = chs.Write("deep.yaml", "name: x\ndimensions: " + new string('[', 40_000) + new string(']', 40_000) + "\n");

        var r = chs.Run("model", "validate", file);

        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("deep.yaml:2:44: nesting deeper than 32 levels");
    }

    [Fact]
    public void AlertsRulesSet_YamlNested40000Deep_ExitsOneWithTheLineAndColumnAndPutsNothingInForce()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("deep.yaml", "rules: " + new string('[', 40_000) + new string(']', 40_000) + "\n");

        var r = chs.Run("alerts", "rules", "set", file);

        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("deep.yaml:1:39: nesting deeper than 32 levels");
        chs.Count("SELECT COUNT(*) FROM alert_rules").ShouldBe(0);
    }
}
