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
        var today = TimeProvider.System.Today();
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

    [Fact]
    public void RulesTest_TheRulesAsShown_KeepTheStoredSecretsOfTheirDestinations()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var rules = "rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n    notify: [\"slack:cs\"]\n" +
            "destinations:\n  cs: { kind: slack, url: \"https://hooks.slack.com/services/T000/B000/XXXX\" }\n";
        chs.Run("alerts", "rules", "set", chs.Write("rules.yaml", rules)).ExitCode.ShouldBe(0);
        chs.Run("import", "surveys", chs.Write("surveys.csv", $"account_id,kind,score,responded_at\nA1,nps,0,{TimeProvider.System.Today():yyyy-MM-dd}T09:00:00Z\n")).ExitCode.ShouldBe(0);
        chs.Run("score").ExitCode.ShouldBe(0);
        var shown = chs.Run("alerts", "rules", "show");
        shown.Out.ShouldContain("url: \"******\"");
        shown.Out.ShouldNotContain("XXXX");

        // The file `show` printed is tried as it would be set: the placeholder stands for the stored address.
        var tried = chs.Run("alerts", "rules", "test", chs.Write("shown.yaml", shown.Out));
        tried.ExitCode.ShouldBe(0, tried.ToString());
        tried.Out.ShouldNotContain("XXXX");

        // A placeholder for a destination the store has no secret for is refused, naming it.
        var unknown = chs.Run("alerts", "rules", "test", chs.Write("other.yaml", shown.Out.Replace("cs", "ops", StringComparison.Ordinal)));
        unknown.ExitCode.ShouldBe(1);
        unknown.Err.ShouldContain("ops");
    }

    [Fact]
    public void RulesTest_Horizon_MeasuresTheAlertsAgainstChurnPerRuleAndUnderAll()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var today = TimeProvider.System.Today();
        string Day(int daysAgo) => today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        // A1 answers as a detractor five weeks ago and churns 15 days later; A2, a promoter, stays.
        chs.Run("import", "accounts", chs.Write("accounts.csv", "account_id,name,owner,arr\nA1,Acme,ann@example.com,1000\nA2,Beta,bob@example.com,3000\n"))
            .ExitCode.ShouldBe(0);
        chs.Run("import", "surveys", chs.Write("surveys.csv", $"account_id,kind,score,responded_at\nA2,nps,10,{Day(42)}T09:00:00Z\nA1,nps,0,{Day(35)}T09:00:00Z\n"))
            .ExitCode.ShouldBe(0);
        chs.Run("import", "subscriptions", chs.Write("subscriptions.csv", $"account_id,kind,occurred_on\nA1,churned,{Day(20)}\n")).ExitCode.ShouldBe(0);
        chs.Run("score", "--from", Day(42), "--to", Day(0), "--every", "7d").ExitCode.ShouldBe(0);
        var rules = chs.Write("rules.yaml", "rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n    auto_resolve: true\n");

        var report = chs.Run("alerts", "rules", "test", rules, "--horizon", "21d", "--json");

        report.ExitCode.ShouldBe(0, report.ToString());
        var json = report.Json;
        (json.GetProperty("horizon_days").GetInt32(), json.GetProperty("judged_until").GetString(), json.GetProperty("owners").GetInt32())
            .ShouldBe((21, Day(21), 2));
        // Judged days: 42 to 21 days ago. A2 scored on 4 of them, A1 on 3, each within 21 days of its churn: 3 of 7.
        json.GetProperty("base_churn_rate").GetDouble().ShouldBe(3.0 / 7, 1e-12);
        foreach (var figures in new[] { json.GetProperty("with_cooldown")[0], json.GetProperty("all") })
        {
            // One alert, 35 days ago, after the first day (42 days ago): 1 / 2 owners / 6 weeks; followed by churn 15 days later.
            figures.GetProperty("alerts_per_owner_week").GetDouble().ShouldBe(1.0 / 2 / 6, 1e-12);
            figures.GetProperty("precision").GetDouble().ShouldBe(1.0);
            figures.GetProperty("lift").GetDouble().ShouldBe(7.0 / 3, 1e-12);
            figures.GetProperty("median_lead_days").GetDouble().ShouldBe(15);
            figures.GetProperty("arr_covered").GetDouble().ShouldBe(1000);
            figures.GetProperty("arr_covered_share").GetDouble().ShouldBe(1.0);
        }
        var table = chs.Run("alerts", "rules", "test", rules, "--horizon", "21d");
        table.ExitCode.ShouldBe(0);
        table.Out.ShouldContain("all rules");
        table.Out.ShouldContain("Precision: of the judged alerts, the share after which the account churned within 21 days.");
        table.Out.ShouldContain("Lift: ");
        table.Out.ShouldContain("15 days");
        var bad = chs.Run("alerts", "rules", "test", rules, "--horizon", "0d");
        bad.ExitCode.ShouldBe(2);
        bad.Err.ShouldContain("--horizon");
    }
}
