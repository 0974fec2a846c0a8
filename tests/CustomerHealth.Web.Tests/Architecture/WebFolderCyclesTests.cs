namespace CustomerHealth.Web.Tests.Architecture;

/// <summary>
/// The web app's folders depend one way (docs/architecture.md, "The web app"): the graph of which folder's types use
/// which other folder's types, read from the compiled assembly (signatures, fields, locals, attributes and every type,
/// method and field a method body names, lambdas and razor markup included), has no cycle. A folder is a namespace
/// `CustomerHealth.Web.X` (nested folders are their own, `Components.Pages`); the root namespace is the composition root
/// (<see cref="ChsWebApp"/> maps every folder) and its settings, which every folder may use, so it stays out.
/// </summary>
public sealed class WebFolderCyclesTests
{
    [Fact]
    public void WebFolders_DependOneWay_NoCycle()
    {
        var graph = FolderGraph.Of(typeof(ChsWebApp).Assembly, "CustomerHealth.Web", nested: true);
        // The reading works: these are known uses, so an empty graph cannot pass for one without cycles.
        graph.Uses("Components.Pages", "Components.Shared").ShouldBeTrue(graph.ToString());
        graph.Uses("Api", "Auth").ShouldBeTrue(graph.ToString());

        var cycles = graph.Cycles().Select(graph.Describe).ToList();

        cycles.ShouldBeEmpty("folders that depend on each other (each use shown by one type that makes it)");
    }

    [Fact]
    public void Cycles_OfAGraphWithOne_AreNamedWithTheUsesThatMakeThem()
    {
        var graph = new FolderGraph(new Dictionary<string, Dictionary<string, string>>
        {
            ["A"] = new() { ["B"] = "A.X → B.Y" }, ["B"] = new() { ["C"] = "B.Y → C.Z" }, ["C"] = new() { ["A"] = "C.Z → A.X", ["D"] = "C.Z → D.W" }, ["D"] = [],
        });

        graph.Cycles().Select(graph.Describe).ShouldBe(["A → B → C → A (A.X → B.Y; B.Y → C.Z; C.Z → A.X)"]);
    }
}
