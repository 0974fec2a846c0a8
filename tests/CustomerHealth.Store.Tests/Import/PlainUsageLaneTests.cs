using System.Globalization;
using System.Text;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>
/// A usage file imported through the plain lane (its plain lines written without a row of named fields) stores,
/// counts and refuses exactly what the general reading of the same file does.
/// </summary>
public abstract class PlainUsageLaneTests(TestEngine engine) : IDisposable
{
    private readonly TestStore lane = new(engine);
    private readonly TestStore general = new(engine);

    public void Dispose()
    {
        lane.Dispose();
        general.Dispose();
    }

    private static readonly string[] Plain = ["A1", "A2", "A3"];

    /// <summary>Lines of usage, most plain, some with what only the general reading reads or refuses.</summary>
    private static List<string> Lines(Random rnd, int count, int ids)
    {
        var lines = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var account = Plain[rnd.Next(Plain.Length)];
            var at = $"2025-05-{1 + rnd.Next(20):00}T{rnd.Next(24):00}:{rnd.Next(60):00}:00Z";
            var id = rnd.Next(4) == 0 ? "" : "e" + rnd.Next(ids);
            var user = rnd.Next(5) == 0 ? "" : "u" + rnd.Next(6);
            var n = rnd.Next(3) == 0 ? (1 + rnd.Next(4)).ToString(CultureInfo.InvariantCulture) : "";
            var value = rnd.Next(3) == 0 ? (rnd.Next(1000) / 8.0).ToString(CultureInfo.InvariantCulture) : "";
            var line = $"{account},{at},ev{rnd.Next(3)},{user},{id},{n},{value}";
            lines.Add(rnd.Next(12) switch
            {
                0 => $"\"{account}\",{at},ev1,{user},{id},{n},{value}",                 // quoted: the general reading
                1 => $" {account} ,{at.Replace('T', ' ')},ev1,{user},{id},{n},{value}", // another timestamp form
                2 => $"{account},{at},ev1,{user},{id},+{rnd.Next(3)},{value}",          // a signed count
                3 => $"{account},{at},,{user},{id},{n},{value}",                          // no event: refused
                4 => $"{account},{at},ev1,{user},{id},-1,",                               // a negative count: refused
                5 => line + ",extra",                                                     // more fields than the header
                6 => $"{account},{at},ev1,{user},{id},{n},1e400",                         // not a finite number
                _ => line,
            });
        }
        return lines;
    }

    private static readonly string Header = "account_id,occurred_at,event,user_id,event_id,count,value";

    [Fact]
    public void AUsageFile_ThroughThePlainLane_StoresCountsAndRefusesAsTheGeneralReading()
    {
        var rnd = new Random(7);
        var options = new ImportOptions { SkipInvalid = true };
        // Two files: the second re-sends, corrects and adds events of the first.
        foreach (var round in new[] { 0, 1 })
        {
            var lines = Lines(rnd, 2_000, ids: 1_500);
            // Lines a reader must take care with: a NUL and a tab inside fields, a line longer than the reader's
            // buffer, a line break inside quotes, Windows line ends.
            lines.InsertRange(rnd.Next(lines.Count), [
                "A1,2025-05-02T10:00:00Z,lo\0gin,u1,n1,,",
                "A1,2025-05-02T10:00:00Z,log\tin,u1,n2,,",
                "A1,2025-05-02T10:00:00Z,login,u1,n3,," + new string('9', 70_000),
                "A1,2025-05-02T10:00:00Z,\"two\nlines\",u1,n4,,",
                "A2,2025-05-02T10:00:00Z,login,u1,n5,2,\r",
            ]);
            var file = lane.WriteCsv($"usage-{round}.csv", [(round == 1 ? "\uFEFF" : "") + Header, .. lines]);
            var byLane = lane.Importer.ImportFile(ImportKind.Usage, file, options);
            using var reader = new StreamReader(file, Encoding.UTF8);
            var byGeneral = general.Importer.Import(ImportKind.Usage, RowSource.Csv(reader, (_, _) => { }), file, options);

            (byLane.Rows, byLane.Changed, byLane.Unchanged, byLane.Rejected, byLane.ErrorCount)
                .ShouldBe((byGeneral.Rows, byGeneral.Changed, byGeneral.Unchanged, byGeneral.Rejected, byGeneral.ErrorCount));
            byLane.Rejected.ShouldBeGreaterThan(0);
            byLane.Changed.ShouldBeGreaterThan(0);
            byLane.Errors.Select(e => (e.Line, e.Field, e.Reason)).ShouldBe(byGeneral.Errors.Select(e => (e.Line, e.Field, e.Reason)));
        }

        const string events =
            """
            SELECT e.identity, a.account_id, e.day, n.name, u.user_id, e.count, e.value, e.occurred_at, e.properties
            FROM usage_events e JOIN accounts a ON a.account_key = e.account_key JOIN event_names n ON n.event_key = e.event_key
            LEFT JOIN users u ON u.user_key = e.user_key ORDER BY e.identity
            """;
        var stored = lane.Rows(events);
        stored.Count.ShouldBeGreaterThan(1_000);
        Describe(stored).ShouldBe(Describe(general.Rows(events)));
        // The usage as stored, and its users by their ids (their keys may differ between the two stores).
        lane.UsageDaily().ShouldBe(general.UsageDaily());
        lane.UsageUsers().ShouldBe(general.UsageUsers());
    }

    [Fact]
    public void ThePlainLane_TakesThePlainRows_AndLeavesTheOthersToTheGeneralReading()
    {
        var taken = new List<string>();
        var left = new List<int>();
        var lane = new PlainUsageLane { Sink = u => taken.Add($"{u.AccountId}|{u.EventId}|{u.Count}") };
        var text = string.Join("\n",
            Header,
            "A1,2025-05-01T10:00:00Z,login,u1,e1,2,1.5",
            "\"A1\",2025-05-01T10:00:00Z,login,u1,e2,,",
            "A1,2025-05-01 10:00:00,login,u1,e3,,",
            " A2 ,2025-05-01T10:00:00Z,login,,e4,,",
            "A1,2025-05-01T10:00:00Z,login,u1,e5,,,extra",
            "A1,2025-05-01T10:00:00Z,login,u1,e6,,1,5") + "\n";
        var rows = RowSource.Csv(new StringReader(text), (names, used) => lane.Header(names, used), null, lane.Take);
        foreach (var row in rows)
        {
            left.Add(row.Line);
        }
        taken.ShouldBe(["A1|e1|2", "A2|e4|1"]);
        left.ShouldBe([3, 4, 6, 7]);

        // A header with a column that is no usage field (a property) closes the lane.
        taken.Clear();
        var withProperty = new PlainUsageLane { Sink = u => taken.Add(u.AccountId.ToString()) };
        RowSource.Csv(new StringReader("account_id,occurred_at,event,plan\nA1,2025-05-01T10:00:00Z,login,pro\n"),
            (names, used) => withProperty.Header(names, used), null, withProperty.Take).Count().ShouldBe(1);
        taken.ShouldBeEmpty();
    }

    private static List<string> Describe(IEnumerable<Dictionary<string, object?>> rows) =>
        rows.Select(r => string.Join("|", r.Select(kv => kv.Key + "=" + (kv.Value is byte[] b ? Convert.ToHexString(b) : Convert.ToString(kv.Value, CultureInfo.InvariantCulture))))).ToList();
}

public sealed class PlainUsageLaneTestsOnSqlite() : PlainUsageLaneTests(TestEngine.Sqlite);

public sealed class PlainUsageLaneTestsOnPostgres() : PlainUsageLaneTests(TestEngine.Postgres);
