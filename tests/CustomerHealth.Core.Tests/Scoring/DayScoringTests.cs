using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Scoring;

/// <summary>Who is scored as of a day, how a parent rolls up its children, and how grades and overrides apply.</summary>
public class DayScoringTests
{
    private static readonly int Mar1 = new DateOnly(2025, 3, 1).DayNumber;
    private static readonly int Mar10 = new DateOnly(2025, 3, 10).DayNumber;

    // The score is the latest `health` metric (0..100); grades green ≥ 70, yellow ≥ 40, red below.
    private static string Model(string extra = "") =>
        "name: Day\n" + extra +
        """
        grades:
          - { id: green, min: 70 }
          - { id: yellow, min: 40 }
          - { id: red, min: 0 }
        dimensions:
          - id: product
            weight: 60
            measures:
              - id: health
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
          - id: voice
            weight: 40
            measures:
              - id: nps
                value: { signal: surveys, kind: nps, aggregate: latest }
                score: { range: { worst: 0, best: 10 } }
        """;

    private static ScoringPlan Plan(string extra = "") => new(ModelLoader.Load(Model(extra)));

    private static AccountData Account(int key, double? health = null, int? healthDay = null, string? parent = null, double? arr = null,
        int? started = null, SubscriptionPoint[]? subscriptions = null, int? statusChurned = null) => new()
    {
        Key = key,
        AccountId = "A" + key,
        ParentId = parent,
        Arr = arr,
        StartedDay = started,
        StatusChurnedDay = statusChurned,
        Subscriptions = subscriptions ?? [],
        Metrics = health is { } h ? new Dictionary<string, MetricPoint[]> { ["health"] = [new(healthDay ?? Mar1, h)] } : new Dictionary<string, MetricPoint[]>(),
    };

    private static ScoredAccount Scored(AccountData a, double? score, double coverage = 1) =>
        new(a, new AccountScore(0, score, [], coverage), score, null, null, null);

    private static IReadOnlyList<ScoredAccount> Score(ScoringPlan plan, IReadOnlyList<ScoreOverride> overrides, params AccountData[] accounts) =>
        DayScoring.Score(plan, accounts, new Dictionary<string, int>(), Mar10, overrides);

    [Fact]
    public void FirstDay_StartAndSignals_IsTheEarliest()
    {
        var a = new AccountData
        {
            Key = 1,
            AccountId = "A1",
            StartedDay = 100,
            Tickets = [new TicketPoint(90, TicketPriority.Low, null, null, null, null, false, null)],
            Metrics = new Dictionary<string, MetricPoint[]> { ["m"] = [new(95, 1)], ["n"] = [new(80, 1)] },
            Orders = [new OrderPoint(120, 10, 0)],
        };

        Eligibility.FirstDay(a).ShouldBe(80);
    }

    [Fact]
    public void FirstDay_NoStartNoSignals_IsNull()
    {
        Eligibility.FirstDay(new AccountData { Key = 1, AccountId = "A1" }).ShouldBeNull();
    }

    [Fact]
    public void IsEligible_KnownFromLaterDay_IsNotScoredBefore()
    {
        var a = Account(1, started: Mar10);

        Eligibility.IsEligible(a, Mar10 - 1).ShouldBeFalse();
        Eligibility.IsEligible(a, Mar10).ShouldBeTrue();
    }

    [Fact]
    public void IsEligible_NothingToDateItBy_IsScored()
    {
        Eligibility.IsEligible(Account(1), Mar1).ShouldBeTrue();
    }

    [Fact]
    public void IsEligible_ChurnedAndReactivated_FollowsTheLatestEvent()
    {
        var a = Account(1, started: 0, subscriptions: [new(Mar1, SubscriptionKind.Churned, 0), new(Mar1 + 5, SubscriptionKind.Reactivated, 0)]);

        Eligibility.IsEligible(a, Mar1 - 1).ShouldBeTrue();
        Eligibility.IsEligible(a, Mar1).ShouldBeFalse();
        Eligibility.IsEligible(a, Mar1 + 4).ShouldBeFalse();
        Eligibility.IsEligible(a, Mar1 + 5).ShouldBeTrue();
    }

    [Fact]
    public void IsEligible_StatusChurned_NotScoredFromThatDay()
    {
        var a = Account(1, started: 0, statusChurned: Mar1);

        Eligibility.IsEligible(a, Mar1 - 1).ShouldBeTrue();
        Eligibility.IsEligible(a, Mar1).ShouldBeFalse();
    }

