using System.Globalization;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs alerts rules show --shipped` and `chs alerts rules test`: trying rules on the history before putting them in force.</summary>
public sealed class AlertRulesTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void RulesTest_ReplaysRulesOverTheScoredHistory_WithAndWithoutCooldown_AndChangesNothing()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var shipped = chs.Run("alerts", "rules", "show", "--shipped");
        shipped.ExitCode.ShouldBe(0);
        shipped.Out.ShouldContain("id: entered-red");
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        // Detractors answer in week 2; a promoter in week 4 lifts the NPS back.
        var surveys = "account_id,kind,score,responded_at\n" +
            $"A1,nps,0,{today.AddDays(-21):yyyy-MM-dd}T09:00:00Z\n" +
            $"A1,nps,10,{today.AddDays(-7):yyyy-MM-dd}T09:00:00Z\nA1,nps,10,{today.AddDays(-7):yyyy-MM-dd}T10:00:00Z\n";
        chs.Run("import", "accounts", chs.Write("accounts.csv", "account_id,name\nA1,Acme\n")).ExitCode.ShouldBe(0);
        chs.Run("import", "surveys", chs.Write("surveys.csv", surveys)).ExitCode.ShouldBe(0);
        chs.Run("score", "--from", today.AddDays(-28).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--to", today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), "--every", "7d")
            .ExitCode.ShouldBe(0);
        var rules = chs.Write("rules.yaml", "rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n    cooldown: 30d\n    auto_resolve: true\n");

        var report = chs.Run("alerts", "rules", "test", rules, "--json");
        report.ExitCode.ShouldBe(0, report.ToString());
        // Scored from its first signal (three weeks ago): unhappy then, resolved when the promoters answered.
        report.Json.GetProperty("days").GetInt32().ShouldBe(4);
        var with = report.Json.GetProperty("with_cooldown")[0];
        (with.GetProperty("rule_id").GetString(), with.GetProperty("opened_first_day").GetInt32(), with.GetProperty("opened_after").GetInt32(),
            with.GetProperty("accounts").GetInt32(), with.GetProperty("open_at_end").GetInt32()).ShouldBe(("unhappy", 1, 0, 1, 0));
        report.Json.GetProperty("without_cooldown")[0].GetProperty("cooldown_days").GetInt32().ShouldBe(0);
        var table = chs.Run("alerts", "rules", "test", rules);
        table.Out.ShouldContain("4 scored days");
        table.Out.ShouldContain("unhappy");
        chs.Count("SELECT COUNT(*) FROM alerts").ShouldBe(0);
        chs.Count("SELECT COUNT(*) FROM alert_rules").ShouldBe(0);

        var bad = chs.Run("alerts", "rules", "test", chs.Write("bad.yaml", "rules:\n  - id: x\n    when: { measure: { id: nope, below: 1 } }\n"));
        bad.ExitCode.ShouldBe(1);
        bad.Err.ShouldContain("nope");
        chs.Run("alerts", "rules", "test", "missing.yaml").ExitCode.ShouldBe(1);
    }
}
