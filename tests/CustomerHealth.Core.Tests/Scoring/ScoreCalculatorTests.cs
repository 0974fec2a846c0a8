using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Scoring;

public class ScoreCalculatorTests
{
    // Every measure scores its value on a 0..100 range, so a measure's score is its value.
    // Dimension a (weight 60): m1 (weight 3), m2 (weight 1). Dimension b (weight 40): m3 (weight 1).
    private static string Model(string missing = "reweight", string m2Extra = "") => $$"""
        name: Weights
        missing: {{missing}}
        grades: [{ id: ok, min: 0 }]
        dimensions:
          - id: a
            weight: 60
            measures:
              - id: m1
                weight: 3
                value: { signal: account, field: x1 }
                score: { range: { worst: 0, best: 100 } }
              - id: m2
                weight: 1{{m2Extra}}
                value: { signal: account, field: x2 }
                score: { range: { worst: 0, best: 100 } }
          - id: b
            weight: 40
            measures:
              - id: m3
                value: { signal: account, field: x3 }
                score: { range: { worst: 0, best: 100 } }
        scorecards:
          - id: ent
            when: { segment: [Enterprise] }
            weights: { a: 20, "a.m2": 3 }
          - id: only_b
            when: { segment: [Startup] }
            weights: { a: 0 }
        """;

    private static ScoringPlan Plan(string yaml) => new(ModelLoader.Load(yaml));

    private static MeasureValue V(double x) => MeasureValue.Of(x);

    private static readonly MeasureValue Miss = MeasureValue.Missing;

    private static AccountScore ScoreOne(ScoringPlan plan, params MeasureValue[] values) => ScoreOne(plan, 0, values);

    private static AccountScore ScoreOne(ScoringPlan plan, int card, params MeasureValue[] values) =>
        ScoreCalculator.ScoreAll(plan, [card], [values])[0];

    private static void ContributionsAddUp(AccountScore s) =>
        s.Measures.Sum(m => m.Contribution).ShouldBe(s.Score!.Value, 1e-9);

