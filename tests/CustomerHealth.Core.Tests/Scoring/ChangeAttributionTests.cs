using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Scoring;

public class ChangeAttributionTests
{
    // Two dimensions of equal weight, one measure each, the measure's score its value; a missing measure drops out.
    private const string TwoDimensions = """
        name: Two
        grades: [{ id: ok, min: 0 }]
        dimensions:
          - id: usage
            weight: 50
            measures:
              - { id: active, value: { signal: account, field: x1 }, score: { range: { worst: 0, best: 100 } } }
          - id: money
            weight: 50
            measures:
              - { id: arr_change, label: "ARR change", value: { signal: account, field: x2 }, score: { range: { worst: 0, best: 100 } } }
        """;

    // One dimension, three measures of equal weight (symmetric).
    private const string ThreeEqual = """
        name: Three
        grades: [{ id: ok, min: 0 }]
        dimensions:
          - id: d
            weight: 1
            measures:
              - { id: a, value: { signal: account, field: x1 }, score: { range: { worst: 0, best: 100 } } }
              - { id: b, value: { signal: account, field: x2 }, score: { range: { worst: 0, best: 100 } } }
              - { id: c, value: { signal: account, field: x3 }, score: { range: { worst: 0, best: 100 } } }
        """;

    private static ScoringPlan Plan(string yaml) => new(ModelLoader.Load(yaml));

    /// <summary>A side scored by the calculator from measure scores (NaN: no data), with the values equal to the scores.</summary>
    private static ScoreSide Side(ScoringPlan plan, double[] scores, int card = 0, string version = "v1", double? overrideScore = null)
    {
        var values = scores.Select(s => double.IsNaN(s) ? MeasureValue.Missing : MeasureValue.Of(s)).ToArray();
        var computed = ScoreCalculator.Combine(plan, card, values, scores);
        return new ScoreSide(plan, version, card, computed.Measures, overrideScore ?? computed.Score, computed.Score);
    }

    private static double Part(IReadOnlyList<ContributionChange> changes, string measure) => changes.Single(c => c.Measure == measure).Change;

    [Fact]
    public void Attribute_AMeasureAppears_TakesTheWholeChangeAndTheOneThatDidNotMoveGetsNothing()
    {
        // ARR change stays at 100; usage data arrives with a score of 0: 100 → 50. The re-weighting is usage's doing.
        var plan = Plan(TwoDimensions);
        var earlier = Side(plan, [double.NaN, 100]);
        var later = Side(plan, [0, 100]);
        earlier.Score.ShouldBe(100);
        later.Score.ShouldBe(50);
        var changes = ChangeAttribution.Attribute(earlier, later);
        Part(changes, "arr_change").ShouldBe(0);
        Part(changes, "active").ShouldBe(-50, 1e-12);
        changes.Single(c => c.Measure == "active").Cause.ShouldBe(ChangeAttribution.SourceConnected);
        changes[0].Measure.ShouldBe("active");
    }

    [Fact]
    public void Attribute_TwoCauses_AreTheirShapleyValuesComputedByHand()
    {
        // active 30 → 70; arr_change no data → 0. v(∅) = 30, v(active) = 70, v(arr) = 15, v(both) = 35.
        // active: ½(70 − 30) + ½(35 − 15) = 30; arr_change: ½(15 − 30) + ½(35 − 70) = −25; together +5 = 35 − 30.
        var plan = Plan(TwoDimensions);
        var changes = ChangeAttribution.Attribute(Side(plan, [30, double.NaN]), Side(plan, [70, 0]));
        Part(changes, "active").ShouldBe(30, 1e-12);
        Part(changes, "arr_change").ShouldBe(-25, 1e-12);
        changes.Single(c => c.Measure == "active").Cause.ShouldBeNull();
    }

    [Fact]
    public void Attribute_AnOverrideSet_IsAPartOfItsOwn()
    {
        var plan = Plan(TwoDimensions);
        var earlier = Side(plan, [40, 60]);
        var later = Side(plan, [40, 60], overrideScore: 80);
        var changes = ChangeAttribution.Attribute(earlier, later);
        changes[0].Cause.ShouldBe(ChangeAttribution.Override);
        changes[0].Change.ShouldBe(30, 1e-12);
        changes.Where(c => c.Measure is not null).ShouldAllBe(c => c.Change == 0);
    }

    [Fact]
    public void Attribute_TheSameValueRankingDifferently_IsTheCohort()
    {
        var plan = Plan(TwoDimensions);
        var earlier = Side(plan, [40, 60]);
        // The value stays 40 while its (percentile) score rises to 55.
        var values = new[] { MeasureValue.Of(40), MeasureValue.Of(60) };
        var computed = ScoreCalculator.Combine(plan, 0, values, [55, 60]);
        var fromComputed = ScoreCalculator.Combine(plan, 0, values, [40, 60]);
        var changes = ChangeAttribution.Attribute(earlier with { Measures = fromComputed.Measures }, new ScoreSide(plan, "v1", 0, computed.Measures, computed.Score, computed.Score));
        var active = changes.Single(c => c.Measure == "active");
        active.Change.ShouldBe(7.5, 1e-12);
        active.Cause.ShouldBe(ChangeAttribution.Cohort);
    }

