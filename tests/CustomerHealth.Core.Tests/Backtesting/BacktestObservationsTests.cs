using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Backtesting;

/// <summary>Who a backtest observes at each date, and how it labels churn.</summary>
public class BacktestObservationsTests
{
    private static readonly ScoringPlan Plan = new(ModelLoader.Load(
        """
        name: Observed
        grades: [{ id: green, min: 70 }, { id: red, min: 0 }]
        dimensions:
          - id: product
            weight: 1
            measures:
              - id: health
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
        """));

    private static AccountData Account(int key, double? health, int started = 0, SubscriptionPoint[]? subscriptions = null, int[]? orders = null, int[]? usage = null) => new()
    {
        Key = key,
        AccountId = "A" + key,
        StartedDay = started,
        Subscriptions = subscriptions ?? [],
        Orders = (orders ?? []).Select(d => new OrderPoint(d, 10, 0)).ToArray(),
        Usage = (usage ?? []).Select(d => new UsageDay(d, 1, 1, 0)).ToArray(),
        Metrics = health is { } h ? new Dictionary<string, MetricPoint[]> { ["health"] = [new(0, h)] } : new Dictionary<string, MetricPoint[]>(),
    };

    private static (IReadOnlyList<Observation> Observations, int Unscored, string Churn) Observe(int[] days, int horizon, int? lapse, params AccountData[] accounts) =>
        BacktestObservations.Observe(Plan, accounts, new Dictionary<string, int>(), days, horizon, lapse);

    [Fact]
    public void Observe_ChurnedEvents_LabelChurnWithinTheHorizonAndDropTheChurnedAfter()
    {
        var churner = Account(1, 80, subscriptions: [new(110, SubscriptionKind.Churned, 0)]);
        var stayer = Account(2, 50);
        var noData = Account(3, null);

        var (observations, unscored, churn) = Observe([101, 120], 30, null, churner, stayer, noData);

        // Day 101: A1 churns on 110, within (101, 131]; A2 stays; A3 has no data (unscored). Day 120: A1 has churned.
        observations.Select(o => (o.DateIndex, o.AccountId, o.Churned, o.Score, o.Grade)).ShouldBe(
            [(0, "A1", true, 80.0, "green"), (0, "A2", false, 50.0, "red"), (1, "A2", false, 50.0, "red")]);
        unscored.ShouldBe(2);
        churn.ShouldBe("churned events");
    }

    [Fact]
    public void Observe_ChurnAfterTheHorizon_IsNotChurn()
    {
        var (observations, _, _) = Observe([100], 30, null, Account(1, 80, subscriptions: [new(131, SubscriptionKind.Churned, 0)]));

        observations.Single().Churned.ShouldBeFalse();
    }

    [Fact]
    public void Observe_ByLapseOfOrders_OnlyTheActiveAreObservedAndChurnIsNoOrderWithinTheHorizon()
    {
        var reorders = Account(1, 80, orders: [5, 40]);
        var lapses = Account(2, 80, orders: [5]);
        var longGone = Account(3, 80, orders: [-100]);

        var (observations, unscored, churn) = Observe([10], 60, 30, reorders, lapses, longGone);

        // Active at 10: an order in [-19, 10]. Churned: no order in [11, 70].
        observations.Select(o => (o.AccountId, o.Churned)).ShouldBe([("A1", false), ("A2", true)]);
        unscored.ShouldBe(0);
        churn.ShouldBe("lapse 30d (orders)");
    }

    [Fact]
    public void Observe_ByLapseWithoutOrders_UsesUsage()
    {
        var (observations, _, churn) = Observe([10], 60, 30, Account(1, 80, usage: [10]), Account(2, 80, usage: [10, 70]));

        observations.Select(o => (o.AccountId, o.Churned)).ShouldBe([("A1", true), ("A2", false)]);
        churn.ShouldBe("lapse 30d (usage)");
    }

    [Theory]
    [InlineData(5, 5, true)]
    [InlineData(6, 9, false)]
    [InlineData(10, 20, true)]
    [InlineData(11, 19, false)]
    [InlineData(21, 30, false)]
    public void Active_DaysInclusive_TrueWhenAnOrderFallsBetween(int from, int to, bool active)
    {
        BacktestObservations.Active(Account(1, null, orders: [5, 10, 20]), byOrders: true, from, to).ShouldBe(active);
    }
}
