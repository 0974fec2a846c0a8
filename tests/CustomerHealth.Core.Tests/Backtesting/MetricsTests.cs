using CustomerHealth.Core.Backtesting;

namespace CustomerHealth.Core.Tests.Backtesting;

public class MetricsTests
{
    private static Outcome[] Outcomes(double[] risks, bool[] churned) =>
        [.. risks.Zip(churned, (r, c) => new Outcome(r, c))];

    /// <summary>n observations, all not churned, with distinct risks 0.01, 0.02, ...; the given indexes churned.</summary>
    private static Outcome[] Spread(int n, params int[] churnedAt) =>
        [.. Enumerable.Range(0, n).Select(i => new Outcome((i + 1) / 100.0, churnedAt.Contains(i)))];

    // ---------------------------------------------------------------- Auc

    [Fact]
    public void Auc_PerfectRanking_IsOne()
    {
        var outcomes = Outcomes([0.1, 0.2, 0.3, 0.7, 0.9], [false, false, false, true, true]);

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void Auc_ReversedRanking_IsZero()
    {
        var outcomes = Outcomes([0.1, 0.2, 0.3, 0.7, 0.9], [true, true, false, false, false]);

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void Auc_AllRisksTied_IsOneHalf()
    {
        var outcomes = Outcomes([0.4, 0.4, 0.4, 0.4, 0.4], [true, false, true, false, false]);

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(0.5, 1e-12);
    }

    [Fact]
    public void Auc_TieAcrossClasses_CountsThatPairHalf()
    {
        // churners: 0.4, 0.8; others: 0.1, 0.4. The 2 x 2 = 4 (churner, other) pairs:
        //   (0.4, 0.1) above -> 1; (0.4, 0.4) tied -> 1/2; (0.8, 0.1) above -> 1; (0.8, 0.4) above -> 1
        // AUC = 3.5 / 4 = 0.875
        var outcomes = Outcomes([0.1, 0.4, 0.4, 0.8], [false, true, false, true]);

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(0.875, 1e-12);
    }

    [Fact]
    public void Auc_SeveralTiedGroupsMixingClasses_MatchesPairCount()
    {
        // risks/labels: 1 F, 2 T, 2 F, 2 F, 3 T, 3 T, 3 F, 5 F, 5 T
        // churners (2, 3, 3, 5) against the 5 others (1, 2, 2, 3, 5):
        //   2: beats 1, ties 2, 2            -> 1 + 2 x 1/2 = 2
        //   3: beats 1, 2, 2, ties 3         -> 3 + 1/2     = 3.5 (twice: 7)
        //   5: beats 1, 2, 2, 3, ties 5      -> 4 + 1/2     = 4.5
        // AUC = (2 + 7 + 4.5) / (4 x 5) = 13.5 / 20 = 0.675
        var outcomes = Outcomes(
            [1, 2, 2, 2, 3, 3, 3, 5, 5],
            [false, true, false, false, true, true, false, false, true]);

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(0.675, 1e-12);
    }

    [Fact]
    public void Auc_TiesWithinOneClassOnly_DoNotCountHalf()
    {
        // The two churners tie with each other only, both above the other: every pair is a win.
        var outcomes = Outcomes([0.5, 0.5, 0.2], [true, true, false]);

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void Auc_InputOrder_DoesNotMatter()
    {
        var outcomes = Outcomes([1, 2, 2, 2, 3, 3, 3, 5, 5], [false, true, false, false, true, true, false, false, true]);
        var shuffled = outcomes.OrderBy(o => o.Churned).ThenByDescending(o => o.Risk).ToArray();

        Metrics.Auc(shuffled).ShouldNotBeNull().ShouldBe(0.675, 1e-12);
    }

    [Fact]
    public void Auc_NegatedRisks_GiveOneMinusAuc()
    {
        var outcomes = Outcomes([1, 2, 2, 2, 3, 3, 3, 5, 5], [false, true, false, false, true, true, false, false, true]);
        var negated = outcomes.Select(o => o with { Risk = -o.Risk }).ToArray();

        Metrics.Auc(negated).ShouldNotBeNull().ShouldBe(1 - 0.675, 1e-12);
    }

    [Fact]
    public void Auc_NobodyChurned_IsNull()
    {
        Metrics.Auc(Outcomes([0.1, 0.5, 0.9], [false, false, false])).ShouldBeNull();
    }

    [Fact]
    public void Auc_EveryoneChurned_IsNull()
    {
        Metrics.Auc(Outcomes([0.1, 0.5, 0.9], [true, true, true])).ShouldBeNull();
    }

    [Fact]
    public void Auc_NoObservations_IsNull()
    {
        Metrics.Auc([]).ShouldBeNull();
    }

    // ---------------------------------------------------------------- TopDecileLift

    [Fact]
    public void TopDecileLift_TwoChurnersOfTwentyBothRiskiest_IsTen()
    {
        // take ceil(20/10) = 2, both churned: (2/2) / (2/20) = 10
        var outcomes = Spread(20, 18, 19);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(10.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_ChurnersAtTheBottom_IsZero()
    {
        var outcomes = Spread(20, 0, 1);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(0.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_OneOfTwoInTopTwoOfTwenty_IsFive()
    {
        // take 2: riskiest churned, second not; (1/2) / (2/20) = 5
        var outcomes = Spread(20, 19, 0);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(5.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_ElevenObservations_TakesCeilingOfATenthThatIsTwo()
    {
        // take ceil(11/10) = 2: the riskiest churned, the second did not -> (1/2) / (2/11) = 2.75
        // (taking floor = 1 would give (1/1) / (2/11) = 5.5)
        var outcomes = Spread(11, 10, 0);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(2.75, 1e-12);
    }

    [Fact]
    public void TopDecileLift_FewerThanTenObservations_TakesOne()
    {
        // take ceil(5/10) = 1: the riskiest churned -> (1/1) / (1/5) = 5
        var outcomes = Spread(5, 4);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(5.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_TieAtTheCutWithNothingAbove_SharesThePlaceInProportion()
    {
        // n = 10, take 1. Risks 0.9 (churned) and 0.9 (not) tie at the cut for the single place:
        // 1 churner of the 2 tied x 1 place / 2 tied = 0.5 churner in the top. Another churner at 0.1.
        // lift = (0.5 / 1) / (2 / 10) = 2.5
        var outcomes = Outcomes(
            [0.9, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
            [true, false, false, false, false, false, false, false, false, true]);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(2.5, 1e-12);
    }

    [Fact]
    public void TopDecileLift_TieAtTheCutBelowAWholeOne_SharesTheRemainingPlaces()
    {
        // n = 20, take 2. 0.95 (churned) is above the cut and counts whole; 0.9 x 3 (one churned) tie at the cut
        // for the 1 place left: 1 x 1/3. A third churner sits at the bottom.
        // in top = 1 + 1/3 = 4/3 of 2 places; lift = ((4/3) / 2) / (3/20) = (2/3) x (20/3) = 40/9
        double[] risks = [0.95, 0.9, 0.9, 0.9, .. Enumerable.Range(0, 16).Select(i => 0.1 + i / 100.0)];
        bool[] churned = [true, false, true, false, true, .. Enumerable.Repeat(false, 15)];

        Metrics.TopDecileLift(Outcomes(risks, churned)).ShouldNotBeNull().ShouldBe(40.0 / 9, 1e-12);
    }

    [Fact]
    public void TopDecileLift_TieAtTheCutFitsExactly_CountsTheTiedWhole()
    {
        // n = 20, take 2; exactly 2 tied at the top (both churned): no sharing, lift = (2/2) / (2/20) = 10
        var outcomes = Spread(20).Select((o, i) => i >= 18 ? new Outcome(0.99, true) : o).ToArray();

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(10.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_AllRisksTied_IsOne()
    {
        // All 20 tie at the cut for 2 places: 4 churners x 2/20 = 0.4 in the top; (0.4/2) / (4/20) = 1
        var outcomes = Enumerable.Range(0, 20).Select(i => new Outcome(0.3, i % 5 == 0)).ToArray();

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_EveryoneChurned_IsOne()
    {
        var outcomes = Spread(7, 0, 1, 2, 3, 4, 5, 6);

        Metrics.TopDecileLift(outcomes).ShouldNotBeNull().ShouldBe(1.0, 1e-12);
    }

    [Fact]
    public void TopDecileLift_InputOrder_DoesNotMatter()
    {
        double[] risks = [0.95, 0.9, 0.9, 0.9, .. Enumerable.Range(0, 16).Select(i => 0.1 + i / 100.0)];
        bool[] churned = [true, false, true, false, true, .. Enumerable.Repeat(false, 15)];
        var shuffled = Outcomes(risks, churned).Reverse().OrderBy(o => o.Churned).ToArray();

        Metrics.TopDecileLift(shuffled).ShouldNotBeNull().ShouldBe(40.0 / 9, 1e-12);
    }

    [Fact]
    public void TopDecileLift_NobodyChurned_IsNull()
    {
        Metrics.TopDecileLift(Spread(20)).ShouldBeNull();
    }

    [Fact]
    public void TopDecileLift_NoObservations_IsNull()
    {
        Metrics.TopDecileLift([]).ShouldBeNull();
    }

    // ---------------------------------------------------------------- DecileEdges

    [Fact]
    public void DecileEdges_ZeroToNine_AreOneToNine()
    {
        // n = 10: edge d is the value at index floor(d x 10 / 10) = d of the sorted values
        var values = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();

        Metrics.DecileEdges(values).ShouldBe([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    [Fact]
    public void DecileEdges_OneToTwentyUnsorted_AreEveryOtherValueFromThree()
    {
        // n = 20: edge d is the sorted value at index 2d, i.e. the value 2d + 1
        var values = Enumerable.Range(1, 20).Select(i => (double)i).Reverse().ToArray();

        Metrics.DecileEdges(values).ShouldBe([3, 5, 7, 9, 11, 13, 15, 17, 19]);
    }

    [Fact]
    public void DecileEdges_HeavyTies_AreDistinct()
    {
        // sorted indexes 1..9 hold 0 x 7, 1, 2
        double[] values = [0, 2, 0, 0, 1, 0, 0, 0, 0, 0];

        Metrics.DecileEdges(values).ShouldBe([0, 1, 2]);
    }

    [Fact]
    public void DecileEdges_OneValue_IsThatValue()
    {
        Metrics.DecileEdges([42.5]).ShouldBe([42.5]);
    }

    [Fact]
    public void DecileEdges_NoValues_IsEmpty()
    {
        Metrics.DecileEdges([]).ShouldBeEmpty();
    }

    // ---------------------------------------------------------------- Group

    [Theory]
    [InlineData(-5.0, 0)]
    [InlineData(0.99, 0)]
    [InlineData(1.0, 1)]
    [InlineData(1.5, 1)]
    [InlineData(3.0, 3)]
    [InlineData(4.0, 3)]
    [InlineData(5.0, 4)]
    [InlineData(1e9, 4)]
    public void Group_EdgesOneTwoThreeFive_CountsEdgesAtOrBelowTheValue(double value, int expected)
    {
        Metrics.Group(value, [1, 2, 3, 5]).ShouldBe(expected);
    }

    [Fact]
    public void Group_NoEdges_IsZero()
    {
        Metrics.Group(7, []).ShouldBe(0);
    }

    [Fact]
    public void Group_ZeroToNine_PutsEachValueInItsOwnGroup()
    {
        var values = Enumerable.Range(0, 10).Select(i => (double)i).ToArray();
        var edges = Metrics.DecileEdges(values);

        values.Select(v => Metrics.Group(v, edges)).ShouldBe([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    }

    [Fact]
    public void Group_ThousandDistinctValues_MakesTenGroupsOfAHundred()
    {
        var values = Enumerable.Range(0, 1000).Select(i => i * 0.37).Reverse().ToArray();
        var edges = Metrics.DecileEdges(values);

        var sizes = values.GroupBy(v => Metrics.Group(v, edges)).OrderBy(g => g.Key).Select(g => (g.Key, g.Count())).ToArray();

        sizes.ShouldBe(Enumerable.Range(0, 10).Select(g => (g, 100)).ToArray());
    }

    [Fact]
    public void Group_HeavyTies_KeepsTiedValuesTogether()
    {
        // edges [0, 1, 2]: every 0 in group 1, the 1 in group 2, the 2 in group 3; nothing below 0
        double[] values = [0, 2, 0, 0, 1, 0, 0, 0, 0, 0];
        var edges = Metrics.DecileEdges(values);

        values.Select(v => Metrics.Group(v, edges)).ShouldBe([1, 3, 1, 1, 2, 1, 1, 1, 1, 1]);
    }
}
