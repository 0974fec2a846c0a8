using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>Column mappings saved by name and applied to files whose columns are named as another tool names them.</summary>
public abstract class ImportMappingsTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 30));

    public void Dispose() => store.Dispose();

    private ImportMappings Book => new(store.Db, store.Clock);

    private static ColumnMapping Zendesk()
    {
        var problems = new List<string>();
        var m = ColumnMapping.Create(ImportKind.Tickets,
            [("ticket_id", "Id"), ("account_id", "Organization"), ("opened_at", "Created at"), ("closed_at", "Solved at"), ("priority", "Priority")], problems);
        problems.ShouldBeEmpty();
        return m;
    }

    private const string ZendeskHeader = "Id;Subject;Status;Priority;Created at;Organization;Solved at;ticket_id";

    [Fact]
    public void Save_FindsItInAnyCase_ReplacesOneOfTheSameName_ListsAndRemoves()
    {
        Book.Save("Zendesk EU", Zendesk(), "ann@example.com").Name.ShouldBe("Zendesk EU");

        var found = Book.Find("zendesk eu").ShouldNotBeNull();
        found.Mapping.Columns.ShouldBe(Zendesk().Columns);
        found.SavedBy.ShouldBe("ann@example.com");
        found.SavedAt.ShouldStartWith("2025-06-30T");

        Book.Save(" ZENDESK eu ", ColumnMapping.Create(ImportKind.Tickets, [("ticket_id", "Ticket")], []), null);
        Book.List().ShouldHaveSingleItem().Mapping.Columns.ShouldBe([("ticket_id", "Ticket")]);
        Book.Remove("Zendesk eu").ShouldBeTrue();
        Book.Remove("Zendesk eu").ShouldBeFalse();
        Book.List().ShouldBeEmpty();
        Should.Throw<StoreException>(() => Book.Save(" ", Zendesk(), null)).Message.ShouldBe("a mapping needs a name");
    }

    [Fact]
    public void For_AnotherKindOrAnUnknownName_SaysWhichExist()
    {
        Book.Save("zendesk", Zendesk(), null);

        Should.Throw<StoreException>(() => Book.For("zendesk", ImportKind.Accounts)).Message.ShouldBe("the column mapping `zendesk` is for tickets files, not accounts");
        Should.Throw<StoreException>(() => Book.For("hubspot", ImportKind.Tickets)).Message.ShouldBe("no column mapping named `hubspot`; the saved ones are `zendesk` (tickets)");
        Book.For("ZENDESK", ImportKind.Tickets).Columns.Count.ShouldBe(5);
    }

    [Fact]
    public void ImportFile_WithAMapping_ReadsTheExportsColumnsAsFields_AndKeepsTheOthersAsProperties()
    {
        var file = store.WriteCsv("export.csv", ZendeskHeader,
            "101;Login broken;open;High;2025-06-20 10:00:00;A1;;T-OLD",
            "102;Export slow;solved;normal;2025-06-21 09:00:00;A2;2025-06-22 10:00:00;");

        var r = store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions(Mapping: Zendesk()));

        r.Applied.ShouldBeTrue(string.Join("; ", r.Errors));
        r.Changed.ShouldBe(2);
        store.Scalar<string>("SELECT status FROM tickets WHERE ticket_id = '102'").ShouldBe("solved");
        var t = store.Row("SELECT ticket_id, priority, status, closed_at, properties FROM tickets ORDER BY ticket_id LIMIT 1");
        t["ticket_id"].ShouldBe("101");
        t["priority"].ShouldBe("high");
        t["status"].ShouldBe("open");
        // `Status` feeds status (a field's own name in another case); Subject and the file's own ticket_id column are kept as properties.
        ((string)t["properties"]!).ShouldContain("\"Subject\":\"Login broken\"");
        ((string)t["properties"]!).ShouldContain("\"ticket_id (not mapped)\":\"T-OLD\"");
        store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions(Mapping: Zendesk())).Unchanged.ShouldBe(2);
    }

    [Fact]
    public void ImportFile_WithAMappingTheFileDoesNotFit_RefusesItWhole()
    {
        var file = store.WriteCsv("other.csv", "Id,Created at", "1,2025-06-20");

        var e = Should.Throw<StoreException>(() => store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions(Mapping: Zendesk())));

        e.Message.ShouldBe($"{file}: the mapping reads the columns `Organization` (for account_id), `Priority` (for priority), `Solved at` (for closed_at), which the file does not have; its columns are Id, Created at.");
        store.Count("tickets").ShouldBe(0);
    }

    [Fact]
    public void ImportFile_JsonLinesWithAMapping_RenamesEachRecordsKeys()
    {
        var file = store.WriteJsonl("export.jsonl",
            """{"Id":"9","Organization":"A1","Created at":"2025-06-20T10:00:00Z","Priority":"urgent"}""",
            """{"Id":"10","Created at":"2025-06-20T10:00:00Z"}""");

        var r = store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions(Mapping: Zendesk()));

        r.Applied.ShouldBeFalse();
        r.Errors.ShouldHaveSingleItem().ToString().ShouldBe($"{file}:2: account_id: is required");
        store.Importer.ImportFile(ImportKind.Tickets, file, new ImportOptions(SkipInvalid: true, Mapping: Zendesk())).Changed.ShouldBe(1);
        store.Scalar<string>("SELECT priority FROM tickets").ShouldBe("urgent");
    }
}

public sealed class ImportMappingsTestsOnSqlite() : ImportMappingsTests(TestEngine.Sqlite);

public sealed class ImportMappingsTestsOnPostgres() : ImportMappingsTests(TestEngine.Postgres);
