using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>Notes, calls and meetings: stored once however often imported, found by their words, on the timeline, and scored.</summary>
public abstract class TouchReaderTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 30);

    private readonly TestStore store = new(engine, Today);

    public void Dispose() => store.Dispose();

    private TouchReader Reader => new(store.Db);

    private void Accounts() =>
        store.ImportCsv(ImportKind.Accounts, "account_id,name,owner", "A1,Öl & Straße GmbH,ann@cs.example", "A2,Beta,bob@cs.example").Applied.ShouldBeTrue();

    private const string Header = "touch_id,account_id,kind,occurred_at,author,text";

    private void Touches() =>
        store.ImportCsv(ImportKind.Touches, Header,
            "T1,A1,call,2025-06-20T10:00:00Z,ann@cs.example,\"ÄRGER über die Rechnung; 50% der Lizenzen ungenutzt\"",
            ",A1,meeting,2025-06-25T09:00:00Z,bob@cs.example,QBR with the new VP",
            ",A2,note,2025-05-01,ann@cs.example,Renewal budget approved at 500 seats",
            ",A2,email,2025-06-28T16:00:00Z,,").Applied.ShouldBeTrue();

    private List<string?> Texts(TouchSearch search) => Reader.Search(search).Select(t => t.Text).ToList();

    [Fact]
    public void Import_SameFileTwice_StoresEachTouchOnce_AndAChangedTextUpdatesTheTouchWithItsId()
    {
        Accounts();
        Touches();
        store.Count("touches").ShouldBe(4);

        var again = store.ImportCsv(ImportKind.Touches, Header,
            "T1,A1,call,2025-06-20T10:00:00Z,ann@cs.example,\"ÄRGER über die Rechnung; 50% der Lizenzen ungenutzt\"",
            ",A1,meeting,2025-06-25T09:00:00Z,bob@cs.example,QBR with the new VP");
        again.Changed.ShouldBe(0);
        again.Unchanged.ShouldBe(2);

        store.ImportCsv(ImportKind.Touches, Header, "T1,A1,call,2025-06-20T10:00:00Z,ann@cs.example,Invoice sorted out").Changed.ShouldBe(1);
        store.Count("touches").ShouldBe(4);
        store.Scalar<string>("SELECT text FROM touches WHERE touch_id = 'T1'").ShouldBe("Invoice sorted out");
    }

    [Fact]
    public void Search_FindsWordsInTheTextAuthorOrAccount_InAnyCase_NewestFirst()
    {
        Accounts();
        Touches();

        Reader.Search(new TouchSearch()).Select(t => t.Kind).ShouldBe(["email", "meeting", "call", "note"]);
        Texts(new TouchSearch("ärger")).ShouldBe(["ÄRGER über die Rechnung; 50% der Lizenzen ungenutzt"]);
        Texts(new TouchSearch("  qbr ")).ShouldBe(["QBR with the new VP"]);
        Reader.Search(new TouchSearch("straße")).Select(t => t.Kind).ShouldBe(["meeting", "call"]);
        Reader.Search(new TouchSearch("BOB@")).ShouldHaveSingleItem().AccountName.ShouldBe("Öl & Straße GmbH");
        Texts(new TouchSearch("nothing like this")).ShouldBeEmpty();
    }

    [Fact]
    public void Search_WildcardsMatchThemselves()
    {
        Accounts();
        Touches();

        // `50%` is not “50 then anything”: the 500 seats note does not match; `_` is not “any letter”.
        Texts(new TouchSearch("50%")).ShouldBe(["ÄRGER über die Rechnung; 50% der Lizenzen ungenutzt"]);
        Texts(new TouchSearch("qbr_with")).ShouldBeEmpty();
        Texts(new TouchSearch(@"\")).ShouldBeEmpty();
    }

    [Fact]
    public void Search_ByAccountKindAndLimit()
    {
        Accounts();
        Touches();

        var a2 = Reader.Search(new TouchSearch(AccountId: "A2"));
        a2.Select(t => t.Kind).ShouldBe(["email", "note"]);
        a2[1].ShouldBe(new TouchRow("A2", "Beta", null, "note", "2025-05-01T00:00:00.0000000Z", "ann@cs.example", "Renewal budget approved at 500 seats"));
        Reader.Search(new TouchSearch(Kind: "call")).ShouldHaveSingleItem().TouchId.ShouldBe("T1");
        Reader.Search(new TouchSearch(Limit: 2)).Count.ShouldBe(2);
        Reader.Search(new TouchSearch(AccountId: "nobody")).ShouldBeEmpty();
    }

    [Fact]
    public void RecordTouch_IsNowForToday_AndNoonUtcForAnEarlierDay_WithThePersonAsAuthor()
    {
        Accounts();
        store.Clock.Now = new DateTimeOffset(2025, 6, 30, 15, 45, 10, TimeSpan.Zero);

        store.Importer.RecordTouch("A1", "call", null, "  Called about the renewal  ", "ann@cs.example").Applied.ShouldBeTrue();
        store.Importer.RecordTouch("A1", "note", new DateOnly(2025, 6, 20), null, "ann@cs.example").Applied.ShouldBeTrue();
        var refused = store.Importer.RecordTouch("A1", "visit", null, "x", "ann@cs.example");

        refused.Applied.ShouldBeFalse();
        refused.Errors.ShouldHaveSingleItem().Field.ShouldBe("kind");
        var touches = Reader.Search(new TouchSearch(AccountId: "A1"));
        touches.Select(t => (t.Kind, t.OccurredAt, t.Text)).ShouldBe([
            ("call", "2025-06-30T15:45:10.0000000Z", "Called about the renewal"),
            ("note", "2025-06-20T12:00:00.0000000Z", null),
        ]);
        touches.ShouldAllBe(t => t.Author == "ann@cs.example");
    }

    [Fact]
    public void Timeline_ShowsTouchesInWords()
    {
        Accounts();
        Touches();

        var items = new AccountTimeline(store.Db).Read("A1")!;

        items.Select(i => (i.Kind, i.Title, i.Detail)).ShouldBe([
            ("touch", "Meeting by bob@cs.example", "QBR with the new VP"),
            ("touch", "Call by ann@cs.example", "ÄRGER über die Rechnung; 50% der Lizenzen ungenutzt"),
        ]);
    }

    [Fact]
    public void Score_ReadsTouchesAsOfTheDay()
    {
        store.Publish(TestModels.Touches);
        Accounts();
        Touches();

        store.Scoring.Score(Today);

        // A1: last touch 5 days before (25/30 of the way to best: 83.33), 2 touches in 90 days (33.33): 58.33.
        // A2: last touch 2 days before (93.33), 2 touches (33.33): 63.33.
        var a1 = store.Reader.Show("A1")!;
        a1.Score.ShouldNotBeNull().ShouldBe(58.33, 0.01);
        a1.Dimensions.Single().Measures.Select(m => m.Value).ShouldBe([5.0, 2.0]);
        store.Reader.Show("A2")!.Score.ShouldNotBeNull().ShouldBe(63.33, 0.01);
    }
}

public sealed class TouchReaderTestsOnSqlite() : TouchReaderTests(TestEngine.Sqlite);

public sealed class TouchReaderTestsOnPostgres() : TouchReaderTests(TestEngine.Postgres);
