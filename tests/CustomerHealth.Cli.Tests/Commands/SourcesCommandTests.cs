using System.Globalization;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs sources`: data health on the terminal and as JSON.</summary>
public sealed class SourcesCommandTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    private static string Day(int daysAgo) => TimeProvider.System.Today().AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    [Fact]
    public void Sources_SaysWhatArrives_WhereItWentQuiet_AndWhichMeasuresLackData()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("import", "accounts", chs.Write("accounts.csv", "account_id,name,arr\nA1,Acme,900\nA2,Beta,100\nA3,Gamma,50\n")).ExitCode.ShouldBe(0);
        // A1 used the product daily until 40 days ago; A2 still does.
        var usage = "account_id,occurred_at,event\n" +
            string.Concat(Enumerable.Range(40, 20).Select(d => $"A1,{Day(d)}T10:00:00Z,login\n")) +
            string.Concat(Enumerable.Range(0, 20).Select(d => $"A2,{Day(d)}T10:00:00Z,login\n"));
        chs.Run("import", "usage", chs.Write("usage.csv", usage)).ExitCode.ShouldBe(0);

        var json = chs.Run("sources", "--json");
        json.ExitCode.ShouldBe(0, json.ToString());
        json.Json.GetProperty("active_accounts").GetInt32().ShouldBe(3);
        var sources = json.Json.GetProperty("sources").EnumerateArray().ToList();
        var usageSource = sources.Single(s => s.GetProperty("kind").GetString() == "usage");
        (usageSource.GetProperty("status").GetString(), usageSource.GetProperty("accounts").GetInt32(), usageSource.GetProperty("quiet_accounts").GetInt32())
            .ShouldBe(("flowing", 2, 1));
        var quiet = usageSource.GetProperty("quiet")[0];
        (quiet.GetProperty("account_id").GetString(), quiet.GetProperty("days_quiet").GetInt32()).ShouldBe(("A1", 40));
        usageSource.GetProperty("last_received_at").GetString().ShouldNotBeNull();
        sources.Single(s => s.GetProperty("kind").GetString() == "surveys").GetProperty("status").GetString().ShouldBe("none");
        // The default model reads surveys, which no account sends.
        json.Json.GetProperty("measures").EnumerateArray().ShouldContain(m => m.GetProperty("source").GetString() == "surveys" && m.GetProperty("low_coverage").GetBoolean());

        var table = chs.Run("sources");
        table.ExitCode.ShouldBe(0);
        table.Out.ShouldContain("usage: 1 accounts went quiet");
        table.Out.ShouldContain("A1  Acme  last " + Day(40) + ", 40 days ago");
        table.Out.ShouldContain("which covers only 0% of the active accounts");
        chs.Run("sources", "--quiet-days", "41", "--json").Json.GetProperty("sources")[0].GetProperty("quiet_accounts").GetInt32().ShouldBe(0);

        var bad = chs.Run("sources", "--quiet-days", "0");
        bad.ExitCode.ShouldBe(2);
        bad.Err.ShouldContain("--quiet-days must be between 1 and 365");
    }
}
