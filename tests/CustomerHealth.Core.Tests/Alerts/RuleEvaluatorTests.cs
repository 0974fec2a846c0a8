using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Alerts;

public class RuleEvaluatorTests
{
    private static readonly DateOnly Today = new(2026, 11, 22);

    private static readonly Func<int, double?> NoHistory = _ => null;

    internal static AccountState Account(
        double? score = 55,
        string? grade = "yellow",
        string? segment = "Enterprise",
        string? owner = "ana@example.com",
        string? stage = "adoption",
        DateOnly? renewal = null,
        Dictionary<string, MeasureState>? measures = null) =>
        new("acc-1", "Acme", segment, owner, stage, renewal, Today, score, grade, measures ?? []);

    private static AlertRule Rule(Condition when, RuleScope? scope = null) =>
        new("r", when, scope ?? RuleScope.Everyone, 0, Severity.Medium, [NotifyTarget.Inbox], null, false);

    private static (bool Holds, string Reason) Check(Condition c, AccountState now, AccountState? previous = null, Func<int, double?>? history = null) =>
        RuleEvaluator.Check(c, now, previous, history ?? NoHistory);

    [Fact]
    public void Check_GradeEnteredFromAnotherGrade_HoldsAndNamesThePreviousGrade()
    {
        Check(new GradeEntered("red"), Account(32, "red"), Account(45, "yellow")).ShouldBe((true, "entered red (was yellow)"));
    }

    [Fact]
    public void Check_GradeEnteredButAlreadyThere_DoesNotHold()
    {
        Check(new GradeEntered("red"), Account(30, "red"), Account(32, "red")).ShouldBe((false, "was already red"));
    }

    [Fact]
    public void Check_GradeEnteredOnFirstSnapshot_Holds()
    {
        Check(new GradeEntered("red"), Account(30, "red"), previous: null).ShouldBe((true, "entered red (first score)"));
    }

    [Fact]
    public void Check_GradeEnteredAfterAnUngradedSnapshot_Holds()
    {
        Check(new GradeEntered("red"), Account(30, "red"), Account(null, null)).ShouldBe((true, "entered red (was ungraded)"));
    }

    [Fact]
    public void Check_GradeEnteredInAnotherGrade_DoesNotHold()
    {
        Check(new GradeEntered("red"), Account(55, "yellow"), Account(80, "green")).ShouldBe((false, "grade is yellow, not red"));
        Check(new GradeEntered("red"), Account(null, null)).ShouldBe((false, "no grade yet"));
    }

    [Fact]
    public void Check_ScoreBelowThreshold_Holds()
    {
        Check(new ScoreBelow(40), Account(32)).ShouldBe((true, "score 32.0 is below 40"));
    }

    [Fact]
    public void Check_ScoreAtOrAboveThreshold_DoesNotHold()
    {
        Check(new ScoreBelow(40), Account(40)).ShouldBe((false, "score 40.0 is not below 40"));
        Check(new ScoreBelow(40), Account(null, null)).ShouldBe((false, "no score yet"));
    }

    [Fact]
    public void Check_ScoreDropAtLeastThePoints_HoldsWithTheEarlierScore()
    {
        var asked = 0;
        var result = Check(new ScoreDrop(15, 30), Account(43.2), history: days => { asked = days; return 61.2; });

        result.ShouldBe((true, "score fell 18.0 points in 30 days (from 61.2)"));
        asked.ShouldBe(30);
    }

    [Fact]
    public void Check_ScoreDropOfExactlyThePoints_HoldsDespiteFloatingPoint()
    {
        Check(new ScoreDrop(15, 30), Account(40.1), history: _ => 55.1).Holds.ShouldBeTrue();
    }

    [Fact]
    public void Check_ScoreDropSmallerThanThePoints_DoesNotHold()
    {
        Check(new ScoreDrop(15, 30), Account(58), history: _ => 61.2)
            .ShouldBe((false, "score fell 3.2 points in 30 days (from 61.2), less than 15"));
        Check(new ScoreDrop(15, 30), Account(70), history: _ => 61.2)
            .ShouldBe((false, "score did not fall in 30 days (from 61.2 to 70.0)"));
    }

