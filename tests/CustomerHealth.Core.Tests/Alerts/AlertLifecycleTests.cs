using CustomerHealth.Core.Alerts;

namespace CustomerHealth.Core.Tests.Alerts;

public class AlertLifecycleTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static AlertDecision Decide(ExistingAlert? existing, bool fires, DateOnly? lastResolved = null, int cooldown = 14, bool autoResolve = true) =>
        AlertLifecycle.Decide(cooldown, autoResolve, existing, lastResolved, fires, Today);

    private static ExistingAlert OpenSince(int daysAgo, AlertState state = AlertState.Open, DateOnly? snoozedUntil = null) =>
        new(Today.AddDays(-daysAgo), Today.AddDays(-1), state, snoozedUntil);

    [Fact]
    public void Decide_NoAlertAndConditionHolds_OpensAndNotifies()
    {
        Decide(null, fires: true).ShouldBe(new AlertDecision(AlertAction.Open, true, AlertState.Open, "condition holds"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Decide_ADayBeforeTheAlertOpened_KeepsItAsItIs(bool fires)
    {
        var later = new ExistingAlert(Today.AddDays(3), Today.AddDays(3), AlertState.Open);

        Decide(later, fires).ShouldBe(new AlertDecision(AlertAction.Keep, false, AlertState.Open, "opened after this day; left as it is"));
    }

    [Fact]
    public void Decide_NoAlertAndConditionDoesNotHold_Keeps()
    {
        Decide(null, fires: false).Action.ShouldBe(AlertAction.Keep);
    }

    [Theory]
    [InlineData(AlertState.Open)]
    [InlineData(AlertState.Acknowledged)]
    public void Decide_UnresolvedAlertStillHolds_UpdatesQuietlyNeverOpensAnother(AlertState state)
    {
        var decision = Decide(OpenSince(5, state), fires: true);

        decision.Action.ShouldBe(AlertAction.Update);
        decision.Notify.ShouldBeFalse();
        decision.State.ShouldBe(state);
    }

    [Fact]
    public void Decide_ConditionClearedWithAutoResolve_Resolves()
    {
        Decide(OpenSince(5), fires: false, autoResolve: true).Action.ShouldBe(AlertAction.Resolve);
    }

    [Fact]
    public void Decide_ConditionClearedWithoutAutoResolve_KeepsTheAlertOpen()
    {
        var decision = Decide(OpenSince(5, AlertState.Acknowledged), fires: false, autoResolve: false);

        decision.Action.ShouldBe(AlertAction.Keep);
        decision.State.ShouldBe(AlertState.Acknowledged);
    }

    [Fact]
    public void Decide_HoldsAgainWithinCooldown_IsSuppressed()
    {
        var decision = Decide(null, fires: true, lastResolved: Today.AddDays(-13), cooldown: 14);

        decision.Action.ShouldBe(AlertAction.Suppressed);
        decision.Notify.ShouldBeFalse();
        decision.Reason.ShouldBe("cooling down until 2026-11-23 after the last alert was resolved on 2026-11-09");
    }

    [Fact]
    public void Decide_HoldsAgainWhenCooldownIsOver_Opens()
    {
        Decide(null, fires: true, lastResolved: Today.AddDays(-14), cooldown: 14).Action.ShouldBe(AlertAction.Open);
    }

    [Fact]
    public void Decide_NoCooldown_ReopensTheDayAfterResolution()
    {
        Decide(null, fires: true, lastResolved: Today.AddDays(-1), cooldown: 0).Action.ShouldBe(AlertAction.Open);
    }

    [Fact]
    public void Decide_SnoozedAndStillHolding_UpdatesWithoutNotifying()
    {
        var decision = Decide(OpenSince(5, AlertState.Snoozed, Today.AddDays(1)), fires: true);

        decision.ShouldBe(new AlertDecision(AlertAction.Update, false, AlertState.Snoozed, "still holds; snoozed until 2026-11-23"));
    }

    [Fact]
    public void Decide_SnoozeEndedAndStillHolding_WakesAndNotifiesOnce()
    {
        var decision = Decide(OpenSince(5, AlertState.Snoozed, Today), fires: true);

        decision.Action.ShouldBe(AlertAction.Update);
        decision.Notify.ShouldBeTrue();
        decision.State.ShouldBe(AlertState.Open);
    }

    [Fact]
    public void Decide_SnoozedAndConditionCleared_ResolvesWithAutoResolve()
    {
        Decide(OpenSince(5, AlertState.Snoozed, Today.AddDays(10)), fires: false).Action.ShouldBe(AlertAction.Resolve);
    }

    [Fact]
    public void Decide_WithUnresolvedAlert_IgnoresTheCooldownOfAnEarlierOne()
    {
        Decide(OpenSince(2), fires: true, lastResolved: Today.AddDays(-3)).Action.ShouldBe(AlertAction.Update);
    }

    [Fact]
    public void Decide_RuleOverload_UsesTheRulesCooldownAndAutoResolve()
    {
        var rule = new AlertRule("r", new ScoreBelow(40), RuleScope.Everyone, 7, Severity.Low, [], null, AutoResolve: false);

        AlertLifecycle.Decide(rule, null, Today.AddDays(-6), fires: true, Today).Action.ShouldBe(AlertAction.Suppressed);
        AlertLifecycle.Decide(rule, OpenSince(3), null, fires: false, Today).Action.ShouldBe(AlertAction.Keep);
    }

    [Fact]
    public void ExistingAlert_SnoozedWithoutDate_Throws()
    {
        Should.Throw<ArgumentException>(() => new ExistingAlert(Today, Today, AlertState.Snoozed));
        Should.Throw<ArgumentException>(() => new ExistingAlert(Today, Today.AddDays(-1), AlertState.Open));
    }

    [Fact]
    public void SnoozeMayEnd_OnlyOnADayAfterToday()
    {
        AlertLifecycle.SnoozeMayEnd(Today.AddDays(1), Today).ShouldBeTrue();
        AlertLifecycle.SnoozeMayEnd(Today, Today).ShouldBeFalse();
        AlertLifecycle.SnoozeMayEnd(Today.AddDays(-3), Today).ShouldBeFalse();
    }

    [Fact]
    public void IsAssignee_AnEmailAddressOrNobody()
    {
        AlertLifecycle.IsAssignee("ana@example.com").ShouldBeTrue();
        AlertLifecycle.IsAssignee(null).ShouldBeTrue();
        AlertLifecycle.IsAssignee("  ").ShouldBeTrue();
        AlertLifecycle.IsAssignee("ana").ShouldBeFalse();
    }
}
