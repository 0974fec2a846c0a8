using Dapper;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Tests.Scoring;

public abstract class ScoringRunTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly Feb1 = new(2025, 2, 1);
    private static readonly DateOnly Mar1 = new(2025, 3, 1);
    private static readonly DateOnly Mar10 = new(2025, 3, 10);

    private readonly TestStore store = new(engine, new DateOnly(2025, 3, 10));

    public void Dispose() => store.Dispose();

    private static DateOnly Mar(int day) => new(2025, 3, day);

    private void Subscription(string accountId, string kind, DateOnly on) =>
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", $"{accountId},{kind},{TestStore.Iso(on)}").Applied.ShouldBeTrue();

    private void Nps(string accountId, DateOnly on, int score) =>
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", $"{accountId},nps,{score},{TestStore.Iso(on)}T12:00:00Z").Applied.ShouldBeTrue();

    private double? ScoreOf(string accountId, DateOnly day) => store.Snapshot(accountId, day).ShouldNotBeNull().Score;

    [Fact]
    public void Score_EligibleAccounts_StoresASnapshotEachWithTheModelVersion()
    {
        var version = store.Publish();
        store.Metric("A1", Mar1, 80);
        store.Metric("A2", Mar1, 50);
        store.Metric("A3", Mar1, 20);

        var summary = store.Scoring.Score(Mar10);

        summary.AsOf.ShouldBe("2025-03-10");
        summary.ModelVersion.ShouldBe(version.VersionId);
        summary.AccountsScored.ShouldBe(3);
        summary.Unscored.ShouldBe(0);
        summary.ByGrade.ShouldBe(new Dictionary<string, int> { ["green"] = 1, ["yellow"] = 1, ["red"] = 1 }, ignoreOrder: true);
        store.Count("snapshots").ShouldBe(3);
        var a1 = store.Snapshot("A1", Mar10).ShouldNotBeNull();
        a1.Score.ShouldBe(80);
        a1.ComputedScore.ShouldBe(80);
        a1.Grade.ShouldBe("green");
        a1.Scorecard.ShouldBe("default");
        a1.ModelVersion.ShouldBe(version.VersionId);
        a1.OverrideReason.ShouldBeNull();
        store.Snapshot("A2", Mar10)!.Grade.ShouldBe("yellow");
        store.Snapshot("A3", Mar10)!.Grade.ShouldBe("red");
    }

    [Fact]
    public void Score_TwoDimensions_CombinesThemWithTheModelWeights()
    {
        store.Publish();
        store.Metric("A1", Mar1, 80);
        Nps("A1", Mar1, 5);

        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(0.6 * 80 + 0.4 * 50, 1e-9);
    }

    [Fact]
    public void Score_SameDayTwice_KeepsOneSnapshotPerAccountWithTheNewScore()
    {
        store.Publish();
        store.Metric("A1", Mar1, 80);
        store.Scoring.Score(Mar10);
        store.Metric("A1", Mar(5), 30);

        store.Scoring.Score(Mar10);

        store.Count("snapshots").ShouldBe(1);
        ScoreOf("A1", Mar10).ShouldBe(30);
    }

    [Fact]
    public void Score_NoModelPublished_Throws()
    {
        store.Metric("A1", Mar1, 80);

        Should.Throw<StoreException>(() => store.Scoring.Score(Mar10));
        store.Count("snapshots").ShouldBe(0);
    }

    [Fact]
    public void Score_AnOlderModelVersion_StoresThatVersion()
    {
        var v1 = store.Publish();
        var v2 = store.Publish(TestModels.HealthReweighted);
        store.Metric("A1", Mar1, 80);
        Nps("A1", Mar1, 5);

        var summary = store.Scoring.Score(Mar10, v1.VersionId);

        summary.ModelVersion.ShouldBe(v1.VersionId);
        var snap = store.Snapshot("A1", Mar10).ShouldNotBeNull();
        snap.ModelVersion.ShouldBe(v1.VersionId);
        snap.Score.ShouldNotBeNull().ShouldBe(68, 1e-9);
        store.Scoring.Score(Mar10).ModelVersion.ShouldBe(v2.VersionId);
        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(0.2 * 80 + 0.8 * 50, 1e-9);
        Should.Throw<StoreException>(() => store.Scoring.Score(Mar10, "000000000000"));
    }

    [Fact]
    public void Score_AccountsWithoutDataForAnyMeasure_AreCountedUnscored()
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "A3,No data at all");
        store.Metric("A1", Mar1, 60);
        store.ImportCsv(ImportKind.Usage, "account_id,occurred_at,event", "A2,2025-03-01T10:00:00Z,login");

        var summary = store.Scoring.Score(Mar10);

        summary.AccountsScored.ShouldBe(1);
        summary.Unscored.ShouldBe(2);
        summary.ByGrade.ShouldBe(new Dictionary<string, int> { ["yellow"] = 1 }, ignoreOrder: true);
        foreach (var id in new[] { "A2", "A3" })
        {
            var snap = store.Snapshot(id, Mar10).ShouldNotBeNull();
            snap.Score.ShouldBeNull();
            snap.ComputedScore.ShouldBeNull();
            snap.Grade.ShouldBeNull();
        }
    }

    [Fact]
    public void ScoreRange_EveryNDays_StoresOneSnapshotPerDate()
    {
        store.Publish();
        store.Metric("A1", Feb1, 75);
        store.Metric("A2", Feb1, 25);

        var summaries = store.Scoring.ScoreRange(Mar1, Mar(29), 7);

        summaries.Select(s => s.AsOf).ShouldBe(["2025-03-01", "2025-03-08", "2025-03-15", "2025-03-22", "2025-03-29"]);
        summaries.ShouldAllBe(s => s.AccountsScored == 2);
        store.SnapshotDays("A1").ShouldBe(["2025-03-01", "2025-03-08", "2025-03-15", "2025-03-22", "2025-03-29"]);
        store.SnapshotDays("A2").Count.ShouldBe(5);
        store.Count("snapshots").ShouldBe(10);
    }

    [Fact]
    public void ScoreRange_AfterDay_IsCalledWithEachDayInOrderOnceItsSnapshotsAreStored_AndAFailureStopsTheRun()
    {
        // The next day is computed while a day is written and handed over: each call sees its own day stored whole
        // and no later day; a call that throws ends the run there, with the days before it stored.
        store.Publish();
        store.Metric("A1", Feb1, 75);
        store.Metric("A2", Feb1, 25);
        var seen = new List<(DateOnly Day, long Stored, long Later)>();
        store.Scoring.ScoreRange(Mar1, Mar(29), 7, afterDay: day => seen.Add((day,
            store.Db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM snapshots WHERE as_of = @d", new { d = StoredDates.Text(day) }),
            store.Db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM snapshots WHERE as_of > @d", new { d = StoredDates.Text(day) }))));
        seen.ShouldBe([(Mar1, 2L, 0L), (Mar(8), 2L, 0L), (Mar(15), 2L, 0L), (Mar(22), 2L, 0L), (Mar(29), 2L, 0L)]);

        store.Db.Connection.Execute("DELETE FROM snapshots");
        Should.Throw<InvalidOperationException>(() => store.Scoring.ScoreRange(Mar1, Mar(29), 7, afterDay: day =>
        {
            if (day == Mar(8))
            {
                throw new InvalidOperationException("stop");
            }
        })).Message.ShouldBe("stop");
        store.SnapshotDays("A1").ShouldBe(["2025-03-01", "2025-03-08"]);
    }

    [Fact]
    public void ScoreRange_EndNotOnAStep_StopsAtTheLastStepBeforeIt()
    {
        store.Publish();
        store.Metric("A1", Feb1, 75);

        store.Scoring.ScoreRange(Mar1, Mar(10), 4).Select(s => s.AsOf).ShouldBe(["2025-03-01", "2025-03-05", "2025-03-09"]);
    }

    [Fact]
    public void ScoreRange_ToBeforeFromOrNoStep_Throws()
    {
        store.Publish();

        Should.Throw<StoreException>(() => store.Scoring.ScoreRange(Mar10, Mar1, 1));
        Should.Throw<StoreException>(() => store.Scoring.ScoreRange(Mar1, Mar10, 0));
        store.Count("snapshots").ShouldBe(0);
    }

    [Fact]
    public void Score_SignalsDatedAfterTheDay_DoNotChangeItsScore()
    {
        store.Publish();
        store.Metric("A1", Mar1, 60);
        store.Scoring.Score(Mar10);
        ScoreOf("A1", Mar10).ShouldBe(60);

        store.Metric("A1", Mar(15), 90);
        Nps("A1", Mar(12), 0);
        store.ImportCsv(ImportKind.Tickets, "ticket_id,account_id,opened_at,priority", "T1,A1,2025-03-11T00:00:00Z,urgent");
        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar10).ShouldBe(60);
        store.Scoring.Score(Mar(20));
        ScoreOf("A1", Mar(20)).ShouldNotBeNull().ShouldBe(0.6 * 90 + 0.4 * 0, 1e-9);
    }

    [Fact]
    public void Score_SignalOnTheDayItself_Counts()
    {
        store.Publish();
        store.Metric("A1", Mar1, 60);
        store.Metric("A1", Mar10, 65);

        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar10).ShouldBe(65);
    }

    [Fact]
    public void Score_AccountFirstSeenAfterTheDay_GetsNoSnapshot()
    {
        store.Publish();
        store.Metric("A1", Mar1, 60);
        store.Metric("A2", Mar(15), 60);

        store.Scoring.Score(Mar10);

        store.Snapshot("A2", Mar10).ShouldBeNull();
        store.Snapshot("A1", Mar10).ShouldNotBeNull();
    }

    [Fact]
    public void ScoreRange_ChurnedSubscriptionEvent_NoSnapshotsAfterTheChurnDate()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        store.Metric("A2", Feb1, 50);
        Subscription("A1", "churned", Mar10);

        store.Scoring.ScoreRange(Mar1, Mar(31), 3);

        var days = store.SnapshotDays("A1");
        days.Where(d => string.CompareOrdinal(d, "2025-03-10") < 0).ShouldBe(["2025-03-01", "2025-03-04", "2025-03-07"]);
        days.ShouldAllBe(d => string.CompareOrdinal(d, "2025-03-10") <= 0);
        store.SnapshotDays("A2").Count.ShouldBe(11);
    }

    [Fact]
    public void ScoreRange_ChurnedAccount_ItsLastScoreStaysFrozenInTheList()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        Subscription("A1", "churned", Mar10);
        store.Metric("A1", Mar(20), 10);

        store.Scoring.ScoreRange(Mar1, Mar(31), 5);

        var row = store.Reader.List(new AccountQuery(IncludeChurned: true)).Single(r => r.AccountId == "A1");
        row.Score.ShouldBe(80);
        row.ScoredOn.ShouldBe("2025-03-06");
    }

    [Fact]
    public void ScoreRange_AccountStatusChurned_NoSnapshotsAfterThatDay()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        store.Clock.SetDate(Mar10);
        store.ImportCsv(ImportKind.Accounts, "account_id,status", "A1,churned").Applied.ShouldBeTrue();

        store.Scoring.ScoreRange(Mar1, Mar(21), 5);

        store.SnapshotDays("A1").ShouldBe(["2025-03-01", "2025-03-06"]);
    }

    [Fact]
    public void Score_ChurnedAccount_LeavesPercentileCohorts()
    {
        store.Publish(TestModels.Percentile);
        store.Metric("A1", Mar1, 1, "rank");
        store.Metric("A2", Mar1, 2, "rank");
        store.Metric("A3", Mar1, 3, "rank");
        Subscription("A3", "churned", Mar(8));

        store.Scoring.Score(Mar(5));
        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar(5)).ShouldBe(0);
        ScoreOf("A2", Mar(5)).ShouldBe(50);
        ScoreOf("A3", Mar(5)).ShouldBe(100);
        ScoreOf("A1", Mar10).ShouldBe(0);
        ScoreOf("A2", Mar10).ShouldBe(100);
        store.Snapshot("A3", Mar10).ShouldBeNull();
    }

    [Fact]
    public void Score_Percentiles_AreRankedWithinEachScorecard()
    {
        store.Publish(TestModels.Percentile + "scorecards:\n  - id: onboarding\n    when: { lifecycle_stage: [onboarding] }\n    weights: { product: 1 }\n");
        store.ImportCsv(ImportKind.Accounts, "account_id,lifecycle_stage", "A1,adoption", "A2,adoption", "A3,onboarding", "A4,onboarding");
        store.Metric("A1", Mar1, 10, "rank");
        store.Metric("A2", Mar1, 20, "rank");
        store.Metric("A3", Mar1, 1, "rank");
        store.Metric("A4", Mar1, 15, "rank");

        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar10).ShouldBe(0);
        ScoreOf("A2", Mar10).ShouldBe(100);
        ScoreOf("A3", Mar10).ShouldBe(0);
        ScoreOf("A4", Mar10).ShouldBe(100);
        store.Snapshot("A3", Mar10)!.Scorecard.ShouldBe("onboarding");
        store.Snapshot("A1", Mar10)!.Scorecard.ShouldBe("default");
    }

    [Fact]
    public void Score_PercentileCohortOfOne_Scores50()
    {
        store.Publish(TestModels.Percentile);
        store.Metric("A1", Mar1, 7, "rank");

        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar10).ShouldBe(50);
    }

    [Fact]
    public void ScoreRange_Reactivated_BringsTheAccountBack()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        Subscription("A1", "churned", Mar(8));
        Subscription("A1", "reactivated", Mar(18));

        store.Scoring.ScoreRange(Mar(5), Mar(25), 5);

        store.SnapshotDays("A1").ShouldBe(["2025-03-05", "2025-03-20", "2025-03-25"]);
        ScoreOf("A1", Mar(25)).ShouldBe(80);
    }

    [Fact]
    public void Score_ReactivatedAccount_RejoinsPercentileCohorts()
    {
        store.Publish(TestModels.Percentile);
        store.Metric("A1", Mar1, 1, "rank");
        store.Metric("A2", Mar1, 2, "rank");
        Subscription("A2", "churned", Mar(3));
        Subscription("A2", "reactivated", Mar(6));

        store.Scoring.Score(Mar(4));
        store.Scoring.Score(Mar(8));

        ScoreOf("A1", Mar(4)).ShouldBe(50);
        ScoreOf("A1", Mar(8)).ShouldBe(0);
        ScoreOf("A2", Mar(8)).ShouldBe(100);
    }

    // ---- overrides ----

    [Fact]
    public void Score_ScoreOverride_ChangesScoreAndGradeKeepsComputedAndExpiresAfterUntil()
    {
        store.Publish();
        store.Metric("A1", Mar1, 30);
        store.Scoring.Score(Mar10);

        store.Overrides.Add("A1", 85, null, "Sponsor confirmed the renewal", Mar(20));

        var now = store.Snapshot("A1", Mar10).ShouldNotBeNull();
        now.Score.ShouldBe(85);
        now.ComputedScore.ShouldBe(30);
        now.Grade.ShouldBe("green");
        now.OverrideReason.ShouldBe("Sponsor confirmed the renewal");
        store.Scoring.ScoreRange(Mar(15), Mar(21), 5);
        store.Scoring.Score(Mar(21));
        var during = store.Snapshot("A1", Mar(20)).ShouldNotBeNull();
        during.Score.ShouldBe(85);
        during.ComputedScore.ShouldBe(30);
        during.Grade.ShouldBe("green");
        during.OverrideReason.ShouldBe("Sponsor confirmed the renewal");
        var after = store.Snapshot("A1", Mar(21)).ShouldNotBeNull();
        after.Score.ShouldBe(30);
        after.ComputedScore.ShouldBe(30);
        after.Grade.ShouldBe("red");
        after.OverrideReason.ShouldBeNull();
    }

    [Fact]
    public void Score_GradeOverride_ChangesOnlyTheGrade()
    {
        store.Publish();
        store.Metric("A1", Mar1, 30);

        store.Overrides.Add("A1", null, "yellow", "Known outage, recovering", Mar(20));
        store.Scoring.Score(Mar(12));

        var snap = store.Snapshot("A1", Mar(12)).ShouldNotBeNull();
        snap.Score.ShouldBe(30);
        snap.ComputedScore.ShouldBe(30);
        snap.Grade.ShouldBe("yellow");
        snap.OverrideReason.ShouldBe("Known outage, recovering");
    }

    [Fact]
    public void Score_DayBeforeTheOverrideWasMade_IsNotOverridden()
    {
        store.Publish();
        store.Metric("A1", Mar1, 30);
        store.Overrides.Add("A1", 90, null, "reason", Mar(20));

        store.Scoring.Score(Mar(5));

        var snap = store.Snapshot("A1", Mar(5)).ShouldNotBeNull();
        snap.Score.ShouldBe(30);
        snap.OverrideReason.ShouldBeNull();
    }

    [Fact]
    public void Score_TwoOverrides_TheLatestWins()
    {
        store.Publish();
        store.Metric("A1", Mar1, 30);
        store.Overrides.Add("A1", 90, null, "first", Mar(20));
        store.Overrides.Add("A1", 50, null, "second", Mar(20));

        store.Scoring.Score(Mar(12));

        var snap = store.Snapshot("A1", Mar(12)).ShouldNotBeNull();
        snap.Score.ShouldBe(50);
        snap.OverrideReason.ShouldBe("second");
    }

    [Fact]
    public void OverrideAdd_InvalidRequests_AreRefusedAndNothingIsRecorded()
    {
        store.Publish();
        store.Metric("A1", Mar1, 30);

        Should.Throw<StoreException>(() => store.Overrides.Add("A1", null, null, "reason", Mar(20)));
        Should.Throw<StoreException>(() => store.Overrides.Add("A1", 50, "green", "reason", Mar(20)));
        Should.Throw<StoreException>(() => store.Overrides.Add("A1", 50, null, " ", Mar(20)));
        Should.Throw<StoreException>(() => store.Overrides.Add("A1", 150, null, "reason", Mar(20)));
        Should.Throw<StoreException>(() => store.Overrides.Add("A1", null, "purple", "reason", Mar(20)));
        Should.Throw<StoreException>(() => store.Overrides.Add("A1", 50, null, "reason", Mar(9)));
        Should.Throw<StoreException>(() => store.Overrides.Add("NOPE", 50, null, "reason", Mar(20)));

        store.Count("overrides").ShouldBe(0);
    }

    // ---- hierarchy ----

    [Theory]
    [InlineData("percentile")]
    [InlineData("usage")]
    public void ScoreRange_OneDayReadAFewAccountsAtATime_ScoresAsInOnePiece(string measures)
    {
        store.Publish(measures == "percentile"
            ? TestModels.Percentile + "scorecards:\n  - id: onboarding\n    when: { lifecycle_stage: [onboarding] }\n    weights: { product: 1 }\n"
            : TestModels.ActiveDays);
        store.ImportCsv(ImportKind.Accounts, ["account_id,name,lifecycle_stage", .. Enumerable.Range(1, 50).Select(i => $"A{i},Account {i},{(i % 4 == 0 ? "onboarding" : "active")}")]);
        foreach (var i in Enumerable.Range(1, 50).Where(i => i % 9 != 0))
        {
            store.Metric($"A{i}", Mar(1 + i % 8), (i * 13) % 17, "rank");
        }
        store.ImportCsv(ImportKind.Usage, ["account_id,occurred_at,event,user_id", .. Enumerable.Range(1, 50).SelectMany(i =>
            Enumerable.Range(0, i % 12).Select(d => $"A{i},{TestStore.Iso(Mar(1 + d % 9))}T10:00:00Z,login,u{d % 3}"))]);
        Subscription("A5", "churned", Mar(3));
        Subscription("A6", "churned", Mar(2));
        Subscription("A6", "reactivated", Mar(4));
        store.Overrides.Add("A7", 12, null, "Known risk", Mar(20));

        string Snapshots() => string.Join("\n", store.Query<(long Key, string Scorecard, double? Score, double? Computed, string? Grade, string? Reason, byte[] Detail)>(
                "SELECT account_key, scorecard, score, computed_score, grade, override_reason, detail FROM snapshots WHERE as_of = '2025-03-10' ORDER BY account_key")
            .Select(r => $"{r.Key}|{r.Scorecard}|{r.Score:R}|{r.Computed:R}|{r.Grade}|{r.Reason}|{Convert.ToHexString(r.Detail)}"));
        store.Scoring.ScoreRange(Mar10, Mar10, 1);
        var whole = Snapshots();
        whole.Split('\n').Length.ShouldBeGreaterThan(40);
        Dapper.SqlMapper.Execute(store.Db.Connection, "DELETE FROM snapshots");
        store.Scoring.ChunkAccounts = 7;
        store.Scoring.ScoreRange(Mar10, Mar10, 1)[0].AccountsScored.ShouldBeGreaterThan(0);
        Snapshots().ShouldBe(whole);
        // Each range's usage read into slabs of a few rows that later ranges read into again: accounts' rows crossing
        // from one slab to the next, accounts with more rows than a slab, slabs given back and taken again.
        Dapper.SqlMapper.Execute(store.Db.Connection, "DELETE FROM snapshots");
        store.Scoring.SlabRows = 5;
        store.Scoring.ScoreRange(Mar10, Mar10, 1)[0].AccountsScored.ShouldBeGreaterThan(0);
        Snapshots().ShouldBe(whole);
    }

    [Fact]
    public void LoadSignals_UsageReadInPartsOfTheKeys_IsTheSameAsReadAtOnce()
    {
        store.Publish(TestModels.ActiveDays);
        store.ImportCsv(ImportKind.Accounts, ["account_id,name", .. Enumerable.Range(1, 40).Select(i => $"A{i},Account {i}")]);
        // Every account but a few has usage, several users on some days, so that each part's ends fall on accounts with rows.
        store.ImportCsv(ImportKind.Usage, ["account_id,occurred_at,event,user_id,value", .. Enumerable.Range(1, 40).Where(i => i % 11 != 0).SelectMany(i =>
            Enumerable.Range(0, 1 + i % 6).SelectMany(d => new[] { "login", "export" }.Select(e =>
                $"A{i},{TestStore.Iso(Mar(1 + d))}T10:00:00Z,{e},u{(i + d) % 4},{i + d}")))]);
        var zone = TimeZoneInfo.Utc;

        string Read(int? parts, (long, long)? keys = null, UsageSlabs? slabs = null)
        {
            var loader = SignalLoader.Settle(store.Db);
            loader.UsageParts = parts;
            var (accounts, _) = loader.LoadAll(zone, keys: keys, slabs: slabs);
            return string.Join("\n", accounts.Select(a =>
                $"{a.AccountId}: {string.Join(" ", a.Usage.Select(u => $"{u.Day}/{u.Event}/{u.Count}/{u.Sum:R}"))} | {string.Join(" ", a.UserDays.Select(u => $"{u.Day}/{u.Event}/{u.User}"))}"));
        }

        var once = Read(1);
        once.Split('\n').Length.ShouldBe(40);
        // Every stored cell read (day/event/count/sum), and users read with them.
        ((long)once.Split(' ', '\n').Count(w => w.Count(c => c == '/') == 3)).ShouldBe(store.UsageCells().Count);
        once.Split(' ', '\n').Count(w => w.Count(c => c == '/') == 2).ShouldBeGreaterThan(60);
        foreach (var parts in new[] { 2, 3, 7 })
        {
            Read(parts).ShouldBe(once, $"{parts} parts");
        }
        // No part count given: a range this narrow is read at once, the same.
        Read(null).ShouldBe(once);
        // A range of keys read in parts: the accounts of that range, as read at once.
        var keys = store.Query<long>("SELECT account_key FROM accounts ORDER BY account_key").ToList();
        var some = (keys[5], keys[30]);
        Read(3, some).ShouldBe(Read(1, some));
        Read(3, some).Split('\n').Length.ShouldBe(26);
        // Read into slabs of a few rows (an account's rows move to the next slab when one fills; an account with more
        // rows than a slab gets an array of its own), by one part or several: the same.
        var shared = new UsageSlabs.Shared(slabRows: 4);
        Read(1, slabs: shared.ForOneRead()).ShouldBe(once);
        Read(3, slabs: shared.ForOneRead()).ShouldBe(once);
        // Slabs given back and read into again by the next range: that range as read on its own.
        var first = shared.ForOneRead();
        Read(2, (keys[0], keys[19]), first).ShouldBe(Read(1, (keys[0], keys[19])));
        first.Release();
        Read(2, (keys[20], keys[39]), shared.ForOneRead()).ShouldBe(Read(1, (keys[20], keys[39])));
    }

    private void ImportFamily() =>
        store.ImportCsv(ImportKind.Accounts,
            "account_id,parent_id,arr",
            "G,,",
            "P,G,100",
            "D,G,300",
            "C1,P,100",
            "C2,P,300",
            "C3,P,1000").Applied.ShouldBeTrue();

    [Fact]
    public void Score_HierarchyChildren_ParentIsTheArrWeightedMeanOfItsActiveChildren()
    {
        store.Publish(TestModels.HealthWithHierarchy);
        ImportFamily();
        store.Metric("C1", Mar1, 80);
        store.Metric("C2", Mar1, 40);
        store.Metric("C3", Mar1, 0);
        store.Metric("D", Mar1, 90);
        Subscription("C3", "churned", Mar(5));

        store.Scoring.Score(Mar10);

        var parent = store.Snapshot("P", Mar10).ShouldNotBeNull();
        parent.Score.ShouldNotBeNull().ShouldBe((80 * 100 + 40 * 300) / 400.0, 1e-9);
        parent.Grade.ShouldBe("yellow");
        parent.Scorecard.ShouldBe("children");
        parent.Note.ShouldNotBeNull();
        parent.Note.ShouldContain("C1");
        parent.Note.ShouldContain("C2");
        parent.Note.ShouldNotContain("C3");
        // grandparents are rolled up from their children's rolled-up scores
        store.Snapshot("G", Mar10).ShouldNotBeNull().Score.ShouldNotBeNull().ShouldBe((50 * 100 + 90 * 300) / 400.0, 1e-9);
    }

    [Fact]
    public void Score_HierarchyChildrenBeforeTheChildChurned_CountsIt()
    {
        store.Publish(TestModels.HealthWithHierarchy);
        ImportFamily();
        store.Metric("C1", Mar1, 80);
        store.Metric("C2", Mar1, 40);
        store.Metric("C3", Mar1, 0);
        Subscription("C3", "churned", Mar(5));

        store.Scoring.Score(Mar(3));

        ScoreOf("P", Mar(3)).ShouldNotBeNull().ShouldBe((80 * 100 + 40 * 300 + 0 * 1000) / 1400.0, 1e-9);
    }

    [Fact]
    public void Score_WithoutHierarchy_ParentWithoutDataIsUnscored()
    {
        store.Publish();
        ImportFamily();
        store.Metric("C1", Mar1, 80);

        store.Scoring.Score(Mar10);

        store.Snapshot("P", Mar10).ShouldNotBeNull().Score.ShouldBeNull();
    }

    [Fact]
    public void Score_ActiveDaysAfterEventsAreMovedToAnotherDay_CountsOnlyDaysWithEvents()
    {
        store.Publish(TestModels.ActiveDays);
        const string header = "account_id,occurred_at,event,event_id,value";
        store.ImportCsv(ImportKind.Usage, header, "A1,2025-03-01T10:00:00Z,login,e1,0.1", "A1,2025-03-01T11:00:00Z,login,e2,0.2");
        store.ImportCsv(ImportKind.Usage, header, "A1,2025-03-02T10:00:00Z,login,e1,0.1");
        store.ImportCsv(ImportKind.Usage, header, "A1,2025-03-02T11:00:00Z,login,e2,0.2");

        store.Scoring.Score(Mar10);

        // one active day of 10 → 10
        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(10, 1e-9);
    }

    [Fact]
    public void Score_EventsOfCountZero_AreNoActiveDayButTheirUsersCount()
    {
        const string header = "account_id,occurred_at,event,user_id,event_id,count";
        string[] rows = [header, "A1,2025-03-01T10:00:00Z,login,u1,e1,1", "A1,2025-03-02T10:00:00Z,login,u2,e2,0", "A1,2025-03-03T10:00:00Z,login,u3,e3,1"];
        store.Publish(TestModels.ActiveDays);
        store.ImportCsv(ImportKind.Usage, rows);
        store.Scoring.Score(Mar10);
        // two active days of 10 → 20
        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(20, 1e-9);

        store.Publish(TestModels.DistinctUsers);
        store.Scoring.Score(Mar10);
        // three users of 10 → 30
        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(30, 1e-9);
    }

    // ---- distinct users, kept exact through corrections ----

    [Fact]
    public void Score_DistinctUsersAfterAnEventIsResentWithAnotherUser_CountsExactly()
    {
        store.Publish(TestModels.DistinctUsers);
        const string header = "account_id,occurred_at,event,user_id,event_id";
        string[] original = [header, "A1,2025-03-01T10:00:00Z,login,u1,e1", "A1,2025-03-02T10:00:00Z,login,u2,e2", "A1,2025-03-03T10:00:00Z,export,u3,e3"];
        store.ImportCsv(ImportKind.Usage, original);
        store.ImportCsv(ImportKind.Usage, original);
        store.Scoring.Score(Mar10);
        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(30, 1e-9);

        store.ImportCsv(ImportKind.Usage, header, "A1,2025-03-03T10:00:00Z,export,u1,e3");
        store.Scoring.Score(Mar10);

        ScoreOf("A1", Mar10).ShouldNotBeNull().ShouldBe(20, 1e-9);
    }

    // ---- rescoring only what an import touched ----

    [Fact]
    public void Score_SameDayAfterAnImportTouchingOneAccount_RescoresOnlyThatAccount()
    {
        store.Publish(TestModels.Health);
        foreach (var (id, v) in new[] { ("A1", 20), ("A2", 40), ("A3", 60) })
        {
            store.Metric(id, Mar(1), v);
        }
        store.Scoring.Score(Mar10);
        store.Count("dirty_accounts").ShouldBe(0);
        var before = store.Query<(string Id, byte[] Detail)>(
            "SELECT a.account_id, s.detail FROM snapshots s JOIN accounts a ON a.account_key = s.account_key WHERE s.as_of = '2025-03-10'").ToDictionary(r => r.Id, r => r.Detail);

        store.Metric("A1", Mar(5), 90);
        store.Query<long>("SELECT account_key FROM dirty_accounts").ShouldBe([store.AccountKey("A1")]);
        var summary = store.Scoring.Score(Mar10);

        summary.AccountsScored.ShouldBe(3);
        store.Snapshot("A1", Mar10)!.Score.ShouldBe(90);
        var after = store.Query<(string Id, byte[] Detail)>(
            "SELECT a.account_id, s.detail FROM snapshots s JOIN accounts a ON a.account_key = s.account_key WHERE s.as_of = '2025-03-10'").ToDictionary(r => r.Id, r => r.Detail);
        after["A2"].ShouldBe(before["A2"]);
        after["A3"].ShouldBe(before["A3"]);
        store.Count("dirty_accounts").ShouldBe(0);
    }

    [Fact]
    public void Score_TouchedAccountWithPercentiles_MatchesAFullRescore()
    {
        store.Publish(TestModels.Percentile);
        foreach (var (id, v) in new[] { ("A1", 10), ("A2", 20), ("A3", 30), ("A4", 40) })
        {
            store.Metric(id, Mar(1), v, "rank");
        }
        store.Scoring.Score(Mar10);
        store.Metric("A1", Mar(2), 35, "rank");

        store.Scoring.Score(Mar10);

        // The cohort is the others' stored values: A1's 35 ranks third of 20, 30, 35, 40 → 100 × 2 / 3.
        var full = new ScorePreview(store.Db, store.Models).Score(Mar10).Accounts.Single(a => a.Account.AccountId == "A1").Score;
        full.ShouldNotBeNull().ShouldBe(200.0 / 3, 1e-9);
        store.Snapshot("A1", Mar10)!.Score!.Value.ShouldBe(full.Value, 1e-9);
    }

    [Fact]
    public void Score_TouchedAccountChurnedThatDay_LosesThatDaysSnapshot()
    {
        store.Publish(TestModels.Health);
        store.Metric("A1", Mar(1), 50);
        store.Metric("A2", Mar(1), 70);
        store.Scoring.Score(Mar10);

        Subscription("A1", "churned", Mar(8));
        var summary = store.Scoring.Score(Mar10);

        store.Snapshot("A1", Mar10).ShouldBeNull();
        store.Snapshot("A2", Mar10).ShouldNotBeNull();
        summary.AccountsScored.ShouldBe(1);
    }

    [Fact]
    public void Score_ANewModelVersion_RescoresEveryAccount()
    {
        store.Publish(TestModels.Health);
        store.Metric("A1", Mar(1), 50);
        Nps("A1", Mar(1), 10);
        store.Scoring.Score(Mar10);
        var v2 = store.Publish(TestModels.HealthReweighted);

        store.Scoring.Score(Mar10);

        store.Snapshot("A1", Mar10)!.ModelVersion.ShouldBe(v2.VersionId);
    }
}

public sealed class ScoringRunTestsOnSqlite() : ScoringRunTests(TestEngine.Sqlite);

public sealed class ScoringRunTestsOnPostgres() : ScoringRunTests(TestEngine.Postgres);
