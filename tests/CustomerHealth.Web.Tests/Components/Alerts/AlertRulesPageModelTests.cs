using System.Security.Claims;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Web.Components.Alerts;
using CustomerHealth.Web.Jobs;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace CustomerHealth.Web.Tests.Components.Alerts;

/// <summary>
/// The Alert rules page's model: what its form shows in its fields, who sees the replay and the draft, and the lines of
/// the replay's table. The store has one rule in force (`yellow-or-worse`, a 30-day cooldown) and scores on the 3rd
/// and the 10th of May 2025.
/// </summary>
public sealed class AlertRulesPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);

    private const string Rules =
        """
        rules:
          - id: yellow-or-worse
            when: { score_below: 70 }
            cooldown: 30d
            severity: low
        """;

    public void Dispose() => store.Dispose();

    private void InForceAndScored()
    {
        store.Publish();
        new AlertBook(store.Db, store.Models, store.Clock).SetRules(Rules, "rules.yaml");
        store.Import(ImportKind.Accounts, "account_id,name", "R1,One");
        store.Health(new DateOnly(2025, 5, 1), ("R1", 50));
        store.Score(new DateOnly(2025, 5, 3), new DateOnly(2025, 5, 10));
    }

    private AlertRulesPageModel Loaded(ClaimsPrincipal user, RulesFormInput? posted = null)
    {
        var dashboard = store.Dashboard();
        var rules = new AlertRulesPageModel(dashboard, new AlertBook(store.Db, dashboard.Models, store.Clock), new DraftRuns(NullLogger<DraftRuns>.Instance), user,
            posted ?? new RulesFormInput(null, null, null, null, null), posting: posted is not null);
        rules.Load();
        return rules;
    }

    private static RulesFormInput Posted(string? act = "replay", string? from = null, string? to = null, string? horizon = null, string? draft = null) =>
        new(act, from, to, horizon, draft);

    [Fact]
    public void Fields_NothingScored_Empty()
    {
        store.Publish();

        var rules = Loaded(ModelStore.Person("manager"));

        rules.LatestScored.ShouldBeNull();
        rules.DefaultFrom.ShouldBeNull();
        (rules.FromValue, rules.ToValue, rules.HorizonValue).ShouldBe(("", "", ""));
        rules.DraftText.ShouldBe("");
    }

    [Fact]
    public void Fields_NothingPosted_TheDefaultReplayUpToTheLatestScoredDay()
    {
        InForceAndScored();

        var rules = Loaded(ModelStore.Person("manager"));

        rules.LatestScored.ShouldBe(new DateOnly(2025, 5, 10));
        // 26 weeks, the latest scored day included.
        (rules.FromValue, rules.ToValue, rules.HorizonValue).ShouldBe(("2024-11-10", "2025-05-10", "90"));
        rules.InForce.ShouldHaveSingleItem().Id.ShouldBe("yellow-or-worse");
        rules.DraftText.ShouldBe(rules.RulesYaml);
    }

    [Fact]
    public void Fields_PostedRight_TheDaysTheReplayUsed()
    {
        InForceAndScored();

        var rules = Loaded(ModelStore.Person("manager"), Posted(from: "2025-05-01", to: " ", horizon: "30"));

        (rules.FromValue, rules.ToValue, rules.HorizonValue).ShouldBe(("2025-05-01", "2025-05-10", "30"));
    }

    [Theory]
    [InlineData("garbage", "2025-05-10", "30")]
    [InlineData("2025-05-10", "2025-05-01", "30")]
    [InlineData("2025-05-01", "2025-05-10", "0")]
    [InlineData("2025-05-01", "2025-05-10", "ninety")]
    public void Fields_PostedWrong_AsPostedToBeCorrected(string from, string to, string horizon)
    {
        InForceAndScored();

        var rules = Loaded(ModelStore.Person("manager"), Posted(from: from, to: to, horizon: horizon));

        (rules.FromValue, rules.ToValue, rules.HorizonValue).ShouldBe((from, to, horizon));
    }

    [Fact]
    public void Viewer_SeesNoReplayUntilTheirPostIsRefused()
    {
        InForceAndScored();
        var rules = Loaded(ModelStore.Person("viewer"), Posted());

        rules.ShowReplay.ShouldBeTrue();
        var answer = rules.Submit();

        answer.Status.ShouldBe(StatusCodes.Status403Forbidden);
        rules.ShowReplay.ShouldBeFalse();
        Loaded(ModelStore.Person("viewer")).ShowReplay.ShouldBeFalse();
    }

    [Fact]
    public void Manager_ReplaysButHasNoDraftBox_UnlessTheirDraftPostIsAnswered()
    {
        InForceAndScored();
        var manager = ModelStore.Person("manager");
        Loaded(manager).ShowDraft.ShouldBeFalse();
        Loaded(ModelStore.Person("admin")).ShowDraft.ShouldBeTrue();

        var rules = Loaded(manager, Posted(act: "test", draft: Rules));
        rules.ShowDraft.ShouldBeTrue();
        rules.DraftText.ShouldBe(Rules);
        rules.Submit().Status.ShouldBe(StatusCodes.Status403Forbidden);

        // The refusal keeps the draft in its answer, but the box is an admin's.
        rules.ShowDraft.ShouldBeFalse();
        rules.DraftText.ShouldBe(Rules);
    }

    [Fact]
    public void Submit_ReplayOfTheRulesInForce_ReportAndHeading()
    {
        InForceAndScored();
        var rules = Loaded(ModelStore.Person("manager"), Posted());

        var answer = rules.Submit();

        answer.Report.ShouldNotBeNull();
        rules.ReplayHeading.ShouldBe("Replay of the rules in force");
        rules.Took.ShouldMatch(@"^ The replay took \d+\.\d s\.$");
        rules.DraftSentences.ShouldBeEmpty();
    }

    [Fact]
    public void Submit_DraftTested_ItsRulesInWordsAndNothingChanged()
    {
        InForceAndScored();
        var draft = Rules.Replace("yellow-or-worse", "red-only", StringComparison.Ordinal).Replace("70", "40", StringComparison.Ordinal);
        var rules = Loaded(ModelStore.Person("admin"), Posted(act: "test", draft: draft));

        rules.Submit().Report.ShouldNotBeNull();

        rules.ReplayHeading.ShouldBe("Replay of the draft (nothing was changed)");
        rules.DraftSentences.ShouldHaveSingleItem().Id.ShouldBe("red-only");
        new AlertBook(store.Db, store.Models, store.Clock).Rules().Rules.ShouldHaveSingleItem().Id.ShouldBe("yellow-or-worse");
    }

    [Fact]
    public void Submit_ShippedRules_TheBoxHoldsThem()
    {
        InForceAndScored();
        var rules = Loaded(ModelStore.Person("admin"), Posted(act: "shipped", draft: "rules: []"));

        rules.Submit();

        rules.DraftText.ShouldBe(AlertBook.ShippedRules);
    }

    private static RuleNoise Noise(string rule, int cooldown) => new(rule, cooldown, 1, 2, 0.5, 1, 2, 0, 1, null, 0, 0, null, null, null, 0, null);

    [Fact]
    public void NoiseRows_RuleWithACooldown_AlsoWithoutItAfterIt()
    {
        var report = new NoiseReport("2025-05-01", "2025-05-10", 2, 1.4, 90, null, 1, null, 0, 0,
            [Noise("quiet", 30), Noise("loud", 0)], [Noise("quiet", 0), Noise("loud", 0)], new AlertOutcome(0, 0, null, 0, 0, null, null, null, 0, 0, null));

        var rows = AlertRulesPageModel.NoiseRows(report).Select(lines => lines.Select(l => (l.Row.RuleId, l.Row.CooldownDays, l.Without)).ToList()).ToList();

        rows.Count.ShouldBe(2);
        rows[0].ShouldBe([("quiet", 30, false), ("quiet", 0, true)]);
        rows[1].ShouldBe([("loud", 0, false)]);
    }
}
