using System.Text;
using CustomerHealth.Web.Components.Import;
using CustomerHealth.Web.Imports;
using Dapper;
using Microsoft.Extensions.Configuration;

namespace CustomerHealth.Web.Tests.Components.Import;

/// <summary>The dashboard's import: what it takes, how it matches columns, and hostile files, names and choices.</summary>
public sealed class ImportWizardModelTests : IDisposable
{
    private readonly ModelStore store = new(new DateOnly(2026, 11, 30));

    public void Dispose() => store.Dispose();

    private ImportWizardModel Wizard(long maxUpload = ServerSettings.DefaultMaxUploadBytes)
    {
        var settings = ServerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Db"] = store.Target, ["Limits:MaxUploadBytes"] = maxUpload.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build());
        var wizard = new ImportWizardModel(new StoreAccess(settings), new Uploads(settings), store.Clock);
        wizard.ChooseKind("accounts");
        return wizard;
    }

    private static async Task Send(ImportWizardModel wizard, string name, string text, long? claimed = null)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        await wizard.Receive(new MemoryStream(bytes), name, claimed ?? bytes.Length, CancellationToken.None);
    }

    private long Count(string table) => store.Db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");

    [Fact]
    public async Task AHubSpotExport_IsMatchedFromItsNames_PreviewedAndImported()
    {
        var wizard = Wizard();
        await Send(wizard, "companies.csv", "Record ID,Company name,Company owner,Industry\nH-1,Acme,ann@example.com,Retail\nH-2,,bob@example.com,SaaS\n");

        wizard.Error.ShouldBeNull();
        wizard.Chosen["account_id"].ShouldBe("Record ID");
        wizard.Chosen["name"].ShouldBe("Company name");
        wizard.Unmapped.ShouldBeEmpty();
        wizard.Sample!.Rows.Select(r => r.Fields["account_id"]).ShouldBe(["H-1", "H-2"]);

        await wizard.Import(ModelStore.Person("manager"));

        wizard.Outcome.ShouldBe("Imported 2 accounts rows: 2 new or updated, 0 already stored.");
        store.Db.Connection.ExecuteScalar<string>("SELECT segment FROM accounts WHERE account_id = 'H-1'").ShouldBe("Retail");
    }

    [Fact]
    public async Task ARequiredFieldLeftOut_WaitsForIt_AndAViewerOrCsmIsRefused()
    {
        var wizard = Wizard();
        await Send(wizard, "list.csv", "Kundennummer,Firma\nK1,Acme\n");
        wizard.Unmapped.ShouldBe(["account_id"]);
        wizard.CanImport.ShouldBeFalse();
        await wizard.Import(ModelStore.Person("manager"));
        wizard.Error.ShouldBe("Choose the column for account_id: every row needs it.");

        wizard.Choose("account_id", "Kundennummer");
        wizard.Choose("name", "not a column");
        wizard.Chosen["name"].ShouldBeNull();
        foreach (var role in new[] { "viewer", "csm" })
        {
            await wizard.Import(ModelStore.Person(role));
            wizard.Error.ShouldBe("Only managers and admins import files.");
        }
        Count("accounts").ShouldBe(0);
    }

    [Fact]
    public async Task AWorkbook_ReadsItsFirstSheet_OrTheOneChosen()
    {
        using var bytes = new MemoryStream();
        using (var book = new ClosedXML.Excel.XLWorkbook())
        {
            book.Worksheets.Add("Read me").Cell(1, 1).Value = "Exported from the CRM";
            var ws = book.Worksheets.Add("Companies");
            ws.Cell(1, 1).Value = "Account ID";
            ws.Cell(1, 2).Value = "Account Name";
            ws.Cell(2, 1).Value = "S-1";
            ws.Cell(2, 2).Value = "Sheet Co";
            book.SaveAs(bytes);
        }
        var wizard = Wizard();
        bytes.Position = 0;
        await wizard.Receive(bytes, "crm.xlsx", bytes.Length, CancellationToken.None);

        wizard.Sheets.ShouldBe(["Read me", "Companies"]);
        wizard.Sheet.ShouldBe("Read me");
        wizard.Unmapped.ShouldBe(["account_id"]);
        wizard.ChooseSheet("Companies");
        wizard.Chosen["account_id"].ShouldBe("Account ID");
        await wizard.Import(ModelStore.Person("admin"));

        wizard.Outcome.ShouldBe("Imported 1 accounts rows: 1 new or updated, 0 already stored.");
        store.Db.Connection.ExecuteScalar<string>("SELECT name FROM accounts WHERE account_id = 'S-1'").ShouldBe("Sheet Co");
    }

    [Theory]
    [InlineData("report.pdf", 10, "“report.pdf” is not a file the import reads")]
    [InlineData("accounts", 10, "is not a file the import reads")]
    [InlineData("big.csv", 5_000_000, "“big.csv” is 4.8 MB; the import takes files of up to 1 MB.")]
    [InlineData("empty.csv", 0, "“empty.csv” is empty.")]
    public async Task AFileOfTheWrongTypeOrSize_IsRefusedBeforeAnythingIsRead(string name, long claimed, string refusal)
    {
        var wizard = Wizard(maxUpload: 1024 * 1024);

        await Send(wizard, name, "account_id\nA1\n", claimed);

        wizard.Error!.ShouldContain(refusal);
        wizard.File.ShouldBeNull();
    }

    [Fact]
    public async Task AFileLargerThanItClaims_IsRefusedAsItComes()
    {
        var wizard = Wizard(maxUpload: 1024 * 1024);

        await Send(wizard, "sneaky.csv", "account_id\n" + new string('a', 2 * 1024 * 1024), claimed: 100);

        wizard.Error.ShouldBe("“sneaky.csv” is larger than the 1 MB the import takes.");
        wizard.File.ShouldBeNull();
    }

    [Fact]
    public async Task HostileFilesNamesAndChoices_GetAnAnswer_AndARefusalStoresNothing()
    {
        var pieces = HostileCorpus.CsvFiles.Select(p => (p.Name + ".csv", p.Value))
            .Concat(HostileCorpus.CsvFiles.Select(p => (p.Name + ".xlsx", p.Value)))
            .Concat(HostileCorpus.JsonLines.Select(p => (p.Name + ".jsonl", p.Value)))
            .Concat(HostileCorpus.Strings.Select(p => (p.Value + ".csv", "account_id,name\nN1,Named\n")));
        foreach (var (name, text) in pieces)
        {
            var wizard = Wizard();
            var before = Count("accounts");
            await Send(wizard, name, text);
            foreach (var field in wizard.Fields)
            {
                wizard.Choose(field, wizard.Header.FirstOrDefault());
            }
            foreach (var piece in HostileCorpus.Strings)
            {
                wizard.Choose(piece.Value, piece.Value);
                wizard.UseSaved(piece.Value);
            }
            wizard.SaveAs = HostileCorpus.Strings[0].Value;
            await wizard.Import(ModelStore.Person("admin"));
            if (wizard.Result is not { Applied: true })
            {
                Count("accounts").ShouldBe(before, $"{name}: refused ({wizard.Error ?? wizard.Outcome}) but stored something");
            }
            (wizard.Error ?? wizard.Outcome ?? (wizard.Unmapped.Count > 0 ? "waits for a column" : null)).ShouldNotBeNull(name);
        }
    }
}
