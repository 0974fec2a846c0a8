namespace CustomerHealth.Cli.Tests.Commands;

public abstract class CommandLineTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    private const string Accounts = """
        account_id,name,segment,lifecycle_stage,owner,arr,seats,plan,started_on,tier
        A1,Acme,Enterprise,mature,ann@example.com,100000,10,Enterprise,2024-01-01,gold
        A2,"Beta, Inc",SMB,mature,bob@example.com,10000,10,Starter,2024-01-01,silver
        A3,Gamma,SMB,mature,bob@example.com,12000,10,Starter,2024-01-01,
        """;

    /// <summary>A1: 8 users a day; A2: 2 users every other day; A3: none in the last 30 days before 2025-06-30.</summary>
    private static string Usage()
    {
        var lines = new List<string> { "account_id,occurred_at,event,user_id,event_id" };
        var n = 0;
        for (var d = new DateOnly(2025, 4, 1); d <= new DateOnly(2025, 6, 30); d = d.AddDays(1))
        {
            for (var u = 0; u < 8; u++)
            {
                lines.Add($"A1,{d:yyyy-MM-dd}T09:00:00Z,login,A1-u{u},e{++n}");
            }
            if (d.DayNumber % 2 == 0)
            {
                lines.Add($"A2,{d:yyyy-MM-dd}T09:00:00Z,login,A2-u1,e{++n}");
                lines.Add($"A2,{d:yyyy-MM-dd}T10:00:00Z,login,A2-u2,e{++n}");
            }
            if (d < new DateOnly(2025, 5, 15))
            {
                lines.Add($"A3,{d:yyyy-MM-dd}T09:00:00Z,login,A3-u1,e{++n}");
            }
        }
        return string.Join("\n", lines) + "\n";
    }

    private const string Model = """
        name: Test model
        grades:
          - { id: green, label: Healthy, min: 70, color: "#2e7d32" }
          - { id: yellow, label: Needs attention, min: 40, color: "#f9a825" }
          - { id: red, label: At risk, min: 0, color: "#c62828" }
        dimensions:
          - id: adoption
            weight: 100
            measures:
              - id: active_days
                value: { signal: usage, aggregate: active_days, window: 30d }
                score: { range: { worst: 0, best: 30 } }
        """;

    private void Seed()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Write("data/accounts.csv", Accounts);
        chs.Write("data/usage.csv", Usage());
        var model = chs.Write("model.yaml", Model);
        chs.Run("model", "publish", model).ExitCode.ShouldBe(0);
        var import = chs.Run("import", "data");
        import.ExitCode.ShouldBe(0, import.ToString());
    }

    [Fact]
    public void Init_NewStore_CreatesItAndPublishesTheDefaultModel()
    {
        var r = chs.Run("init");
        r.ExitCode.ShouldBe(0, r.ToString());
        chs.Count("SELECT COUNT(*) FROM model_versions").ShouldBe(1);
        var versions = chs.Run("model", "versions", "--json").Json;
        versions.GetArrayLength().ShouldBe(1);
        versions[0].GetProperty("name").GetString().ShouldBe("SaaS default");
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("model", "versions", "--json").Json.GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public void Score_AsOf_PrintsTheSummaryShapeAndScoresEveryAccount()
    {
        Seed();
        var r = chs.Run("score", "--as-of", "2025-06-30", "--json");
        r.ExitCode.ShouldBe(0, r.ToString());
        var s = r.Json;
        s.GetProperty("as_of").GetString().ShouldBe("2025-06-30");
        s.GetProperty("accounts_scored").GetInt32().ShouldBe(3);
        s.GetProperty("unscored").GetInt32().ShouldBe(0);
        s.GetProperty("model_version").GetString()!.Length.ShouldBe(12);
        // A1 active all 30 days → 100 (green); A2 every other day → 15/30 → 50 (yellow); A3 none → 0 (red).
        s.GetProperty("by_grade").GetProperty("green").GetInt32().ShouldBe(1);
        s.GetProperty("by_grade").GetProperty("yellow").GetInt32().ShouldBe(1);
        s.GetProperty("by_grade").GetProperty("red").GetInt32().ShouldBe(1);
    }

    [Fact]
    public void Score_NoAccountGraded_SaysSoWithoutAnEmptyListOfGrades()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Write("data/accounts.csv", Accounts);
        chs.Run("model", "publish", chs.Write("model.yaml", Model)).ExitCode.ShouldBe(0);
        chs.Run("import", "data").ExitCode.ShouldBe(0);
        var r = chs.Run("score", "--as-of", "2025-06-30");
        r.ExitCode.ShouldBe(0, r.ToString());
        r.Out.ShouldStartWith("2025-06-30: scored 0 accounts, 3 unscored (no data for any measure) with model ");
        r.Out.ShouldNotContain("()");
    }

    [Fact]
    public void Accounts_Json_HasTheContractFieldsFiltersAndSorts()
    {
        Seed();
        chs.Run("score", "--from", "2025-05-01", "--to", "2025-06-30", "--every", "7d").ExitCode.ShouldBe(0);
        var all = chs.Run("accounts", "--json", "--sort", "score").Json;
        all.GetArrayLength().ShouldBe(3);
        foreach (var field in new[] { "account_id", "name", "segment", "owner", "arr", "score", "grade", "trend", "direction", "scored_on" })
        {
            all[0].TryGetProperty(field, out _).ShouldBeTrue(field);
        }
        all[0].GetProperty("account_id").GetString().ShouldBe("A3");
        all[0].GetProperty("grade").GetString().ShouldBe("red");
        all[0].GetProperty("direction").GetString().ShouldBe("down");
        all[2].GetProperty("account_id").GetString().ShouldBe("A1");
        all[2].GetProperty("scored_on").GetString().ShouldBe("2025-06-26");
        var smb = chs.Run("accounts", "--json", "--segment", "SMB", "--owner", "bob@example.com").Json;
        smb.EnumerateArray().Select(a => a.GetProperty("account_id").GetString()).ShouldBe(["A2", "A3"]);
        chs.Run("accounts", "--json", "--grade", "green").Json.EnumerateArray().Single().GetProperty("account_id").GetString().ShouldBe("A1");
    }

    [Fact]
    public void Show_Json_ExplainsTheScoreWithContributionsThatAddUp()
    {
        Seed();
        chs.Run("score", "--as-of", "2025-06-30").ExitCode.ShouldBe(0);
        var r = chs.Run("show", "A2", "--json");
        r.ExitCode.ShouldBe(0, r.ToString());
        var d = r.Json;
        d.GetProperty("account_id").GetString().ShouldBe("A2");
        d.GetProperty("name").GetString().ShouldBe("Beta, Inc");
        d.GetProperty("score").GetDouble().ShouldBe(50, 1e-9);
        d.GetProperty("grade").GetString().ShouldBe("yellow");
        d.GetProperty("scorecard").GetString().ShouldBe("default");
        d.GetProperty("as_of").GetString().ShouldBe("2025-06-30");
        d.GetProperty("model_version").GetString()!.Length.ShouldBe(12);
        var dim = d.GetProperty("dimensions")[0];
        dim.GetProperty("id").GetString().ShouldBe("adoption");
        var m = dim.GetProperty("measures")[0];
        m.GetProperty("id").GetString().ShouldBe("active_days");
        m.GetProperty("value").GetDouble().ShouldBe(15);
        m.GetProperty("effective_weight").GetDouble().ShouldBe(1);
        m.GetProperty("contribution").GetDouble().ShouldBe(50, 1e-9);
        m.GetProperty("missing").GetBoolean().ShouldBeFalse();
        m.GetProperty("stale").GetBoolean().ShouldBeFalse();
        var text = chs.Run("show", "A2");
        text.ExitCode.ShouldBe(0);
        text.Out.ShouldContain("Needs attention");
    }

    [Fact]
    public void Show_AsOfADayWithoutSnapshot_ScoresThatDayPointInTime()
    {
        Seed();
        // On 2025-05-20 A3 had been active until 2025-05-14: 2025-04-21..2025-05-14 is 24 of the 30 days → 80.
        var d = chs.Run("show", "A3", "--as-of", "2025-05-20", "--json").Json;
        d.GetProperty("score").GetDouble().ShouldBe(80, 1e-9);
        d.GetProperty("as_of").GetString().ShouldBe("2025-05-20");
    }

    [Fact]
    public void ExplainAndHistory_BetweenTwoDates_ShowWhatChanged()
    {
        Seed();
        chs.Run("score", "--from", "2025-05-01", "--to", "2025-06-30", "--every", "7d").ExitCode.ShouldBe(0);
        var h = chs.Run("history", "A3", "--json").Json;
        h.GetArrayLength().ShouldBe(9);
        h[0].GetProperty("as_of").GetString().ShouldBe("2025-05-01");
        var e = chs.Run("explain", "A3", "--from", "2025-05-01", "--to", "2025-06-30", "--json");
        e.ExitCode.ShouldBe(0, e.ToString());
        var x = e.Json;
        x.GetProperty("from_score").GetDouble().ShouldBe(100, 1e-9);
        x.GetProperty("to_score").GetDouble().ShouldBe(0, 1e-9);
        x.GetProperty("model_changed").GetBoolean().ShouldBeFalse();
        var change = x.GetProperty("changes")[0];
        change.GetProperty("measure").GetString().ShouldBe("active_days");
        change.GetProperty("change").GetDouble().ShouldBe(-100, 1e-9);
    }

    [Fact]
    public void Import_BadRow_ImportsNothingListsEveryErrorAndExitsOne()
    {
        Seed();
        var before = Count("SELECT COUNT(*) FROM surveys");
        var bad = chs.Write("bad.csv", "account_id,kind,score,responded_at\nA1,nps,9,2025-06-01T10:00:00Z\nA1,nps,11,2025-06-02T10:00:00Z\nA2,csat,4,not-a-date\n");
        var r = chs.Run("import", "surveys", bad);
        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("bad.csv:3: score:");
        r.Err.ShouldContain("bad.csv:4: responded_at:");
        Count("SELECT COUNT(*) FROM surveys").ShouldBe(before);
    }

    [Fact]
    public void Import_SkipInvalid_KeepsValidRowsAndWritesTheRejectedFile()
    {
        Seed();
        var bad = chs.Write("s.csv", "account_id,kind,score,responded_at\nA1,nps,9,2025-06-01T10:00:00Z\nA1,nps,11,2025-06-02T10:00:00Z\n");
        var r = chs.Run("import", "surveys", bad, "--skip-invalid");
        r.ExitCode.ShouldBe(0, r.ToString());
        Count("SELECT COUNT(*) FROM surveys").ShouldBe(1);
        var rejected = File.ReadAllLines(bad + ".rejected.csv");
        rejected[0].ShouldBe("account_id,kind,score,responded_at,_error");
        rejected[1].ShouldStartWith("A1,nps,11,2025-06-02T10:00:00Z,");
        rejected.Length.ShouldBe(2);
    }

    [Fact]
    public void Import_SameFileTwice_ChangesNothing()
    {
        Seed();
        var events = Count("SELECT COUNT(*) FROM usage_events");
        var sum = chs.UsageCells().Sum(c => c.Count);
        var r = chs.Run("import", "usage", Path.Combine(chs.Dir, "data", "usage.csv"), "--json");
        r.ExitCode.ShouldBe(0);
        r.Json[0].GetProperty("changed").GetInt32().ShouldBe(0);
        Count("SELECT COUNT(*) FROM usage_events").ShouldBe(events);
        chs.UsageCells().Sum(c => c.Count).ShouldBe(sum);
    }

    [Fact]
    public void Usage_Mistakes_ExitTwo()
    {
        chs.Run("no-such-verb").ExitCode.ShouldBe(2);
        chs.Run("explain", "A1").ExitCode.ShouldBe(2);
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("import", "nonsense", "x.csv").ExitCode.ShouldBe(2);
        chs.Run("score", "--as-of", "yesterday").ExitCode.ShouldBe(2);
    }

    [Fact]
    public void ModelValidate_InvalidModel_ListsEveryProblemWithLineAndColumn()
    {
        var file = chs.Write("bad.yaml", """
            name: Bad
            grades:
              - { id: green, min: 70 }
              - { id: red, min: 10 }
            dimensions:
              - id: a
                measures:
                  - id: x
                    value: { signal: usage, aggregate: median }
                    score: { range: { worst: 0, best: 1 } }
                    colour: blue
            """);
        var r = chs.Run("model", "validate", file);
        r.ExitCode.ShouldBe(1);
        r.Err.ShouldContain("bad.yaml:4:5: grades leave a gap");
        r.Err.ShouldContain("bad.yaml:9:44: unknown aggregate `median` for signal `usage`");
        r.Err.ShouldContain("bad.yaml:11:9: unknown key `colour`");
        chs.Run("model", "validate", chs.Write("good.yaml", Model)).ExitCode.ShouldBe(0);
    }

    [Fact]
    public void Override_Grade_ShowsBesideTheComputedScore()
    {
        Seed();
        chs.Run("score", "--as-of", "2025-06-30").ExitCode.ShouldBe(0);
        var r = chs.Run("override", "A3", "--grade", "yellow", "--reason", "Exec sponsor re-engaged", "--until", "2099-01-01");
        r.ExitCode.ShouldBe(0, r.ToString());
        var d = chs.Run("show", "A3", "--json").Json;
        d.GetProperty("grade").GetString().ShouldBe("yellow");
        d.GetProperty("computed_score").GetDouble().ShouldBe(0, 1e-9);
        d.GetProperty("override_reason").GetString().ShouldBe("Exec sponsor re-engaged");
        chs.Run("override", "A3", "--score", "50", "--grade", "red", "--reason", "x", "--until", "2099-01-01").ExitCode.ShouldBe(2);
        chs.Run("override", "A3", "--grade", "purple", "--reason", "x", "--until", "2099-01-01").ExitCode.ShouldBe(1);
    }

    [Fact]
    public void ExportScoresAndBackup_WriteUsableFiles()
    {
        Seed();
        chs.Run("score", "--as-of", "2025-06-30").ExitCode.ShouldBe(0);
        var csv = Path.Combine(chs.Dir, "scores.csv");
        chs.Run("export", "scores", csv).ExitCode.ShouldBe(0);
        var lines = File.ReadAllLines(csv);
        lines[0].ShouldBe("account_id,name,segment,owner,arr,score,grade,trend,direction,scored_on,status");
        lines.ShouldContain("A2,\"Beta, Inc\",SMB,bob@example.com,10000,50,yellow,,,2025-06-30,active");
        var copy = Path.Combine(chs.Dir, "copy.db");
        var backup = chs.Run("backup", copy);
        if (chs.Engine == TestEngine.Postgres)
        {
            // PostgreSQL has its own consistent online backup; `chs backup` says so instead of writing a partial copy.
            backup.ExitCode.ShouldBe(1);
            backup.Err.ShouldContain("pg_dump");
            File.Exists(copy).ShouldBeFalse();
            return;
        }
        backup.ExitCode.ShouldBe(0, backup.ToString());
        var r = chs.RunWithEnv(new Dictionary<string, string> { ["CHS_DB"] = copy }, "accounts", "--json");
        r.Json.GetArrayLength().ShouldBe(3);
    }

    [Fact]
    public void Score_DayAfterToday_RefusedAsUsageNamingTheOptionAndStoresNothing()
    {
        Seed();
        // The model has no timezone (UTC); two days ahead is after today wherever the machine is.
        var later = TimeProvider.System.Today().AddDays(2).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var one = chs.Run("score", "--as-of", later);
        one.ExitCode.ShouldBe(2, one.ToString());
        one.Err.ShouldContain($"--as-of {later} is after today");
        var range = chs.Run("score", "--from", "2025-06-01", "--to", later);
        range.ExitCode.ShouldBe(2, range.ToString());
        range.Err.ShouldContain($"--to {later} is after today");
        Count("SELECT COUNT(*) FROM snapshots").ShouldBe(0);
        var today = chs.Run("score");
        today.ExitCode.ShouldBe(0, today.ToString());
    }

    [Fact]
    public void ModelPublish_WhatModelShowPrinted_IsAlreadyPublishedAndAddsNoVersion()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var shown = chs.Run("model", "show");
        shown.ExitCode.ShouldBe(0, shown.ToString());
        shown.Out.ShouldStartWith("# version ");
        var file = chs.Write("current.yaml", shown.Out);
        var r = chs.Run("model", "publish", file);
        r.ExitCode.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("is already published");
        Count("SELECT COUNT(*) FROM model_versions").ShouldBe(1);
    }

    private long Count(string sql) => chs.Count(sql);
}

public sealed class CommandLineTestsOnSqlite() : CommandLineTests(TestEngine.Sqlite);

public sealed class CommandLineTestsOnPostgres() : CommandLineTests(TestEngine.Postgres);
