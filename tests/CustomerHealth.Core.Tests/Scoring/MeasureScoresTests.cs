using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Scoring;

public class MeasureScoresTests
{
    private static double Score(ScoreSpec spec, double value) => MeasureScores.Score(spec, MeasureValue.Of(value));

    private static double[] Percentiles(double[] values, bool higher)
    {
        var scores = new double[values.Length];
        MeasureScores.Percentiles(values, scores, higher);
        return scores;
    }

    [Theory]
    [InlineData(0.1, 0)]
    [InlineData(0.8, 100)]
    [InlineData(0.45, 50)] // halfway between 0.1 and 0.8
    [InlineData(0.24, 20)] // (0.24 − 0.1) / 0.7
    [InlineData(0.0, 0)] // clamped
    [InlineData(-5.0, 0)]
    [InlineData(1.5, 100)] // clamped
    public void Score_RangeHigherIsBetter_IsLinearAndClamped(double value, double expected)
    {
        Score(new RangeScore(0.1, 0.8), value).ShouldBe(expected, 1e-9);
    }

    [Theory]
    [InlineData(3, 0)]
    [InlineData(0, 100)]
    [InlineData(1, 200.0 / 3)] // (1 − 3) / (0 − 3) = 2/3
    [InlineData(2, 100.0 / 3)]
    [InlineData(10, 0)] // clamped
    [InlineData(-1, 100)] // clamped
    public void Score_RangeLowerIsBetter_IsLinearAndClamped(double value, double expected)
    {
        Score(new RangeScore(3, 0), value).ShouldBe(expected, 1e-9);
    }

    private static readonly BandsScore Bands = new([new Band(10, 0), new Band(20, 40), new Band(50, 80), new Band(null, 100)]);

    [Theory]
    [InlineData(-100, 0)]
    [InlineData(9.999, 0)]
    [InlineData(10, 40)] // `below` is exclusive: 10 is not below 10
    [InlineData(19.5, 40)]
    [InlineData(20, 80)]
    [InlineData(49.99, 80)]
    [InlineData(50, 100)]
    [InlineData(1e9, 100)]
    public void Score_Bands_FirstBandTheValueIsBelowElseTheCatchAll(double value, double expected)
    {
        Score(Bands, value).ShouldBe(expected);
    }

    [Fact]
    public void Score_BandsWithoutCatchAll_AboveTheLastIsUnscored()
    {
        var bands = new BandsScore([new Band(10, 0), new Band(20, 100)]);
        double.IsNaN(Score(bands, 25)).ShouldBeTrue();
        Score(bands, 15).ShouldBe(100);
    }

    private static readonly MapScore Map = new(new Dictionary<string, double> { ["gold"] = 100, ["silver"] = 60, ["3"] = 50, ["2.5"] = 30 });

    [Theory]
    [InlineData("gold", 100)]
    [InlineData("silver", 60)]
    public void Score_MapOfText_IsTheMappedScore(string text, double expected)
    {
        MeasureScores.Score(Map, MeasureValue.OfText(text)).ShouldBe(expected);
    }

    [Theory]
    [InlineData(3, 50)]
    [InlineData(2.5, 30)]
    public void Score_MapOfNumber_UsesTheInvariantNumberAsKey(double value, double expected)
    {
        Score(Map, value).ShouldBe(expected);
    }

    [Fact]
    public void Score_MapOfUnknownKey_IsUnscored()
    {
        double.IsNaN(MeasureScores.Score(Map, MeasureValue.OfText("bronze"))).ShouldBeTrue();
        double.IsNaN(MeasureScores.Score(Map, MeasureValue.OfText("Gold"))).ShouldBeTrue(); // keys are exact
    }

    [Fact]
    public void Score_MissingValue_IsUnscoredWhateverTheSpec()
    {
        double.IsNaN(MeasureScores.Score(new RangeScore(0, 1), MeasureValue.Missing)).ShouldBeTrue();
        double.IsNaN(MeasureScores.Score(Bands, MeasureValue.Missing)).ShouldBeTrue();
        double.IsNaN(MeasureScores.Score(Map, MeasureValue.StaleValue)).ShouldBeTrue();
    }

    [Fact]
    public void Score_TextUnderRangeOrBands_IsUnscored()
    {
        double.IsNaN(MeasureScores.Score(new RangeScore(0, 1), MeasureValue.OfText("gold"))).ShouldBeTrue();
        double.IsNaN(MeasureScores.Score(Bands, MeasureValue.OfText("gold"))).ShouldBeTrue();
    }

    [Fact]
    public void Score_PercentileSpec_IsNotScoredOneValueAtATime()
    {
        double.IsNaN(Score(new PercentileScore(true), 5)).ShouldBeTrue();
    }

    [Fact]
    public void Percentiles_TiesShareTheirMeanRank()
    {
        // ranks 1, 2.5, 2.5, 4 of n = 4: 100 × (r − 1) / 3 = 0, 50, 50, 100.
        Percentiles([10, 20, 20, 30], higher: true).ShouldBe([0, 50, 50, 100]);
    }

    [Fact]
    public void Percentiles_UnsortedInput_ScoresEachValueInPlace()
    {
        // ascending 1, 3, 5, 7, 9 → ranks 1..5 → 0, 25, 50, 75, 100.
        Percentiles([9, 1, 5, 3, 7], higher: true).ShouldBe([100, 0, 50, 25, 75]);
    }

    [Fact]
    public void Percentiles_LowerIsBetter_IsHundredMinus()
    {
        Percentiles([10, 20, 20, 30], higher: false).ShouldBe([100, 50, 50, 0]);
    }

    [Fact]
    public void Percentiles_ThreeTiedOfFive_ShareRankThree()
    {
        // 5, 5, 5 take ranks 2, 3, 4 → mean 3 → 100 × 2 / 4 = 50; 1 → 0; 9 → 100.
        Percentiles([5, 1, 5, 9, 5], higher: true).ShouldBe([50, 0, 50, 100, 50]);
    }

    [Fact]
    public void Percentiles_AllEqual_AreAllFifty()
    {
        Percentiles([7, 7, 7], higher: true).ShouldBe([50, 50, 50]);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Percentiles_CohortOfOne_ScoresFifty(bool higher)
    {
        Percentiles([42], higher).ShouldBe([50]);
    }

    [Fact]
    public void Percentiles_MissingValues_AreOutOfTheCohortAndStayUnscored()
    {
        // cohort 10, 30 (n = 2): 0 and 100.
        var scores = Percentiles([double.NaN, 30, 10, double.NaN], higher: true);
        double.IsNaN(scores[0]).ShouldBeTrue();
        scores[1].ShouldBe(100);
        scores[2].ShouldBe(0);
        double.IsNaN(scores[3]).ShouldBeTrue();
    }

    [Fact]
    public void Percentiles_OneValueAmongMissing_ScoresFifty()
    {
        var scores = Percentiles([double.NaN, 3], higher: false);
        double.IsNaN(scores[0]).ShouldBeTrue();
        scores[1].ShouldBe(50);
    }

    [Fact]
    public void Percentiles_NoValues_AllUnscored()
    {
        Percentiles([double.NaN, double.NaN], higher: true).ShouldAllBe(s => double.IsNaN(s));
    }

    [Fact]
    public void Percentiles_OverwritesPreviousScores()
    {
        var scores = new double[] { 1, 2, 3 };
        MeasureScores.Percentiles(new[] { double.NaN, 1, 2 }, scores, true);
        double.IsNaN(scores[0]).ShouldBeTrue();
        scores[1].ShouldBe(0);
        scores[2].ShouldBe(100);
    }
}
