using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Tests.Alerts;

public class AlertOutcomesTests
{
    // Day numbers: the replay starts on D, scores weekly for ten weeks; the store knows days up to D + 70.
    private const int D = 740_000;
    private static readonly OutcomeWindow Window = new(D, weeksAfterFirstDay: 9, horizonDays: 30, lastKnownDay: D + 70);

    private static AccountData Account(int key, string? owner, double? arr, params (int Day, SubscriptionKind Kind)[] events) => new()
    {
        Key = key, AccountId = "A" + key, Owner = owner, Arr = arr,
        Subscriptions = [.. events.Select(e => new SubscriptionPoint(e.Day, e.Kind, 0))],
    };

    private static Dictionary<int, AccountData> Accounts(params AccountData[] accounts) => accounts.ToDictionary(a => a.Key);

    private static ActiveDay[] Weekly(int weeks, params int[] keys) => [.. Enumerable.Range(0, weeks).Select(w => new ActiveDay(D + (7 * w), keys))];

    // ---------------------------------------------------------------- ChurnedWithin (the backtest's label)

    [Fact]
    public void ChurnedWithin_ChurnInsideTheHorizon_IsItsDay_OnTheEdgeToo()
    {
        var a = Account(1, null, null, (D + 30, SubscriptionKind.Churned));
        a.ChurnedWithin(D, 30).ShouldBe(D + 30);
        a.ChurnedWithin(D, 29).ShouldBeNull();
        a.ChurnedWithin(D + 30, 10).ShouldBeNull();
    }

    [Fact]
    public void ChurnedWithin_ReactivatedBeforeTheHorizonEnds_OrChurnedAlready_IsNull()
    {
        var back = Account(1, null, null, (D + 5, SubscriptionKind.Churned), (D + 20, SubscriptionKind.Reactivated));
        back.ChurnedWithin(D, 30).ShouldBeNull();
        back.ChurnedWithin(D, 10).ShouldBe(D + 5);
        back.ChurnedWithin(D + 6, 30).ShouldBeNull();
        var huge = Account(2, null, null, (D + 5, SubscriptionKind.Churned));
        huge.ChurnedWithin(D, int.MaxValue).ShouldBe(D + 5);
    }

    // ---------------------------------------------------------------- Baseline

    [Fact]
    public void Baseline_CountsEachJudgedAccountDay_ChurnedArrOncePerAccount_AndOwnersCaseAside()
    {
        // Judged days: D ... D + 35 (six weeks; D + 42 and later have not had 30 days by D + 70).
        var accounts = Accounts(
            Account(1, "ann@example.com", 1000, (D + 20, SubscriptionKind.Churned)),
            Account(2, "ANN@example.com ", 500),
            Account(3, "bob@example.com", 2000, (D + 60, SubscriptionKind.Churned)),
            Account(4, null, 4000));
        // 1 is scored until its churn (D, D+7, D+14); 2 and 4 every week; 3 until D + 56.
        ActiveDay[] days = [.. Enumerable.Range(0, 10).Select(w => new ActiveDay(D + (7 * w),
            [.. new[] { 1, 2, 3, 4 }.Where(k => k switch { 1 => w <= 2, 3 => w <= 8, _ => true })]))];

        var b = AlertOutcomes.Baseline(Window, days, accounts);

        // Account-days on the six judged days: 1 ×3 (all churned within 30 days), 2 ×6, 3 ×6 (D+35 → D+65 holds its churn), 4 ×6.
        (b.Owners, b.AccountDays, b.ChurnedAccountDays, b.ChurnedAccounts, b.ChurnedArr).ShouldBe((2, 21, 4, 2, 3000.0));
        b.ChurnRate!.Value.ShouldBe(4.0 / 21, 1e-12);
    }

    // ---------------------------------------------------------------- Of

    private static readonly Dictionary<int, AccountData> Book = Accounts(
        Account(1, "ann@example.com", 1000, (D + 20, SubscriptionKind.Churned)),
        Account(2, "bob@example.com", 2000),
        Account(3, "bob@example.com", 4000, (D + 40, SubscriptionKind.Churned)),
        Account(4, null, 8000, (D + 66, SubscriptionKind.Churned)),
        Account(5, "cy@example.com", null));

