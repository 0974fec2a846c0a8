using CustomerHealth.Core.Signals;
using Dapper;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>
/// A small book shared by the portfolio and segment reader tests, scored on February 8 and March 10, 2025 with the
/// test model (score = the `health` metric):
/// <code>
///      segment     plan     stage       owner  ARR   renewal     Feb 8  Mar 10
/// A1   Enterprise  Pro      mature      ann    9000  2025-04-01  85     95 green
/// A2   SMB         Starter  onboarding  bob    2000  2025-03-20  55     45 yellow
/// A3   Enterprise  Pro      mature      bob    3000  2026-02-28  20     21 red
/// A4   SMB         Starter  mature      ann    8000  2025-05-10  90     93 green
/// A5   SMB         -        onboarding  ann    5000  2025-03-15  -      -  (no signals: unscored)
/// A6   Enterprise  Pro      mature      bob    6000  2025-04-15  50     (churned on March 1)
/// A7   Mid-Market  Pro      mature      cat    7000  2026-03-01  30     30 red
/// A8   Mid-Market  Starter  mature      -      500   2025-03-09  60     60 yellow
/// </code>
/// </summary>
internal static class ReadingBook
{
    public static readonly DateOnly Feb8 = new(2025, 2, 8);
    public static readonly DateOnly Mar10 = new(2025, 3, 10);

    public static void Build(TestStore store)
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts,
            "account_id,name,segment,plan,lifecycle_stage,owner,arr,renewal_on",
            "A1,Alpha,Enterprise,Pro,mature,ann@cs.example,9000,2025-04-01",
            "A2,Beta,SMB,Starter,onboarding,bob@cs.example,2000,2025-03-20",
            "A3,Gamma,Enterprise,Pro,mature,bob@cs.example,3000,2026-02-28",
            "A4,Delta,SMB,Starter,mature,ann@cs.example,8000,2025-05-10",
            "A5,Epsilon,SMB,,onboarding,ann@cs.example,5000,2025-03-15",
            "A6,Zeta,Enterprise,Pro,mature,bob@cs.example,6000,2025-04-15",
            "A7,Eta,Mid-Market,Pro,mature,cat@cs.example,7000,2026-03-01",
            "A8,Theta,Mid-Market,Starter,mature,,500,2025-03-09").Applied.ShouldBeTrue();
        var feb1 = new DateOnly(2025, 2, 1);
        var mar5 = new DateOnly(2025, 3, 5);
        foreach (var (id, before, after) in new[] { ("A1", 85, 95), ("A2", 55, 45), ("A3", 20, 21), ("A4", 90, 93), ("A6", 50, 50), ("A7", 30, 30), ("A8", 60, 60) })
        {
            store.Metric(id, feb1, before);
            if (after != before)
            {
                store.Metric(id, mar5, after);
            }
        }
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "A6,churned,2025-03-01").Applied.ShouldBeTrue();
        store.Scoring.Score(Feb8);
        store.Scoring.Score(Mar10);
    }

    /// <summary>Stores a snapshot directly (as a live rescore of a few accounts would leave), without a breakdown.</summary>
    public static void Snapshot(TestStore store, string accountId, DateOnly day, double score, string grade) =>
        store.Db.Connection.Execute(
            "INSERT INTO snapshots (account_key, as_of, model_version, scorecard, score, grade, detail) VALUES (@key, @day, @version, 'default', @score, @grade, @detail)",
            new { key = store.AccountKey(accountId), day = TestStore.Iso(day), version = store.Models.Current()!.VersionId, score, grade, detail = new byte[] { 0, 0 } });
}
