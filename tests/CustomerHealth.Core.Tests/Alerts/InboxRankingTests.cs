using CustomerHealth.Core.Alerts;

namespace CustomerHealth.Core.Tests.Alerts;

public sealed class InboxRankingTests
{
    private static List<string> Order(params InboxRank[] ranks) => InboxRanking.Rank(ranks, r => r).Select(r => r.AccountId).ToList();

    [Fact]
    public void Rank_WithProbabilities_PutsTheLargestRevenueAtRiskFirst_WhateverTheSeverity()
    {
        Order(new("A", "high", 10_000, 0.9), new("B", "low", 1_000_000, 0.1), new("C", "medium", 50_000, 0.5))
            .ShouldBe(["B", "C", "A"], "100,000 at risk, then 25,000, then 9,000");
    }

    [Fact]
    public void Rank_WithoutAProbabilityOrArr_FollowsBySeverityThenArr()
    {
        Order(new("NoP-low", "low", 900_000, null), new("NoP-high-small", "high", 1_000, null), new("NoP-high-big", "high", 5_000, null),
                new("NoArr", "high", null, 0.9), new("Risk", "low", 100, 0.01))
            .ShouldBe(["Risk", "NoP-high-big", "NoP-high-small", "NoArr", "NoP-low"]);
    }

    [Fact]
    public void Rank_EqualRanks_AreOrderedByAccountId()
    {
        Order(new("B", "medium", 10, null), new("A", "medium", 10, null)).ShouldBe(["A", "B"]);
    }

    [Fact]
    public void Worst_OfSeverities_IsTheMostSevere()
    {
        InboxRanking.Worst(["low", "high", "medium"]).ShouldBe("high");
        InboxRanking.Worst(["low", "medium"]).ShouldBe("medium");
        new InboxRank("A", "low", 200, 0.25).RevenueAtRisk.ShouldBe(50);
        new InboxRank("A", "low", null, 0.25).RevenueAtRisk.ShouldBeNull();
    }
}
