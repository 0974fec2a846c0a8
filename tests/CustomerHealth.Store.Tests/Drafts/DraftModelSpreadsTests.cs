using CustomerHealth.Core.Model;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Drafts;

namespace CustomerHealth.Store.Tests.Drafts;

/// <summary>What the model builder draws its curves over: each measure's raw values across the accounts scored as of a day.</summary>
public abstract class DraftModelSpreadsTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 12, 1));

    public void Dispose() => store.Dispose();

    private static readonly DateOnly Jan1 = new(2025, 1, 1);

    [Fact]
    public void Spreads_GiveEachMeasuresValuesSorted_AndCountTheAccountsWithout_StoringNothing()
    {
        store.Publish();
        foreach (var (id, health) in new[] { ("A", 90), ("B", 10), ("C", 40), ("D", 40) })
        {
            store.Metric(id, Jan1, health);
        }
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", "E,nps,9,2025-01-01T12:00:00Z").Applied.ShouldBeTrue();
        var snapshots = store.Count("snapshots");

        var spreads = new DraftModel(store.Db, store.Models).Spreads(ModelLoader.Load(TestModels.Health), Jan1);

        spreads.Select(s => $"{s.Dimension}.{s.Measure}").ShouldBe(["product.health", "voice.nps"]);
        spreads[0].Numbers.ShouldBe([10d, 40, 40, 90]);
        (spreads[0].Missing, spreads[0].Texts.Count).ShouldBe((1, 0));
        spreads[1].Numbers.ShouldBe([9d]);
        spreads[1].Missing.ShouldBe(4);
        // Before anything was dated, nobody is scored.
        new DraftModel(store.Db, store.Models).Spreads(ModelLoader.Load(TestModels.Health), Jan1.AddDays(-1))[0].Numbers.ShouldBeEmpty();
        store.Count("snapshots").ShouldBe(snapshots);
    }

    [Fact]
    public void Names_TheStoredEventAndMetricNames_InOrder()
    {
        store.Metric("A", Jan1, 1, metric: "seats_used");
        store.Metric("A", Jan1, 1);
        store.ImportCsv(ImportKind.Usage, "account_id,event,occurred_at", "A,login,2025-01-01T10:00:00Z", "A,export,2025-01-01T11:00:00Z", "B,login,2025-01-01T10:00:00Z").Applied.ShouldBeTrue();

        var names = new DraftModel(store.Db, store.Models).Names();

        names.Events.ShouldBe(["export", "login"]);
        names.Metrics.ShouldBe(["health", "seats_used"]);
    }
}

public sealed class DraftModelSpreadsTestsOnSqlite() : DraftModelSpreadsTests(TestEngine.Sqlite);

public sealed class DraftModelSpreadsTestsOnPostgres() : DraftModelSpreadsTests(TestEngine.Postgres);
