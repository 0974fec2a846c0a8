using CustomerHealth.Core.Model;
using CustomerHealth.Core.Tests.Scoring;

namespace CustomerHealth.Core.Tests.Model;

public sealed class ModelWriterTests
{
    private static string Shipped(string name) =>
        File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "CustomerHealth.Store", "Models", name));

    /// <summary>Loading what the writer writes gives the same model, and writing that again gives the same text.</summary>
    private static void RoundTrips(string yaml)
    {
        var model = ModelLoader.Load(yaml);
        var written = ModelWriter.Write(model);
        var again = ModelLoader.Load(written, "written.yaml");
        ModelLoader.VersionId(again).ShouldBe(ModelLoader.VersionId(model), written);
        ModelWriter.Write(again).ShouldBe(written);
    }

    [Theory]
    [InlineData("saas.yaml")]
    [InlineData("ecommerce.yaml")]
    public void Write_TheShippedModels_RoundTrip(string file) => RoundTrips(Shipped(file));

    [Fact]
    public void Write_TheSpecExample_RoundTrips_WithItsScorecard() => RoundTrips(ModelLoaderTests.SpecExample);

    [Fact]
    public void Write_RandomModels_RoundTrip()
    {
        var r = new Random(2026);
        for (var i = 0; i < 300; i++)
        {
            RoundTrips(ScoringPropertiesTests.NewModel(r).Yaml);
        }
    }

    [Fact]
    public void Write_EverySetting_AndTextThatNeedsQuoting_RoundTrip()
    {
        RoundTrips("""
            name: "Model: \"quoted\" # not a comment"
            scale: points
            missing: zero
            trend_days: 14
            min_coverage: 0.75
            timezone: Europe/Paris
            hierarchy: children
            grades:
              - { id: "yes", label: "Yes: fine", min: 50, color: "#abc" }
              - { id: "no", label: "null", min: 0 }
            dimensions:
              - id: voice
                label: "Ça va? — 100%"
                measures:
                  - id: nps
                    label: "NPS, 90 days"
                    points: 30
                    value: { signal: surveys, kind: nps, aggregate: nps, window: 90d, default: 0 }
                    score: { bands: [ { below: 0, score: 0 }, { below: 30, score: 50 }, { score: 100 } ] }
                    missing: neutral
                    valid_for: 120d
                  - id: tier
                    label: Plan
                    points: 20
                    value: { signal: account, field: "plan name" }
                    score: { map: { "gold plan": 100, silver: 50, "true": 10 } }
                  - id: urgent
                    label: Urgent tickets
                    points: 10
                    value: { signal: tickets, aggregate: count, window: 30d, where: { priority: [high, urgent] } }
                    score: { range: { worst: 3, best: 0 } }
                  - id: logins
                    label: Logins per seat
                    points: 40
                    value: { signal: usage, aggregate: count, events: [login, "sign in"], window: 30d, per: seats }
                    score: { percentile: { better: lower } }
                  - id: since
                    label: Days since we spoke
                    points: 5
                    value: { signal: touches, aggregate: days_since_last, default: 365 }
                    score: { range: { worst: 60, best: 0 } }
            """);
    }
}
