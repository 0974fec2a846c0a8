using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>Data health: coverage, newest signal, arrivals, weekly volume, and quiet accounts and sources.</summary>
public abstract class SourceReaderTests(TestEngine engine) : IDisposable
{
    // A Monday.
    private static readonly DateOnly Today = new(2025, 6, 30);

    private readonly TestStore store = new(engine, Today);

    public void Dispose() => store.Dispose();

    private SourceReader Reader => new(store.Db, store.Models, store.Clock);

    private static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IEnumerable<DateOnly> Days(DateOnly from, DateOnly to)
    {
        for (var d = from; d <= to; d = d.AddDays(1))
        {
            yield return d;
        }
    }

    /// <summary>
    /// A1 used the product every day of May and stopped; A2 every day of June (and once dated in the future); A3, churned,
    /// stopped in April; A4 sends nothing. A1 is invoiced monthly (due on the 1st, last on June 1st). Metrics came for A1
    /// and A2 on three days of April only. One NPS answer, from A2. No orders.
    /// </summary>
    private void Portfolio()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name,arr,status", "A1,One,100,active", "A2,Two,200,active", "A3,Three,300,churned", "A4,Four,50,active")
            .Applied.ShouldBeTrue();
        var usage = new List<string> { "account_id,occurred_at,event,event_id" };
        usage.AddRange(Days(new DateOnly(2025, 5, 1), new DateOnly(2025, 5, 31)).Select(d => $"A1,{Day(d)}T10:00:00Z,login,a1-{Day(d)}"));
        usage.AddRange(Days(new DateOnly(2025, 6, 1), Today).Select(d => $"A2,{Day(d)}T10:00:00Z,login,a2-{Day(d)}"));
        usage.Add("A2,2025-07-05T10:00:00Z,login,a2-future");
        usage.AddRange(Days(new DateOnly(2025, 4, 1), new DateOnly(2025, 4, 20)).Select(d => $"A3,{Day(d)}T10:00:00Z,login,a3-{Day(d)}"));
        store.ImportCsv(ImportKind.Usage, [.. usage]).Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Invoices, "invoice_id,account_id,amount,due_on,status",
            "I3,A1,10,2025-03-01,paid", "I4,A1,10,2025-04-01,paid", "I5,A1,10,2025-05-01,paid", "I6,A1,10,2025-06-01,open").Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Metrics, "account_id,metric,date,value",
            "A1,health,2025-04-01,1", "A1,health,2025-04-02,1", "A1,health,2025-04-03,1", "A2,health,2025-04-02,1").Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "A2,nps,9,2025-06-10T08:00:00Z").Applied.ShouldBeTrue();
    }

    private static SourceHealthRow Source(SourcesReport r, string kind) => r.Sources.Single(s => s.Kind == kind);

    [Fact]
    public void Read_CountsActiveAccountsPerSource_AndFlagsWhatWentQuiet()
    {
        store.Publish();
        Portfolio();

        var report = Reader.Read(Today);

        report.AsOf.ShouldBe("2025-06-30");
        report.ActiveAccounts.ShouldBe(3);
        report.QuietDays.ShouldBe(14);
        var usage = Source(report, "usage");
        // A1 and A2; A3 is churned; A2's event dated after today is left out.
        usage.Accounts.ShouldBe(2);
        usage.Coverage.ShouldBe(2 / 3.0, 1e-9);
        usage.Status.ShouldBe("flowing");
        usage.LastSignalOn.ShouldBe("2025-06-30");
        usage.DaysSinceLast.ShouldBe(0);
        // A1: every day, and nothing for 30 days. A3 stopped too but has churned.
        usage.QuietAccounts.ShouldBe(1);
        var a1 = usage.Quiet.ShouldHaveSingleItem();
        (a1.AccountId, a1.LastSignalOn, a1.DaysQuiet, a1.Arr).ShouldBe(("A1", "2025-05-31", 30, 100.0));
        a1.UsualGapDays.ShouldNotBeNull().ShouldBe(1, 1e-9);
        // Monthly invoices, the last 29 days ago: three usual gaps (92 days) have not passed.
        var invoices = Source(report, "invoices");
        (invoices.Status, invoices.QuietAccounts, invoices.Accounts).ShouldBe(("flowing", 0, 1));
        invoices.SilenceDays.ShouldBe(92);
        // Metrics came on three days of April for every account: the whole source stopped 88 days ago.
        var metrics = Source(report, "metrics");
        (metrics.Status, metrics.LastSignalOn, metrics.DaysSinceLast, metrics.SilenceDays).ShouldBe(("quiet", "2025-04-03", 88, 14));
        // A2 had one day of metrics (never "used to come"); A1 three.
        metrics.Quiet.Select(q => q.AccountId).ShouldBe(["A1"]);
        Source(report, "orders").Status.ShouldBe("none");
        Source(report, "orders").Accounts.ShouldBe(0);
        Source(report, "orders").LastSignalOn.ShouldBeNull();
    }

    [Fact]
    public void Read_WeeklyVolume_CountsEventsAndRowsByTheWeekTheyAreDated()
    {
        Portfolio();

        var report = Reader.Read(Today);

        var usage = Source(report, "usage").Weekly;
        usage.Count.ShouldBe(SourceReader.Weeks);
        usage[^1].ShouldBe(new WeekVolume("2025-06-30", 1));
        usage[^2].ShouldBe(new WeekVolume("2025-06-23", 7));
        // The week of May 26: A1 on 26–31, A2 on June 1.
        usage.Single(w => w.Week == "2025-05-26").Count.ShouldBe(7);
        usage[0].Week.ShouldBe("2025-04-14");
        // A3's April events count in the volume (a churned account's data still arrived).
        usage[0].Count.ShouldBe(7);
        Source(report, "surveys").Weekly.Single(w => w.Week == "2025-06-09").Count.ShouldBe(1);
    }

    [Fact]
    public void Read_MeasuresOverASourceThatCoversFewAccounts_AreFlagged()
    {
        store.Publish();
        Portfolio();

        var measures = Reader.Read(Today).Measures;

        // NPS: one of three active accounts answered. Metrics: two of three.
        var nps = measures.Single(m => m.Measure == "nps");
        (nps.Source, nps.LowCoverage).ShouldBe(("surveys", true));
        nps.Coverage.ShouldNotBeNull().ShouldBe(1 / 3.0, 1e-9);
        var health = measures.Single(m => m.Measure == "health");
        (health.Source, health.LowCoverage).ShouldBe(("metrics", false));
    }

    [Fact]
    public void Read_LastArrived_IsWhenRowsOfTheKindLastLanded_EvenUnchangedOnes()
    {
        Reader.Read(Today).Sources.ShouldAllBe(s => s.LastReceivedAt == null && s.RowsReceived == 0);
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at,response_id", "A1,nps,9,2025-06-10T08:00:00Z,r1", "A2,nps,3,2025-06-11T08:00:00Z,r2")
            .Applied.ShouldBeTrue();
        var first = Source(Reader.Read(Today), "surveys");
        first.LastReceivedAt.ShouldNotBeNull().ShouldStartWith("2025-06-30T");
        first.RowsReceived.ShouldBe(2);

        store.Clock.Now += TimeSpan.FromHours(3);
        // The same rows again: nothing changes, but the connection delivered.
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at,response_id", "A1,nps,9,2025-06-10T08:00:00Z,r1").Applied.ShouldBeTrue();
        var again = Source(Reader.Read(Today), "surveys");
        string.CompareOrdinal(again.LastReceivedAt, first.LastReceivedAt).ShouldBeGreaterThan(0);
        again.RowsReceived.ShouldBe(3);
        // A file with a bad row lands nothing: nothing arrived.
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "A1,nps,99,2025-06-10T08:00:00Z").Applied.ShouldBeFalse();
        Source(Reader.Read(Today), "surveys").RowsReceived.ShouldBe(3);
        Source(Reader.Read(Today), "usage").LastReceivedAt.ShouldBeNull();
    }

    [Fact]
    public void Read_QuietDays_MoreThanTheSilence_LeavesTheAccountFlowing_AndNoneIsRefused()
    {
        Portfolio();

        Source(Reader.Read(Today, quietDays: 31), "usage").QuietAccounts.ShouldBe(0);
        Source(Reader.Read(Today, quietDays: 30), "usage").QuietAccounts.ShouldBe(1);
        Should.Throw<StoreException>(() => Reader.Read(Today, quietDays: 0)).Message.ShouldContain("quiet days");
    }

    [Fact]
    public void Read_EmptyStore_HasNoData()
    {
        var report = Reader.Read(Today);

        report.ActiveAccounts.ShouldBe(0);
        report.Sources.Select(s => s.Kind).ShouldBe(["usage", "surveys", "tickets", "invoices", "subscriptions", "orders", "metrics", "sentiment", "touches"]);
        report.Sources.ShouldAllBe(s => s.Status == "none" && s.Accounts == 0 && s.Coverage == 0);
        report.Measures.ShouldBeEmpty();
    }
}

public sealed class SourceReaderTestsOnSqlite() : SourceReaderTests(TestEngine.Sqlite);

public sealed class SourceReaderTestsOnPostgres() : SourceReaderTests(TestEngine.Postgres);
