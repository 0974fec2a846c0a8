using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Web.Components.Model;

namespace CustomerHealth.Web.Tests.Components.Model;

/// <summary>The model told in sentences: the parts of the YAML a reader must not miss, in words.</summary>
public sealed class ModelSentencesTests
{
    private static ModelReading Read(string yaml) => ModelSentences.Read(ModelLoader.Load(yaml));

    private const string Grades =
        """
        grades:
          - { id: good, label: Good, min: 60, color: "#2e7d32" }
          - { id: bad, label: Bad, min: 0, color: "#c62828" }
        """;

    [Fact]
    public void Read_PointsModel_SpeaksOfPointsNotShares()
    {
        var reading = Read(
            $$"""
            name: Points
            scale: points
            {{Grades}}
            dimensions:
              - id: use
                label: Use
                measures:
                  - id: logins
                    label: Logins
                    points: 30
                    value: { signal: usage, event: login, aggregate: count, window: 30d }
                    score: { range: { worst: 0, best: 20 } }
                  - id: spend
                    label: Spend
                    points: 20
                    value: { signal: orders, aggregate: sum, window: 365d }
                    score: { percentile: { better: higher } }
            """);
        reading.Overview[0].ShouldContain("at most 50 points");
        reading.Dimensions[0].Sentence.ShouldBe("Use gives up to 50 of the 50 points. It is made of:");
        reading.Dimensions[0].Measures[0].Sentence.ShouldStartWith("Logins (up to 30 points) — the number of “login” events in the last 30 days; higher is better");
        reading.Dimensions[0].Measures[1].Sentence.ShouldContain("compared with the other accounts scored the same way that day: the highest value scores 100");
        reading.Grades.ShouldBe(["Good (good): points of 60 or more.", "Bad (bad): below 60."]);
    }

    [Fact]
    public void Read_MissingPoliciesDefaultsAndScorecards_AreSpelledOut()
    {
        var reading = Read(
            $$"""
            name: Mixed
            missing: neutral
            {{Grades}}
            dimensions:
              - id: voice
                label: Voice
                weight: 3
                measures:
                  - id: csat
                    label: CSAT
                    weight: 1
                    missing: zero
                    value: { signal: surveys, kind: csat, aggregate: average, window: 90d, default: 3 }
                    score: { bands: [ { below: 3, score: 0 }, { score: 100 } ] }
                  - id: mood
                    label: Mood
                    weight: 1
                    value: { signal: sentiment, aggregate: latest }
                    score: { map: { "1": 0, "5": 100 } }
              - id: money
                label: Money
                weight: 1
                measures:
                  - id: overdue
                    label: Overdue
                    value: { signal: invoices, aggregate: max_days_overdue }
                    score: { range: { worst: 60, best: 0 } }
            scorecards:
              - id: big
                when: { segment: [Enterprise, Mid-Market] }
                weights: { money: 3, "voice.mood": 3 }
            """);
        reading.Dimensions[0].Sentence.ShouldBe("Voice counts for 75% of the score. It is made of:");
        var csat = reading.Dimensions[0].Measures[0].Sentence;
        csat.ShouldContain("(50% of voice, 37.5% of the score)");
        csat.ShouldContain("the average CSAT answer in the last 90 days; scored in steps: below 3 scores 0, 3 or more scores 100.");
        csat.ShouldContain("An account that has never sent this kind of signal counts as 3.");
        csat.ShouldContain("Without a value it counts as 0.");
        reading.Dimensions[0].Measures[1].Sentence.ShouldContain("scored by value: 1 scores 0, 5 scores 100");
        reading.Dimensions[1].Measures[0].Sentence.ShouldContain("(all of money, 25% of the score)");
        reading.Dimensions[1].Measures[0].Sentence.ShouldContain("lower is better: 60 or more scores 0, 0 scores 100");
        reading.Missing[0].ShouldContain("it counts as 50, neither good nor bad");
        reading.Scorecards[0].ShouldBe(
            "Accounts whose segment is Enterprise or Mid-Market are scored with the “big” scorecard: Voice 50%, Money 50% of the score. Mood weighs 3 instead of 1 within voice.");
    }

    [Fact]
    public void Read_Medians_SayWhatTheMiddleValueIsOf()
    {
        var reading = Read(
            $$"""
            name: Medians
            {{Grades}}
            dimensions:
              - id: money
                label: Money
                measures:
                  - id: basket
                    label: Basket
                    value: { signal: orders, aggregate: median, window: 90d }
                    score: { range: { worst: 20, best: 80 } }
                  - id: mrr
                    label: MRR
                    value: { signal: metrics, metric: mrr, aggregate: median, window: 30d }
                    score: { percentile: { better: higher } }
            """);
        reading.Dimensions[0].Measures[0].Sentence.ShouldStartWith("Basket (50% of money, 50% of the score) — the median order value in the last 90 days; higher is better");
        reading.Dimensions[0].Measures[1].Sentence.ShouldStartWith("MRR (50% of money, 50% of the score) — the median of the metric “mrr” in the last 30 days; higher is better");
    }

    [Fact]
    public void Value_EveryAggregateOfTheCatalog_HasItsOwnWords()
    {
        // An aggregate without a sentence of its own would read “the p alive of orders”.
        foreach (var aggregate in AggregateCatalog.All)
        {
            var spec = new ValueSpec { Signal = aggregate.Signal, Aggregate = aggregate.Name, Kind = "nps", Metric = "mrr", Field = "arr" };
            var words = ModelSentences.Value(spec);
            words.ShouldStartWith(aggregate.Describe(spec));
            words.ShouldNotContain(aggregate.Name.Replace('_', ' ') + " of " + aggregate.Signal.ToString().ToLowerInvariant());
        }
        AggregateCatalog.All.GroupBy(a => (a.Signal, ModelSentences.Value(new ValueSpec { Signal = a.Signal, Aggregate = a.Name, Kind = "nps", Metric = "mrr", Field = "arr" })))
            .ShouldAllBe(g => g.Count() == 1);
    }
}
