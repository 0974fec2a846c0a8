using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>Imported text within the field limits (docs/import-formats.md): a file with one bad row lands nothing and names file, line and field.</summary>
public abstract class ImportFieldLimitsTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine);

    public void Dispose() => store.Dispose();

    private static string Json(Dictionary<string, string> row) => JsonSerializer.Serialize(row);

    [Fact]
    public void ImportCsv_ANulInAnIdOrAHugeName_LandsNothingAndNamesLineAndField()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "KEEP,Kept").Applied.ShouldBeTrue();

        var r = store.ImportCsv(ImportKind.Accounts, "account_id,name",
            "A1,Fine", "A\u00002,Nul in the id", "A3," + new string('n', 600), new string('x', 100_000) + ",Huge id");

        r.Applied.ShouldBeFalse();
        r.Errors.Select(e => (e.Line, e.Field)).ShouldBe([(3, "account_id"), (4, "name"), (5, "account_id")]);
        r.Errors[1].Reason.ShouldBe("must be at most 500 characters, got 600");
        r.Errors[0].ToString().ShouldStartWith(r.File + ":3: account_id: must not contain a NUL character");
        store.Scalar<long>("SELECT COUNT(*) FROM accounts").ShouldBe(1);
    }

    [Fact]
    public void ImportJsonl_ControlCharactersAndHugeText_LandNothingAndNameLineAndField()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id", "A1").Applied.ShouldBeTrue();

        var r = store.ImportJsonl(ImportKind.Sentiment,
            Json(new() { ["account_id"] = "A1", ["rating"] = "red", ["recorded_at"] = "2025-03-01T10:00:00Z", ["note"] = "fine\nnote" }),
            Json(new() { ["account_id"] = "A1\u001b[2J", ["rating"] = "red", ["recorded_at"] = "2025-03-02T10:00:00Z" }),
            Json(new() { ["account_id"] = "A1", ["rating"] = "red", ["recorded_at"] = "2025-03-03T10:00:00Z", ["note"] = new string('n', 10_001) }),
            Json(new() { ["account_id"] = "A1", ["rating"] = "red", ["recorded_at"] = "2025-03-04T10:00:00Z", ["author"] = "ann\u0000@example.com" }));

        r.Applied.ShouldBeFalse();
        r.Errors.Select(e => (e.Line, e.Field)).ShouldBe([(2, "account_id"), (3, "note"), (4, "author")]);
        store.Scalar<long>("SELECT COUNT(*) FROM sentiment").ShouldBe(0);
    }

    [Fact]
    public void ImportCsv_SkipInvalid_KeepsTheGoodRowsAndRejectsTheHostileOnes()
    {
        var r = store.ImportCsv(ImportKind.Usage, new ImportOptions(SkipInvalid: true), "account_id,occurred_at,event,user_id",
            "A1,2025-03-01T10:00:00Z,login,u1", "A1,2025-03-01T11:00:00Z,log\u0000in,u2", "A1,2025-03-01T12:00:00Z,login," + new string('u', 201));

        r.Applied.ShouldBeTrue();
        r.Rejected.ShouldBe(2);
        store.Scalar<long>("SELECT COUNT(*) FROM usage_events").ShouldBe(1);
        File.ReadAllText(r.RejectedFile!).ShouldContain("user_id: must be at most 200 characters, got 201");
    }
}

public sealed class ImportFieldLimitsTestsOnSqlite() : ImportFieldLimitsTests(TestEngine.Sqlite);

public sealed class ImportFieldLimitsTestsOnPostgres() : ImportFieldLimitsTests(TestEngine.Postgres);