    [Fact]
    public void Attribute_ANewModel_IsACauseAndThePartsStillAddUp()
    {
        var before = Plan(TwoDimensions);
        var after = Plan(TwoDimensions.Replace("weight: 50\n    measures:\n      - { id: active", "weight: 150\n    measures:\n      - { id: active", StringComparison.Ordinal));
        var earlier = Side(before, [20, 80], version: "old");
        var later = Side(after, [20, 80], version: "new");
        later.Score!.Value.ShouldBe(35, 1e-9);
        var changes = ChangeAttribution.Attribute(earlier, later);
        var model = changes.Single(c => c.Cause == ChangeAttribution.ModelVersion);
        model.Change.ShouldBe(-15, 1e-9);
        model.Measure.ShouldBeNull();
        changes.Where(c => c.Measure is not null).ShouldAllBe(c => c.Change == 0);
    }

    [Fact]
    public void Attribute_SymmetricMeasures_GetEqualParts()
    {
        var plan = Plan(ThreeEqual);
        var changes = ChangeAttribution.Attribute(Side(plan, [10, 10, double.NaN]), Side(plan, [70, 70, 20]));
        Part(changes, "a").ShouldBe(Part(changes, "b"), 1e-12);
        changes.Sum(c => c.Change).ShouldBe(Side(plan, [70, 70, 20]).Score!.Value - 10, 1e-9);
    }

    [Fact]
    public void Attribute_RandomModelsAndChanges_KeepTheAxioms()
    {
        var r = new Random(17);
        for (var i = 0; i < 300; i++)
        {
            var model = ScoringPropertiesTests.NewModel(r);
            var plan = model.Plan;
            var m = plan.Measures.Length;
            double Random() => r.NextDouble() < 0.2 ? double.NaN : Math.Round(r.NextDouble() * 100, 1);
            var x = Enumerable.Range(0, m).Select(_ => Random()).ToArray();
            var y = x.Select(v => r.NextDouble() < 0.5 ? v : Random()).ToArray();
            var cards = plan.ScorecardIds.Length;
            var earlier = Side(plan, x, r.Next(cards));
            var later = Side(plan, y, r.NextDouble() < 0.8 ? earlier.Card : r.Next(cards));
            if (earlier.Score is null || later.Score is null)
            {
                continue;
            }
            var changes = ChangeAttribution.Attribute(earlier, later);
            changes.Sum(c => c.Change).ShouldBe(later.Score.Value - earlier.Score.Value, 1e-9, model.Yaml);
            for (var j = 0; j < m; j++)
            {
                var key = plan.Measures[j].Id;
                var entry = changes.Single(c => c.Measure == key && c.Dimension == plan.Model.Dimensions[plan.MeasureDimension[j]].Id);
                if (earlier.Measures[j].Score.Equals(later.Measures[j].Score))
                {
                    entry.Change.ShouldBe(0, $"{key} did not move\n{model.Yaml}");
                }
            }
            // One measure alone moving takes the whole change.
            var k = r.Next(m);
            var alone = (double[])x.Clone();
            alone[k] = Random();
            var single = Side(plan, alone, earlier.Card);
            if (single.Score is { } s)
            {
                var one = ChangeAttribution.Attribute(earlier, single);
                one.Single(c => c.Measure == plan.Measures[k].Id && c.Dimension == plan.Model.Dimensions[plan.MeasureDimension[k]].Id).Change
                    .ShouldBe(s - earlier.Score.Value, 1e-9, model.Yaml);
            }
        }
    }

    [Fact]
    public void Attribute_ManyMovingMeasures_AreSampledAndStillAddUpExactly()
    {
        var yaml = "name: Many\ngrades: [{ id: ok, min: 0 }]\ndimensions:\n  - id: d\n    weight: 1\n    measures:\n" +
            string.Concat(Enumerable.Range(0, 24).Select(i => $"      - {{ id: m{i}, weight: {1 + i % 3}, value: {{ signal: account, field: x{i} }}, score: {{ range: {{ worst: 0, best: 100 }} }} }}\n"));
        var plan = Plan(yaml);
        var r = new Random(3);
        var x = Enumerable.Range(0, 24).Select(_ => r.NextDouble() * 100).ToArray();
        var y = Enumerable.Range(0, 24).Select(_ => r.NextDouble() * 100).ToArray();
        var earlier = Side(plan, x);
        var later = Side(plan, y);
        var changes = ChangeAttribution.Attribute(earlier, later);
        changes.Sum(c => c.Change).ShouldBe(later.Score!.Value - earlier.Score!.Value, 1e-9);
        // A weighted mean over always-present measures is additive: each part is its own contribution change.
        foreach (var c in changes)
        {
            c.Change.ShouldBe(c.ToContribution - c.FromContribution, 1e-9);
        }
    }
}