    [Fact]
    public void ScoreAll_AllPresent_IsTheWeightedMeanOfDimensions()
    {
        // a = (3·80 + 1·40) / 4 = 70; overall = 0.6·70 + 0.4·50 = 42 + 20 = 62.
        var s = ScoreOne(Plan(Model()), V(80), V(40), V(50));

        s.Score!.Value.ShouldBe(62, 1e-9);
        s.Scorecard.ShouldBe(0);
        // effective weights: m1 0.6·0.75 = 0.45, m2 0.6·0.25 = 0.15, m3 0.4.
        s.Measures.Select(m => m.EffectiveWeight).ShouldBe([0.45, 0.15, 0.4], 1e-12);
        // contributions 36 + 6 + 20 = 62.
        s.Measures.Select(m => m.Contribution).ShouldBe([36, 6, 20], 1e-9);
        s.Measures.Select(m => m.Score).ShouldBe([80, 40, 50], 1e-9);
        s.Measures.ShouldAllBe(m => !m.Missing && !m.Stale);
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_MissingWithReweight_OthersInTheDimensionShareItsWeight()
    {
        // m2 drops out: a = 80; overall = 0.6·80 + 0.4·50 = 68.
        var s = ScoreOne(Plan(Model()), V(80), Miss, V(50));

        s.Score!.Value.ShouldBe(68, 1e-9);
        s.Measures.Select(m => m.EffectiveWeight).ShouldBe([0.6, 0, 0.4], 1e-12);
        s.Measures[1].Missing.ShouldBeTrue();
        s.Measures[1].Contribution.ShouldBe(0);
        double.IsNaN(s.Measures[1].Score).ShouldBeTrue();
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_MissingWithNeutral_ScoresFifty()
    {
        // a = (3·80 + 1·50) / 4 = 72.5; overall = 0.6·72.5 + 0.4·50 = 43.5 + 20 = 63.5.
        var s = ScoreOne(Plan(Model("neutral")), V(80), Miss, V(50));

        s.Score!.Value.ShouldBe(63.5, 1e-9);
        s.Measures[1].Score.ShouldBe(50);
        s.Measures[1].Missing.ShouldBeTrue();
        s.Measures[1].EffectiveWeight.ShouldBe(0.15, 1e-12);
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_MissingWithZero_ScoresZero()
    {
        // a = 3·80 / 4 = 60; overall = 0.6·60 + 0.4·50 = 36 + 20 = 56.
        var s = ScoreOne(Plan(Model("zero")), V(80), Miss, V(50));

        s.Score!.Value.ShouldBe(56, 1e-9);
        s.Measures[1].Score.ShouldBe(0);
        s.Measures[1].EffectiveWeight.ShouldBe(0.15, 1e-12);
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_MeasureOwnMissingPolicy_OverridesTheModels()
    {
        // The model reweights, but m2 says `missing: zero`: 56 as above.
        var plan = Plan(Model("reweight", "\n        missing: zero"));
        plan.MissingOf(0).ShouldBe(MissingPolicy.Reweight);
        plan.MissingOf(1).ShouldBe(MissingPolicy.Zero);

        ScoreOne(plan, V(80), Miss, V(50)).Score!.Value.ShouldBe(56, 1e-9);
        // m1 missing follows the model: reweight → a = 40; 0.6·40 + 0.4·50 = 44.
        ScoreOne(plan, Miss, V(40), V(50)).Score!.Value.ShouldBe(44, 1e-9);
    }

    [Fact]
    public void ScoreAll_StaleValue_IsMissingAndFlaggedStale()
    {
        var s = ScoreOne(Plan(Model()), V(80), MeasureValue.StaleValue, V(50));

        s.Score!.Value.ShouldBe(68, 1e-9);
        s.Measures[1].Missing.ShouldBeTrue();
        s.Measures[1].Stale.ShouldBeTrue();
        s.Measures[0].Stale.ShouldBeFalse();
    }

    [Fact]
    public void ScoreAll_DimensionWithNothingLeft_DropsOut()
    {
        // b has no measure left: overall = a = (3·80 + 40) / 4 = 70; m1 takes 0.75, m2 0.25.
        var s = ScoreOne(Plan(Model()), V(80), V(40), Miss);

        s.Score!.Value.ShouldBe(70, 1e-9);
        s.Measures.Select(m => m.EffectiveWeight).ShouldBe([0.75, 0.25, 0], 1e-12);
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_NothingLeft_IsUnscored()
    {
        var s = ScoreOne(Plan(Model()), Miss, Miss, Miss);

        s.Score.ShouldBeNull();
        s.Measures.ShouldAllBe(m => m.Missing && m.EffectiveWeight == 0 && m.Contribution == 0);
    }

    [Fact]
    public void ScoreAll_NothingLeftUnderNeutral_IsStillScored()
    {
        // Every measure scores 50.
        ScoreOne(Plan(Model("neutral")), Miss, Miss, Miss).Score!.Value.ShouldBe(50, 1e-9);
    }

    [Fact]
    public void ScoreAll_UnscorableValue_CountsAsMissing()
    {
        // A text value cannot be scored on a range: m2 drops out as if missing.
        var s = ScoreOne(Plan(Model()), V(80), MeasureValue.OfText("gold"), V(50));
        s.Score!.Value.ShouldBe(68, 1e-9);
        s.Measures[1].Missing.ShouldBeTrue();
    }

    [Fact]
    public void ScorecardFor_FirstMatchingScorecard_ElseDefault()
    {
        var plan = Plan(Model());
        plan.ScorecardIds.ShouldBe(["default", "ent", "only_b"]);

        plan.ScorecardFor(f => f == "segment" ? "Enterprise" : null).ShouldBe(1);
        plan.ScorecardFor(f => f == "segment" ? "enterprise" : null).ShouldBe(1); // case-insensitive
        plan.ScorecardFor(f => f == "segment" ? "Startup" : null).ShouldBe(2);
        plan.ScorecardFor(f => f == "segment" ? "SMB" : null).ShouldBe(0);
        plan.ScorecardFor(_ => null).ShouldBe(0);
    }

    [Fact]
    public void ScoringPlan_ScorecardOverrides_ReplaceOnlyWhatTheyName()
    {
        var plan = Plan(Model());

        plan.DimensionWeights[0].ShouldBe([60.0, 40.0]);
        plan.MeasureWeights[0].ShouldBe([3.0, 1.0, 1.0]);
        plan.DimensionWeights[1].ShouldBe([20.0, 40.0]); // a overridden, b kept
        plan.MeasureWeights[1].ShouldBe([3.0, 3.0, 1.0]); // a.m2 overridden
        plan.DimensionWeights[2].ShouldBe([0.0, 40.0]);
        plan.MeasureWeights[2].ShouldBe([3.0, 1.0, 1.0]);
        plan.MeasureKeys.ShouldBe(["a.m1", "a.m2", "b.m3"]);
    }

    [Fact]
    public void ScoreAll_ScorecardWeights_AreUsed()
    {
        // ent: a weight 20, b 40 → a takes 1/3, b 2/3; m1 3, m2 3 → a = (3·80 + 3·40) / 6 = 60.
        // overall = 60/3 + 50·2/3 = 20 + 33.33 = 53.33.
        var s = ScoreOne(Plan(Model()), 1, V(80), V(40), V(50));

        s.Scorecard.ShouldBe(1);
        s.Score!.Value.ShouldBe(20 + 100.0 / 3, 1e-9);
        // m1 = m2 = 1/3 · 1/2 = 1/6, m3 = 2/3.
        s.Measures.Select(m => m.EffectiveWeight).ShouldBe([1.0 / 6, 1.0 / 6, 2.0 / 3], 1e-12);
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_ScorecardZeroingADimension_LeavesItOut()
    {
        // only_b: a has weight 0 → overall = m3 = 50, whatever a scores.
        var s = ScoreOne(Plan(Model()), 2, V(100), V(100), V(50));
        s.Score!.Value.ShouldBe(50, 1e-9);
        s.Measures[0].EffectiveWeight.ShouldBe(0);
        ContributionsAddUp(s);
        // ... and with b missing nothing is left.
        ScoreOne(Plan(Model()), 2, V(100), V(100), Miss).Score.ShouldBeNull();
    }

    [Fact]
    public void ScoreAll_SpecExampleOnboardingScorecard_UsesItsWeights()
    {
        // SPEC §4: onboarding weights adoption 70, support 30, adoption.logins 20 (active_seats keeps 60).
        var plan = Plan(Tests.Model.ModelLoaderTests.SpecExample);
        var card = plan.ScorecardFor(f => f == "lifecycle_stage" ? "onboarding" : null);
        card.ShouldBe(1);
        // Two accounts so that `logins` (percentile) is scored: account 0 has the higher logins → 100, account 1 → 0.
        // active_seats 0.45 → 50; urgent_open 1 → (1 − 3) / (0 − 3) = 66.67.
        // adoption (account 0) = (60·50 + 20·100) / 80 = 62.5; overall = 0.7·62.5 + 0.3·66.67 = 43.75 + 20 = 63.75.
        var scores = ScoreCalculator.ScoreAll(plan, [card, card], [[V(0.45), V(30), V(1)], [V(0.45), V(10), V(1)]]);
        scores[0].Score!.Value.ShouldBe(63.75, 1e-9);
        // account 1: adoption = (60·50 + 0) / 80 = 37.5; 0.7·37.5 + 20 = 46.25.
        scores[1].Score!.Value.ShouldBe(46.25, 1e-9);
    }

    private const string PointsModel = """
        name: Points
        scale: points
        grades:
          - { id: great, min: 100 }
          - { id: poor, min: 0 }
        dimensions:
          - id: a
            measures:
              - id: m1
                points: 40
                value: { signal: account, field: x1 }
                score: { range: { worst: 0, best: 100 } }
              - id: m2
                points: 20
                value: { signal: account, field: x2 }
                score: { range: { worst: 0, best: 100 } }
          - id: b
            measures:
              - id: m3
                points: 60
                value: { signal: account, field: x3 }
                score: { range: { worst: 0, best: 100 } }
        """;

    [Fact]
    public void ScoreAll_PointsMode_IsTheSumOfEarnedPoints()
    {
        var plan = Plan(PointsModel);
        plan.MaxScore.ShouldBe(120);

        // m1 earns 40·50/100 = 20, m2 20·100/100 = 20, m3 60·75/100 = 45: 85 points.
        var s = ScoreOne(plan, V(50), V(100), V(75));
        s.Score!.Value.ShouldBe(85, 1e-9);
        s.Measures.Select(m => m.Contribution).ShouldBe([20, 20, 45], 1e-9);
        // each effective weight is P / 100.
        s.Measures.Select(m => m.EffectiveWeight).ShouldBe([0.4, 0.2, 0.6], 1e-12);
        ContributionsAddUp(s);
    }

    [Fact]
    public void ScoreAll_PointsModeAllBest_ReachesTheSumOfPoints()
    {
        ScoreOne(Plan(PointsModel), V(100), V(100), V(100)).Score!.Value.ShouldBe(120, 1e-9);
        ScoreOne(Plan(PointsModel), V(0), V(0), V(0)).Score!.Value.ShouldBe(0, 1e-9);
    }

    [Fact]
    public void ScoreAll_PointsModeWithMissing_IsReweighted()
    {
        // m2 drops out: the 60 points of dimension a go to m1 alone, which earns 60·50/100 = 30; m3 45: 75.
        var s = ScoreOne(Plan(PointsModel), V(50), Miss, V(75));
        s.Score!.Value.ShouldBe(75, 1e-9);
        s.Measures.Select(m => m.EffectiveWeight).ShouldBe([0.6, 0, 0.6], 1e-12);
        ContributionsAddUp(s);

        // b drops out: a's measures share all 120 points: 120·(40·50 + 20·100)/60/100 = 80.
        ScoreOne(Plan(PointsModel), V(50), V(100), Miss).Score!.Value.ShouldBe(80, 1e-9);
    }

    [Fact]
    public void ScoreAll_PercentileCohorts_AreSeparatedByScorecard()
    {
        const string yaml = """
            name: P
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: logins
                    value: { signal: usage, aggregate: count, window: 30d }
                    score: { percentile: { better: higher } }
            scorecards:
              - id: big
                when: { segment: [Enterprise] }
                weights: { d: 1 }
            """;
        var plan = Plan(yaml);
        // default cohort: 10, 20, 30 → 0, 50, 100; big cohort: 30, 40 → 0, 100 (30 is the lowest there).
        var cards = new[] { 0, 0, 1, 1, 0 };
        var values = new[] { 10.0, 20, 30, 40, 30 }.Select(x => new[] { V(x) }).ToList();

        var s = ScoreCalculator.ScoreAll(plan, cards, values);

        s.Select(x => x.Measures[0].Score).ShouldBe([0, 50, 0, 100, 100]);
        s.Select(x => x.Score!.Value).ShouldBe([0, 50, 0, 100, 100], 1e-9);
        s.Select(x => x.Scorecard).ShouldBe(cards);
    }

    [Fact]
    public void ScoreAll_PercentileWithMissing_ExcludesThemFromTheCohort()
    {
        const string yaml = """
            name: P
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: wait
                    value: { signal: tickets, aggregate: avg_first_response_hours, window: 30d }
                    score: { percentile: { better: lower } }
                  - id: other
                    value: { signal: account, field: x }
                    score: { range: { worst: 0, best: 100 } }
            """;
        var plan = Plan(yaml);
        // cohort 2, 8 (lower is better): 2 → 100, 8 → 0; the missing one reweights onto `other`.
        var s = ScoreCalculator.ScoreAll(plan, [0, 0, 0], [[V(8), V(40)], [Miss, V(40)], [V(2), V(40)]]);

        s[0].Measures[0].Score.ShouldBe(0);
        s[2].Measures[0].Score.ShouldBe(100);
        double.IsNaN(s[1].Measures[0].Score).ShouldBeTrue();
        s[0].Score!.Value.ShouldBe(20, 1e-9); // (0 + 40) / 2
        s[1].Score!.Value.ShouldBe(40, 1e-9); // `other` alone
        s[2].Score!.Value.ShouldBe(70, 1e-9); // (100 + 40) / 2
    }

    [Fact]
    public void ScoreAll_PercentileCohortOfOne_ScoresFifty()
    {
        var plan = Plan(Tests.Model.ModelLoaderTests.SpecExample);
        // logins alone in its cohort → 50; active_seats 0.8 → 100; urgent_open 0 → 100.
        // adoption = (60·100 + 40·50) / 100 = 80; overall = (40·80 + 20·100) / 60 = 86.67.
        var s = ScoreOne(plan, V(0.8), V(12), V(0));
        s.Measures[1].Score.ShouldBe(50);
        s.Score!.Value.ShouldBe(260.0 / 3, 1e-9);
    }

    [Fact]
    public void Combine_KnownMeasureScores_AppliesWeights()
    {
        var plan = Plan(Model());
        var s = ScoreCalculator.Combine(plan, 0, [V(0), V(0), V(0)], [80, double.NaN, 50]);
        s.Score!.Value.ShouldBe(68, 1e-9);
    }
}
