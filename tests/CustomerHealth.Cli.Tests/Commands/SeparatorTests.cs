namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>CSV from European spreadsheets (semicolons) and tab-separated exports import as they are.</summary>
public abstract class SeparatorTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Import_ASemicolonFile_IsReadAsSuch_AndSaysSo()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("accounts.csv", "account_id;name;segment;arr\nSEP-1;\"Müller; Söhne\";SMB;12000\nSEP-2;Dupont SA;Enterprise;90000\n");
        var r = chs.Run("import", "accounts", file);
        r.ExitCode.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("2 accounts rows: 2 new or updated");
        r.Out.ShouldContain("(Read as separated by semicolons.)");
        var accounts = chs.Run("accounts", "--json").Json.EnumerateArray().ToDictionary(a => a.GetProperty("account_id").GetString()!);
        accounts["SEP-1"].GetProperty("name").GetString().ShouldBe("Müller; Söhne");
        accounts["SEP-2"].GetProperty("arr").GetDouble().ShouldBe(90000);
    }

    [Fact]
    public void Import_ASemicolonFile_ReadsADecimalComma_AndRefusesThousandsSeparators()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("accounts.csv", "account_id;arr;seats\nDEC-1;12000,50;7\nDEC-2;99.5;3,0\n");
        var r = chs.Run("import", "accounts", file);
        r.ExitCode.ShouldBe(0, r.ToString());
        var accounts = chs.Run("accounts", "--json").Json.EnumerateArray().ToDictionary(a => a.GetProperty("account_id").GetString()!);
        accounts["DEC-1"].GetProperty("arr").GetDouble().ShouldBe(12000.5);
        accounts["DEC-2"].GetProperty("arr").GetDouble().ShouldBe(99.5);

        // 1.234,50 and 1,234,5 could be read two ways: refused, naming the line and the field, and nothing lands.
        var ambiguous = chs.Write("ambiguous.csv", "account_id;arr\nDEC-3;1.234,50\nDEC-4;1,234,5\n");
        var refused = chs.Run("import", "accounts", ambiguous);
        refused.ExitCode.ShouldBe(1, refused.ToString());
        refused.Err.ShouldContain("ambiguous.csv:2: arr: must be a number with ',' or '.' as decimal point and no thousands separator, got '1.234,50'");
        refused.Err.ShouldContain("ambiguous.csv:3: arr:");
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(2);

        // In a comma-separated file a quoted 12,5 is not a number: the comma there is not a decimal point.
        var commas = chs.Write("commas.csv", "account_id,arr\nDEC-5,\"12,5\"\n");
        chs.Run("import", "accounts", commas).Err.ShouldContain("must be a number with '.' as decimal point, got '12,5'");
    }

    [Fact]
    public void Import_ATabFile_AndAGivenDelimiter_AreRead()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var tabs = chs.Write("tabs.csv", "account_id\tname\nTAB-1\tTabbed, Ltd\n");
        var r = chs.Run("import", "accounts", tabs);
        r.ExitCode.ShouldBe(0, r.ToString());
        r.Out.ShouldContain("(Read as separated by tabs.)");
        // A header with no separator to find (one column) is read with the one given.
        var given = chs.Write("given.csv", "account_id\nGIV-1\n");
        chs.Run("import", "accounts", given, "--delimiter", "semicolon").ExitCode.ShouldBe(0);
        chs.Run("import", "accounts", given, "--delimiter", "pipe").ExitCode.ShouldBe(2);
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(2);
    }

    [Fact]
    public void Import_AHeaderThatNamesNoColumnOfTheKind_SaysSoOnceAndStoresNothing()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("usage.csv", "account_id|occurred_at|event\nA1|2026-01-01T00:00:00Z|login\n");
        var r = chs.Run("import", "usage", file);
        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("the header names none of the usage columns");
        r.Err.ShouldContain("--delimiter");
        r.Err.ShouldNotContain("is required");
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(0);
    }

    [Fact]
    public void Import_AZendeskExportAsItIs_IsRefused_SayingWhichColumnsToRename()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("tickets.csv", "Id,Subject,Status,Priority,Created at,Organization\n101,Cannot log in,open,high,2026-01-05 10:00:00,Acme\n");

        var r = chs.Run("import", "tickets", file);

        r.ExitCode.ShouldBe(1, r.ToString());
        r.Err.ShouldContain("the header has no ticket_id, account_id, opened_at column, which every tickets row needs. Its columns look like an export whose columns could feed these fields: `Id` → ticket_id, `Organization` → account_id, `Created at` → opened_at; rename them in the header row");
        chs.Count("SELECT COUNT(*) FROM tickets").ShouldBe(0);

        // Renamed as suggested, it lands.
        var renamed = chs.Write("tickets.csv", "ticket_id,Subject,status,priority,opened_at,account_id\n101,Cannot log in,open,high,2026-01-05T10:00:00Z,Acme\n");
        chs.Run("import", "tickets", renamed).ExitCode.ShouldBe(0);
        chs.Count("SELECT COUNT(*) FROM tickets").ShouldBe(1);
    }

    [Fact]
    public void Import_SkipInvalid_WritesTheRejectedRowsWithTheFilesSeparator()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = chs.Write("accounts.csv", "account_id;arr\nOK-1;100\nBAD-1;lots\n");
        chs.Run("import", "accounts", file, "--skip-invalid").ExitCode.ShouldBe(0);
        var rejected = File.ReadAllLines(file + ".rejected.csv");
        rejected[0].ShouldBe("account_id;arr;_error");
        rejected[1].ShouldStartWith("BAD-1;lots;");
    }
}

public sealed class SeparatorTestsOnSqlite() : SeparatorTests(TestEngine.Sqlite);

public sealed class SeparatorTestsOnPostgres() : SeparatorTests(TestEngine.Postgres);
