using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Store.Drafts;
using CustomerHealth.Web.Components.Model;

namespace CustomerHealth.Web.Tests.Components.Model;

/// <summary>The model builder's chart of a score curve over the accounts' values, and the sentence that tells it.</summary>
public sealed class ScoreCurveTests
{
    private static MeasureSpread Spread(double[] numbers, int missing = 0, Dictionary<string, int>? texts = null) =>
        new("d", "m", numbers, texts ?? [], missing);

    private static IReadOnlyList<(double X, double Y)> PointsOf(ScoreCurve curve) =>
        curve.Points.Split(' ').Select(p => p.Split(',')).Select(p => (double.Parse(p[0], CultureInfo.InvariantCulture), double.Parse(p[1], CultureInfo.InvariantCulture))).ToList();

    [Fact]
    public void Range_CountsWhoScoresZeroBetweenAndHundred_MarksWorstAndBest()
    {
        var curve = new ScoreCurve(new RangeScore(5, 20), Spread([0, 5, 10, 20, 30], missing: 2));

        curve.Sentence.ShouldBe("Values now go from 0 to 30, half of the accounts at 10 or less. Of the 5 accounts with a value, 2 score 0, 1 score between 0 and 100, and 2 score 100; 2 accounts have none.");
        curve.Histogram.Count.ShouldBe(ScoreCurve.Bars);
        curve.Histogram.Sum(b => b.Accounts).ShouldBe(5);
        curve.Histogram.Max(b => b.Height).ShouldBe(ScoreCurve.BaseLine - ScoreCurve.Ceiling, 1e-9);
        curve.Marks.Select(m => (m.Value, m.Label)).ShouldBe([(5d, "0"), (20d, "100")]);
        curve.X(5).ShouldBeLessThan(curve.X(20));
        (curve.Span.Low, curve.Span.High).ShouldBe((-1.5, 31.5));
        // The line: flat at 0 up to the worst value, flat at 100 from the best one.
        var points = PointsOf(curve);
        points[0].Y.ShouldBe(ScoreCurve.Y(0), 0.1);
        points[^1].Y.ShouldBe(ScoreCurve.Y(100), 0.1);
        points.ShouldAllBe(p => p.X >= ScoreCurve.LeftEdge - 0.1 && p.X <= ScoreCurve.RightEdge + 0.1);
    }

    [Fact]
    public void LowerIsBetter_AndBands_DrawTheirOwnShape()
    {
        var lower = PointsOf(new ScoreCurve(new RangeScore(3, 0), Spread([0, 1, 5])));
        lower[0].Y.ShouldBe(ScoreCurve.Y(100), 0.1);
        lower[^1].Y.ShouldBe(ScoreCurve.Y(0), 0.1);

        var bands = new ScoreCurve(new BandsScore([new Band(2, 0), new Band(4, 50), new Band(null, 100)]), Spread([1, 3, 5]));
        bands.Marks.Select(m => m.Label).ShouldBe(["2", "4"]);
        PointsOf(bands).Select(p => Math.Round(p.Y, 1)).Distinct().ShouldBe([ScoreCurve.Y(0), ScoreCurve.Y(50), ScoreCurve.Y(100)]);
        bands.Sentence.ShouldEndWith("Of the 3 accounts with a value, 1 score 0, 1 score between 0 and 100, and 1 score 100.");
    }

    [Fact]
    public void Percentile_OnePointPerValueByRank()
    {
        var curve = new ScoreCurve(new PercentileScore(true), Spread([1, 2, 2, 3]));

        var points = PointsOf(curve);
        points.Count.ShouldBe(3);
        points.Select(p => p.Y).ShouldBe([ScoreCurve.Y(0), ScoreCurve.Y(50), ScoreCurve.Y(100)], 0.1);
        curve.Marks.ShouldBeEmpty();
        curve.Sentence.ShouldBe("Values now go from 1 to 3, half of the accounts at 2 or less; each account scores by its rank among the 4 accounts with a value.");
    }

    [Fact]
    public void Map_ListsItsValuesAndTheAccountsThatHaveEach_AndThoseItDoesNotScore()
    {
        var curve = new ScoreCurve(new MapScore(new Dictionary<string, double> { ["gold"] = 100, ["silver"] = 60 }),
            Spread([], missing: 1, texts: new() { ["gold"] = 3, ["bronze"] = 1 }));

        curve.IsMap.ShouldBeTrue();
        curve.Map.ShouldBe([new MapRow("gold", 3, 100), new MapRow("silver", 0, 60), new MapRow("bronze", 1, null)]);
        curve.Sentence.ShouldBe("3 accounts with a value the map scores, 1 account with a value it does not (no score); 1 account has none.");
        new ScoreCurve(new MapScore(new Dictionary<string, double> { ["5"] = 100 }), Spread([5, 5, 1])).Map.ShouldBe([new MapRow("5", 2, 100), new MapRow("1", 1, null)]);
    }

    [Fact]
    public void NoValues_SaysSo_AndStillDrawsTheCurve()
    {
        var curve = new ScoreCurve(new RangeScore(0, 10), Spread([], missing: 2));

        curve.Sentence.ShouldBe("No account has a value for this measure yet; 2 accounts have none.");
        curve.Histogram.Sum(b => b.Accounts).ShouldBe(0);
        curve.Points.ShouldNotBeEmpty();
        new ScoreCurve(new PercentileScore(false), Spread([])).Points.ShouldBeEmpty();
    }
}
