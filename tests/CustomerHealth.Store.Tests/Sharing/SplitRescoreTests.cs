using Dapper;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Store.Sharing;

namespace CustomerHealth.Store.Tests.Sharing;

/// <summary>
/// A whole rescore split between the servers of a store by their shares of the accounts: the scores are those of one
/// whole run (percentiles over every account), each share's part is done once, a server that dies leaves its part to the
/// server that takes its shares, and a model that cannot be split is scored whole by the server that claims it.
/// </summary>
public abstract class SplitRescoreTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly TestStore store = new(engine, Today);

    public void Dispose()
    {
        store.Dispose();
        GC.SuppressFinalize(this);
    }

    private static AccountShares Shares(int from, int to) => new(Enumerable.Range(from, to - from + 1));

    /// <summary>60 accounts ranked on a percentile measure (ties and accounts without the metric among them), alerted below 101.</summary>
    private void Portfolio(string model)
    {
        store.Publish(model);
        store.ImportCsv(Core.Signals.ImportKind.Accounts, ["account_id,name", .. Enumerable.Range(1, 60).Select(i => $"A{i},Account {i}")]).Applied.ShouldBeTrue();
        foreach (var i in Enumerable.Range(1, 60))
        {
            if (i % 7 != 0)
            {
                store.Metric($"A{i}", Today.AddDays(-2), (i * 37) % 23, "rank");
            }
            store.Metric($"A{i}", Today.AddDays(-2), i, "health");
        }
        new AlertBook(store.Db, store.Models, store.Clock).SetRules("rules:\n  - id: any\n    when: { score_below: 101 }\n", "r.yaml");
    }

    private Dictionary<long, (double? Score, string? Grade, string Detail)> Snapshots() =>
        store.Query<(long Key, double? Score, string? Grade, byte[] Detail)>("SELECT account_key, score, grade, detail FROM snapshots WHERE as_of = '2025-06-01'")
            .ToDictionary(r => r.Key, r => (r.Score, r.Grade, string.Join(";", SnapshotCodec.Decode(r.Detail).Select(m => $"{m.Value}:{m.Score:R}:{m.EffectiveWeight:R}"))));

    [Fact]
    public void AWholeRescoreSplitByShare_ScoresAsOneRunWould_EachPartOnce_AndADeadServersPartIsTakenOver()
    {
        Portfolio(TestModels.Percentile);
        // What one whole run gives.
        store.Scoring.ScoreRange(Today, Today, 1);
        var whole = Snapshots();
        whole.Count.ShouldBe(60);
        whole.Values.Select(v => v.Score).Distinct().Count().ShouldBeGreaterThan(10, "the percentiles spread the scores");
        store.Db.Connection.Execute("DELETE FROM snapshots");
        store.Db.Connection.Execute("DELETE FROM current_scores");
        // A signal no measure reads marks an account: its mark is cleared by the part that scores it.
        store.Metric("A5", Today.AddDays(-1), 1, "other");
        store.Count("dirty_accounts").ShouldBe(1);

        var alerting = new ScoreAndAlert(store.Db, store.Models, store.Clock);
        var (a, b, c) = (Shares(0, 20), Shares(21, 41), Shares(42, 63));
        int Scored(AccountShares shares) => whole.Count(w => shares.Holds(w.Key) && w.Value.Score is not null);
        // The three servers compute their accounts' values; none can score before every share's values are in.
        alerting.ScoreShares(Today, a).ShouldBeNull();
        alerting.ScoreShares(Today, b).ShouldBeNull();
        store.Count("snapshots").ShouldBe(0);
        store.Count("rescore_parts").ShouldBe(AccountShares.Count);
        // The third server dies before its part: the first takes its shares, computes their values and scores both parts.
        var ac = new AccountShares(a.List.Concat(c.List));
        store.Scoring.WorkWaits(ac).ShouldBeTrue();
        var first = alerting.ScoreShares(Today, ac).ShouldNotBeNull();
        first.Scores[0].AccountsScored.ShouldBe(Scored(ac));
        first.Alerts!.Opened.ShouldBe(Scored(ac));
        store.Query<long>("SELECT account_key FROM snapshots").ShouldAllBe(k => ac.Holds(k));
        store.Scoring.WorkWaits(ac).ShouldBeFalse("its part is done");
        store.Scoring.WorkWaits(b).ShouldBeTrue();
        var second = alerting.ScoreShares(Today, b).ShouldNotBeNull();
        second.Scores[0].AccountsScored.ShouldBe(Scored(b));
        second.Alerts!.Opened.ShouldBe(Scored(b));
        store.Count("rescore_parts").ShouldBe(0, "the run is over once every share is scored");
        store.Count("dirty_accounts").ShouldBe(0);

        // Every score, grade and measure is the one run's, every account scored and alerted once.
        var split = Snapshots();
        split.Keys.Order().ShouldBe(whole.Keys.Order());
        foreach (var (key, one) in whole)
        {
            split[key].Grade.ShouldBe(one.Grade, $"account {key}");
            split[key].Detail.ShouldBe(one.Detail, $"account {key}");
            (split[key].Score is null).ShouldBe(one.Score is null);
            if (one.Score is { } s)
            {
                split[key].Score!.Value.ShouldBe(s, 1e-9, $"account {key}");
            }
        }
        store.Count("alerts").ShouldBe(Scored(AccountShares.All));
        store.Count("current_scores").ShouldBe(60);
        // Nothing is left to do: the next passes rescore only what is touched.
        store.Scoring.WorkWaits(AccountShares.All).ShouldBeFalse();
        alerting.ScoreShares(Today, a).ShouldNotBeNull().Scores[0].AccountsScored.ShouldBe(Scored(AccountShares.All));
        store.Count("alerts").ShouldBe(Scored(AccountShares.All));
    }

    [Fact]
    public void TheDailyRescore_StartsASplitRun_WhichIsRecordedDoneWithItsLastPart()
    {
        Portfolio(TestModels.Percentile);
        store.Scoring.ScoreRange(Today, Today, 1);
        var due = new DateTimeOffset(2025, 6, 1, 2, 0, 0, TimeSpan.Zero);
        if (engine == TestEngine.Sqlite)
        {
            // One server works on an SQLite store: it scores the daily run whole.
            store.Scoring.StartSplit(Today, due, out var splitsHere).ShouldBeFalse();
            splitsHere.ShouldBeFalse();
            return;
        }
        store.Scoring.StartSplit(Today, due, out var splits).ShouldBeTrue();
        splits.ShouldBeTrue();
        store.Scoring.StartSplit(Today, due, out _).ShouldBeFalse("under way: started once");
        store.Db.Setting(ScoringRun.DailyRescoreLast).ShouldBeNull();
        // Under way, the run is every server's work, and the incremental rescoring waits for it.
        store.Scoring.WorkWaits(Shares(0, 31)).ShouldBeTrue();
        var alerting = new ScoreAndAlert(store.Db, store.Models, store.Clock);
        alerting.ScoreShares(Today, Shares(0, 31)).ShouldBeNull();
        alerting.ScoreShares(Today, Shares(32, 63)).ShouldNotBeNull();
        store.Db.Setting(ScoringRun.DailyRescoreLast).ShouldBeNull("not done before its last part");
        alerting.ScoreShares(Today, Shares(0, 31)).ShouldNotBeNull();
        store.Db.Setting(ScoringRun.DailyRescoreLast).ShouldNotBeNull();
        DateTimeOffset.Parse(store.Db.Setting(ScoringRun.DailyRescoreLast)!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(due);
        store.Count("rescore_parts").ShouldBe(0);

        // A server left alone on the store (the others gone mid-run) scores every account itself, and the run is done.
        store.Scoring.StartSplit(Today, due.AddDays(1), out _).ShouldBeTrue();
        alerting.ScoreShares(Today, Shares(0, 31)).ShouldBeNull();
        var alone = alerting.ScoreShares(Today, AccountShares.All).ShouldNotBeNull().Scores[0];
        (alone.AccountsScored + alone.Unscored).ShouldBe(60);
        store.Count("rescore_parts").ShouldBe(0);
        DateTimeOffset.Parse(store.Db.Setting(ScoringRun.DailyRescoreLast)!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(due.AddDays(1));

        // So is `chs score` of the day (every account scored as of it), with no server left to do the run.
        store.Scoring.StartSplit(Today, due.AddDays(2), out _).ShouldBeTrue();
        alerting.ScoreShares(Today, Shares(0, 31)).ShouldBeNull();
        (store.Scoring.Score(Today).AccountsScored + store.Scoring.Score(Today).Unscored).ShouldBe(60);
        store.Count("rescore_parts").ShouldBe(0);
        DateTimeOffset.Parse(store.Db.Setting(ScoringRun.DailyRescoreLast)!, System.Globalization.CultureInfo.InvariantCulture).ShouldBe(due.AddDays(2));
    }

    [Fact]
    public void AModelThatCannotBeSplit_IsScoredWholeByTheServerThatClaimsIt()
    {
        // Parents scored from their children need every account's scores in one place.
        Portfolio(TestModels.HealthWithHierarchy);
        var alerting = new ScoreAndAlert(store.Db, store.Models, store.Clock);
        store.Db.Claim("live_rescore_claim", store.Clock.GetUtcNow(), store.Clock.GetUtcNow().AddMinutes(5)).ShouldBeTrue();
        alerting.ScoreShares(Today, Shares(0, 31)).ShouldBeNull();
        store.Count("snapshots").ShouldBe(0);
        store.Count("rescore_parts").ShouldBe(0);
        store.Db.Release("live_rescore_claim");
        var whole = alerting.ScoreShares(Today, Shares(0, 31)).ShouldNotBeNull();
        whole.Scores[0].AccountsScored.ShouldBe(60);
        whole.Alerts!.Opened.ShouldBe(60);
        store.Count("dirty_accounts").ShouldBe(0);
    }
}

public sealed class SplitRescoreTestsOnSqlite() : SplitRescoreTests(TestEngine.Sqlite);

public sealed class SplitRescoreTestsOnPostgres() : SplitRescoreTests(TestEngine.Postgres);
