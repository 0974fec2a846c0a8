using ClosedXML.Excel;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs import KIND FILE.xlsx [--sheet NAME]`.</summary>
public sealed class WorkbookImportCommandTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Import_AWorkbookSheetChosenByName_LandsItsRows_AMissingSheetIsNamed()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var file = Path.Combine(chs.Dir, "crm.xlsx");
        using (var book = new XLWorkbook())
        {
            book.Worksheets.Add("Read me").Cell(1, 1).Value = "Exported from the CRM";
            var ws = book.Worksheets.Add("Accounts");
            ws.Cell(1, 1).Value = "account_id";
            ws.Cell(1, 2).Value = "name";
            ws.Cell(1, 3).Value = "arr";
            ws.Cell(2, 1).Value = "K1";
            ws.Cell(2, 2).Value = "Kilo";
            ws.Cell(2, 3).Value = 5000;
            book.SaveAs(file);
        }

        var missing = chs.Run("import", "accounts", file, "--sheet", "Companies");
        missing.ExitCode.ShouldBe(1);
        missing.Err.ShouldContain("no sheet named `Companies`; its sheets are `Read me`, `Accounts`");

        var first = chs.Run("import", "accounts", file);
        first.ExitCode.ShouldBe(1);
        first.Err.ShouldContain("the first row of the sheet names none of the accounts columns");

        var result = chs.Run("import", "accounts", file, "--sheet", "accounts", "--json");
        result.ExitCode.ShouldBe(0, result.ToString());
        chs.Count("SELECT COUNT(*) FROM accounts WHERE account_id = 'K1' AND arr = 5000").ShouldBe(1);
    }
}