    [Fact]
    public void ChildRollUp_ChildrenWithArr_ParentIsTheArrWeightedMean()
    {
        var results = new[]
        {
            Scored(Account(1), 50, coverage: 1),
            Scored(Account(2, parent: "A1", arr: 300), 80, coverage: 1),
            Scored(Account(3, parent: "A1", arr: 100), 40, coverage: 0.5),
        };

        ChildRollUp.Apply(results);

        // (80·300 + 40·100) / 400 = 70; coverage (1·300 + 0.5·100) / 400 = 0.875.
        results[0].Score.ShouldBe(70);
        results[0].Computed.Score.ShouldBe(70);
        results[0].Computed.Coverage.ShouldBe(0.875);
        results[0].Computed.Measures.ShouldBeEmpty();
        results[0].Note.ShouldBe("ARR-weighted mean of 2 active children: A2 80.0 (ARR 300), A3 40.0 (ARR 100)");
        results[1].Score.ShouldBe(80);
    }

    [Fact]
    public void ChildRollUp_NoChildHasArr_ParentIsThePlainMean()
    {
        var results = new[] { Scored(Account(1), 10), Scored(Account(2, parent: "A1"), 80), Scored(Account(3, parent: "A1"), 30) };

        ChildRollUp.Apply(results);

        results[0].Score.ShouldBe(55);
    }

    [Fact]
    public void ChildRollUp_Grandchildren_RollUpDeepestFirst()
    {
        // A3 is the mean of A4 and A5 (60); A1 then takes A2 (20) and the rolled-up A3 (60).
        var results = new[]
        {
            Scored(Account(1), 0),
            Scored(Account(2, parent: "A1"), 20),
            Scored(Account(3, parent: "A1"), 0),
            Scored(Account(4, parent: "A3"), 40),
            Scored(Account(5, parent: "A3"), 80),
        };

        ChildRollUp.Apply(results);

        results[2].Score.ShouldBe(60);
        results[0].Score.ShouldBe(40);
    }

    [Fact]
    public void ChildRollUp_NoChildScored_ParentKeepsItsScore()
    {
        var results = new[] { Scored(Account(1), 33), Scored(Account(2, parent: "A1"), null) };

        ChildRollUp.Apply(results);

        results[0].Score.ShouldBe(33);
        results[0].Note.ShouldBeNull();
    }

    [Fact]
    public void ChildRollUp_ParentNotAmongTheResults_ChildStaysAsItIs()
    {
        var results = new[] { Scored(Account(2, parent: "gone"), 45) };

        ChildRollUp.Apply(results);

        results[0].Score.ShouldBe(45);
        results[0].Note.ShouldBeNull();
    }

    [Fact]
    public void InForce_OnlyOverridesCoveringTheDay_LastPerAccountWins()
    {
        var overrides = new[]
        {
            new ScoreOverride(1, 10, null, "first", Mar1, Mar10),
            new ScoreOverride(1, 20, null, "second", Mar1, Mar10),
            new ScoreOverride(2, 30, null, "ended", Mar1, Mar10 - 1),
            new ScoreOverride(3, 40, null, "not yet", Mar10 + 1, Mar10 + 9),
            new ScoreOverride(4, 50, null, "from today", Mar10, Mar10),
        };

        var inForce = Grading.InForce(overrides, Mar10);

        inForce.Keys.ShouldBe([1, 4], ignoreOrder: true);
        inForce[1].Reason.ShouldBe("second");
    }

    [Fact]
    public void Finish_EnoughCoverage_GradeFromTheScore()
    {
        var model = ModelLoader.Load(Model());

        var r = Grading.Finish(model, Scored(Account(1), 69.9, coverage: 0.5), null);

        r.Grade!.Id.ShouldBe("yellow");
        r.Score.ShouldBe(69.9);
        r.OverrideReason.ShouldBeNull();
    }

    [Fact]
    public void Finish_BelowMinCoverage_ScoreWithoutGrade()
    {
        var model = ModelLoader.Load(Model("min_coverage: 0.7\n"));

        var r = Grading.Finish(model, Scored(Account(1), 90, coverage: 0.6), null);

        r.Score.ShouldBe(90);
        r.Grade.ShouldBeNull();
    }

    [Fact]
    public void Finish_OverrideScore_ReplacesScoreAndGradesIt()
    {
        var model = ModelLoader.Load(Model());

        var r = Grading.Finish(model, Scored(Account(1), 90, coverage: 0.1), new ScoreOverride(1, 30, null, "sponsor left", Mar1, Mar10));

        r.Score.ShouldBe(30);
        r.Grade!.Id.ShouldBe("red");
        r.OverrideReason.ShouldBe("sponsor left");
        r.Computed.Score.ShouldBe(90);
    }

    [Fact]
    public void Finish_OverrideGrade_ReplacesTheGradeOnly()
    {
        var model = ModelLoader.Load(Model());

        var r = Grading.Finish(model, Scored(Account(1), 90), new ScoreOverride(1, null, "yellow", "renewal at risk", Mar1, Mar10));

        r.Score.ShouldBe(90);
        r.Grade!.Id.ShouldBe("yellow");
    }

    [Fact]
    public void Finish_OverrideGradeTheModelHasNot_KeepsTheComputedGrade()
    {
        var model = ModelLoader.Load(Model());

        var r = Grading.Finish(model, Scored(Account(1), 90), new ScoreOverride(1, null, "purple", "typo", Mar1, Mar10));

        r.Grade!.Id.ShouldBe("green");
        r.OverrideReason.ShouldBe("typo");
    }