    [Fact]
    public void Check_ScoreDropMadeByDataArriving_DoesNotHoldAndSaysWhy()
    {
        // 61.2 → 43.2 is 18 points, but the account's own measures made only 4 of them (NPS arrived, scoring low).
        var (holds, reason) = RuleEvaluator.Check(new ScoreDrop(15, 30), Account(43.2), null, _ => 61.2, _ => new OwnChange(-4, "Logins -4.0"));
        holds.ShouldBeFalse();
        reason.ShouldContain("own measures only 4.0");
        // When the account's own measures made the drop, it holds, and the reason names the largest of them.
        RuleEvaluator.Check(new ScoreDrop(15, 30), Account(43.2), null, _ => 61.2, _ => new OwnChange(-16, "Logins -11.0"))
            .ShouldBe((true, "score fell 18.0 points in 30 days (from 61.2), mainly Logins -11.0"));
        // Not explained (null): the drop counts as it is.
        RuleEvaluator.Check(new ScoreDrop(15, 30), Account(43.2), null, _ => 61.2, _ => null).Holds.ShouldBeTrue();
    }

    [Fact]
    public void Check_ScoreDrop_NamesTheLargestOwnCauseFromTheAttribution()
    {
        // Logins fell (own, -12), NPS arrived scoring low (-6, not own), tickets moved a little (own, -2).
        IReadOnlyList<ContributionChange> parts =
        [
            new("usage", "logins", "Logins", 40.0, 10.0, 30, 18, -12, null),
            new("voice", "nps", "NPS", null, -40.0, 0, -6, -6, ChangeAttribution.SourceConnected),
            new("support", "tickets", "Tickets", 2.0, 4.0, 10, 8, -2, null),
        ];
        var own = ChangeAttribution.Own(parts);
        own.Change.ShouldBe(-14);
        own.Mainly.ShouldBe("Logins -12.0");
        ChangeAttribution.Headline(parts).ShouldBe("Logins -12.0");
        ChangeAttribution.Headline(parts.Skip(1)).ShouldBe("NPS -6.0 (data arrived)");
        ChangeAttribution.Headline([]).ShouldBeNull();

        RuleEvaluator.Check(new ScoreDrop(15, 30), Account(41), null, _ => 61, _ => own)
            .ShouldBe((false, "score fell 20.0 points in 30 days (from 61.0), but the account's own measures only 14.0: " +
                "the rest came from data arriving or going quiet, a new model or an override"));
        RuleEvaluator.Check(new ScoreDrop(10, 30), Account(41), null, _ => 61, _ => own)
            .ShouldBe((true, "score fell 20.0 points in 30 days (from 61.0), mainly Logins -12.0"));
    }

    [Fact]
    public void Check_ScoreDropWithoutHistory_DoesNotHold()
    {
        Check(new ScoreDrop(15, 30), Account(20)).ShouldBe((false, "no score from 30 days ago to compare with"));
    }

    [Fact]
    public void Check_MeasureBelow_UsesTheLabel()
    {
        var nps = new Dictionary<string, MeasureState> { ["nps"] = new(-20, false, false, "NPS") };

        Check(new MeasureBelow("nps", 0), Account(measures: nps)).ShouldBe((true, "NPS is -20, below 0"));
        Check(new MeasureBelow("nps", -30), Account(measures: nps)).ShouldBe((false, "NPS is -20, not below -30"));
    }

    [Fact]
    public void Check_MeasureAbove_HoldsStrictlyAbove()
    {
        var open = new Dictionary<string, MeasureState> { ["urgent_open"] = new(3, false, false) };

        Check(new MeasureAbove("urgent_open", 2), Account(measures: open)).ShouldBe((true, "urgent_open is 3, above 2"));
        Check(new MeasureAbove("urgent_open", 3), Account(measures: open)).ShouldBe((false, "urgent_open is 3, not above 3"));
    }

    [Fact]
    public void Check_MeasureMissingOrUnknown_DoesNotHold()
    {
        var missing = new Dictionary<string, MeasureState> { ["nps"] = new(null, true, false, "NPS") };

        Check(new MeasureBelow("nps", 0), Account(measures: missing)).ShouldBe((false, "NPS has no value"));
        Check(new MeasureAbove("csat", 0), Account()).ShouldBe((false, "csat has no value"));
    }

    [Fact]
    public void Check_RenewalWithinDaysInAListedGrade_Holds()
    {
        var c = new RenewalWithin(90, ["red", "yellow"]);

        Check(c, Account(30, "red", renewal: new DateOnly(2027, 1, 10))).ShouldBe((true, "renewal on 2027-01-10 in 49 days, grade red"));
    }

    [Fact]
    public void Check_RenewalWithinWithoutGrades_HoldsForAnyGrade()
    {
        Check(new RenewalWithin(90, []), Account(85, "green", renewal: Today)).ShouldBe((true, "renewal on 2026-11-22 in 0 days, grade green"));
    }

