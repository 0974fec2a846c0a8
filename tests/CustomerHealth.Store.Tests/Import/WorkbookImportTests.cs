using ClosedXML.Excel;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>Excel workbooks (.xlsx) imported like CSV files: typed cells read as the import reads text.</summary>
public abstract class WorkbookImportTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 30));

    public void Dispose() => store.Dispose();

    /// <summary>A workbook with the given sheets, each a header row and rows of typed cells.</summary>
    private string Workbook(string name, params (string Sheet, object?[][] Rows)[] sheets)
    {
        var path = Path.Combine(store.Dir, name);
        using var book = new XLWorkbook();
        foreach (var (sheetName, rows) in sheets)
        {
            var ws = book.Worksheets.Add(sheetName);
            for (var r = 0; r < rows.Length; r++)
            {
                for (var c = 0; c < rows[r].Length; c++)
                {
                    if (rows[r][c] is { } v)
                    {
                        ws.Cell(r + 1, c + 1).Value = v;
                    }
                }
            }
        }
        book.SaveAs(path);
        return path;
    }

    [Fact]
    public void ImportFile_TypedCells_LandAsTheirCsvText_FromTheFirstSheet()
    {
        var file = Workbook("accounts.xlsx", ("Companies", [
            ["account_id", "name", "arr", "renewal_on", "seats"],
            ["X1", "Acme", 12000.5, new DateTime(2025, 9, 1), 40],
            [],
            ["X2", "Beta", null, null, null],
        ]), ("Other", [["nothing"]]));

        var result = store.Importer.ImportFile(ImportKind.Accounts, file, new ImportOptions());

        result.Applied.ShouldBeTrue(string.Join("; ", result.Errors.Select(e => e.Reason)));
        result.Changed.ShouldBe(2);
        var x1 = store.Row("SELECT name, arr, renewal_on, seats FROM accounts WHERE account_id = 'X1'");
        (x1["name"], Convert.ToDouble(x1["arr"], System.Globalization.CultureInfo.InvariantCulture), x1["renewal_on"]).ShouldBe(("Acme", 12000.5, (object?)"2025-09-01"));
        store.Scalar<long>("SELECT COUNT(*) FROM accounts WHERE account_id = 'X2' AND arr IS NULL").ShouldBe(1);
        // Imported again: nothing changes.
        store.Importer.ImportFile(ImportKind.Accounts, file, new ImportOptions()).Changed.ShouldBe(0);
    }

    [Fact]
    public void ImportFile_ASheetByName_DateTimes_AndRejectedRowsWithTheirSheetRow()
    {
        var file = Workbook("export.xlsx", ("Notes", [["x"]]), ("Survey answers", [
            ["account_id", "kind", "score", "responded_at"],
            ["S1", "nps", 9, new DateTime(2025, 6, 1, 14, 30, 0)],
            ["S2", "nps", 42, new DateTime(2025, 6, 2, 9, 0, 0)],
        ]));

        var refused = store.Importer.ImportFile(ImportKind.Surveys, file, new ImportOptions(Sheet: "survey ANSWERS"));
        refused.Applied.ShouldBeFalse();
        var error = refused.Errors.ShouldHaveSingleItem();
        (error.Line, error.Field).ShouldBe((3, "score"));
        store.Count("surveys").ShouldBe(0);

        var skipped = store.Importer.ImportFile(ImportKind.Surveys, file, new ImportOptions(SkipInvalid: true, Sheet: "Survey answers"));
        skipped.Changed.ShouldBe(1);
        store.Scalar<string>("SELECT responded_at FROM surveys").ShouldStartWith("2025-06-01T14:30:00");
        File.ReadAllText(skipped.RejectedFile.ShouldNotBeNull()).ShouldBe("account_id,kind,score,responded_at,_error\nS2,nps,42,2025-06-02T09:00:00,\"score: a nps score must be between 0 and 10, got 42\"\n");
    }

    [Fact]
    public void ImportFile_AMissingSheet_AWrongHeader_OrNotAWorkbook_SaySoAndLandNothing()
    {
        var file = Workbook("tickets.xlsx", ("Sheet1", [["Ticket number", "Company"], ["1", "A"]]));
        Should.Throw<StoreException>(() => store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions(Sheet: "Tickets")))
            .Message.ShouldBe($"{file}: no sheet named `Tickets`; its sheets are `Sheet1`");
        Should.Throw<StoreException>(() => store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions()))
            .Message.ShouldContain("the first row of the sheet names none of the tickets columns");
        var broken = store.WriteFile("broken.xlsx", "this is not a zip file");
        Should.Throw<StoreException>(() => store.Importer.ImportFile(ImportKind.Tickets, broken, new ImportOptions()))
            .Message.ShouldStartWith($"{broken}: not a readable Excel workbook (.xlsx)");
        store.Count("tickets").ShouldBe(0);
        store.Count("accounts").ShouldBe(0);
    }

    [Fact]
    public void ImportDirectory_TakesKindXlsxFiles_Too()
    {
        Workbook("accounts.xlsx", ("A", [["account_id", "name"], ["D1", "Delta"]]));
        store.WriteCsv("metrics.csv", "account_id,metric,date,value", "D1,health,2025-06-01,80");

        var results = store.Importer.ImportDirectory(store.Dir, new ImportOptions());

        results.Select(r => (Path.GetFileName(r.File), r.Changed)).ShouldBe([("accounts.xlsx", 1), ("metrics.csv", 1)]);
    }
}

public sealed class WorkbookImportTestsOnSqlite() : WorkbookImportTests(TestEngine.Sqlite);

public sealed class WorkbookImportTestsOnPostgres() : WorkbookImportTests(TestEngine.Postgres);
