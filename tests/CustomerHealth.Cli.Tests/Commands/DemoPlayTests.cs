using CustomerHealth.Cli.Demo;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store.Alerts;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>The demo's planted play: its team respects the shipped rule's hold-out, and both histories of each account give the true effect.</summary>
public sealed class DemoPlayTests : IDisposable
{
    private readonly string dir = Path.Combine(Path.GetTempPath(), "chs-demo-play-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void TheTeamsHoldout_IsTheShippedRulesOne()
    {
        AlertRulesLoader.Load(AlertBook.ShippedRules).Find(DemoPortfolio.PlayRule)!.Holdout.ShouldBe(DemoPortfolio.PlayHoldout);
    }

    [Fact]
    public void Write_BothHistories_TheSameWhereTheTeamNeverMet_AndThePlayCutsChurn()
    {
        var files = DemoPortfolio.Write(dir, 600, 18, new DateOnly(2026, 11, 22), 42);

        files.Plays.Count.ShouldBe(600);
        files.Plays.Count(p => p.Value.HeldOut).ShouldBe(files.Plays.Keys.Count(id => Holdout.IsHeldOut(DemoPortfolio.PlayRule, id, DemoPortfolio.PlayHoldout)));
        var differ = files.Plays.Values.Where(p => !p.ChurnDays.SequenceEqual(p.OtherWayChurnDays)).ToList();
        differ.Count.ShouldBeGreaterThan(10);
        // Over every account, more churn without the play than with it.
        var with = files.Plays.Values.Sum(p => p.Outcomes.With.Count);
        var without = files.Plays.Values.Sum(p => p.Outcomes.Without.Count);
        with.ShouldBeLessThan(without);
        // The files are the simulated history: the churned accounts are those churned at the end with the team as it played.
        files.Churned.ShouldBeLessThanOrEqualTo(files.Plays.Values.Count(p => p.ChurnDays.Count > 0));
    }

    [Fact]
    public void TrueEffect_CountsEachAlertWhoseHorizonEnded_WithAndWithoutThePlay()
    {
        var end = new DateOnly(2026, 6, 30);
        var t = new DateOnly(2026, 1, 1);
        var plays = new Dictionary<string, DemoPlay>
        {
            // Acted on: churned without the play only.
            ["A"] = new(false, [], [t.DayNumber + 30]),
            // Held out: churned as it went (no play), not with it.
            ["B"] = new(true, [t.DayNumber + 10], []),
            // Churned both ways, but after the horizon with the play.
            ["C"] = new(false, [t.DayNumber + 120], [t.DayNumber + 60]),
        };

        var (alerts, w, wo) = DemoPortfolio.TrueEffect([("A", t), ("B", t), ("C", t), ("A", end.AddDays(-10))], plays, 90, end);

        (alerts, w, wo).ShouldBe((3, 0.0, 1.0));
    }
}
