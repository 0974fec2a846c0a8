using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Components.Portfolio;

namespace CustomerHealth.Web.Tests.Components.Portfolio;

/// <summary>
/// The Portfolio page's model on a small book: P1 (ARR 1,000) and P2 (ARR 2,000) have signals, P3 (ARR 4,000) none. The
/// model grades only scores resting on 70% of it or more, so an account with the metric alone (60%) is scored but not graded.
/// </summary>
public sealed class PortfolioPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);

    // One cache for the whole test, as a server keeps one: a test that changes the book between loads sees the change.
    private readonly PortfolioCache cache = new();

    public PortfolioPageModelTests()
    {
        store.Publish(ModelStore.Model.Replace("trend_days: 30", "trend_days: 30\nmin_coverage: 0.7", StringComparison.Ordinal));
        store.Import(ImportKind.Accounts, "account_id,name,arr,renewal_on",
            $"P1,One,1000,{ModelStore.Day(Today.AddDays(20))}", $"P2,Two,2000,{ModelStore.Day(Today.AddDays(50))}", "P3,Three,4000,");
    }

    public void Dispose() => store.Dispose();

    private PortfolioPageModel Loaded()
    {
        var book = new PortfolioPageModel(store.Dashboard(), new PortfolioTrends(store.Db), cache);
        book.Load();
        return book;
    }

    private void Nps(string account, int score) =>
        store.Import(ImportKind.Surveys, "account_id,kind,score,responded_at", $"{account},nps,{score},{ModelStore.Day(Today.AddDays(-2))}T10:00:00Z");

    [Fact]
    public void Load_NothingScored_ReadsNoTrends()
    {
        var book = Loaded();

        (book.Summary.Accounts, book.Summary.Scored).ShouldBe((3, 0));
        book.Bins.ShouldBeEmpty();
        book.OverTime.ShouldBeEmpty();
        book.Ungraded.ShouldBe(3);
        book.ScoredTooLittle.ShouldBe(0);
    }

    [Fact]
    public void Ungraded_UnscoredAndScoredOnTooLittle_CountedApartWithTheirArr()
    {
        store.Health(Today.AddDays(-1), ("P1", 50), ("P2", 90));
        Nps("P1", 5);
        store.Score(Today);

        var book = Loaded();

        // P1: 0.6 × 50 + 0.4 × 50 = 50, yellow; P2 scored on 60% of the model: no grade; P3: no score.
        book.Summary.ByGrade.Where(g => g.Accounts > 0).ShouldHaveSingleItem().Grade.ShouldBe("yellow");
        (book.Ungraded, book.ScoredTooLittle, book.UnscoredArr).ShouldBe((2, 1, 6000.0));
        // P1 is below the top grade and renews within the next months.
        book.NoRenewalRisk.ShouldBeFalse();
        book.RenewalsAtRisk.ShouldHaveSingleItem().Arr.ShouldBe(1000);
    }

    [Fact]
    public void Renewals_EveryRenewingAccountHealthy_NoRisk()
    {
        store.Health(Today.AddDays(-1), ("P1", 90), ("P2", 90));
        Nps("P1", 9);
        Nps("P2", 9);
        store.Score(Today);

        var book = Loaded();

        book.NoRenewalRisk.ShouldBeTrue();
        book.RenewalsAtRisk.ShouldBeEmpty();
    }

    [Fact]
    public void DistributionChart_EachBand_InTheColorOfTheGradeItStartsIn()
    {
        store.Health(Today.AddDays(-1), ("P1", 75), ("P2", 35));
        Nps("P1", 7);
        Nps("P2", 4);
        store.Score(Today);

        var chart = JsonSerializer.SerializeToElement(Loaded().DistributionChart());

        var labels = chart.GetProperty("xAxis").GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToList();
        var colors = chart.GetProperty("series")[0].GetProperty("data").EnumerateArray().Select(e => e.GetProperty("itemStyle").GetProperty("color").GetString()).ToList();
        colors[labels.IndexOf("70–80")].ShouldBe("#2e7d32");
        colors[labels.IndexOf("60–70")].ShouldBe("#f9a825");
        colors[labels.IndexOf("40–50")].ShouldBe("#f9a825");
        colors[labels.IndexOf("30–40")].ShouldBe("#c62828");
    }

    [Fact]
    public void HistoryDescription_WeeklyAverages_FromFirstToLastWithLowestAndHighest()
    {
        Nps("P1", 5);
        foreach (var (ago, health) in new[] { (14, 40), (7, 60), (0, 50) })
        {
            store.Health(Today.AddDays(-ago - 1), ("P1", health));
            store.Score(Today.AddDays(-ago));
        }

        var book = Loaded();

        // The metric alone before the NPS answer (2 days ago): 40, 60; then 0.6 × 50 + 0.4 × 50 = 50.
        book.HistoryDescription().ShouldBe(
            "The average score went from 40.0 on 2025-05-18 to 50.0 on 2025-06-01, over 3 weekly points; lowest 40.0 on 2025-05-18, highest 60.0 on 2025-05-25.");
    }

    [Fact]
    public void Load_Again_KeepsTheBookUntilAScoreAnAccountOrAChurnChanges()
    {
        store.Health(Today.AddDays(-1), ("P1", 50), ("P2", 90));
        Nps("P1", 5);
        store.Score(Today);
        var first = Loaded();

        // Nothing the book is computed from changed: the figures read for the first view are kept.
        Loaded().Summary.ShouldBeSameAs(first.Summary);
        Nps("P2", 9);
        Loaded().Summary.ShouldBeSameAs(first.Summary);

        // Each change is on the next view.
        store.Score(Today);
        var rescored = Loaded();
        rescored.Summary.ShouldNotBeSameAs(first.Summary);
        rescored.Summary.ByGrade.Single(g => g.Grade == "green").Accounts.ShouldBe(1);
        store.Import(ImportKind.Accounts, "account_id,name,arr", "P4,Four,500");
        Loaded().Summary.Accounts.ShouldBe(4);
        store.Import(ImportKind.Subscriptions, "account_id,kind,occurred_on", $"P3,churned,{ModelStore.Day(Today)}");
        (Loaded().Summary.Accounts, Loaded().Summary.Churned).ShouldBe((3, 1));
    }

    [Theory]
    [InlineData(1, 4, 0.25)]
    [InlineData(3, 0, null)]
    public void Share_PartOfAWhole_NothingOfNothing(double part, double whole, double? share) => PortfolioPageModel.Share(part, whole).ShouldBe(share);

    [Fact]
    public void MonthLabel_YearAndMonth_ShortMonthAndYear() => CustomerHealth.Web.Components.Dashboard.Month("2026-03").ShouldBe("Mar 2026");
}