    [Fact]
    public void DependsOnOtherAccounts_OnlyForChildRollUpsAndThePopulationFit()
    {
        Plan().DependsOnOtherAccounts.ShouldBeFalse();
        Plan("hierarchy: children\n").DependsOnOtherAccounts.ShouldBeTrue();
        var pAlive = Model().Replace("{ signal: surveys, kind: nps, aggregate: latest }", "{ signal: orders, aggregate: p_alive }", StringComparison.Ordinal)
            .Replace("range: { worst: 0, best: 10 }", "range: { worst: 0, best: 1 }", StringComparison.Ordinal);
        new ScoringPlan(ModelLoader.Load(pAlive)).DependsOnOtherAccounts.ShouldBeTrue();
    }

    [Theory]
    [InlineData(null, null, "r", 0, "give either --score or --grade")]
    [InlineData(50.0, "green", "r", 0, "give either --score or --grade")]
    [InlineData(50.0, null, " ", 0, "--reason is required")]
    [InlineData(100.5, null, "r", 0, "--score must be between 0 and 100")]
    [InlineData(-1.0, null, "r", 0, "--score must be between 0 and 100")]
    [InlineData(double.NaN, null, "r", 0, "--score must be between 0 and 100")]
    [InlineData(null, "purple", "r", 0, "unknown grade `purple`; the model's grades are green, yellow, red")]
    [InlineData(null, "red", "r", -1, "--until 2025-03-09 is in the past")]
    public void OverrideRefusal_SaysWhyAnOverrideCannotBeGiven(double? score, string? grade, string reason, int untilFromToday, string refusal)
    {
        var model = ModelLoader.Load(Model());
        var today = DateOnly.FromDayNumber(Mar10);

        Grading.OverrideRefusal(model, score, grade, reason, today.AddDays(untilFromToday), today).ShouldNotBeNull().ShouldStartWith(refusal);
    }

    [Fact]
    public void OverrideRefusal_ALongReason_IsRefusedByItsLimit() =>
        Grading.OverrideRefusal(ModelLoader.Load(Model()), 50, null, new string('x', 100_000), DateOnly.FromDayNumber(Mar10), DateOnly.FromDayNumber(Mar10))
            .ShouldNotBeNull().ShouldStartWith("--reason");

    [Theory]
    [InlineData(100.0, null, "green")]
    [InlineData(0.0, null, "red")]
    [InlineData(null, "yellow", "yellow")]
    public void Override_ThatCanBeGiven_GradesByItsGradeElseItsScore(double? score, string? grade, string expected)
    {
        var model = ModelLoader.Load(Model());
        var today = DateOnly.FromDayNumber(Mar10);

        Grading.OverrideRefusal(model, score, grade, "renewal at risk", today, today).ShouldBeNull();
        Grading.OverrideGrade(model, score, grade).ShouldBe(expected);
    }

    [Fact]
    public void Score_Portfolio_LeavesOutTheIneligibleAndAppliesOverrides()
    {
        var plan = Plan();
        var accounts = new[]
        {
            Account(1, health: 80),
            Account(2, health: 50),
            Account(3, health: 90, started: Mar10 + 1, healthDay: Mar10 + 1),
            Account(4, health: 20, statusChurned: Mar1 + 1),
        };

        var scored = Score(plan, [new ScoreOverride(2, null, "red", "escalation", Mar1, Mar10)], accounts);

        // Only health has data (NPS missing, reweighted): the score is the health metric; A3 starts later, A4 churned.
        scored.Select(s => s.Account.AccountId).ShouldBe(["A1", "A2"]);
        scored[0].Score!.Value.ShouldBe(80, 1e-9);
        scored[0].Grade!.Id.ShouldBe("green");
        scored[1].Score!.Value.ShouldBe(50, 1e-9);
        scored[1].Grade!.Id.ShouldBe("red");
        scored[1].OverrideReason.ShouldBe("escalation");
    }

    [Fact]
    public void Score_HierarchyChildren_ParentGetsItsChildrensMean()
    {
        var plan = Plan("hierarchy: children\n");

        var scored = Score(plan, [], Account(1, health: 10), Account(2, health: 80, parent: "A1", arr: 1), Account(3, health: 40, parent: "A1", arr: 3));

        scored[0].Score!.Value.ShouldBe(50, 1e-9);
        scored[0].ScorecardId(plan).ShouldBe("children");
        scored[1].ScorecardId(plan).ShouldBe("default");
    }

    [Fact]
    public void Score_Cancelled_Throws()
    {
        Should.Throw<OperationCanceledException>(() =>
            DayScoring.Score(Plan(), [Account(1, health: 1)], new Dictionary<string, int>(), Mar10, [], cancel: new CancellationToken(canceled: true)));
    }
}
