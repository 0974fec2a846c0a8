namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs mapping save|list|remove` and `chs import KIND FILE --mapping NAME`, on both stores.</summary>
public abstract class MappingCommandTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Import_AZendeskExportWithASavedMapping_LandsAsTickets_AndTheMappingIsListedAndRemoved()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("zendesk.csv",
            "Id;Subject;Status;Priority;Created at;Organization;Solved at\n" +
            "101;Login broken;open;High;2025-06-20 10:00:00;ACC-1;\n" +
            "102;Export slow;solved;normal;2025-06-21 09:00:00;ACC-2;2025-06-22 10:00:00\n");

        var saved = chs.Run("mapping", "save", "Zendesk", "tickets", "ticket_id=Id", "account_id=Organization", "opened_at=Created at", "closed_at=Solved at");
        saved.ExitCode.ShouldBe(0, saved.ToString());
        saved.Out.ShouldContain("Saved the mapping `Zendesk` for tickets files: ticket_id ← `Id`, account_id ← `Organization`, opened_at ← `Created at`, closed_at ← `Solved at`.");

        var imported = chs.Run("import", "tickets", file, "--mapping", "zendesk");
        imported.ExitCode.ShouldBe(0, imported.ToString());
        imported.Out.ShouldContain("zendesk.csv: 2 tickets rows: 2 new or updated, 0 unchanged. (Read as separated by semicolons.)");
        chs.Count("SELECT COUNT(*) FROM tickets WHERE ticket_id = '102' AND status = 'solved' AND closed_at IS NOT NULL").ShouldBe(1);

        var list = chs.Run("mapping", "list", "--json");
        list.ExitCode.ShouldBe(0);
        var only = list.Json.EnumerateArray().ShouldHaveSingleItem();
        only.GetProperty("name").GetString().ShouldBe("Zendesk");
        only.GetProperty("kind").GetString().ShouldBe("tickets");
        only.GetProperty("columns").GetProperty("opened_at").GetString().ShouldBe("Created at");

        chs.Run("mapping", "remove", "ZENDESK").ExitCode.ShouldBe(0);
        var gone = chs.Run("import", "tickets", file, "--mapping", "zendesk");
        gone.ExitCode.ShouldBe(1);
        gone.Err.ShouldContain("no column mapping named `zendesk`; none is saved yet");
    }

    [Fact]
    public void Mapping_Mistakes_AreUsageErrorsOrRefusalsThatSayWhich()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Write("accounts.csv", "account_id\nA1\n");

        var badPair = chs.Run("mapping", "save", "m", "tickets", "ticket_id");
        badPair.ExitCode.ShouldBe(2);
        badPair.Err.ShouldContain("`ticket_id` is not FIELD=COLUMN (such as ticket_id=Id)");
        var badField = chs.Run("mapping", "save", "m", "tickets", "ticket=Id");
        badField.ExitCode.ShouldBe(2);
        badField.Err.ShouldContain("`ticket` is not a field of tickets");
        chs.Run("mapping", "save", "m", "visits", "a=b").Err.ShouldContain("unknown kind `visits`");

        chs.Run("mapping", "save", "m", "tickets", "ticket_id=Id").ExitCode.ShouldBe(0);
        var otherKind = chs.Run("import", "accounts", Path.Combine(chs.Dir, "accounts.csv"), "--mapping", "m");
        otherKind.ExitCode.ShouldBe(1);
        otherKind.Err.ShouldContain("the column mapping `m` is for tickets files, not accounts");
        var folder = chs.Run("import", chs.Dir, "--mapping", "m");
        folder.ExitCode.ShouldBe(2);
        folder.Err.ShouldContain("--mapping applies to one file of one kind");
        chs.Run("mapping", "remove", "nothing").Err.ShouldContain("no mapping named `nothing`");
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(0);
    }
}

public sealed class MappingCommandTestsOnSqlite() : MappingCommandTests(TestEngine.Sqlite);

public sealed class MappingCommandTestsOnPostgres() : MappingCommandTests(TestEngine.Postgres);
