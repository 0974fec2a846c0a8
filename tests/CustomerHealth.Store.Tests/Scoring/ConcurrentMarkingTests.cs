using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Tests.Scoring;

/// <summary>
/// Imports that mark accounts for rescoring and rescoring runs that clear the marks, at the same time on one store
/// (as the web app's live rescoring does under a stream of ingests): neither fails, and no mark is lost.
/// </summary>
public abstract class ConcurrentMarkingTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 1));

    public void Dispose() => store.Dispose();

    [Fact]
    public async Task ImportsAndRescoresTogether_NeverDeadlockAndLeaveEveryChangedAccountScored()
    {
        store.Publish();
        var day = new DateOnly(2025, 6, 1);
        store.Metric("A000", day, 50);
        store.Scoring.Score(day);
        var target = store.Db.Path;
        var errors = new List<Exception>();
        var importing = Task.Run(() =>
        {
            using var db = StoreDb.Open(target);
            var importer = new Importer(db, store.Clock);
            var rnd = new Random(1);
            for (var round = 0; round < 25; round++)
            {
                // Each import marks the same 200 accounts, listed in a different order every time.
                var rows = Enumerable.Range(0, 200).OrderBy(_ => rnd.Next())
                    .Select(a => new SourceRow(a + 1, new Dictionary<string, string?>
                    {
                        ["account_id"] = $"A{a:000}", ["metric"] = "health", ["date"] = "2025-06-01",
                        ["value"] = (round * 3 + a % 50).ToString(CultureInfo.InvariantCulture),
                    }, null, null)).ToList();
                importer.Import(ImportKind.Metrics, rows, "round", new ImportOptions()).Applied.ShouldBeTrue();
            }
        });
        var scoring = Task.Run(() =>
        {
            using var db = StoreDb.Open(target);
            var run = new ScoringRun(db, new ModelVersions(db, store.Clock));
            while (!importing.IsCompleted)
            {
                run.Score(day);
            }
        });
        foreach (var task in new[] { importing, scoring })
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is not ShouldAssertException)
            {
                errors.Add(e);
            }
        }
        errors.ShouldBeEmpty();
        // One more pass scores whatever the last imports marked: every account's snapshot shows its last value.
        store.Scoring.Score(day);
        store.Count("dirty_accounts").ShouldBe(0);
        store.Scalar<double>("SELECT s.score FROM snapshots s JOIN accounts a ON a.account_key = s.account_key WHERE a.account_id = 'A007' AND s.as_of = '2025-06-01'")
            .ShouldBe(24 * 3 + 7, 1e-9);
    }
}

public sealed class ConcurrentMarkingTestsOnSqlite() : ConcurrentMarkingTests(TestEngine.Sqlite);

public sealed class ConcurrentMarkingTestsOnPostgres() : ConcurrentMarkingTests(TestEngine.Postgres);
