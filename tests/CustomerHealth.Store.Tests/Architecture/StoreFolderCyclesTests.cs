namespace CustomerHealth.Store.Tests.Architecture;

/// <summary>
/// The folders of the store (namespaces CustomerHealth.Store.X) depend one way: no folder reaches, directly or
/// through others, back into itself. The graph is read from the compiled assembly, so it holds what the code really
/// uses (a stale using directive adds no edge, a fully qualified name is not missed).
/// </summary>
public sealed class StoreFolderCyclesTests
{
    private static readonly Lazy<FolderGraph> Store = new(() => FolderGraph.Of(typeof(StoreDb).Assembly, "CustomerHealth.Store"));

    [Fact]
    public void StoreFolders_DependOneWay_NoCycle()
    {
        var cycles = Store.Value.Cycles();

        cycles.ShouldBeEmpty("the folders of CustomerHealth.Store depend on each other in a cycle:\n" + string.Join("\n", cycles.Select(Store.Value.Describe)) +
            "\nAll uses between folders:\n" + Store.Value);
    }

    [Fact]
    public void FolderGraph_OfTheStore_HoldsItsKnownUses()
    {
        var graph = Store.Value;

        // A constructor parameter (AlertBook takes ModelVersions), calls in method bodies (the signal loader settles
        // the usage inbox of Engines) and a record's property (a draft's backtest comparison holds BacktestOptions).
        graph.Uses("Alerts", "Models").ShouldBeTrue(graph.ToString());
        graph.Uses("Scoring", "Engines").ShouldBeTrue(graph.ToString());
        graph.Uses("Drafts", "Backtesting").ShouldBeTrue(graph.ToString());
        graph.Uses("Models", "Scoring").ShouldBeFalse(graph.ToString());
        graph.Folders.ShouldContain("Import");
        graph.Folders.ShouldNotContain("");
    }

    [Fact]
    public void FolderGraph_OfCompiledFixtures_SeesUsesOnlyInALambdaOrAGenericArgument_AndNamesTheCycle()
    {
        var graph = FolderGraph.Of(typeof(StoreFolderCyclesTests).Assembly, "CustomerHealth.Store.Tests.Architecture.Fixture");

        graph.Uses("Lambdas", "Targets").ShouldBeTrue(graph.ToString());
        graph.Uses("Generics", "Targets").ShouldBeTrue(graph.ToString());
        graph.Uses("Targets", "Lambdas").ShouldBeFalse(graph.ToString());
        var cycle = graph.Cycles().ShouldHaveSingleItem();
        graph.Describe(cycle).ShouldBe("CycleA → CycleB → CycleA (CycleA.Ping uses CycleB.Pong; CycleB.Pong uses CycleA.Ping)");
    }

    [Fact]
    public void Cycles_OfAGraphWithACycle_NameItsFoldersInOrder()
    {
        var graph = new FolderGraph(new Dictionary<string, Dictionary<string, string>>
        {
            ["Models"] = new() { ["Scoring"] = "Models.DraftModel uses Scoring.ScoringRun" },
            ["Scoring"] = new() { ["Engines"] = "x", ["Backtesting"] = "Scoring.A uses Backtesting.B" },
            ["Backtesting"] = new() { ["Models"] = "Backtesting.B uses Models.C" },
            ["Engines"] = [],
            ["Reading"] = new() { ["Models"] = "y" },
        });

        var cycles = graph.Cycles();

        cycles.Count.ShouldBe(1);
        cycles[0].ShouldBe(new[] { "Backtesting", "Models", "Scoring", "Backtesting" });
        graph.Describe(cycles[0]).ShouldBe(
            "Backtesting → Models → Scoring → Backtesting (Backtesting.B uses Models.C; Models.DraftModel uses Scoring.ScoringRun; Scoring.A uses Backtesting.B)");
    }

    [Fact]
    public void Cycles_OfAGraphThatDependsOneWay_AreNone()
    {
        var graph = new FolderGraph(new Dictionary<string, Dictionary<string, string>>
        {
            ["Alerts"] = new() { ["Scoring"] = "a", ["Models"] = "b" },
            ["Scoring"] = new() { ["Models"] = "c" },
            ["Models"] = [],
        });

        graph.Cycles().ShouldBeEmpty();
    }
}
