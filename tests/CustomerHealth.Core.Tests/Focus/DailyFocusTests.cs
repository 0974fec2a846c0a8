using CustomerHealth.Core.Focus;

namespace CustomerHealth.Core.Tests.Focus;

public class DailyFocusTests
{
    private static FocusCandidate C(string id, double arr, string grade = "yellow", bool newRed = false, double? own = null, int? renews = null, bool healthiest = false) =>
        new(id, id, arr, 50, grade, newRed, own, "health -12.0", renews, healthiest);

    [Fact]
    public void Pick_NewlyAtRiskFirst_ThenOwnDrops_ThenRenewals_MostArrFirstWithin()
    {
        var items = DailyFocus.Pick(
        [
            C("renewal-big", 90_000, renews: 30),
            C("drop-small", 1_000, own: -15),
            C("red-small", 2_000, "red", newRed: true),
            C("drop-big", 50_000, own: -25),
            C("red-big", 80_000, "red", newRed: true),
        ]);
        items.Select(i => i.AccountId).ShouldBe(["red-big", "red-small", "drop-big", "drop-small", "renewal-big"]);
        items[2].Kind.ShouldBe(FocusKind.SharpDrop);
        items[2].Reason.ShouldBe("Its own measures lowered the score 25.0 points. Mainly: health -12.0.");
        items.ShouldAllBe(i => i.NextStep.Length > 0);
    }

    [Fact]
    public void Pick_LeavesOutSmallDrops_HealthyOrFarRenewals_AndUnexplainedDrops()
    {
        DailyFocus.Pick(
        [
            C("small-drop", 10_000, own: -9.9),
            C("healthy-renewal", 10_000, "green", renews: 10, healthiest: true),
            C("far-renewal", 10_000, renews: 61),
            C("past-renewal", 10_000, renews: -1),
            C("unexplained", 10_000, own: null),
        ]).ShouldBeEmpty();
    }

    [Fact]
    public void Pick_AnAccountIsListedOnce_AndTheListIsAHandful()
    {
        var items = DailyFocus.Pick([C("both", 5_000, "red", newRed: true, own: -30, renews: 5)]);
        items.Single().Kind.ShouldBe(FocusKind.NewlyAtRisk);
        DailyFocus.Pick(Enumerable.Range(0, 30).Select(i => C($"r{i:00}", i, own: -20))).Count.ShouldBe(10);
    }
}
