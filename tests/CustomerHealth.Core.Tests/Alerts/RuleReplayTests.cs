using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Alerts;

/// <summary>A rule replayed over history: which alerts open, resolve, or wait out the cooldown.</summary>
public class RuleReplayTests
{
    private static readonly DateOnly D = new(2026, 1, 5);

    private static AlertRule Below50(int cooldown) =>
        new("low", new ScoreBelow(50), RuleScope.Everyone, cooldown, Severity.High, [NotifyTarget.Inbox], null, true);

    private static ReplayedAccount Snap(long key, DateOnly day, double score, Func<int, double?>? ago = null, Func<int, OwnChange?>? own = null) =>
        new(key, new AccountState("A" + key, null, null, null, null, null, day, score, null, new Dictionary<string, MeasureState>()), null,
            ago ?? (_ => null), own ?? (_ => null));

    /// <summary>Replays one account's weekly scores from <see cref="D"/>.</summary>
    private static RuleReplay Replay(AlertRule rule, int cooldown, params double[] weeklyScores)
    {
        var replay = new RuleReplay(rule, cooldown, D);
        for (var w = 0; w < weeklyScores.Length; w++)
        {
            var day = D.AddDays(7 * w);
            replay.Step(day, [Snap(1, day, weeklyScores[w])]);
        }
        return replay;
    }

    [Fact]
    public void Step_WithCooldown_OpensResolvesAndHoldsBackUntilTheCooldownEnds()
    {
        // Week 0 opens (first day); week 1 clears (resolved); week 2 holds again 7 days after: held back (14-day
        // cooldown); week 3 holds 14 days after: opens; week 4 still holds: stays open.
        var replay = Replay(Below50(14), 14, 40, 60, 40, 40, 40);

        replay.RuleId.ShouldBe("low");
        replay.CooldownDays.ShouldBe(14);
        replay.OpenedFirstDay.ShouldBe(1);
        replay.OpenedAfter.ShouldBe(1);
        replay.HeldBackByCooldown.ShouldBe(1);
        replay.OpenAtEnd.ShouldBe(1);
        replay.Accounts.ShouldBe(1);
        replay.Openings.ShouldBe([new AlertOpening(1, D.DayNumber), new AlertOpening(1, D.AddDays(21).DayNumber)]);
    }

    [Fact]
    public void Step_WithoutCooldown_OpensAgainAsSoonAsItHolds()
    {
        var replay = Replay(Below50(14), 0, 40, 60, 40, 40, 60);

        replay.OpenedFirstDay.ShouldBe(1);
        replay.OpenedAfter.ShouldBe(1);
        replay.HeldBackByCooldown.ShouldBe(0);
        replay.OpenAtEnd.ShouldBe(0);
        replay.Openings.Select(o => o.Day).ShouldBe([D.DayNumber, D.AddDays(14).DayNumber]);
    }

    [Fact]
    public void Step_OpeningsAfterTheFirstDay_CountedPerWeekFromIt()
    {
        var replay = new RuleReplay(Below50(0), 0, D);
        replay.Step(D, [Snap(1, D, 60), Snap(2, D, 60)]);
        replay.Step(D.AddDays(8), [Snap(1, D.AddDays(8), 40), Snap(2, D.AddDays(8), 40)]);
        replay.Step(D.AddDays(10), [Snap(3, D.AddDays(10), 40)]);
        replay.Step(D.AddDays(15), [Snap(4, D.AddDays(15), 40)]);

        // Week 1 (days 7–13) has three openings, week 2 one.
        replay.OpenedFirstDay.ShouldBe(0);
        replay.OpenedAfter.ShouldBe(4);
        replay.BusiestWeek.ShouldBe(3);
        replay.Accounts.ShouldBe(4);
        replay.PerWeek(3).ShouldBe(2);
        replay.PerWeek(1.5).ShouldBe(4);
    }

    [Fact]
    public void Step_ScoreDrop_ReadsTheLookBackAndTheOwnChangeItIsGiven()
    {
        var rule = new AlertRule("drop", new ScoreDrop(20, 30), RuleScope.Everyone, 0, Severity.Medium, [NotifyTarget.Inbox], null, true);
        var replay = new RuleReplay(rule, 0, D);

        replay.Step(D, [
            Snap(1, D, 50, ago: d => d == 30 ? 80 : null),
            Snap(2, D, 50, ago: _ => 80, own: _ => new OwnChange(-5, null)),
            Snap(3, D, 50, ago: _ => 60)]);

        // Account 1 fell 30 points; account 2 too, but its own measures only 5; account 3 only 10.
        replay.Openings.ShouldBe([new AlertOpening(1, D.DayNumber)]);
    }

    [Theory]
    [InlineData(new[] { 0 }, 1)]
    [InlineData(new[] { 0, 7, 14, 21 }, 4)]
    [InlineData(new[] { 0, 14, 28 }, 6)]
    [InlineData(new[] { 0, 1, 2 }, 1)]
    [InlineData(new[] { 0, 3, 10 }, 13 / 7.0)]
    public void Weeks_LastMinusFirstPlusTheSmallestStep(int[] offsets, double weeks)
    {
        RuleReplay.Weeks(offsets.Select(o => D.AddDays(o)).ToList()).ShouldBe(weeks, 1e-12);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(1.5, 1)]
    [InlineData(4, 3)]
    public void WeeksAfterFirstDay_AllButTheFirstAtLeastOne(double weeks, double after)
    {
        RuleReplay.WeeksAfterFirstDay(weeks).ShouldBe(after);
    }
}
