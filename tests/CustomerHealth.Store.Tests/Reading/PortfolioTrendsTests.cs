using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Reading;
using Dapper;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>The portfolio over time and across the book, on <see cref="ReadingBook"/>.</summary>
public abstract class PortfolioTrendsTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, ReadingBook.Mar10);

    public void Dispose() => store.Dispose();

    private PortfolioTrends Trends => new(store.Db);

    private PortfolioBook Book(double maxScore = 100) =>
        Trends.Book(ReadingBook.Mar10, store.Models.ModelOf(store.Models.Current()!.VersionId).Grades, store.Models.Current()!.VersionId, maxScore);

    [Fact]
    public void AverageOverTime_KeepsOnlyFullScoringRuns()
    {
        ReadingBook.Build(store);
        // Eight accounts were scored on Feb 8 (A5 unscored): a day with 4 snapshots (half) counts, one with 3 does not.
        foreach (var id in new[] { "A1", "A2", "A3" })
        {
            ReadingBook.Snapshot(store, id, new DateOnly(2025, 3, 3), 10, "red");
        }
        (string Id, double Score)[] mar4 = [("A1", 80), ("A2", 60), ("A3", 40), ("A4", 20)];
        foreach (var (id, score) in mar4)
        {
            ReadingBook.Snapshot(store, id, new DateOnly(2025, 3, 4), score, "yellow");
        }

        var days = Trends.AverageOverTime(new DateOnly(2025, 1, 1), everyDays: 1);

        days.Select(d => d.Day).ShouldBe(["2025-02-08", "2025-03-04", "2025-03-10"]);
        days.Select(d => d.Snapshots).ShouldBe([8, 4, 7]);
        days[0].Average.ShouldNotBeNull().ShouldBe((85 + 55 + 20 + 90 + 50 + 30 + 60) / 7.0, 1e-9);
        days[1].Average.ShouldNotBeNull().ShouldBe(50, 1e-9);
        days[2].Average.ShouldNotBeNull().ShouldBe((95 + 45 + 21 + 93 + 30 + 60) / 6.0, 1e-9);
    }

    [Fact]
    public void AverageOverTime_Since_LeavesOutEarlierDaysAndMeasuresFullRunsWithinTheWindow()
    {
        ReadingBook.Build(store);
        foreach (var id in new[] { "A1", "A2", "A3", "A4" })
        {
            ReadingBook.Snapshot(store, id, new DateOnly(2025, 3, 3), 10, "red");
        }

        // From March on the busiest day has 7 snapshots (Feb 8's 8 are out of the window): 4 is more than half of it.
        Trends.AverageOverTime(new DateOnly(2025, 3, 1), everyDays: 1).Select(d => (d.Day, d.Snapshots)).ShouldBe([("2025-03-03", 4), ("2025-03-10", 7)]);
        Trends.AverageOverTime(new DateOnly(2025, 1, 1), everyDays: 1).Select(d => d.Day).ShouldBe(["2025-02-08", "2025-03-03", "2025-03-10"]);
    }

    [Fact]
    public void AverageOverTime_EveryDays_TakesTheLatestDayThenOneAtLeastThatManyDaysBeforeEach()
    {
        ReadingBook.Build(store);
        foreach (var day in new[] { 3, 4 })
        {
            foreach (var id in new[] { "A1", "A2", "A3", "A4" })
            {
                ReadingBook.Snapshot(store, id, new DateOnly(2025, 3, day), 10 * day, "red");
            }
        }

        // Mar 10, then the latest day on or before Mar 3, then on or before Feb 24.
        var days = Trends.AverageOverTime(new DateOnly(2025, 1, 1));

        days.Select(d => d.Day).ShouldBe(["2025-02-08", "2025-03-03", "2025-03-10"]);
        days[1].Average.ShouldNotBeNull().ShouldBe(30, 1e-9);
    }

    [Fact]
    public void AverageOverTime_NoSnapshots_IsEmpty()
    {
        store.Publish();

        Trends.AverageOverTime(new DateOnly(2025, 1, 1)).ShouldBeEmpty();
    }

    [Fact]
    public void Book_Summary_CountsActiveAccountsArrAndTheAverageByGrade()
    {
        ReadingBook.Build(store);

        var p = Book().Summary;

        // Active: A1-A5, A7, A8 (A6 churned); A5 unscored.
        (p.Accounts, p.Scored, p.Unscored, p.Churned).ShouldBe((7, 6, 1, 1));
        p.Arr.ShouldBe(9000 + 2000 + 3000 + 8000 + 5000 + 7000 + 500);
        p.AverageScore.ShouldNotBeNull().ShouldBe((95 + 45 + 21 + 93 + 30 + 60) / 6.0, 1e-9);
        p.ScoredOn.ShouldBe("2025-03-10");
        p.ModelVersion.ShouldBe(store.Models.Current()!.VersionId);
        p.ByGrade.Select(g => (g.Grade, g.Label, g.Accounts, g.Arr)).ShouldBe([
            ("green", "Healthy", 2, 17000.0), ("yellow", "Needs attention", 2, 2500.0), ("red", "At risk", 2, 10000.0)]);
        p.ByGrade[0].Color.ShouldBe("#2e7d32");
    }

    [Fact]
    public void Book_EmptyStore_HasZerosAndEmptyBins()
    {
        store.Publish();

        var book = Book();

        (book.Summary.Accounts, book.Summary.Scored, book.Summary.Arr).ShouldBe((0, 0, 0.0));
        book.Summary.AverageScore.ShouldBeNull();
        book.Summary.ScoredOn.ShouldBeNull();
        book.Summary.ByGrade.ShouldAllBe(g => g.Accounts == 0);
        book.Distribution.ShouldAllBe(b => b.Accounts == 0);
        book.Renewals.Count.ShouldBe(12);
    }

    [Fact]
    public void Distribution_CountsCurrentScoresOfActiveAccountsInTenPointBins()
    {
        ReadingBook.Build(store);

        var bins = Book().Distribution;

        bins.Count.ShouldBe(10);
        bins[0].From.ShouldBe(0);
        bins[9].To.ShouldBe(100);
        // 95, 45, 21, 93, 30, 60; A5 is unscored and A6 churned.
        bins.Select(b => b.Accounts).ShouldBe([0, 0, 1, 1, 1, 0, 1, 0, 0, 2]);
    }

    [Fact]
    public void Distribution_BinEdges_LowerEdgeInclusiveAndTheTopScoreInTheLastBin()
    {
        store.Publish();
        (string Id, double Value)[] values = [("E1", 100), ("E2", 10), ("E3", 9.99), ("E4", 0), ("E5", 89.999)];
        foreach (var (id, value) in values)
        {
            store.Metric(id, new DateOnly(2025, 3, 1), value);
        }
        store.Scoring.Score(ReadingBook.Mar10);

        Book().Distribution.Select(b => b.Accounts).ShouldBe([2, 1, 0, 0, 0, 0, 0, 0, 1, 1]);
    }

    [Fact]
    public void Distribution_PointsScale_BinsUpToTheTopScore()
    {
        ReadingBook.Build(store);

        var bins = Book(maxScore: 125).Distribution;

        bins.Count.ShouldBe(13);
        bins[12].From.ShouldBe(120);
        bins[12].To.ShouldBe(125);
        bins.Sum(b => b.Accounts).ShouldBe(6);
    }

    [Fact]
    public void Movers_AreTheBiggestChangesOverTheTrendWindow_FlatOnesLeftOut()
    {
        ReadingBook.Build(store);

        var (up, down) = Trends.Movers();

        // Against Feb 8: A1 +10, A4 +3, A3 +1 (flat), A7 and A8 0, A2 -10.
        up.Select(m => (m.AccountId, Math.Round(m.Trend, 6))).ShouldBe([("A1", 10.0), ("A4", 3.0)]);
        down.Select(m => (m.AccountId, Math.Round(m.Trend, 6))).ShouldBe([("A2", -10.0)]);
        up[0].Name.ShouldBe("Alpha");
        up[0].Score.ShouldBe(95);
        up[0].Grade.ShouldBe("green");
        up[0].Owner.ShouldBe("ann@cs.example");
        Trends.Movers(limit: 1).Up.Select(m => m.AccountId).ShouldBe(["A1"]);
    }

    [Fact]
    public void Movers_Explained_LeaveOutADropMadeByDataArrivingAndNameTheCause()
    {
        // The Health model: product 60% (health metric), voice 40% (NPS).
        store.Publish();
        store.Metric("A1", new DateOnly(2025, 1, 20), 90);
        store.Metric("A2", new DateOnly(2025, 1, 20), 90);
        store.Scoring.Score(new DateOnly(2025, 2, 1));
        // A1's NPS arrives, low: 90 → 0.6 × 90 + 0.4 × 0 = 54, a drop of 36 that is data arriving, not A1 getting worse.
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at,response_id", "A1,nps,0,2025-03-01T10:00:00Z,R1").Applied.ShouldBeTrue();
        // A2's health metric falls from 90 to 70: a drop of 20 of its own.
        store.Metric("A2", new DateOnly(2025, 3, 1), 70);
        store.Scoring.Score(ReadingBook.Mar10);

        Trends.Movers().Down.Select(m => m.AccountId).ShouldBe(["A1", "A2"]);
        var (_, down) = Trends.Movers(models: store.Models, trendDays: 30);
        down.Select(m => m.AccountId).ShouldBe(["A2"]);
        down[0].OwnChange!.Value.ShouldBe(-20, 1e-9);
        down[0].Reason!.ShouldContain("health");
    }

    [Fact]
    public void Movers_ManyTiedAndChurnedAtTheTop_RankedExactlyAsAmongEveryScore()
    {
        // 40 accounts with their current score set by hand: the largest rises are churned (so several chunks of the
        // trend index are read before two active ones are found) and trends tie across the chunks' edges.
        store.ImportCsv(ImportKind.Accounts, ["account_id,name", .. Enumerable.Range(1, 40).Select(i => $"M{i:00},Mover {i}")]).Applied.ShouldBeTrue();
        double TrendOf(int i) => i <= 20 ? 40 - (i / 3) : -(i - 20) / 2;
        foreach (var i in Enumerable.Range(1, 40))
        {
            store.Db.Connection.Execute(
                "INSERT INTO current_scores (account_key, as_of, score, grade, trend, model_version) VALUES (@key, '2025-03-10', 50, 'yellow', @trend, 'v')",
                new { key = store.AccountKey($"M{i:00}"), trend = TrendOf(i) });
        }
        var churned = Enumerable.Range(1, 9).Select(i => $"M{i:00}").ToHashSet();
        store.ImportCsv(ImportKind.Subscriptions, ["account_id,kind,occurred_on", .. churned.Select(id => $"{id},churned,2025-03-01")]).Applied.ShouldBeTrue();
        var active = Enumerable.Range(1, 40).Select(i => (Id: $"M{i:00}", Trend: TrendOf(i))).Where(a => !churned.Contains(a.Id)).ToList();

        foreach (var limit in new[] { 1, 2, 3, 7 })
        {
            var (up, down) = Trends.Movers(limit);

            up.Select(m => m.AccountId).ShouldBe(active.Where(a => a.Trend >= 2).OrderByDescending(a => a.Trend).ThenBy(a => a.Id, StringComparer.Ordinal).Take(limit).Select(a => a.Id), $"limit {limit}");
            down.Select(m => m.AccountId).ShouldBe(active.Where(a => a.Trend <= -2).OrderBy(a => a.Trend).ThenBy(a => a.Id, StringComparer.Ordinal).Take(limit).Select(a => a.Id), $"limit {limit}");
        }
    }

    [Fact]
    public void Movers_NoEarlierScore_HasNoMovers()
    {
        store.Publish();
        store.Metric("A1", new DateOnly(2025, 2, 1), 10);
        store.Metric("A2", new DateOnly(2025, 2, 1), 90);
        store.Scoring.Score(ReadingBook.Mar10);

        var (up, down) = Trends.Movers();

        up.ShouldBeEmpty();
        down.ShouldBeEmpty();
    }

    [Fact]
    public void ChurnedAccount_LeavesEveryFigure()
    {
        ReadingBook.Build(store);
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "A2,churned,2025-03-10").Applied.ShouldBeTrue();

        Trends.Movers().Down.ShouldBeEmpty();
        Book().Renewals[0].Accounts.ShouldBe(0);
        Book().Distribution.Sum(b => b.Accounts).ShouldBe(5);
    }

    [Fact]
    public void Changes_MoveWithEveryCommittedChangeToAccountsScoresHistoryAndChurn_AndWithNothingElse()
    {
        ReadingBook.Build(store);
        var changes = Trends.Changes();
        long Moved()
        {
            var now = Trends.Changes();
            var moved = now - changes;
            changes = now;
            return moved;
        }

        // Reading and what the figures are not computed from leave it.
        Book();
        Trends.Movers(models: store.Models);
        store.Metric("A1", new DateOnly(2025, 3, 1), 40);
        store.ImportCsv(ImportKind.Usage, "account_id,event,occurred_at", "A1,login,2025-03-09T10:00:00Z").Applied.ShouldBeTrue();
        Moved().ShouldBe(0);

        store.ImportCsv(ImportKind.Accounts, "account_id,arr", "A1,9500").Applied.ShouldBeTrue();
        Moved().ShouldBeGreaterThan(0);
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "A9,Newcomer").Applied.ShouldBeTrue();
        Moved().ShouldBeGreaterThan(0);
        store.Scoring.Score(ReadingBook.Mar10);
        Moved().ShouldBeGreaterThan(0);
        // A day in the past: the history changes, the current scores do not.
        store.Scoring.Score(new DateOnly(2025, 1, 5));
        Moved().ShouldBeGreaterThan(0);
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "A2,churned,2025-03-10").Applied.ShouldBeTrue();
        Moved().ShouldBeGreaterThan(0);
        // A transaction that rolls back moves nothing.
        using (var tx = store.Db.Connection.BeginTransaction())
        {
            store.Db.Connection.Execute("DELETE FROM current_scores", transaction: tx);
            tx.Rollback();
        }
        Moved().ShouldBe(0);
    }

    [Fact]
    public void ReadPortfolioLog_BeforeADay_GivesOnlyTheAccountsRowsAndThoseOfEarlierDays()
    {
        // What the alert rules' book asks between two days it judges: what changed of the accounts or of the history
        // before the day; the later days' snapshots are not among the rows.
        ReadingBook.Build(store);
        string Mark()
        {
            using var tx = store.Db.Engine.BeginSnapshot(store.Db.Connection);
            return store.Db.Engine.ReadPortfolioLog(store.Db.Connection, tx, null, 20_000).Mark;
        }
        IReadOnlyList<PortfolioLogRow> Since(string mark, string? before)
        {
            using var tx = store.Db.Engine.BeginSnapshot(store.Db.Connection);
            return store.Db.Engine.ReadPortfolioLog(store.Db.Connection, tx, mark, 20_000, before).Rows.ShouldNotBeNull();
        }
        var mark = Mark();
        store.Scoring.ScoreRange(new DateOnly(2025, 3, 17), new DateOnly(2025, 3, 24), 7);
        var later = Since(mark, "2025-03-17");
        later.ShouldNotContain(r => r.Day != null, string.Join(", ", later.Select(r => r.Day)));
        Since(mark, null).Select(r => r.Day).Where(d => d != null).Distinct().Order().ShouldBe(["2025-03-17", "2025-03-24"]);

        mark = Mark();
        store.Scoring.Score(new DateOnly(2025, 1, 5));
        store.ImportCsv(ImportKind.Accounts, "account_id,arr", "A1,9500").Applied.ShouldBeTrue();
        var rows = Since(mark, "2025-03-17");
        rows.Where(r => r.Day != null).Select(r => r.Day).Distinct().ShouldBe(["2025-01-05"]);
        rows.ShouldContain(r => r.Day == null);
    }

    [Fact]
    public void Changes_ManyWritingTransactions_EachCount_AndPruningTheLogKeepsTheNumber()
    {
        ReadingBook.Build(store);
        var before = Trends.Changes();
        var logged = store.Count("portfolio_log");
        for (var i = 0; i < 1_005; i++)
        {
            store.Db.Connection.Execute("UPDATE accounts SET arr = arr WHERE account_id = 'A1'");
        }
        // Eight statements of 4,000 new accounts each: the log passes 30,000 rows and is pruned.
        for (var i = 0; i < 8; i++)
        {
            store.Db.Connection.Execute(
                $"WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT d.i + 1 FROM d WHERE d.i < 3999) INSERT INTO accounts (account_id) SELECT 'X{i}-' || d.i FROM d");
        }

        // Each changed row counts once, and the number read after a prune is the number before it.
        var after = Trends.Changes();
        after.ShouldBe(before + 1_005 + 32_000);
        Trends.Changes().ShouldBe(after);
        store.Count("portfolio_log").ShouldBeLessThan(logged + 33_005);
    }

    /// <summary>The figures of a state kept and refreshed equal those of a state read afresh (sums within rounding).</summary>
    private void ShouldMatchAFreshRead(PortfolioState kept, DateOnly since)
    {
        Trends.Refresh(kept, since, everyDays: 1);
        var fresh = new PortfolioState();
        Trends.Refresh(fresh, since, everyDays: 1);
        var version = store.Models.Current()!.VersionId;
        var grades = store.Models.ModelOf(version).Grades;
        var (a, b) = (kept.Book(ReadingBook.Mar10, grades, version), fresh.Book(ReadingBook.Mar10, grades, version));
        (a.Summary with { ByGrade = [], Arr = 0, AverageScore = 0 }).ShouldBe(b.Summary with { ByGrade = [], Arr = 0, AverageScore = 0 });
        a.Summary.Arr.ShouldBe(b.Summary.Arr, 1e-6);
        (a.Summary.AverageScore ?? -1).ShouldBe(b.Summary.AverageScore ?? -1, 1e-9);
        a.Summary.ByGrade.Select(g => (g.Grade, g.Accounts, Math.Round(g.Arr, 6))).ShouldBe(b.Summary.ByGrade.Select(g => (g.Grade, g.Accounts, Math.Round(g.Arr, 6))));
        a.Distribution.ShouldBe(b.Distribution);
        a.Renewals.Select(r => (r.Month, r.Accounts, Math.Round(r.Arr, 6))).ShouldBe(b.Renewals.Select(r => (r.Month, r.Accounts, Math.Round(r.Arr, 6))));
        var (x, y) = (kept.AverageOverTime(since, everyDays: 1), fresh.AverageOverTime(since, everyDays: 1));
        x.Select(d => (d.Day, d.Snapshots)).ShouldBe(y.Select(d => (d.Day, d.Snapshots)));
        x.Zip(y).ShouldAllBe(p => Math.Abs((p.First.Average ?? -1) - (p.Second.Average ?? -1)) < 1e-9);
        var (m, n) = (Trends.Movers(kept, models: store.Models), Trends.Movers(fresh, models: store.Models));
        m.Up.Concat(m.Down).Select(v => (v.AccountId, v.Score, v.Trend, v.OwnChange, v.Reason))
            .ShouldBe(n.Up.Concat(n.Down).Select(v => (v.AccountId, v.Score, v.Trend, v.OwnChange, v.Reason)));
    }

    [Fact]
    public void State_KeptAndRefreshedAfterEveryKindOfChange_GivesTheFiguresOfAFreshRead()
    {
        ReadingBook.Build(store);
        var since = new DateOnly(2025, 1, 1);
        var kept = new PortfolioState();
        ShouldMatchAFreshRead(kept, since);
        var before = kept.Book(ReadingBook.Mar10, store.Models.ModelOf(store.Models.Current()!.VersionId).Grades, null).Summary;
        var rnd = new Random(11);
        string Anyone() => "A" + rnd.Next(1, 10).ToString(CultureInfo.InvariantCulture);
        var changes = new Action[]
        {
            () => store.ImportCsv(ImportKind.Accounts, "account_id,arr,renewal_on", $"{Anyone()},{rnd.Next(100, 9000)},2025-{rnd.Next(3, 13):00}-1{rnd.Next(0, 10)}").Applied.ShouldBeTrue(),
            () => store.ImportCsv(ImportKind.Accounts, "account_id,name,arr", $"N{rnd.Next(1000)},Newcomer,{rnd.Next(100, 900)}").Applied.ShouldBeTrue(),
            () => store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", $"{Anyone()},{(rnd.Next(2) == 0 ? "churned" : "reactivated")},2025-03-0{rnd.Next(1, 10)}").Applied.ShouldBeTrue(),
            () =>
            {
                store.Metric(Anyone(), new DateOnly(2025, 3, rnd.Next(1, 10)), rnd.Next(0, 100));
                store.Scoring.Score(rnd.Next(3) == 0 ? new DateOnly(2025, 2, rnd.Next(1, 20)) : ReadingBook.Mar10);
            },
            () => ReadingBook.Snapshot(store, Anyone(), new DateOnly(2025, 3, rnd.Next(11, 20)), rnd.Next(0, 100), "red"),
            () => store.Db.Connection.Execute("DELETE FROM snapshots WHERE account_key = @key AND as_of = '2025-02-08'", new { key = store.AccountKey(Anyone()) }),
            () => store.Db.Connection.Execute("UPDATE snapshots SET score = @score WHERE as_of = '2025-03-10' AND account_key = @key", new { score = rnd.Next(0, 100), key = store.AccountKey(Anyone()) }),
            () => store.Db.Connection.Execute("UPDATE current_scores SET trend = @trend WHERE account_key = @key", new { trend = rnd.Next(-40, 40), key = store.AccountKey(Anyone()) }),
            () => store.Db.Connection.Execute("DELETE FROM current_scores WHERE account_key = @key", new { key = store.AccountKey(Anyone()) }),
        };
        for (var i = 0; i < 60; i++)
        {
            changes[rnd.Next(changes.Length)]();
            ShouldMatchAFreshRead(kept, since);
        }

        // Not a test that cannot fail: the book did change.
        kept.Book(ReadingBook.Mar10, store.Models.ModelOf(store.Models.Current()!.VersionId).Grades, null).Summary.ShouldNotBe(before);
    }

    [Fact]
    public void State_MoreChangesThanTheLogKeeps_IsReadAgainWhole()
    {
        ReadingBook.Build(store);
        var since = new DateOnly(2010, 1, 1);
        var kept = new PortfolioState();
        ShouldMatchAFreshRead(kept, since);
        var days = store.Db.Engine is CustomerHealth.Store.Engines.PostgresEngine
            ? "to_char(DATE '2010-01-01' + d.i, 'YYYY-MM-DD')"
            : "date('2010-01-01', '+' || d.i || ' days')";

        // 6,000 accounts in one statement, then all of them changed in one (on PostgreSQL, logged as every account).
        store.Db.Connection.Execute("WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT d.i + 1 FROM d WHERE d.i < 5999) INSERT INTO accounts (account_id, arr) SELECT 'X' || d.i, d.i FROM d");
        ShouldMatchAFreshRead(kept, since);
        store.Db.Connection.Execute("UPDATE accounts SET arr = arr + 1");
        ShouldMatchAFreshRead(kept, since);
        kept.Book(ReadingBook.Mar10, [], null).Summary.Accounts.ShouldBe(6_000 + 7);

        // A history of 3,000 days for every account in one transaction (27,000 rows of the log: more than a refresh
        // reads), then rescored four times (more than the log keeps), then taken away.
        store.Db.Connection.Execute(
            $"""
            WITH RECURSIVE d(i) AS (SELECT 0 UNION ALL SELECT d.i + 1 FROM d WHERE d.i < 2999)
            INSERT INTO snapshots (account_key, as_of, model_version, scorecard, score, grade, detail)
            SELECT a.account_key, {days}, @version, 'default', (a.account_key * 7 + d.i) % 100, 'red', @detail FROM accounts a, d WHERE a.account_id LIKE 'A%'
            """, new { version = store.Models.Current()!.VersionId, detail = new byte[] { 0, 0 } });
        ShouldMatchAFreshRead(kept, since);
        kept.AverageOverTime(since, everyDays: 1).Count.ShouldBeGreaterThan(3_000);
        for (var i = 1; i <= 4; i++)
        {
            store.Db.Connection.Execute("UPDATE snapshots SET score = 100 - score WHERE as_of < '2019-01-01'");
        }
        store.Count("portfolio_log").ShouldBeLessThan(40_000);
        ShouldMatchAFreshRead(kept, since);
        store.Db.Connection.Execute("DELETE FROM snapshots WHERE as_of < '2019-01-01'");
        ShouldMatchAFreshRead(kept, since);
        kept.AverageOverTime(since, everyDays: 1).Count.ShouldBeLessThan(10);
    }

    [Fact]
    public void State_AWriterThatCommitsAfterARefresh_IsSeenByTheNextOne()
    {
        ReadingBook.Build(store);
        var since = new DateOnly(2025, 1, 1);
        var kept = new PortfolioState();
        ShouldMatchAFreshRead(kept, since);
        var arr = kept.Book(ReadingBook.Mar10, [], null).Summary.Arr;
        using var other = StoreDb.Open(store.Db.Path);
        using (var slow = other.Connection.BeginTransaction())
        {
            other.Connection.Execute("UPDATE accounts SET arr = 123456 WHERE account_id = 'A2'", transaction: slow);
            Trends.Refresh(kept, since);
            if (engine == TestEngine.Postgres)
            {
                // A transaction that began writing after the slow one commits first (SQLite has one writer at a time).
                store.Db.Connection.Execute("UPDATE accounts SET arr = 654321 WHERE account_id = 'A3'");
                Trends.Refresh(kept, since);
            }
            slow.Commit();
        }

        ShouldMatchAFreshRead(kept, since);
        kept.Book(ReadingBook.Mar10, [], null).Summary.Arr.ShouldBe(arr + 123456 - 2000 + (engine == TestEngine.Postgres ? 654321 - 3000 : 0), 1e-6);
    }
}

public sealed class PortfolioTrendsTestsOnSqlite() : PortfolioTrendsTests(TestEngine.Sqlite);

public sealed class PortfolioTrendsTestsOnPostgres() : PortfolioTrendsTests(TestEngine.Postgres);
