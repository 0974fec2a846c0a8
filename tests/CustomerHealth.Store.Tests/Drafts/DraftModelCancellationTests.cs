using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Drafts;

namespace CustomerHealth.Store.Tests.Drafts;

/// <summary>A draft's preview or backtest ends when its token is cancelled (its client left), storing nothing.</summary>
public abstract class DraftModelCancellationTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 12, 1));

    public void Dispose() => store.Dispose();

    private static readonly DateOnly Jan1 = new(2025, 1, 1);

    private HealthModel Scored()
    {
        store.Publish();
        foreach (var (id, health) in new[] { ("A", 90), ("B", 70), ("C", 40), ("D", 10) })
        {
            store.Metric(id, Jan1, health);
        }
        store.Scoring.Score(Jan1);
        return ModelLoader.Load(TestModels.Health.Replace("min: 70", "min: 80", StringComparison.Ordinal));
    }

    [Fact]
    public void Preview_Cancelled_ThrowsOperationCanceledAndStoresNothing()
    {
        var draft = Scored();
        var snapshots = store.Count("snapshots");
        var drafts = new DraftModel(store.Db, store.Models);
        drafts.Preview(draft, "draft", Jan1).AccountsScored.ShouldBe(4);

        Should.Throw<OperationCanceledException>(() => drafts.Preview(draft, "draft", Jan1, cancel: new CancellationToken(canceled: true)));

        store.Count("snapshots").ShouldBe(snapshots);
    }

    [Fact]
    public void Backtest_Cancelled_ThrowsOperationCanceled()
    {
        var draft = Scored();
        var options = new BacktestOptions(Jan1, Jan1, 30, 90);

        Should.Throw<OperationCanceledException>(() =>
            new DraftModel(store.Db, store.Models).Backtest(draft, "draft", options, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void DayScoring_Cancelled_StopsTheLoopOverAccounts()
    {
        // The per-account loop itself checks the token, not only the steps before it.
        var draft = Scored();
        var (accounts, eventIds) = new Backtest(store.Db).Signals(draft);
        accounts.Count.ShouldBe(4);

        Should.Throw<OperationCanceledException>(() =>
            DayScoring.Score(new ScoringPlan(draft), accounts, eventIds, Jan1.DayNumber, [], cancel: new CancellationToken(canceled: true)));
    }

    [Fact]
    public void SignalsLoad_Cancelled_ThrowsBeforeReading()
    {
        var draft = Scored();

        Should.Throw<OperationCanceledException>(() => new Backtest(store.Db).Signals(draft, new CancellationToken(canceled: true)));
    }
}

public sealed class DraftModelCancellationTestsOnSqlite() : DraftModelCancellationTests(TestEngine.Sqlite);

public sealed class DraftModelCancellationTestsOnPostgres() : DraftModelCancellationTests(TestEngine.Postgres);