    [Fact]
    public void Check_RenewalOutsideWindowOrGrade_DoesNotHold()
    {
        var c = new RenewalWithin(30, ["red"]);

        Check(c, Account(30, "red", renewal: new DateOnly(2027, 1, 10))).ShouldBe((false, "renewal on 2027-01-10 in 49 days, grade red, more than 30 days away"));
        Check(c, Account(80, "green", renewal: new DateOnly(2026, 12, 1))).ShouldBe((false, "renewal on 2026-12-01 in 9 days, grade green, not one of red"));
        Check(c, Account(30, "red", renewal: new DateOnly(2026, 11, 1))).ShouldBe((false, "renewal on 2026-11-01 has passed"));
        Check(c, Account(30, "red")).ShouldBe((false, "no renewal date"));
    }

    [Fact]
    public void Check_StaleMeasure_HoldsOnlyWhenStale()
    {
        var stale = new Dictionary<string, MeasureState> { ["csm"] = new(3, false, true, "CSM sentiment") };
        var fresh = new Dictionary<string, MeasureState> { ["csm"] = new(3, false, false, "CSM sentiment") };

        Check(new Stale("csm"), Account(measures: stale)).ShouldBe((true, "CSM sentiment is stale"));
        Check(new Stale("csm"), Account(measures: fresh)).ShouldBe((false, "CSM sentiment is up to date"));
        Check(new Stale("csm"), Account()).ShouldBe((false, "csm is not measured"));
    }

    [Fact]
    public void Evaluate_AccountInScope_Fires()
    {
        var scope = new RuleScope(["Enterprise", "Mid-Market"], [], []);

        var result = RuleEvaluator.Evaluate(Rule(new ScoreBelow(40), scope), Account(32, "red", segment: "mid-market"), null, NoHistory);

        result.ShouldBe(new RuleEvaluation(true, true, "score 32.0 is below 40"));
        result.Fires.ShouldBeTrue();
    }

    [Fact]
    public void Evaluate_AccountOutOfScope_DoesNotFireEvenWhenTheConditionHolds()
    {
        var scope = new RuleScope(["Enterprise"], [], []);

        var result = RuleEvaluator.Evaluate(Rule(new ScoreBelow(40), scope), Account(32, "red", segment: "SMB"), null, NoHistory);

        result.InScope.ShouldBeFalse();
        result.Holds.ShouldBeTrue();
        result.Fires.ShouldBeFalse();
    }

    [Theory]
    [InlineData("Enterprise", "ana@example.com", "adoption", true)]
    [InlineData("SMB", "ana@example.com", "adoption", false)]
    [InlineData("Enterprise", "bo@example.com", "adoption", false)]
    [InlineData("Enterprise", "ANA@example.com", "onboarding", false)]
    [InlineData(null, "ana@example.com", "adoption", false)]
    public void Matches_EveryGivenListMustMatch(string? segment, string? owner, string? stage, bool expected)
    {
        var scope = new RuleScope(["Enterprise"], ["ana@example.com"], ["adoption", "renewal"]);

        scope.Matches(Account(segment: segment, owner: owner, stage: stage)).ShouldBe(expected);
    }

    [Fact]
    public void Matches_EmptyScope_IncludesAccountsWithoutAnyAttributes()
    {
        RuleScope.Everyone.Matches(Account(segment: null, owner: null, stage: null)).ShouldBeTrue();
    }

    [Fact]
    public void Title_AllPlaceholders_AreFilledForTheAccount()
    {
        var task = new TaskTemplate("{rule.id}: call {account.name} ({account.id}), {score} {grade}", null, 3, []);
        var rule = Rule(new ScoreBelow(40)) with { Task = task };

        task.Title(Account(32.04, "red"), rule).ShouldBe("r: call Acme (acc-1), 32.0 red");
    }

    [Fact]
    public void Title_AccountWithoutNameOrScore_FallsBackToIdAndWords()
    {
        var task = new TaskTemplate("Call {account.name}: {score}, {grade}", null, null, []);
        var account = Account(null, null) with { Name = null };

        task.Title(account, Rule(new ScoreBelow(40))).ShouldBe("Call acc-1: no score, ungraded");
    }

    [Fact]
    public void Constructors_InvalidValues_Throw()
    {
        Should.Throw<ArgumentOutOfRangeException>(() => new ScoreDrop(0, 30));
        Should.Throw<ArgumentOutOfRangeException>(() => new RenewalWithin(-1, []));
        Should.Throw<ArgumentException>(() => new NotifyTarget(NotifyKind.Webhook));
        Should.Throw<ArgumentException>(() => new Destination(DestinationKind.Slack, new Uri("file:///etc/passwd")));
        Should.Throw<ArgumentOutOfRangeException>(() => Rule(new ScoreBelow(40)) with { CooldownDays = -1 });
    }
}
