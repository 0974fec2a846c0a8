using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;
using Dapper;

namespace CustomerHealth.Store.Tests.Import;

public abstract class ImporterTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine);

    public void Dispose() => store.Dispose();

    private static readonly ImportOptions SkipInvalid = new(SkipInvalid: true);

    private static int Day(int year, int month, int day) => new DateOnly(year, month, day).DayNumber;

    /// <summary>A valid CSV file of every kind, with rows with and without ids.</summary>
    private static readonly Dictionary<ImportKind, string[]> AllKinds = new()
    {
        [ImportKind.Accounts] =
        [
            "account_id,name,segment,lifecycle_stage,owner,arr,seats,plan,started_on,renewal_on,parent_id,status,industry",
            "A1,\"Acme, Inc.\",Enterprise,adoption,ann@cs.example,120000,50,pro,2024-01-15,2025-01-15,,active,Retail",
            "A2,Beta,SMB,onboarding,bob@cs.example,5000,5,starter,2024-06-01,,,,",
        ],
        [ImportKind.Usage] =
        [
            "account_id,occurred_at,event,user_id,event_id,count,value",
            "A1,2025-03-01T10:00:00Z,login,u1,e1,1,",
            "A1,2025-03-01T11:00:00Z,login,u2,,,",
            "A2,2025-03-02T11:00:00Z,export,u3,,2,3.5",
        ],
        [ImportKind.Surveys] =
        [
            "account_id,kind,score,responded_at,response_id,contact,comment",
            "A1,nps,9,2025-03-01T09:00:00Z,r1,ann@acme.example,\"Great, \"\"really\"\"\"",
            "A2,csat,4,2025-03-02T09:00:00Z,,,",
        ],
        [ImportKind.Tickets] =
        [
            "ticket_id,account_id,opened_at,priority,status,first_response_at,closed_at,escalated,satisfaction",
            "T1,A1,2025-03-01T08:00:00Z,urgent,open,,,true,",
        ],
        [ImportKind.Invoices] =
        [
            "invoice_id,account_id,amount,due_on,issued_on,paid_on,status,currency",
            "I1,A1,1000,2025-03-31,2025-03-01,,,EUR",
        ],
        [ImportKind.Subscriptions] =
        [
            "account_id,kind,occurred_on,arr_delta,event_id",
            "A1,started,2024-01-15,1000,s1",
            "A2,expanded,2024-08-01,200,",
        ],
        [ImportKind.Orders] =
        [
            "order_id,account_id,placed_at,amount,returned_amount,status",
            "O1,A2,2025-03-01T12:00:00Z,99.5,,shipped",
        ],
        [ImportKind.Metrics] =
        [
            "account_id,metric,date,value",
            "A1,health,2025-03-01,70",
        ],
        [ImportKind.Sentiment] =
        [
            "account_id,rating,recorded_at,author,note",
            "A1,green,2025-03-01T10:00:00Z,ann@cs.example,fine",
            "A2,2,2025-03-01T10:00:00Z,,",
        ],
        [ImportKind.Touches] =
        [
            "touch_id,account_id,kind,occurred_at,author,text",
            "T1,A1,call,2025-03-01T10:00:00Z,ann@cs.example,\"Renewal call, all good\"",
            ",A2,note,2025-03-02,,",
        ],
    };

    /// <summary>The same rows as JSON Lines (every CSV field a JSON string, empty fields left out).</summary>
    private static string[] ToJsonLines(string[] csvLines)
    {
        var text = string.Concat(csvLines.Select(l => l + "\n"));
        var reader = new CsvRecordReader(new StringReader(text));
        var header = reader.Read()!;
        var lines = new List<string>();
        while (reader.Read() is { } record)
        {
            var obj = new Dictionary<string, string>();
            for (var i = 0; i < header.Length; i++)
            {
                if (record[i].Length > 0)
                {
                    obj[header[i]] = record[i];
                }
            }
            lines.Add(JsonSerializer.Serialize(obj));
        }
        return [.. lines];
    }

    private string WriteAllKinds(string folder, bool json)
    {
        foreach (var (kind, lines) in AllKinds)
        {
            if (json)
            {
                store.WriteJsonl(Path.Combine(folder, kind.Name() + ".jsonl"), ToJsonLines(lines));
            }
            else
            {
                store.WriteCsv(Path.Combine(folder, kind.Name() + ".csv"), lines);
            }
        }
        return Path.Combine(store.Dir, folder);
    }

    private static List<string[]> ReadCsvFile(string path)
    {
        var reader = new CsvRecordReader(new StringReader(File.ReadAllText(path)));
        var records = new List<string[]>();
        while (reader.Read() is { } r)
        {
            records.Add(r);
        }
        return records;
    }

    // ---- every kind lands with the right values ----

    [Fact]
    public void ImportFile_AccountsCsv_StoresEveryFieldAndUnknownColumnsAsAttributes()
    {
        var result = store.ImportCsv(ImportKind.Accounts,
            "account_id,name,segment,lifecycle_stage,owner,arr,seats,plan,started_on,renewal_on,parent_id,status,industry,region",
            "A1,\"Acme, Inc.\",Enterprise,adoption,ann@cs.example,120000.5,50,pro,2024-01-15,2025-01-15,P1,active,Retail,EU");

        result.Applied.ShouldBeTrue();
        result.Rows.ShouldBe(1);
        result.Changed.ShouldBe(1);
        var row = store.Row("SELECT * FROM accounts WHERE account_id = 'A1'");
        row["name"].ShouldBe("Acme, Inc.");
        row["segment"].ShouldBe("Enterprise");
        row["lifecycle_stage"].ShouldBe("adoption");
        row["owner"].ShouldBe("ann@cs.example");
        row["arr"].ShouldBe(120000.5);
        row["seats"].ShouldBe(50.0);
        row["plan"].ShouldBe("pro");
        row["started_on"].ShouldBe("2024-01-15");
        row["renewal_on"].ShouldBe("2025-01-15");
        row["parent_id"].ShouldBe("P1");
        row["status"].ShouldBe("active");
        row["status_churned_on"].ShouldBeNull();
        var attributes = JsonSerializer.Deserialize<Dictionary<string, string>>((string)row["attributes"]!)!;
        attributes.ShouldBe(new Dictionary<string, string> { ["industry"] = "Retail", ["region"] = "EU" });
    }

    [Fact]
    public void ImportFile_CsvWithByteOrderMarkAndReorderedColumns_ReadsTheHeader()
    {
        var path = Path.Combine(store.Dir, "bom.csv");
        File.WriteAllText(path, "value,date,metric,account_id\r\n5,2025-03-01,health,A1\r\n", new System.Text.UTF8Encoding(true));

        var result = store.Importer.ImportFile(ImportKind.Metrics, path, new ImportOptions());

        result.Applied.ShouldBeTrue();
        store.Row("SELECT metric, date, value FROM metrics")
            .ShouldBe(new Dictionary<string, object?> { ["metric"] = "health", ["date"] = "2025-03-01", ["value"] = 5.0 });
        store.Scalar<string>("SELECT account_id FROM accounts").ShouldBe("A1");
    }

    [Fact]
    public void ImportFile_AccountsWithNewAttribute_MergesWithTheKnownAttributes()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,industry,region", "A1,Retail,EU");

        store.ImportCsv(ImportKind.Accounts, "account_id,region,tier", "A1,US,gold").Changed.ShouldBe(1);

        var attributes = JsonSerializer.Deserialize<Dictionary<string, string>>(store.Scalar<string>("SELECT attributes FROM accounts"))!;
        attributes.ShouldBe(new Dictionary<string, string> { ["industry"] = "Retail", ["region"] = "US", ["tier"] = "gold" });
    }

    [Fact]
    public void ImportFile_AccountsWithoutUnknownColumns_HasNoAttributes()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "A1,Acme");

        store.Row("SELECT attributes FROM accounts")["attributes"].ShouldBeNull();
    }

    [Fact]
    public void ImportFile_UsageCsv_StoresEventsWithUtcTimesDefaultsAndProperties()
    {
        var result = store.ImportCsv(ImportKind.Usage,
            "account_id,occurred_at,event,user_id,event_id,count,value,browser",
            "A1,2025-03-01T23:30:00,login,u1,e1,3,2.5,firefox",
            "A1,2025-03-01T23:30:00-05:00,export,u2,,,,");

        result.Applied.ShouldBeTrue();
        result.Changed.ShouldBe(2);
        var rows = store.Rows(
            """
            SELECT e.day, n.name AS event, u.user_id, e.count, e.value, e.occurred_at, e.properties
            FROM usage_events e JOIN event_names n ON n.event_key = e.event_key LEFT JOIN users u ON u.user_key = e.user_key
            ORDER BY e.occurred_at
            """);
        rows.Count.ShouldBe(2);
        rows[0]["day"].ShouldBe((long)Day(2025, 3, 1)); // no offset: UTC
        rows[0]["event"].ShouldBe("login");
        rows[0]["user_id"].ShouldBe("u1");
        rows[0]["count"].ShouldBe(3L);
        rows[0]["value"].ShouldBe(2.5);
        rows[0]["properties"].ShouldBe("{\"browser\":\"firefox\"}");
        rows[1]["day"].ShouldBe((long)Day(2025, 3, 2)); // 23:30 at -05:00 is 04:30 UTC the next day
        rows[1]["event"].ShouldBe("export");
        rows[1]["count"].ShouldBe(1L); // count defaults to 1
        rows[1]["value"].ShouldBeNull();
        rows[1]["properties"].ShouldBeNull();
        store.Count("accounts").ShouldBe(1);
    }

    [Fact]
    public void ImportFile_SurveysCsv_StoresScoresKindsAndComments()
    {
        store.ImportCsv(ImportKind.Surveys,
            "account_id,kind,score,responded_at,response_id,contact,comment,channel",
            "A1,NPS,9,2025-03-01T09:00:00Z,r1,ann@acme.example,\"Great, \"\"really\"\"\",email",
            "A1,csat,4.5,2025-03-02,,,,").Applied.ShouldBeTrue();

        var rows = store.Rows("SELECT * FROM surveys ORDER BY responded_at");
        rows.Count.ShouldBe(2);
        rows[0]["kind"].ShouldBe("nps");
        rows[0]["score"].ShouldBe(9.0);
        rows[0]["responded_at"].ShouldBe("2025-03-01T09:00:00.0000000Z");
        rows[0]["response_id"].ShouldBe("r1");
        rows[0]["contact"].ShouldBe("ann@acme.example");
        rows[0]["comment"].ShouldBe("Great, \"really\"");
        rows[0]["properties"].ShouldBe("{\"channel\":\"email\"}");
        rows[1]["kind"].ShouldBe("csat");
        rows[1]["score"].ShouldBe(4.5);
        rows[1]["responded_at"].ShouldBe("2025-03-02T00:00:00.0000000Z");
        rows[1]["response_id"].ShouldBeNull();
        rows[1]["comment"].ShouldBeNull();
    }

    [Fact]
    public void ImportFile_TicketsCsv_StoresFieldsAndDefaults()
    {
        store.ImportCsv(ImportKind.Tickets,
            "ticket_id,account_id,opened_at,priority,status,first_response_at,closed_at,escalated,satisfaction,team",
            "T1,A1,2025-03-01T08:00:00Z,urgent,solved,2025-03-01T09:00:00Z,2025-03-02T08:00:00Z,true,good,tier2",
            "T2,A1,2025-03-03T08:00:00Z,,,,,,,").Applied.ShouldBeTrue();

        var t1 = store.Row("SELECT * FROM tickets WHERE ticket_id = 'T1'");
        t1["account_key"].ShouldBe(store.AccountKey("A1"));
        t1["opened_at"].ShouldBe("2025-03-01T08:00:00.0000000Z");
        t1["priority"].ShouldBe("urgent");
        t1["status"].ShouldBe("solved");
        t1["first_response_at"].ShouldBe("2025-03-01T09:00:00.0000000Z");
        t1["closed_at"].ShouldBe("2025-03-02T08:00:00.0000000Z");
        t1["escalated"].ShouldBe(1L);
        t1["satisfaction"].ShouldBe("good");
        t1["properties"].ShouldBe("{\"team\":\"tier2\"}");
        var t2 = store.Row("SELECT * FROM tickets WHERE ticket_id = 'T2'");
        t2["priority"].ShouldBe("normal");
        t2["status"].ShouldBe("open");
        t2["escalated"].ShouldBe(0L);
        t2["satisfaction"].ShouldBeNull();
        t2["closed_at"].ShouldBeNull();
    }

    [Fact]
    public void ImportFile_InvoicesCsv_StoresAmountsDatesAndStatus()
    {
        store.ImportCsv(ImportKind.Invoices,
            "invoice_id,account_id,amount,due_on,issued_on,paid_on,status,currency",
            "I1,A1,1000.25,2025-03-31,2025-03-01,2025-03-20,,EUR",
            "I2,A1,50,2025-04-30,,,failed,",
            "I3,A1,75,2025-05-31,,,,").Applied.ShouldBeTrue();

        var i1 = store.Row("SELECT * FROM invoices WHERE invoice_id = 'I1'");
        i1["amount"].ShouldBe(1000.25);
        i1["due_on"].ShouldBe("2025-03-31");
        i1["issued_on"].ShouldBe("2025-03-01");
        i1["paid_on"].ShouldBe("2025-03-20");
        i1["status"].ShouldBe("paid"); // paid_on given, no status
        i1["currency"].ShouldBe("EUR");
        store.Row("SELECT status FROM invoices WHERE invoice_id = 'I2'")["status"].ShouldBe("failed");
        store.Row("SELECT status, paid_on FROM invoices WHERE invoice_id = 'I3'")["status"].ShouldBe("open");
    }

    [Fact]
    public void ImportFile_SubscriptionsCsv_StoresEvents()
    {
        store.ImportCsv(ImportKind.Subscriptions,
            "account_id,kind,occurred_on,arr_delta,event_id,source",
            "A1,started,2024-01-15,1000,s1,crm",
            "A1,Expanded,2024-06-01,500.5,,").Applied.ShouldBeTrue();

        var rows = store.Rows("SELECT * FROM subscriptions ORDER BY occurred_on");
        rows.Count.ShouldBe(2);
        rows[0]["kind"].ShouldBe("started");
        rows[0]["occurred_on"].ShouldBe("2024-01-15");
        rows[0]["arr_delta"].ShouldBe(1000.0);
        rows[0]["event_id"].ShouldBe("s1");
        rows[0]["properties"].ShouldBe("{\"source\":\"crm\"}");
        rows[1]["kind"].ShouldBe("expanded");
        rows[1]["arr_delta"].ShouldBe(500.5);
        rows[1]["event_id"].ShouldBeNull();
    }

    [Fact]
    public void ImportFile_OrdersCsv_StoresAmountsAndDefaultsReturnedToZero()
    {
        store.ImportCsv(ImportKind.Orders,
            "order_id,account_id,placed_at,amount,returned_amount,status",
            "O1,C1,2025-03-01T12:00:00Z,99.9,10,shipped",
            "O2,C1,2025-03-02T12:00:00+02:00,20,,").Applied.ShouldBeTrue();

        var o1 = store.Row("SELECT * FROM orders WHERE order_id = 'O1'");
        o1["placed_at"].ShouldBe("2025-03-01T12:00:00.0000000Z");
        o1["amount"].ShouldBe(99.9);
        o1["returned_amount"].ShouldBe(10.0);
        o1["status"].ShouldBe("shipped");
        var o2 = store.Row("SELECT * FROM orders WHERE order_id = 'O2'");
        o2["placed_at"].ShouldBe("2025-03-02T10:00:00.0000000Z");
        o2["returned_amount"].ShouldBe(0.0);
        o2["status"].ShouldBeNull();
    }

    [Fact]
    public void ImportFile_MetricsCsv_StoresValues()
    {
        store.ImportCsv(ImportKind.Metrics,
            "account_id,metric,date,value,unit",
            "A1,seats_used,2025-03-01,42.5,seats").Applied.ShouldBeTrue();

        var row = store.Row("SELECT * FROM metrics");
        row["account_key"].ShouldBe(store.AccountKey("A1"));
        row["metric"].ShouldBe("seats_used");
        row["date"].ShouldBe("2025-03-01");
        row["value"].ShouldBe(42.5);
        row["properties"].ShouldBe("{\"unit\":\"seats\"}");
    }

    [Fact]
    public void ImportFile_SentimentCsv_MapsColorsToRatings()
    {
        store.ImportCsv(ImportKind.Sentiment,
            "account_id,rating,recorded_at,author,note",
            "A1,green,2025-03-01T10:00:00Z,csm@cs.example,\"Happy, renewing\"",
            "A1,Red,2025-03-02T10:00:00Z,csm@cs.example,",
            "A1,yellow,2025-03-03T10:00:00Z,,",
            "A1,2,2025-03-04T10:00:00Z,,").Applied.ShouldBeTrue();

        var rows = store.Rows("SELECT * FROM sentiment ORDER BY recorded_at");
        rows.Select(r => r["rating"]).ShouldBe([5L, 1L, 3L, 2L]);
        rows[0]["author"].ShouldBe("csm@cs.example");
        rows[0]["note"].ShouldBe("Happy, renewing");
        rows[0]["recorded_at"].ShouldBe("2025-03-01T10:00:00.0000000Z");
        rows[2]["author"].ShouldBe("");
        rows[2]["note"].ShouldBeNull();
    }

    [Fact]
    public void ImportFile_JsonLinesWithTypedValues_StoresLikeCsv()
    {
        store.ImportJsonl(ImportKind.Usage,
            """{"account_id":"A1","occurred_at":"2025-03-01T10:00:00Z","event":"login","user_id":"u1","count":3,"value":2.5,"meta":{"k":1}}""",
            """{"event":"logout","account_id":"A1","occurred_at":"2025-03-01T11:00:00Z","user_id":null}""").Applied.ShouldBeTrue();
        store.ImportJsonl(ImportKind.Tickets,
            """{"ticket_id":"T1","account_id":"A1","opened_at":"2025-03-01T08:00:00Z","priority":"high","escalated":true}""").Applied.ShouldBeTrue();
        store.ImportJsonl(ImportKind.Surveys,
            """{"account_id":"A1","kind":"nps","score":10,"responded_at":"2025-03-01T09:00:00Z","comment":"line one\nline two"}""").Applied.ShouldBeTrue();

        var usage = store.Rows("SELECT count, value, user_key, properties FROM usage_events ORDER BY occurred_at");
        usage[0]["count"].ShouldBe(3L);
        usage[0]["value"].ShouldBe(2.5);
        JsonSerializer.Deserialize<Dictionary<string, string>>((string)usage[0]["properties"]!)!["meta"].ShouldBe("{\"k\":1}");
        usage[1]["count"].ShouldBe(1L);
        usage[1]["user_key"].ShouldBeNull();
        var ticket = store.Row("SELECT priority, escalated FROM tickets");
        ticket["priority"].ShouldBe("high");
        ticket["escalated"].ShouldBe(1L);
        var survey = store.Row("SELECT score, comment FROM surveys");
        survey["score"].ShouldBe(10.0);
        survey["comment"].ShouldBe("line one\nline two");
    }

    [Fact]
    public void ImportDirectory_SameRowsAsCsvOrJsonLines_GiveTheSameTables()
    {
        using var other = new TestStore(engine);
        var csvDir = WriteAllKinds("csv", json: false);
        store.Importer.ImportDirectory(csvDir, new ImportOptions()).ShouldAllBe(r => r.Applied);

        var jsonDir = Path.Combine(other.Dir, "json");
        foreach (var (kind, lines) in AllKinds)
        {
            other.WriteJsonl(Path.Combine("json", kind.Name() + ".jsonl"), ToJsonLines(lines));
        }
        other.Importer.ImportDirectory(jsonDir, new ImportOptions()).ShouldAllBe(r => r.Applied);

        other.DumpSignals().ShouldBe(store.DumpSignals());
    }

    // ---- identity ----

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ImportDirectory_SameFilesTwice_SecondImportChangesNothing(bool json)
    {
        var dir = WriteAllKinds("in", json);
        var first = store.Importer.ImportDirectory(dir, new ImportOptions());
        first.ShouldAllBe(r => r.Applied && r.Changed == r.Rows);
        var before = store.DumpSignals();

        var second = store.Importer.ImportDirectory(dir, new ImportOptions());

        second.Count.ShouldBe(AllKinds.Count);
        second.ShouldAllBe(r => r.Applied && r.Changed == 0 && r.Unchanged == r.Rows);
        store.DumpSignals().ShouldBe(before);
    }

    [Fact]
    public void ImportFile_AccountAgainWithNewValues_UpdatesTheOneRow()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name,arr,segment", "A1,Acme,1000,SMB");

        var result = store.ImportCsv(ImportKind.Accounts, "account_id,name,arr", "A1,Acme Corp,2000");

        result.Changed.ShouldBe(1);
        var row = store.Row("SELECT * FROM accounts");
        row["name"].ShouldBe("Acme Corp");
        row["arr"].ShouldBe(2000.0);
        row["segment"].ShouldBe("SMB");
    }

    [Fact]
    public void ImportFile_UsageSameEventIdNewValues_UpdatesNeverDuplicates()
    {
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id,count", "A1,2025-03-01T10:00:00Z,login,u1,e1,1");

        var result = store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id,count", "A1,2025-03-01T10:00:00Z,login,u1,e1,4");

        result.Changed.ShouldBe(1);
        store.Count("usage_events").ShouldBe(1);
        store.Scalar<long>("SELECT count FROM usage_events").ShouldBe(4);
    }

    [Fact]
    public void ImportFile_UsageWithoutEventId_WholeRowIsTheIdentity()
    {
        const string header = "account_id,occurred_at,event,user_id,count";
        store.ImportCsv(ImportKind.Usage, header, "A1,2025-03-01T10:00:00Z,login,u1,1", "A1,2025-03-01T10:00:00Z,login,u1,1")
            .Changed.ShouldBe(1);

        var again = store.ImportCsv(ImportKind.Usage, header, "A1,2025-03-01T10:00:00Z,login,u1,1", "A1,2025-03-01T10:00:00Z,login,u1,2");

        again.Changed.ShouldBe(1);
        again.Unchanged.ShouldBe(1);
        store.Count("usage_events").ShouldBe(2);
        store.UsageCells().Sum(c => c.Count).ShouldBe(3);
    }

    [Fact]
    public void ImportFile_SurveySameResponseIdNewScore_Updates()
    {
        const string header = "account_id,kind,score,responded_at,response_id";
        store.ImportCsv(ImportKind.Surveys, header, "A1,nps,3,2025-03-01T09:00:00Z,r1");

        store.ImportCsv(ImportKind.Surveys, header, "A1,nps,8,2025-03-01T09:00:00Z,r1").Changed.ShouldBe(1);

        store.Count("surveys").ShouldBe(1);
        store.Scalar<double>("SELECT score FROM surveys").ShouldBe(8);
    }

    [Fact]
    public void ImportFile_SurveysWithoutResponseId_WholeRowIsTheIdentity()
    {
        const string header = "account_id,kind,score,responded_at,contact";
        store.ImportCsv(ImportKind.Surveys, header, "A1,nps,3,2025-03-01T09:00:00Z,ann");
        store.ImportCsv(ImportKind.Surveys, header, "A1,nps,3,2025-03-01T09:00:00Z,ann").Changed.ShouldBe(0);
        store.Count("surveys").ShouldBe(1);

        store.ImportCsv(ImportKind.Surveys, header, "A1,nps,8,2025-03-01T09:00:00Z,ann").Changed.ShouldBe(1);

        store.Count("surveys").ShouldBe(2);
    }

    [Fact]
    public void ImportFile_TicketInvoiceOrderSameIdNewValues_UpdateInPlace()
    {
        store.ImportCsv(ImportKind.Tickets, "ticket_id,account_id,opened_at,status", "T1,A1,2025-03-01T08:00:00Z,open");
        store.ImportCsv(ImportKind.Invoices, "invoice_id,account_id,amount,due_on", "I1,A1,100,2025-03-31");
        store.ImportCsv(ImportKind.Orders, "order_id,account_id,placed_at,amount", "O1,A1,2025-03-01T08:00:00Z,10");

        store.ImportCsv(ImportKind.Tickets, "ticket_id,account_id,opened_at,status,closed_at", "T1,A1,2025-03-01T08:00:00Z,closed,2025-03-02T08:00:00Z")
            .Changed.ShouldBe(1);
        store.ImportCsv(ImportKind.Invoices, "invoice_id,account_id,amount,due_on,paid_on", "I1,A1,100,2025-03-31,2025-03-30").Changed.ShouldBe(1);
        store.ImportCsv(ImportKind.Orders, "order_id,account_id,placed_at,amount,returned_amount", "O1,A1,2025-03-01T08:00:00Z,10,5").Changed.ShouldBe(1);

        store.Row("SELECT COUNT(*) AS n, MAX(status) AS status, MAX(closed_at) AS closed FROM tickets")
            .ShouldBe(new Dictionary<string, object?> { ["n"] = 1L, ["status"] = "closed", ["closed"] = "2025-03-02T08:00:00.0000000Z" });
        store.Row("SELECT COUNT(*) AS n, MAX(status) AS status FROM invoices")
            .ShouldBe(new Dictionary<string, object?> { ["n"] = 1L, ["status"] = "paid" });
        store.Row("SELECT COUNT(*) AS n, MAX(returned_amount) AS r FROM orders")
            .ShouldBe(new Dictionary<string, object?> { ["n"] = 1L, ["r"] = 5.0 });
    }

    [Fact]
    public void ImportFile_SubscriptionsWithoutEventId_AccountKindAndDateAreTheIdentity()
    {
        const string header = "account_id,kind,occurred_on,arr_delta";
        store.ImportCsv(ImportKind.Subscriptions, header, "A1,expanded,2024-06-01,500");

        store.ImportCsv(ImportKind.Subscriptions, header, "A1,expanded,2024-06-01,700").Changed.ShouldBe(1);
        store.Count("subscriptions").ShouldBe(1);
        store.Scalar<double>("SELECT arr_delta FROM subscriptions").ShouldBe(700);
        // The same row again changes nothing, and the store's count of changes stands.
        var changes = store.Db.Engine.PortfolioChanges(store.Db.Connection);
        store.ImportCsv(ImportKind.Subscriptions, header, "A1,expanded,2024-06-01,700").Changed.ShouldBe(0);
        store.Db.Engine.PortfolioChanges(store.Db.Connection).ShouldBe(changes);

        store.ImportCsv(ImportKind.Subscriptions, header, "A1,expanded,2024-07-01,700", "A1,contracted,2024-06-01,-100", "A2,expanded,2024-06-01,700")
            .Changed.ShouldBe(3);
        store.Count("subscriptions").ShouldBe(4);
    }

    [Fact]
    public void ImportFile_SubscriptionSameEventIdNewDate_UpdatesTheEvent()
    {
        const string header = "account_id,kind,occurred_on,arr_delta,event_id";
        store.ImportCsv(ImportKind.Subscriptions, header, "A1,renewed,2024-06-01,0,sub-9");

        store.ImportCsv(ImportKind.Subscriptions, header, "A1,renewed,2024-06-03,0,sub-9").Changed.ShouldBe(1);

        store.Count("subscriptions").ShouldBe(1);
        store.Scalar<string>("SELECT occurred_on FROM subscriptions").ShouldBe("2024-06-03");
    }

    [Fact]
    public void ImportFile_MetricsSameAccountMetricDate_UpdatesTheValue()
    {
        const string header = "account_id,metric,date,value";
        store.ImportCsv(ImportKind.Metrics, header, "A1,health,2025-03-01,40");

        store.ImportCsv(ImportKind.Metrics, header, "A1,health,2025-03-01,55").Changed.ShouldBe(1);
        store.ImportCsv(ImportKind.Metrics, header, "A1,health,2025-03-01,55").Changed.ShouldBe(0);

        store.Count("metrics").ShouldBe(1);
        store.Scalar<double>("SELECT value FROM metrics").ShouldBe(55);
        store.ImportCsv(ImportKind.Metrics, header, "A1,health,2025-03-02,55", "A1,other,2025-03-01,55", "A2,health,2025-03-01,55").Changed.ShouldBe(3);
        store.Count("metrics").ShouldBe(4);
    }

    [Fact]
    public void ImportFile_SentimentSameAccountAuthorTime_UpdatesTheRating()
    {
        const string header = "account_id,rating,recorded_at,author,note";
        store.ImportCsv(ImportKind.Sentiment, header, "A1,green,2025-03-01T10:00:00Z,ann,ok");

        store.ImportCsv(ImportKind.Sentiment, header, "A1,red,2025-03-01T10:00:00Z,ann,worse").Changed.ShouldBe(1);

        store.Count("sentiment").ShouldBe(1);
        store.Row("SELECT rating, note FROM sentiment").ShouldBe(new Dictionary<string, object?> { ["rating"] = 1L, ["note"] = "worse" });
        store.ImportCsv(ImportKind.Sentiment, header, "A1,red,2025-03-01T10:00:00Z,bob,", "A1,red,2025-03-01T10:00:01Z,ann,worse").Changed.ShouldBe(2);
        store.Count("sentiment").ShouldBe(3);
    }

    [Fact]
    public void ImportFile_SignalForUnknownAccount_CreatesABareAccount()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "A1,Acme");

        store.ImportCsv(ImportKind.Tickets, "ticket_id,account_id,opened_at", "T1,NEW-7,2025-03-01T08:00:00Z").Applied.ShouldBeTrue();

        var row = store.Row("SELECT * FROM accounts WHERE account_id = 'NEW-7'");
        row["name"].ShouldBeNull();
        row["status"].ShouldBe("active");
        store.Count("accounts").ShouldBe(2);
        store.Scalar<long>("SELECT account_key FROM tickets").ShouldBe(store.AccountKey("NEW-7"));
    }

    [Fact]
    public void ImportFile_AccountStatusChurned_MarksTheChurnDateAndActiveUndoesIt()
    {
        store.Clock.SetDate(new DateOnly(2025, 3, 10));
        store.ImportCsv(ImportKind.Accounts, "account_id,status", "A1,churned");
        store.Row("SELECT status, status_churned_on FROM accounts")
            .ShouldBe(new Dictionary<string, object?> { ["status"] = "churned", ["status_churned_on"] = "2025-03-10" });

        store.Clock.SetDate(new DateOnly(2025, 3, 20));
        store.ImportCsv(ImportKind.Accounts, "account_id,status", "A1,churned").Changed.ShouldBe(0);
        store.Scalar<string>("SELECT status_churned_on FROM accounts").ShouldBe("2025-03-10");

        store.ImportCsv(ImportKind.Accounts, "account_id,status", "A1,active").Changed.ShouldBe(1);
        store.Row("SELECT status, status_churned_on FROM accounts")
            .ShouldBe(new Dictionary<string, object?> { ["status"] = "active", ["status_churned_on"] = null });
    }

    [Fact]
    public void ImportFile_ManyNewAccountsNamedAgain_EachRowAppliedInTurn()
    {
        // More new accounts than a writer looks up one by one (on PostgreSQL the rest are created together at the end,
        // with what the file's later rows for them change): every row counts and applies as it would alone.
        store.Clock.SetDate(new DateOnly(2025, 3, 10));
        store.ImportCsv(ImportKind.Accounts, "account_id,name,segment,arr,status,region", "S0,Stored,SMB,100,churned,EU");
        store.Clock.SetDate(new DateOnly(2025, 3, 20));
        string[] lines =
        [
            "account_id,name,segment,arr,status,region",
            .. Enumerable.Range(0, 100).Select(i => $"N{i:000},Name {i},,{i * 10},,"),
            "N090,,Enterprise,,,APAC", "N090,,Enterprise,,,", // a segment and an attribute; then nothing new
            "N091,,,,churned,", "N091,,,,churned,", // churned today; then the same
            "N092,,,,churned,", "N092,,,,active,", // churned, then active again
            "N100,,,,,", "N100,,,,,", // a new account with only its id; then the same
            "S0,Stored Again,,,,", "S0,,,,churned,", // a stored account renamed; then churned as it was
            "N093,,,,,US", "N093,,,,,EU", // an attribute, then another value of it
        ];

        var result = store.ImportCsv(ImportKind.Accounts, lines);

        result.Changed.ShouldBe(108);
        result.Unchanged.ShouldBe(4);
        var rows = store.Query<(string, string?, string?, double?, string, string?, string?)>(
            "SELECT account_id, name, segment, arr, status, status_churned_on, attributes FROM accounts ORDER BY account_key").ToList();
        rows.Select(r => r.Item1).ShouldBe(["S0", .. Enumerable.Range(0, 101).Select(i => $"N{i:000}")]);
        rows.Single(r => r.Item1 == "N090").ShouldBe(("N090", "Name 90", "Enterprise", 900.0, "active", null, """{"region":"APAC"}"""));
        rows.Single(r => r.Item1 == "N091").ShouldBe(("N091", "Name 91", null, 910.0, "churned", "2025-03-20", null));
        rows.Single(r => r.Item1 == "N092").ShouldBe(("N092", "Name 92", null, 920.0, "active", null, null));
        rows.Single(r => r.Item1 == "N093").ShouldBe(("N093", "Name 93", null, 930.0, "active", null, """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "N100").ShouldBe(("N100", null, null, null, "active", null, null));
        rows.Single(r => r.Item1 == "S0").ShouldBe(("S0", "Stored Again", "SMB", 100.0, "churned", "2025-03-10", """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "N042").ShouldBe(("N042", "Name 42", null, 420.0, "active", null, null));
    }

    [Fact]
    public void ImportFile_ManyStoredAccountsNamedAgain_EachRowAppliedInTurnAndOnlyChangedOnesMarked()
    {
        // More stored accounts than a writer looks up one by one on either store (the rest are read together, the rows
        // applied in memory and the changed accounts written together): each row counts and applies as it would alone,
        // and only the accounts a row changed are marked for scoring.
        store.Clock.SetDate(new DateOnly(2025, 3, 10));
        string[] first =
        [
            "account_id,name,arr,status,region",
            .. Enumerable.Range(0, 2100).Select(i => $"S{i:0000},Name {i},{i},{(i % 500 == 0 ? "churned" : "active")},EU"),
        ];
        store.ImportCsv(ImportKind.Accounts, first).Changed.ShouldBe(2100);
        store.Db.Connection.Execute("DELETE FROM dirty_accounts");
        store.Clock.SetDate(new DateOnly(2025, 3, 20));
        string[] again =
        [
            "account_id,name,arr,status,region",
            .. first.Skip(1), // nothing differs
            "S2050,Renamed,,,", "S2050,Renamed,,,", // renamed; then the same
            "S2000,,,churned,", // churned on 2025-03-10: stays so, nothing differs
            "S2051,,,churned,", "S2051,,,active,", // churned today; then active again
            "S2052,,,churned,", // churned today
            "S2053,,,,US", "S2053,,7.5,,", // an attribute's value; then the ARR
            "S2054,,,,", // only its id
            "NEW1,,,,APAC", // a new account among them
        ];

        var result = store.ImportCsv(ImportKind.Accounts, again);

        result.Changed.ShouldBe(7);
        result.Unchanged.ShouldBe(2100 + 3);
        var rows = store.Query<(string, string?, double?, string, string?, string?)>(
            "SELECT account_id, name, arr, status, status_churned_on, attributes FROM accounts ORDER BY account_key").ToList();
        rows.Count.ShouldBe(2101);
        rows.Single(r => r.Item1 == "S2050").ShouldBe(("S2050", "Renamed", 2050.0, "active", null, """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "S2000").ShouldBe(("S2000", "Name 2000", 2000.0, "churned", "2025-03-10", """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "S2051").ShouldBe(("S2051", "Name 2051", 2051.0, "active", null, """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "S2052").ShouldBe(("S2052", "Name 2052", 2052.0, "churned", "2025-03-20", """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "S2053").ShouldBe(("S2053", "Name 2053", 7.5, "active", null, """{"region":"US"}"""));
        rows.Single(r => r.Item1 == "S2054").ShouldBe(("S2054", "Name 2054", 2054.0, "active", null, """{"region":"EU"}"""));
        rows.Single(r => r.Item1 == "NEW1").ShouldBe(("NEW1", null, null, "active", null, """{"region":"APAC"}"""));
        store.Query<long>("SELECT account_key FROM dirty_accounts ORDER BY account_key")
            .ShouldBe(new[] { "S2050", "S2051", "S2052", "S2053", "NEW1" }.Select(store.AccountKey).Order().ToList());
    }

    // ---- all or nothing ----

    [Fact]
    public void ImportFile_OneBadRow_ImportsNothingAndListsEveryErrorWithLineAndField()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "A1,Acme");
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "A1,nps,7,2025-02-01T00:00:00Z");
        var before = store.DumpSignals();

        var result = store.ImportCsv(ImportKind.Surveys,
            "account_id,kind,score,responded_at",
            "A1,nps,9,2025-03-01T00:00:00Z",
            "NEW,nps,11,2025-03-01T00:00:00Z",
            "A1,csat,4,2025-03-02T00:00:00Z",
            ",nps,x,yesterday",
            "A2,nps,5,2025-03-03T00:00:00Z");

        result.Applied.ShouldBeFalse();
        result.Changed.ShouldBe(0);
        result.Rows.ShouldBe(5);
        result.Rejected.ShouldBe(2);
        result.RejectedFile.ShouldBeNull();
        result.Errors.Select(e => (e.Line, e.Field)).ShouldBe([(3, "score"), (5, "account_id"), (5, "score"), (5, "responded_at")], ignoreOrder: true);
        result.ErrorCount.ShouldBe(4);
        result.Errors.ShouldAllBe(e => e.File.EndsWith(".csv"));
        result.Errors.Single(e => e.Line == 3).Reason.ShouldContain("between 0 and 10");
        store.DumpSignals().ShouldBe(before);
        store.Count("accounts").ShouldBe(1);
    }

    [Fact]
    public void ImportFile_MoreThanAHundredErrors_ListsTheFirstHundredAndCountsAll()
    {
        var lines = new List<string> { "account_id,metric,date,value" };
        for (var i = 0; i < 150; i++)
        {
            lines.Add($"A{i},health,2025-03-01,not-a-number");
        }

        var result = store.ImportCsv(ImportKind.Metrics, [.. lines]);

        result.Applied.ShouldBeFalse();
        result.Errors.Count.ShouldBe(100);
        result.ErrorCount.ShouldBe(150);
        result.Rejected.ShouldBe(150);
        result.Errors[0].Line.ShouldBe(2);
        result.Errors[99].Line.ShouldBe(101);
        store.Count("metrics").ShouldBe(0);
    }

    [Fact]
    public void ImportFile_MoreFieldsThanTheHeader_IsAnError()
    {
        var result = store.ImportCsv(ImportKind.Metrics, "account_id,metric,date,value", "A1,health,2025-03-01,5,surplus");

        result.Applied.ShouldBeFalse();
        result.Errors.ShouldHaveSingleItem().Line.ShouldBe(2);
        store.Count("metrics").ShouldBe(0);
    }

    [Fact]
    public void ImportFile_ErrorAfterMultiLineQuotedField_ReportsTheLineTheRowStartsOn()
    {
        var result = store.ImportCsv(ImportKind.Surveys,
            "account_id,kind,score,responded_at,comment",
            "A1,nps,9,2025-03-01T00:00:00Z,\"first, line",
            "second \"\"line\"\"\"",
            "A1,nps,99,2025-03-02T00:00:00Z,plain",
            "A1,csat,4,2025-03-02T00:00:00Z,\"a",
            "b\"",
            "A1,ces,0,2025-03-02T00:00:00Z,");

        result.Applied.ShouldBeFalse();
        result.Errors.Select(e => (e.Line, e.Field)).ShouldBe([(4, "score"), (7, "score")]);
    }

    [Fact]
    public void ImportFile_QuotedFieldsWithCommasQuotesAndNewlines_LandUnchanged()
    {
        store.ImportCsv(ImportKind.Surveys,
            "account_id,kind,score,responded_at,comment",
            "A1,nps,9,2025-03-01T00:00:00Z,\"one, \"\"two\"\"",
            "three\"").Applied.ShouldBeTrue();

        store.Scalar<string>("SELECT comment FROM surveys").ShouldBe("one, \"two\"\nthree");
    }

    [Fact]
    public void ImportFile_UnclosedQuote_ImportsNothingAndReportsTheLine()
    {
        var result = store.ImportCsv(ImportKind.Metrics,
            "account_id,metric,date,value",
            "A1,health,2025-03-01,5",
            "A2,\"health,2025-03-01,5");

        result.Applied.ShouldBeFalse();
        result.Errors.ShouldHaveSingleItem().Line.ShouldBe(3);
        store.Count("metrics").ShouldBe(0);
        store.Count("accounts").ShouldBe(0);
    }

    [Fact]
    public void ImportFile_JsonLinesWithInvalidJson_ReportsTheLine()
    {
        var result = store.ImportJsonl(ImportKind.Metrics,
            """{"account_id":"A1","metric":"health","date":"2025-03-01","value":5}""",
            "",
            """{"account_id":"A2","metric":"health",""",
            """["not","an","object"]""",
            """{"account_id":"A3","metric":"health","date":"2025-03-01","value":"x"}""");

        result.Applied.ShouldBeFalse();
        result.Errors.Select(e => (e.Line, e.Field)).ShouldBe([(3, "(line)"), (4, "(line)"), (5, "value")]);
        result.Errors[0].Reason.ShouldContain("JSON");
        result.Errors.ShouldAllBe(e => e.File.EndsWith(".jsonl"));
        store.Count("metrics").ShouldBe(0);
    }

    // ---- skip invalid ----

    [Fact]
    public void ImportFile_SkipInvalidCsv_ValidRowsLandAndRejectedRowsAreWrittenUnchangedWithError()
    {
        string[] lines =
        [
            "account_id,kind,score,responded_at,comment",
            "A1,nps,9,2025-03-01T00:00:00Z,\"good, \"\"very\"\"\"",
            "A2,nps,42,2025-03-01T00:00:00Z,\"too, high\"",
            "A3,csat,4,2025-03-01T00:00:00Z,",
            ",nps,5,2025-03-01T00:00:00Z,\"multi",
            "line\"",
            "A5,ces,7,2025-03-02T00:00:00Z,ok",
        ];
        var file = store.WriteCsv("surveys.csv", lines);

        var result = store.Importer.ImportFile(ImportKind.Surveys, file, SkipInvalid);

        result.Applied.ShouldBeTrue();
        result.Rows.ShouldBe(5);
        result.Changed.ShouldBe(3);
        result.Rejected.ShouldBe(2);
        result.RejectedFile.ShouldBe(file + ".rejected.csv");
        store.Query<string>("SELECT a.account_id FROM surveys s JOIN accounts a USING (account_key) ORDER BY 1").ShouldBe(["A1", "A3", "A5"]);
        var rejected = ReadCsvFile(file + ".rejected.csv");
        rejected[0].ShouldBe(["account_id", "kind", "score", "responded_at", "comment", "_error"]);
        rejected.Count.ShouldBe(3);
        rejected[1][..5].ShouldBe(["A2", "nps", "42", "2025-03-01T00:00:00Z", "too, high"]);
        rejected[1][5].ShouldContain("score");
        rejected[2][..5].ShouldBe(["", "nps", "5", "2025-03-01T00:00:00Z", "multi\nline"]);
        rejected[2][5].ShouldContain("account_id");
        (result.Changed + result.Unchanged + (rejected.Count - 1)).ShouldBe(result.Rows);
    }

    [Fact]
    public void ImportFile_SkipInvalidJsonLines_RejectedObjectsKeepTheirFieldsAndGainError()
    {
        var file = store.WriteJsonl("metrics.jsonl",
            """{"account_id":"A1","metric":"health","date":"2025-03-01","value":5}""",
            """{"account_id":"A2","metric":"health","date":"03/01/2025","value":6,"note":"x"}""",
            """{"account_id":"A3","metric":"health",""",
            """{"account_id":"A4","metric":"health","date":"2025-03-01","value":7}""");

        var result = store.Importer.ImportFile(ImportKind.Metrics, file, SkipInvalid);

        result.Applied.ShouldBeTrue();
        result.Changed.ShouldBe(2);
        result.Rejected.ShouldBe(2);
        result.RejectedFile.ShouldBe(file + ".rejected.jsonl");
        store.Query<string>("SELECT a.account_id FROM metrics m JOIN accounts a USING (account_key) ORDER BY 1").ShouldBe(["A1", "A4"]);
        var rejected = File.ReadAllLines(file + ".rejected.jsonl");
        rejected.Length.ShouldBe(2);
        using var first = JsonDocument.Parse(rejected[0]);
        first.RootElement.GetProperty("account_id").GetString().ShouldBe("A2");
        first.RootElement.GetProperty("date").GetString().ShouldBe("03/01/2025");
        first.RootElement.GetProperty("value").GetInt32().ShouldBe(6);
        first.RootElement.GetProperty("note").GetString().ShouldBe("x");
        first.RootElement.GetProperty("_error").GetString()!.ShouldContain("date");
        using var second = JsonDocument.Parse(rejected[1]);
        second.RootElement.GetProperty("_error").GetString()!.ShouldNotBeEmpty();
        rejected[1].ShouldContain("A3");
    }

    [Fact]
    public void ImportFile_SkipInvalidWithNoBadRow_WritesNoRejectedFile()
    {
        var file = store.WriteCsv("metrics.csv", "account_id,metric,date,value", "A1,health,2025-03-01,5");

        var result = store.Importer.ImportFile(ImportKind.Metrics, file, SkipInvalid);

        result.Applied.ShouldBeTrue();
        result.RejectedFile.ShouldBeNull();
        File.Exists(file + ".rejected.csv").ShouldBeFalse();
    }

    [Fact]
    public void ImportFile_SkipInvalidManyRows_EveryRowLandsOrIsRejected()
    {
        var lines = new List<string> { "account_id,occurred_at,event,event_id,count" };
        for (var i = 0; i < 60; i++)
        {
            lines.Add(i % 7 == 3
                ? $"A{i % 5},2025-03-01T00:00:00Z,login,ev{i},-1"
                : i % 11 == 5 ? $"A{i % 5},not-a-time,login,ev{i},1" : $"A{i % 5},2025-03-01T00:00:{i % 60:00}Z,login,ev{i},{i}");
        }
        var file = store.WriteCsv("usage.csv", [.. lines]);

        var result = store.Importer.ImportFile(ImportKind.Usage, file, SkipInvalid);

        var rejected = ReadCsvFile(file + ".rejected.csv").Skip(1).ToList();
        var landed = (int)store.Count("usage_events");
        (landed + rejected.Count).ShouldBe(60);
        rejected.Count.ShouldBe(result.Rejected);
        landed.ShouldBe(result.Changed);
        var ids = rejected.Select(r => r[3]).Concat(store.Query<long>("SELECT count FROM usage_events").Select(c => "ev" + c)).ToList();
        ids.ShouldBe(Enumerable.Range(0, 60).Select(i => "ev" + i), ignoreOrder: true);
    }

    [Fact]
    public void ImportFile_SkipInvalidShortRow_ErrorGoesInTheErrorColumn()
    {
        var file = store.WriteCsv("usage.csv",
            "account_id,occurred_at,event,user_id",
            "A1,2025-03-01T00:00:00Z,login,u1",
            "A2,2025-03-01T00:00:00Z");

        var result = store.Importer.ImportFile(ImportKind.Usage, file, SkipInvalid);

        result.Rejected.ShouldBe(1);
        var rejected = ReadCsvFile(file + ".rejected.csv");
        var errorColumn = Array.IndexOf(rejected[0], "_error");
        errorColumn.ShouldBe(4);
        rejected[1][0].ShouldBe("A2");
        rejected[1][1].ShouldBe("2025-03-01T00:00:00Z");
        rejected[1].Length.ShouldBeGreaterThan(errorColumn, "the rejected row has no _error field: " + string.Join(" | ", rejected[1]));
        rejected[1][errorColumn].ShouldContain("event");
    }

    [Fact]
    public void ImportFile_SkipInvalidWithAStrayQuote_OtherRowsStillLandAndTheBadRowIsRejected()
    {
        var file = store.WriteCsv("metrics.csv",
            "account_id,metric,date,value",
            "A1,health,2025-03-01,5",
            "A2,\"health\"x,2025-03-01,6",
            "A3,health,2025-03-01,7");

        var result = store.Importer.ImportFile(ImportKind.Metrics, file, SkipInvalid);

        var landed = store.Query<string>("SELECT a.account_id FROM metrics m JOIN accounts a USING (account_key) ORDER BY 1");
        var rejectedRows = File.Exists(file + ".rejected.csv") ? ReadCsvFile(file + ".rejected.csv").Count - 1 : 0;
        (landed.Count + rejectedRows).ShouldBe(3, $"every input row either lands or is in the rejected file; landed: {string.Join(",", landed)}, rejected: {rejectedRows}, errors: {string.Join("; ", result.Errors)}");
        landed.ShouldBe(["A1", "A3"]);
    }

    [Fact]
    public void ImportFile_JsonArrayFile_ImportsEachElementAndReportsBadOnesByIndex()
    {
        var file = store.WriteFile("metrics.json",
            """[{"account_id":"J1","metric":"m","date":"2025-01-01","value":3},{"account_id":"J2","metric":"m","date":"2025-01-01","value":"x"}]""");

        var refused = store.Importer.ImportFile(ImportKind.Metrics, file, new ImportOptions());
        refused.Applied.ShouldBeFalse();
        refused.Errors.ShouldHaveSingleItem().ShouldSatisfyAllConditions(e => e.Line.ShouldBe(2), e => e.Field.ShouldBe("value"));
        store.Count("metrics").ShouldBe(0);

        var partial = store.Importer.ImportFile(ImportKind.Metrics, file, SkipInvalid);
        partial.Changed.ShouldBe(1);
        store.Scalar<double>("SELECT value FROM metrics").ShouldBe(3);
    }

    // ---- directories ----

    [Fact]
    public void ImportDirectory_EveryKindFile_ImportsAccountsFirstAndAllKinds()
    {
        var dir = WriteAllKinds("in", json: false);
        File.Move(Path.Combine(dir, "usage.csv"), Path.Combine(dir, "ignored.csv"));
        store.WriteJsonl(Path.Combine("in", "usage.jsonl"), ToJsonLines(AllKinds[ImportKind.Usage]));
        store.WriteFile(Path.Combine("in", "readme.txt"), "not data");

        var results = store.Importer.ImportDirectory(dir, new ImportOptions());

        results.Select(r => r.Kind).ShouldBe(["accounts", "usage", "surveys", "tickets", "invoices", "subscriptions", "orders", "metrics", "sentiment", "touches"]);
        results.ShouldAllBe(r => r.Applied);
        results.Single(r => r.Kind == "usage").File.ShouldEndWith("usage.jsonl");
        store.Count("accounts").ShouldBe(2);
        store.Scalar<string>("SELECT name FROM accounts WHERE account_id = 'A1'").ShouldBe("Acme, Inc.");
        store.Count("usage_events").ShouldBe(3);
        store.Count("sentiment").ShouldBe(2);
        store.Count("touches").ShouldBe(2);
    }

    [Fact]
    public void ImportDirectory_CsvAndJsonlOfOneKind_ImportsBoth()
    {
        store.WriteCsv(Path.Combine("in", "metrics.csv"), "account_id,metric,date,value", "A1,health,2025-03-01,5");
        store.WriteJsonl(Path.Combine("in", "metrics.jsonl"), """{"account_id":"A1","metric":"health","date":"2025-03-02","value":6}""");

        var results = store.Importer.ImportDirectory(Path.Combine(store.Dir, "in"), new ImportOptions());

        results.Count.ShouldBe(2);
        store.Count("metrics").ShouldBe(2);
    }

    [Fact]
    public void ImportDirectory_NoKindFiles_Throws()
    {
        store.WriteFile(Path.Combine("in", "data.csv"), "a,b\n1,2\n");

        Should.Throw<StoreException>(() => store.Importer.ImportDirectory(Path.Combine(store.Dir, "in"), new ImportOptions()));
    }

    [Fact]
    public void ImportFile_MissingFile_Throws()
    {
        Should.Throw<StoreException>(() => store.Importer.ImportFile(ImportKind.Usage, Path.Combine(store.Dir, "nope.csv"), new ImportOptions()));
    }

    // ---- usage roll-ups ----

    private sealed record UsageRow(string Account, string At, string Event, string? User, string? EventId, int Count, double? Value);

    private static string Line(UsageRow r) =>
        string.Join(",", r.Account, r.At, r.Event, r.User ?? "", r.EventId ?? "", r.Count.ToString(System.Globalization.CultureInfo.InvariantCulture),
            r.Value?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "");

    private const string UsageHeader = "account_id,occurred_at,event,user_id,event_id,count,value";

    private List<(string Account, long Day, string Event, long Count, double Sum)> Daily() => store.UsageDaily();

    private List<(string Account, long Day, string Event, string User, long N)> Users() => store.UsageUsers();

    [Fact]
    public void ImportFile_Usage_DailyRollUpsMatchTheEvents()
    {
        UsageRow[] rows =
        [
            new("A1", "2025-03-01T08:00:00Z", "login", "u1", "e1", 1, null),
            new("A1", "2025-03-01T09:00:00Z", "login", "u1", "e2", 2, null),
            new("A1", "2025-03-01T10:00:00Z", "login", "u2", "e3", 1, 1.5),
            new("A1", "2025-03-01T11:00:00Z", "export", "u2", "e4", 5, 10),
            new("A1", "2025-03-02T00:30:00Z", "login", "u1", "e5", 1, null),
            new("A2", "2025-03-01T23:59:59Z", "login", null, "e6", 3, 2),
            new("A2", "2025-03-01T12:00:00Z", "login", "u9", null, 1, 0.25),
        ];

        store.ImportCsv(ImportKind.Usage, [UsageHeader, .. rows.Select(Line)]).Applied.ShouldBeTrue();

        var expected = rows.GroupBy(r => (r.Account, Day: (long)DateOnly.FromDateTime(DateTime.Parse(r.At, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.AdjustToUniversal)).DayNumber, r.Event))
            .Select(g => (g.Key.Account, g.Key.Day, g.Key.Event, (long)g.Sum(r => r.Count), g.Sum(r => r.Value ?? 0)))
            .OrderBy(x => x.Account, StringComparer.Ordinal).ThenBy(x => x.Day).ThenBy(x => x.Event, StringComparer.Ordinal).ToList();
        Daily().ShouldBe(expected);
        Users().ShouldBe(
        [
            ("A1", Day(2025, 3, 1), "export", "u2", 1),
            ("A1", Day(2025, 3, 1), "login", "u1", 2),
            ("A1", Day(2025, 3, 1), "login", "u2", 1),
            ("A1", Day(2025, 3, 2), "login", "u1", 1),
            ("A2", Day(2025, 3, 1), "login", "u9", 1),
        ]);
    }

    [Fact]
    public void ImportFile_UsageFileTwice_RollUpsAreNotDoubleCounted()
    {
        string[] lines = [UsageHeader, "A1,2025-03-01T08:00:00Z,login,u1,e1,2,1", "A1,2025-03-01T09:00:00Z,login,u2,,1,"];
        store.ImportCsv(ImportKind.Usage, lines);
        var daily = Daily();
        var users = Users();

        store.ImportCsv(ImportKind.Usage, lines).Changed.ShouldBe(0);

        Daily().ShouldBe(daily);
        Users().ShouldBe(users);
        daily.ShouldHaveSingleItem().Count.ShouldBe(3);
    }

    [Fact]
    public void ImportFile_ManyNewUsersInNoOrder_EachEventKeepsItsUser()
    {
        // One user an account, the users named in no order and some seen before the import: every stored event and
        // roll-up names the user its row named, however the new users were keyed.
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event,user_id,event_id", "B0,2025-05-01T10:00:00Z,login,user-150,seen").Changed.ShouldBe(1);
        var rnd = new Random(5);
        var users = Enumerable.Range(0, 300).Select(i => $"user-{i:000}").OrderBy(_ => rnd.Next()).ToList();
        var lines = new List<string> { "account_id,occurred_at,event,user_id,event_id" };
        for (var n = 0; n < 1_500; n++)
        {
            var u = rnd.Next(users.Count);
            lines.Add($"A{u},2025-05-{1 + rnd.Next(28):00}T10:00:00Z,login,{users[u]},e{n}");
        }
        store.ImportCsv(ImportKind.Usage, [.. lines]).Changed.ShouldBe(1_500);
        var rows = store.Query<(string Account, string User)>(
            "SELECT a.account_id, u.user_id FROM usage_events e JOIN accounts a ON a.account_key = e.account_key JOIN users u ON u.user_key = e.user_key WHERE a.account_id <> 'B0'");
        rows.Count.ShouldBe(1_500);
        rows.Where(r => users[int.Parse(r.Account.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)] != r.User).ShouldBeEmpty();
        var kept = store.UsageUsers().Where(u => u.Account != "B0").ToList();
        kept.Sum(u => u.N).ShouldBe(1_500);
        kept.Where(u => users[int.Parse(u.Account.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture)] != u.User).ShouldBeEmpty();
        store.Count("users").ShouldBe(300);
    }

    [Fact]
    public void ImportFile_UsageResentWithAnotherUser_CorrectsDistinctUsers()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,u1,e1,1,", "A1,2025-03-01T09:00:00Z,login,u2,e2,1,");

        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T09:00:00Z,login,u1,e2,1,").Changed.ShouldBe(1);

        Users().ShouldBe([("A1", Day(2025, 3, 1), "login", "u1", 2L)]);
        Daily().ShouldBe([("A1", (long)Day(2025, 3, 1), "login", 2L, 0.0)]);
        store.Count("usage_events").ShouldBe(2);
    }

    [Fact]
    public void ImportFile_UsageResentWithAnotherCountAndValue_CorrectsSums()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,export,u1,e1,5,10", "A1,2025-03-01T09:00:00Z,export,u2,e2,1,1");

        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,export,u1,e1,2,4").Changed.ShouldBe(1);

        Daily().ShouldBe([("A1", (long)Day(2025, 3, 1), "export", 3L, 5.0)]);
        Users().ShouldBe([("A1", Day(2025, 3, 1), "export", "u1", 1L), ("A1", Day(2025, 3, 1), "export", "u2", 1L)]);
    }

    [Fact]
    public void ImportFile_UsageResentOnAnotherDayAccountAndEvent_MovesItInTheRollUps()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,u1,e1,2,3");

        store.ImportCsv(ImportKind.Usage, UsageHeader, "A2,2025-03-04T08:00:00Z,export,u3,e1,2,3").Changed.ShouldBe(1);

        Daily().ShouldBe([("A2", (long)Day(2025, 3, 4), "export", 2L, 3.0)]);
        Users().ShouldBe([("A2", Day(2025, 3, 4), "export", "u3", 1L)]);
        store.Count("usage_events").ShouldBe(1);
    }

    [Fact]
    public void ImportFile_UsageResentWithoutUser_RemovesTheUser()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,u1,e1,1,");

        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,,e1,1,").Changed.ShouldBe(1);

        Users().ShouldBeEmpty();
        Daily().ShouldBe([("A1", (long)Day(2025, 3, 1), "login", 1L, 0.0)]);
    }

    [Fact]
    public void ImportFile_UsageSameEventIdTwiceInOneFile_LastOneWins()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,u1,e1,1,", "A1,2025-03-01T08:00:00Z,login,u2,e1,3,")
            .Applied.ShouldBeTrue();

        Daily().ShouldBe([("A1", (long)Day(2025, 3, 1), "login", 3L, 0.0)]);
        Users().ShouldBe([("A1", Day(2025, 3, 1), "login", "u2", 1L)]);
    }

    [Fact]
    public void ImportFile_UsageCorrectionsOverSeveralImports_RollUpsStillEqualTheEvents()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader,
            "A1,2025-03-01T08:00:00Z,login,u1,e1,1,0.1",
            "A1,2025-03-01T09:00:00Z,login,u2,e2,2,0.2");

        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-02T08:00:00Z,login,u1,e1,1,0.1");
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-02T09:00:00Z,login,u2,e2,2,0.2");

        var daily = Daily();
        daily.Select(d => (d.Account, d.Day, d.Event, d.Count)).ShouldBe([("A1", (long)Day(2025, 3, 2), "login", 3L)],
            "every event moved to March 2; a roll-up row left for March 1 counts as activity: " + string.Join("; ", daily));
        daily[0].Sum.ShouldBe(0.3, 1e-9);
        Users().ShouldBe([("A1", Day(2025, 3, 2), "login", "u1", 1L), ("A1", Day(2025, 3, 2), "login", "u2", 1L)]);
    }

    [Fact]
    public void ImportFile_RandomUsageWithRepeatsAndCorrections_KeepsEveryRollUpEqualToItsStoredEvents()
    {
        // Event ids from a pool smaller than the files, so that a file repeats its own events and corrects earlier
        // files' (another account, day, event, user, count or value), and some of the file before's lines sent again
        // unchanged; values with many digits, some missing; users from a pool, some missing.
        var rnd = new Random(19);
        string[] before = [];
        for (var file = 0; file < 4; file++)
        {
            var lines = Enumerable.Range(0, 2700).Select(_ =>
                string.Join(',', "A" + rnd.Next(6), $"2025-03-{1 + rnd.Next(9):00}T{rnd.Next(24):00}:00:00Z", rnd.Next(3) switch { 0 => "login", 1 => "export", _ => "share" },
                    rnd.Next(5) == 0 ? "" : "u" + rnd.Next(25), "e" + rnd.Next(4000), 1 + rnd.Next(3),
                    rnd.Next(4) == 0 ? "" : (rnd.NextDouble() * 1000 - 100).ToString("R", CultureInfo.InvariantCulture)))
                // and lines of the file before sent again as they were
                .Concat(before.Where(_ => rnd.Next(9) == 0)).OrderBy(_ => rnd.Next()).ToArray();
            store.ImportCsv(ImportKind.Usage, [UsageHeader, .. lines]).Applied.ShouldBeTrue();
            before = lines;
            RollUpsShouldEqualStoredEvents($"file {file + 1}");
        }
        store.Count("usage_events").ShouldBeGreaterThan(3000);
    }

    [Fact]
    public void ImportFile_FewEventsAgainstManyStored_EachFoundNewChangedOrUnchanged()
    {
        // A store of 3,000 events and a file of a few dozen: each identity of the file is far from the next in the stored
        // events' order (the merge seeks rather than steps), some stored, some not, some sent twice.
        var rnd = new Random(23);
        string Line(int id, int count) => $"A{id % 7},2025-03-{1 + id % 9:00}T{id % 24:00}:00:00Z,{(id % 3 == 0 ? "login" : "export")},u{id % 30},e{id},{count},{id % 5}.5";
        store.ImportCsv(ImportKind.Usage, [UsageHeader, .. Enumerable.Range(0, 3000).Select(id => Line(id, 1))]).Changed.ShouldBe(3000);
        var ids = Enumerable.Range(0, 3000).OrderBy(_ => rnd.Next()).Take(20).ToArray();
        string[] lines =
        [
            .. ids[..10].Select(id => Line(id, 1)) // sent again unchanged
                .Concat(ids[10..].Select(id => Line(id, 2))) // changed
                .Concat(Enumerable.Range(5000, 10).Select(id => Line(id, 1))) // new
                .OrderBy(_ => rnd.Next()),
            Line(6000, 1), Line(6000, 3), // new, sent twice: the last one stands
            Line(ids[0], 4), Line(ids[0], 1), // changed, then back as stored: unchanged
        ];

        var result = store.ImportCsv(ImportKind.Usage, [UsageHeader, .. lines]);

        result.Changed.ShouldBe(21);
        result.Unchanged.ShouldBe(lines.Length - 21);
        store.Count("usage_events").ShouldBe(3011);
        store.Query<long>("SELECT COUNT(*) FROM usage_events WHERE count = 2").Single().ShouldBe(10);
        store.Query<long>("SELECT SUM(count) FROM usage_events").Single().ShouldBe(3000 + 10 + 10 + 3);
        RollUpsShouldEqualStoredEvents("after the second file");
    }

    [Fact]
    public void ImportFile_UsageMergedInSeveralParts_EachEventKeepsItsUser()
    {
        // Merged 500 events at a time: the users a part meets first are created when it is merged (on SQLite in the
        // order of their ids, other keys than they were staged with) and named again by the parts after it, and more
        // users come in later parts; some rows have no user.
        var importer = new Importer(store.Db, store.Clock) { UsageStageLimit = 500 };
        var rnd = new Random(5);
        var rows = Enumerable.Range(0, 2200).Select(i => (Id: i, User: i % 50 == 0 ? "" : $"u{rnd.Next(i < 1000 ? 300 : 600):000}")).ToList();
        string Line((int Id, string User) r) => $"A{r.Id % 7},2025-03-{1 + r.Id % 9:00}T{r.Id % 24:00}:00:00Z,login,{r.User},e{r.Id},1,";
        var path = store.WriteCsv("parts.csv", [UsageHeader, .. rows.Select(Line)]);

        importer.ImportFile(ImportKind.Usage, path, new ImportOptions()).Changed.ShouldBe(2200);

        var expected = rows.Where(r => r.User != "").GroupBy(r => (Account: $"A{r.Id % 7}", new DateOnly(2025, 3, 1 + r.Id % 9).DayNumber, r.User))
            .Select(g => $"{g.Key.Account} {g.Key.DayNumber} {g.Key.User} {g.Count()}").Order(StringComparer.Ordinal).ToList();
        store.Query<(string, long, string, long)>(
            """
            SELECT a.account_id, e.day, u.user_id, COUNT(*) FROM usage_events e
            JOIN accounts a ON a.account_key = e.account_key JOIN users u ON u.user_key = e.user_key
            GROUP BY a.account_id, e.day, u.user_id
            """).Select(r => $"{r.Item1} {r.Item2} {r.Item3} {r.Item4}").Order(StringComparer.Ordinal).ToList().ShouldBe(expected);
        store.Query<long>("SELECT COUNT(*) FROM usage_events WHERE user_key IS NULL").Single().ShouldBe(rows.Count(r => r.User == ""));
        RollUpsShouldEqualStoredEvents("after a file merged in parts");
        importer.ImportFile(ImportKind.Usage, path, new ImportOptions()).Changed.ShouldBe(0);
    }

    /// <summary>Every roll-up (count, sum, users) equals what the stored events sum to.</summary>
    private void RollUpsShouldEqualStoredEvents(string because)
    {
        var fromEvents = store.Query<(string, long, string, long, double)>(
            """
            SELECT a.account_id, e.day, n.name, CAST(SUM(e.count) AS BIGINT), SUM(COALESCE(e.value, 0.0)) FROM usage_events e
            JOIN accounts a ON a.account_key = e.account_key JOIN event_names n ON n.event_key = e.event_key
            GROUP BY a.account_id, e.day, n.name ORDER BY 1, 2, 3
            """);
        var daily = Daily();
        daily.Select(d => (d.Account, d.Day, d.Event, d.Count)).ShouldBe(fromEvents.Select(d => (d.Item1, d.Item2, d.Item3, d.Item4)), because);
        for (var i = 0; i < daily.Count; i++)
        {
            daily[i].Sum.ShouldBe(fromEvents[i].Item5, 1e-9 * Math.Max(1, Math.Abs(fromEvents[i].Item5)), $"{because}, {daily[i]}");
        }
        Users().ShouldBe(store.Query<(string, long, string, string, long)>(
            """
            SELECT a.account_id, e.day, n.name, u.user_id, COUNT(*) FROM usage_events e
            JOIN accounts a ON a.account_key = e.account_key JOIN event_names n ON n.event_key = e.event_key JOIN users u ON u.user_key = e.user_key
            GROUP BY a.account_id, e.day, n.name, u.user_id
            """).OrderBy(r => r.Item1, StringComparer.Ordinal).ThenBy(r => r.Item2).ThenBy(r => r.Item3, StringComparer.Ordinal).ThenBy(r => r.Item4, StringComparer.Ordinal).ToList(),
            because);
    }

    // ---- accounts named for the first time ----

    [Fact]
    public void ImportFile_ThousandsOfNewAccounts_EachCreatedOnceWithItsOwnEvents()
    {
        // More accounts than a writer looks up one by one: all are read, and the new ones created together (on
        // PostgreSQL with keys reserved ahead); a stored account keeps its key.
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "N0000,Stored");
        var stored = store.AccountKey("N0000");
        var usage = new List<string> { UsageHeader };
        for (var i = 0; i < 3000; i++)
        {
            usage.Add($"N{i:0000},2025-03-01T08:00:00Z,login,u{i},e{i},{i % 7 + 1},");
        }

        store.ImportCsv(ImportKind.Usage, [.. usage]).Changed.ShouldBe(3000);

        store.Count("accounts").ShouldBe(3000);
        store.AccountKey("N0000").ShouldBe(stored);
        store.Scalar<long>("SELECT COUNT(DISTINCT account_key) FROM accounts").ShouldBe(3000);
        // Every event is its own account's: its count says which.
        store.Scalar<long>(
            """
            SELECT COUNT(*) FROM usage_events e JOIN accounts a ON a.account_key = e.account_key
            WHERE CAST(SUBSTR(a.account_id, 2) AS INTEGER) % 7 + 1 = e.count
            """).ShouldBe(3000);
        store.UsageDaily().Select(d => (d.Account, d.Count)).ShouldBe(Enumerable.Range(0, 3000).Select(i => ($"N{i:0000}", (long)(i % 7 + 1))), ignoreOrder: true);
        // A later file of another kind finds them, and creates more after them.
        var invoices = new List<string> { "invoice_id,account_id,amount,due_on" };
        for (var i = 2500; i < 3500; i++)
        {
            invoices.Add($"I{i},N{i:0000},{i},2025-04-01");
        }
        store.ImportCsv(ImportKind.Invoices, [.. invoices]).Changed.ShouldBe(1000);
        store.Count("accounts").ShouldBe(3500);
        store.Scalar<long>("SELECT COUNT(*) FROM invoices i JOIN accounts a ON a.account_key = i.account_key WHERE a.account_id = 'N' || SUBSTR(i.invoice_id, 2)").ShouldBe(1000);
    }

    [Fact]
    public void ImportFile_AccountsFileNamingManyNewAccounts_StoresEachOnesValues()
    {
        var lines = new List<string> { "account_id,name,arr" };
        for (var i = 0; i < 500; i++)
        {
            lines.Add($"B{i:000},Name {i},{i * 10}");
        }

        store.ImportCsv(ImportKind.Accounts, [.. lines]).Changed.ShouldBe(500);

        store.Count("accounts").ShouldBe(500);
        store.Row("SELECT name, arr FROM accounts WHERE account_id = 'B321'").ShouldBe(new Dictionary<string, object?> { ["name"] = "Name 321", ["arr"] = 3210.0 });
        store.Scalar<long>("SELECT COUNT(*) FROM accounts WHERE name = 'Name ' || CAST(CAST(SUBSTR(account_id, 2) AS INTEGER) AS TEXT)").ShouldBe(500);
    }

    [Fact]
    public void ImportFile_RejectedFileNamingManyNewAccounts_CreatesNoneAndALaterImportDoes()
    {
        var usage = new List<string> { UsageHeader };
        for (var i = 0; i < 300; i++)
        {
            usage.Add($"R{i:000},2025-03-01T08:00:00Z,login,u{i},e{i},1,");
        }

        store.ImportCsv(ImportKind.Usage, [.. usage, "R999,bad,login,u1,e999,1,"]).Applied.ShouldBeFalse();
        store.Count("accounts").ShouldBe(0);

        store.ImportCsv(ImportKind.Usage, [.. usage]).Changed.ShouldBe(300);
        store.Count("accounts").ShouldBe(300);
        store.Scalar<long>("SELECT COUNT(DISTINCT a.account_id) FROM usage_events e JOIN accounts a ON a.account_key = e.account_key").ShouldBe(300);
    }

    [Fact]
    public void ImportFile_RejectedUsageFile_LeavesRollUpsAsTheyWere()
    {
        store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,u1,e1,1,");
        var before = store.DumpSignals();

        var result = store.ImportCsv(ImportKind.Usage, UsageHeader, "A1,2025-03-01T08:00:00Z,login,u2,e1,7,", "A1,bad,login,u1,e9,1,");

        result.Applied.ShouldBeFalse();
        store.DumpSignals().ShouldBe(before);
    }
}

public sealed class ImporterTestsOnSqlite() : ImporterTests(TestEngine.Sqlite);

public sealed class ImporterTestsOnPostgres() : ImporterTests(TestEngine.Postgres);