    [Fact]
    public void Of_HandMadeOpenings_GiveEachFigure()
    {
        var baseline = new ChurnBaseline(Owners: 3, AccountDays: 100, ChurnedAccountDays: 5, ChurnRate: 0.05, ChurnedAccounts: 4, ChurnedArr: 20_000);
        AlertOpening[] openings =
        [
            new(2, D),          // first day, never churns
            new(1, D + 7),      // churns 13 days later
            new(1, D + 14),     // again: 6 days later (each opening counts)
            new(3, D + 14),     // churns 26 days later
            new(3, D + 7),      // 33 days before its churn: outside the horizon
            new(5, D + 21),     // never churns
            new(4, D + 49),     // its horizon ends after D + 70: not judged
        ];

        var o = AlertOutcomes.Of(Window, baseline, openings, Book);

        (o.Alerts, o.AlertsAfterFirstDay, o.Judged, o.FollowedByChurn, o.AccountsCovered).ShouldBe((7, 6, 6, 3, 2));
        o.AlertsPerOwnerWeek!.Value.ShouldBe(6.0 / 3 / 9, 1e-12);
        o.Precision!.Value.ShouldBe(3.0 / 6, 1e-12);
        o.Lift!.Value.ShouldBe(0.5 / 0.05, 1e-12);
        // Leads 13, 6, 26: the median is 13.
        o.MedianLeadDays.ShouldBe(13);
        // Accounts 1 and 3 (1 once although alerted twice); 4 churned but its alert is not judged.
        o.ArrCovered.ShouldBe(5000);
        o.ArrCoveredShare!.Value.ShouldBe(0.25, 1e-12);
    }

    [Fact]
    public void Of_EvenNumberOfLeads_MedianIsTheMeanOfTheMiddleTwo()
    {
        var baseline = new ChurnBaseline(1, 10, 1, 0.1, 2, 5000);
        var o = AlertOutcomes.Of(Window, baseline, [new(1, D + 7), new(3, D + 30)], Book);
        // Leads 13 and 10.
        o.MedianLeadDays.ShouldBe(11.5);
        o.Precision.ShouldBe(1.0);
    }

    [Fact]
    public void Of_NothingToDivideBy_FiguresAreNull()
    {
        var none = new ChurnBaseline(0, 0, 0, null, 0, 0);
        var o = AlertOutcomes.Of(Window, none, [new(4, D + 49)], Book);
        (o.Alerts, o.Judged, o.FollowedByChurn).ShouldBe((1, 0, 0));
        o.AlertsPerOwnerWeek.ShouldBeNull();
        o.Precision.ShouldBeNull();
        o.Lift.ShouldBeNull();
        o.MedianLeadDays.ShouldBeNull();
        o.ArrCoveredShare.ShouldBeNull();
        // Nobody churned at all: a precision of 0 but no lift.
        var calm = AlertOutcomes.Of(Window, new ChurnBaseline(2, 50, 0, 0.0, 0, 0), [new(2, D + 7)], Book);
        calm.Precision.ShouldBe(0.0);
        calm.Lift.ShouldBeNull();
    }

    [Fact]
    public void Of_BaselineAndOpeningsFromTheSameHistory_AlertsOnEveryAccountHaveLiftOne()
    {
        // Every active account alerted on every judged day is no better than the base rate.
        var days = Weekly(10, 1, 2, 3, 5);
        var baseline = AlertOutcomes.Baseline(Window, days, Book);
        var everything = days.SelectMany(d => d.Accounts.Select(k => new AlertOpening(k, d.Day)));

        var o = AlertOutcomes.Of(Window, baseline, everything, Book);

        o.Lift!.Value.ShouldBe(1.0, 1e-12);
        o.ArrCoveredShare!.Value.ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void OutcomeWindow_JudgesOpeningsWhoseHorizonEndsByTheLastKnownDay()
    {
        Window.JudgedUntil.ShouldBe(D + 40);
        Window.Judged(D + 40).ShouldBeTrue();
        Window.Judged(D + 41).ShouldBeFalse();
        Should.Throw<ArgumentOutOfRangeException>(() => new OutcomeWindow(D, 1, 0, D));
        Should.Throw<ArgumentOutOfRangeException>(() => new OutcomeWindow(D, 0.5, 30, D));
    }
}
