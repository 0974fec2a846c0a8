using CustomerHealth.Core.Scoring;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Reading;

public abstract class AccountReaderTests(TestEngine engine) : IDisposable
{
    private static readonly DateOnly Feb1 = new(2025, 2, 1);
    private static readonly DateOnly Feb8 = new(2025, 2, 8);
    private static readonly DateOnly Mar1 = new(2025, 3, 1);
    private static readonly DateOnly Mar10 = new(2025, 3, 10);

    private readonly TestStore store = new(engine, new DateOnly(2025, 3, 10));

    public void Dispose() => store.Dispose();

    private static DateOnly Mar(int day) => new(2025, 3, day);

    private void Nps(string accountId, DateOnly on, int score) =>
        store.ImportCsv(ImportKind.Surveys, "account_id,kind,score,responded_at", $"{accountId},nps,{score},{TestStore.Iso(on)}T12:00:00Z").Applied.ShouldBeTrue();

    /// <summary>Four accounts: A1 green (85), A2 yellow (55), A3 red (20), A4 without data (unscored), scored on March 10.</summary>
    private void Portfolio()
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts,
            "account_id,name,segment,owner,arr",
            "A1,Alpha,Enterprise,ann@cs.example,1000",
            "A2,Beta,SMB,bob@cs.example,2000",
            "A3,Gamma,Enterprise,bob@cs.example,3000",
            "A4,Delta,SMB,ann@cs.example,4000").Applied.ShouldBeTrue();
        store.Metric("A1", Feb1, 85);
        store.Metric("A2", Feb1, 55);
        store.Metric("A3", Feb1, 20);
        store.Scoring.Score(Mar10);
    }

    private List<string> Ids(AccountQuery q) => store.Reader.List(q).Select(r => r.AccountId).ToList();

    // ---- list ----

    [Fact]
    public void List_SearchWithLettersBeyondAscii_FindsTheIdAndNameInAnyCase()
    {
        store.ImportCsv(ImportKind.Accounts,
            "account_id,name",
            "SEG-ÄÖ-1,Öl & Straße GmbH",
            "SEG-2,Ärzte Zentrum",
            "OTHER,Café Été").Applied.ShouldBeTrue();

        Ids(new AccountQuery(Search: "SEG-ÄÖ-1")).ShouldBe(["SEG-ÄÖ-1"]);
        Ids(new AccountQuery(Search: "seg-äö")).ShouldBe(["SEG-ÄÖ-1"]);
        Ids(new AccountQuery(Search: "öl & STRASSE".Replace("SS", "ß", StringComparison.Ordinal))).ShouldBe(["SEG-ÄÖ-1"]);
        Ids(new AccountQuery(Search: "ärzte")).ShouldBe(["SEG-2"]);
        Ids(new AccountQuery(Search: "CAFÉ ÉTÉ")).ShouldBe(["OTHER"]);
        Ids(new AccountQuery(Search: "SEG", Sort: "account_id")).ShouldBe(["SEG-2", "SEG-ÄÖ-1"]);
        store.Reader.Count(new AccountQuery(Search: "ä")).ShouldBe(2);
    }


    [Fact]
    public void List_NoFilter_ReturnsEveryAccountWithItsCurrentScore()
    {
        Portfolio();

        var rows = store.Reader.List(new AccountQuery());

        rows.Select(r => r.AccountId).ShouldBe(["A1", "A2", "A3", "A4"]);
        var a1 = rows[0];
        a1.Name.ShouldBe("Alpha");
        a1.Segment.ShouldBe("Enterprise");
        a1.Owner.ShouldBe("ann@cs.example");
        a1.Arr.ShouldBe(1000);
        a1.Score.ShouldBe(85);
        a1.Grade.ShouldBe("green");
        a1.ScoredOn.ShouldBe("2025-03-10");
        rows[3].Score.ShouldBeNull();
        rows[3].Grade.ShouldBeNull();
    }

    [Fact]
    public void List_LatestSnapshot_IsTheCurrentScore()
    {
        Portfolio();
        store.Metric("A1", Mar(12), 30);
        store.Scoring.Score(Mar(15));

        var a1 = store.Reader.List(new AccountQuery()).Single(r => r.AccountId == "A1");

        a1.Score.ShouldBe(30);
        a1.Grade.ShouldBe("red");
        a1.ScoredOn.ShouldBe("2025-03-15");
    }

    [Theory]
    [InlineData("green", null, null, new[] { "A1" })]
    [InlineData("yellow", null, null, new[] { "A2" })]
    [InlineData("red", null, null, new[] { "A3" })]
    [InlineData(null, "Enterprise", null, new[] { "A1", "A3" })]
    [InlineData(null, null, "bob@cs.example", new[] { "A2", "A3" })]
    [InlineData(null, "SMB", "ann@cs.example", new[] { "A4" })]
    [InlineData("red", "SMB", null, new string[0])]
    public void List_Filters_KeepOnlyMatchingAccounts(string? grade, string? segment, string? owner, string[] expected)
    {
        Portfolio();

        Ids(new AccountQuery(Grade: grade, Segment: segment, Owner: owner)).ShouldBe(expected);
    }

    [Fact]
    public void List_SortByArrLargestFirst_PutsAccountsWithoutArrLast_AndPagesInThatOrder()
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts, "account_id,arr", "X1,100", "X2,", "X3,300", "X4,100").Applied.ShouldBeTrue();
        var all = new AccountQuery(Sort: "-arr");
        Ids(all).ShouldBe(["X3", "X1", "X4", "X2"]);
        Ids(all with { Limit = 2, Offset = 2 }).ShouldBe(["X4", "X2"]);
    }

    [Fact]
    public void List_SortByScore_OrdersAscendingOrDescendingWithUnscoredLast()
    {
        Portfolio();

        Ids(new AccountQuery(Sort: "score")).ShouldBe(["A3", "A2", "A1", "A4"]);
        Ids(new AccountQuery(Sort: "-score")).ShouldBe(["A1", "A2", "A3", "A4"]);
        Ids(new AccountQuery(Sort: "-arr")).ShouldBe(["A4", "A3", "A2", "A1"]);
    }

    [Fact]
    public void List_LimitAndOffset_PageThroughTheList()
    {
        Portfolio();

        Ids(new AccountQuery(Sort: "-score", Limit: 2)).ShouldBe(["A1", "A2"]);
        Ids(new AccountQuery(Sort: "-score", Limit: 2, Offset: 2)).ShouldBe(["A3", "A4"]);
    }

    [Fact]
    public void List_PagesInScoreOrder_AreTheSliceOfTheWholeOrder_AcrossTiesUnscoredAndChurnedAccounts()
    {
        store.Publish();
        // Ties (A1/B1, A2/B2), unscored accounts (U1, U2), one churned by an event, one by its status, one reactivated.
        (string Id, int Score)[] scored = [("B1", 30), ("A1", 30), ("C1", 10), ("A2", 70), ("B2", 70), ("D1", 50), ("X1", 20), ("X2", 40), ("R1", 60)];
        foreach (var (id, score) in scored)
        {
            store.Metric(id, Feb1, score);
        }
        store.ImportCsv(ImportKind.Accounts, "account_id,status", "U2,active", "U1,active", "X2,churned").Applied.ShouldBeTrue();
        store.Scoring.Score(Mar10);
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "X1,churned,2025-03-01", "R1,churned,2025-02-01", "R1,reactivated,2025-02-15")
            .Applied.ShouldBeTrue();

        foreach (var sort in new[] { "score", "-score" })
        {
            foreach (var includeChurned in new[] { false, true })
            {
                var whole = Ids(new AccountQuery(Sort: sort, IncludeChurned: includeChurned));
                whole.Count.ShouldBe(includeChurned ? 11 : 9);
                // X2, churned by its status before the scoring day, has no score: it is among the unscored, by id.
                whole.TakeLast(includeChurned ? 3 : 2).ShouldBe(includeChurned ? ["U1", "U2", "X2"] : ["U1", "U2"]);
                for (var limit = 1; limit <= 4; limit++)
                {
                    for (var offset = 0; offset <= whole.Count + 1; offset++)
                    {
                        var (rows, total) = store.Reader.Page(new AccountQuery(Sort: sort, Limit: limit, Offset: offset, IncludeChurned: includeChurned));
                        rows.Select(r => r.AccountId).ShouldBe(whole.Skip(offset).Take(limit), $"{sort}, {limit} from {offset}, churned included: {includeChurned}");
                        total.ShouldBe(whole.Count);
                    }
                }
            }
        }
        Ids(new AccountQuery(Sort: "score")).ShouldBe(["C1", "A1", "B1", "D1", "R1", "A2", "B2", "U1", "U2"]);
        Ids(new AccountQuery(Sort: "-score")).ShouldBe(["A2", "B2", "R1", "D1", "A1", "B1", "C1", "U1", "U2"]);
        store.Reader.List(new AccountQuery(Sort: "score", Limit: 3, IncludeChurned: true)).Select(r => (r.AccountId, r.Status))
            .ShouldBe([("C1", "active"), ("X1", "churned"), ("A1", "active")]);
    }

    [Fact]
    public void List_UnknownSort_Throws()
    {
        Portfolio();

        Should.Throw<StoreException>(() => store.Reader.List(new AccountQuery(Sort: "colour")));
    }

    [Fact]
    public void List_Trend_IsTheScoreNowMinusTheScoreTrendDaysBeforeWithItsDirection()
    {
        store.Publish();
        (string Id, double Now)[] accounts = [("UP", 60), ("FLAT", 49), ("DOWN", 40), ("EDGE_UP", 52), ("EDGE_FLAT", 48.5), ("EDGE_DOWN", 48)];
        foreach (var (id, now) in accounts)
        {
            store.Metric(id, Feb1, 50);
            store.Metric(id, Mar(5), now);
        }
        store.Scoring.Score(Feb8);
        store.Scoring.Score(Mar10);

        var rows = store.Reader.List(new AccountQuery()).ToDictionary(r => r.AccountId);

        rows["UP"].Trend.ShouldNotBeNull().ShouldBe(10, 1e-9);
        rows["UP"].Direction.ShouldBe("up");
        rows["FLAT"].Trend.ShouldNotBeNull().ShouldBe(-1, 1e-9);
        rows["FLAT"].Direction.ShouldBe("flat");
        rows["DOWN"].Trend.ShouldNotBeNull().ShouldBe(-10, 1e-9);
        rows["DOWN"].Direction.ShouldBe("down");
        rows["EDGE_UP"].Direction.ShouldBe("up");
        rows["EDGE_FLAT"].Direction.ShouldBe("flat");
        rows["EDGE_DOWN"].Direction.ShouldBe("down");
    }

    [Fact]
    public void List_NoScoreTrendDaysBefore_HasNoTrend()
    {
        store.Publish();
        store.Metric("A1", Feb1, 50);
        store.Scoring.Score(Mar1);
        store.Scoring.Score(Mar10);

        var row = store.Reader.List(new AccountQuery()).Single();

        row.Trend.ShouldBeNull();
        row.Direction.ShouldBeNull();
    }

    [Theory]
    [InlineData(10.0, "up")]
    [InlineData(2.0, "up")]
    [InlineData(1.99, "flat")]
    [InlineData(0.0, "flat")]
    [InlineData(-1.99, "flat")]
    [InlineData(-2.0, "down")]
    [InlineData(-30.0, "down")]
    public void Direction_Trend_IsFlatBelowTwoPoints(double trend, string expected)
    {
        AccountReader.Direction(trend).ShouldBe(expected);
    }

    [Fact]
    public void Direction_NoTrend_IsNull()
    {
        AccountReader.Direction(null).ShouldBeNull();
    }

    [Fact]
    public void List_AccountChurnedBySubscriptionEvent_ShowsItAsChurned()
    {
        Portfolio();
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "A2,churned,2025-03-12");
        store.Scoring.Score(Mar(15));

        var a2 = store.Reader.List(new AccountQuery(IncludeChurned: true)).Single(r => r.AccountId == "A2");

        a2.ScoredOn.ShouldBe("2025-03-10");
        a2.Status.ShouldBe("churned");
        store.Reader.List(new AccountQuery()).ShouldNotContain(r => r.AccountId == "A2", "churned accounts leave the current list unless asked for");
    }

    // ---- show ----

    [Fact]
    public void Show_ScoredAccount_ContributionsAddUpToTheScore()
    {
        var version = store.Publish();
        store.ImportCsv(ImportKind.Accounts, "account_id,name,segment", "A1,Alpha,Enterprise");
        store.Metric("A1", Mar1, 80);
        Nps("A1", Mar1, 5);
        store.Scoring.Score(Mar10);

        var detail = store.Reader.Show("A1").ShouldNotBeNull();

        detail.Stored.ShouldBeTrue();
        detail.Name.ShouldBe("Alpha");
        detail.AsOf.ShouldBe("2025-03-10");
        detail.ModelVersion.ShouldBe(version.VersionId);
        detail.Scorecard.ShouldBe("default");
        detail.Score.ShouldNotBeNull().ShouldBe(68, 1e-9);
        detail.ComputedScore.ShouldNotBeNull().ShouldBe(68, 1e-9);
        detail.Grade.ShouldBe("yellow");
        detail.GradeLabel.ShouldBe("Needs attention");
        detail.Profile.Segment.ShouldBe("Enterprise");
        detail.Dimensions.Select(d => d.Id).ShouldBe(["product", "voice"]);
        var product = detail.Dimensions[0];
        product.EffectiveWeight.ShouldBe(0.6, 1e-9);
        product.Contribution.ShouldBe(48, 1e-9);
        product.Score.ShouldNotBeNull().ShouldBe(80, 1e-9);
        var health = product.Measures.ShouldHaveSingleItem();
        health.Id.ShouldBe("health");
        health.Value.ShouldBe(80.0);
        health.Score.ShouldNotBeNull().ShouldBe(80, 1e-9);
        health.Missing.ShouldBeFalse();
        var nps = detail.Dimensions[1].Measures.ShouldHaveSingleItem();
        nps.Value.ShouldBe(5.0);
        nps.Contribution.ShouldBe(20, 1e-9);
        detail.Dimensions.SelectMany(d => d.Measures).Sum(m => m.Contribution).ShouldBe(detail.Score.Value, 1e-9);
        detail.Dimensions.Sum(d => d.Contribution).ShouldBe(detail.Score.Value, 1e-9);
        detail.Dimensions.SelectMany(d => d.Measures).Sum(m => m.EffectiveWeight).ShouldBe(1, 1e-9);
    }

    [Fact]
    public void Show_MissingMeasure_IsFlaggedAndTheOthersStillAddUp()
    {
        store.Publish();
        store.Metric("A1", Mar1, 64);
        store.Scoring.Score(Mar10);

        var detail = store.Reader.Show("A1").ShouldNotBeNull();

        detail.Score.ShouldBe(64);
        var nps = detail.Dimensions.Single(d => d.Id == "voice").Measures.ShouldHaveSingleItem();
        nps.Missing.ShouldBeTrue();
        nps.Value.ShouldBeNull();
        nps.EffectiveWeight.ShouldBe(0);
        nps.Contribution.ShouldBe(0);
        detail.Dimensions.SelectMany(d => d.Measures).Sum(m => m.Contribution).ShouldBe(64, 1e-9);
    }

    [Fact]
    public void Show_Trend_IsTheScoreMinusTheScoreTrendDaysBefore()
    {
        store.Publish();
        store.Metric("A1", Feb1, 50);
        store.Metric("A1", Mar(5), 35);
        store.Scoring.Score(Feb8);
        store.Scoring.Score(Mar10);

        var detail = store.Reader.Show("A1").ShouldNotBeNull();

        detail.Trend.ShouldNotBeNull().ShouldBe(-15, 1e-9);
        detail.Direction.ShouldBe("down");
    }

    [Fact]
    public void Show_AsOfADayWithASnapshot_ReturnsThatSnapshot()
    {
        store.Publish();
        store.Metric("A1", Feb1, 50);
        store.Metric("A1", Mar(5), 35);
        store.Scoring.Score(Feb8);
        store.Scoring.Score(Mar10);

        var detail = store.Reader.Show("A1", Feb8).ShouldNotBeNull();

        detail.Stored.ShouldBeTrue();
        detail.AsOf.ShouldBe("2025-02-08");
        detail.Score.ShouldBe(50);
    }

    [Fact]
    public void Show_AsOfADayWithoutSnapshot_ScoresOnTheFlyAndStoresNothing()
    {
        store.Publish();
        store.Metric("A1", Feb1, 50);
        store.Metric("A1", Mar(5), 35);
        store.Scoring.Score(Mar10);

        var detail = store.Reader.Show("A1", Feb8).ShouldNotBeNull();

        detail.Stored.ShouldBeFalse();
        detail.AsOf.ShouldBe("2025-02-08");
        detail.Score.ShouldBe(50);
        detail.Dimensions.SelectMany(d => d.Measures).Sum(m => m.Contribution).ShouldBe(50, 1e-9);
        store.Count("snapshots").ShouldBe(1);
    }

    [Fact]
    public void Show_Override_ShowsBothScoresAndTheReason()
    {
        store.Publish();
        store.Metric("A1", Mar1, 30);
        store.Scoring.Score(Mar10);
        store.Overrides.Add("A1", 75, null, "Renewal signed", Mar(31));

        var detail = store.Reader.Show("A1").ShouldNotBeNull();

        detail.Score.ShouldBe(75);
        detail.Grade.ShouldBe("green");
        detail.ComputedScore.ShouldBe(30);
        detail.OverrideReason.ShouldBe("Renewal signed");
        detail.Dimensions.SelectMany(d => d.Measures).Sum(m => m.Contribution).ShouldBe(30, 1e-9);
    }

    [Fact]
    public void Show_NeverScored_HasNoScore()
    {
        store.Publish();
        store.ImportCsv(ImportKind.Accounts, "account_id,name", "A1,Alpha");

        var detail = store.Reader.Show("A1").ShouldNotBeNull();

        detail.Score.ShouldBeNull();
        detail.Stored.ShouldBeFalse();
        detail.Dimensions.ShouldBeEmpty();
    }

    [Fact]
    public void Show_UnknownAccount_IsNull()
    {
        store.Publish();

        store.Reader.Show("NOPE").ShouldBeNull();
    }

    [Fact]
    public void Show_ChurnedAccount_ProfileSaysChurnedAndWhen()
    {
        store.Publish();
        store.Metric("A1", Feb1, 50);
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "A1,churned,2025-03-05");
        store.Scoring.Score(Mar1);
        store.Scoring.Score(Mar10);

        var detail = store.Reader.Show("A1").ShouldNotBeNull();

        detail.Profile.Status.ShouldBe("churned");
        detail.Profile.ChurnedOn.ShouldBe("2025-03-05");
        detail.AsOf.ShouldBe("2025-03-01");
        detail.Score.ShouldBe(50);
    }

    [Fact]
    public void Show_AsOfAfterTheChurnDate_SaysItIsNotScored()
    {
        store.Publish();
        store.Metric("A1", Feb1, 50);
        store.ImportCsv(ImportKind.Subscriptions, "account_id,kind,occurred_on", "A1,churned,2025-03-05");

        var detail = store.Reader.Show("A1", Mar10).ShouldNotBeNull();

        detail.Score.ShouldBeNull();
        detail.Note.ShouldNotBeNull().ShouldContain("churned");
        store.Count("snapshots").ShouldBe(0);
    }

    // ---- history ----

    [Fact]
    public void History_ModelVersionChanges_AreMarked()
    {
        var v1 = store.Publish();
        store.Metric("A1", Feb1, 80);
        Nps("A1", Feb1, 5);
        store.Scoring.Score(Mar1);
        store.Scoring.Score(Mar(8));
        var v2 = store.Publish(TestModels.HealthReweighted);
        store.Scoring.Score(Mar(15));
        store.Scoring.Score(Mar(22));

        var history = store.Reader.History("A1").ShouldNotBeNull();

        history.Select(h => h.AsOf).ShouldBe(["2025-03-01", "2025-03-08", "2025-03-15", "2025-03-22"]);
        history.Select(h => h.ModelVersion).ShouldBe([v1.VersionId, v1.VersionId, v2.VersionId, v2.VersionId]);
        history.Select(h => h.ModelChanged).ShouldBe([false, false, true, false]);
        history[0].Score.ShouldNotBeNull().ShouldBe(68, 1e-9);
        history[2].Score.ShouldNotBeNull().ShouldBe(56, 1e-9);
    }

    [Fact]
    public void History_Override_KeepsTheComputedScoreBesideIt()
    {
        store.Publish();
        store.Metric("A1", Feb1, 30);
        store.Overrides.Add("A1", 90, null, "why", Mar(31));
        store.Scoring.Score(Mar(12));

        var point = store.Reader.History("A1").ShouldNotBeNull().ShouldHaveSingleItem();

        point.Score.ShouldBe(90);
        point.ComputedScore.ShouldBe(30);
        point.OverrideReason.ShouldBe("why");
        point.Grade.ShouldBe("green");
    }

    [Fact]
    public void History_UnknownAccount_IsNull()
    {
        store.Publish();

        store.Reader.History("NOPE").ShouldBeNull();
    }

    // ---- explain ----

    [Fact]
    public void Explain_BetweenTwoDates_ListsContributionChangesLargestFirst()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        Nps("A1", Feb1, 9);
        store.Metric("A1", Mar(5), 40);
        Nps("A1", Mar(5), 7);
        store.Scoring.Score(Mar1);
        store.Scoring.Score(Mar10);

        var change = store.Reader.Explain("A1", Mar1, Mar10).ShouldNotBeNull();

        change.From.ShouldBe("2025-03-01");
        change.To.ShouldBe("2025-03-10");
        change.FromScore.ShouldNotBeNull().ShouldBe(84, 1e-9);
        change.ToScore.ShouldNotBeNull().ShouldBe(52, 1e-9);
        change.Change.ShouldNotBeNull().ShouldBe(-32, 1e-9);
        change.FromGrade.ShouldBe("green");
        change.ToGrade.ShouldBe("yellow");
        change.ModelChanged.ShouldBeFalse();
        change.Changes.Select(c => c.Measure).ShouldBe(["health", "nps"]);
        change.Changes[0].Change.ShouldBe(-24, 1e-9);
        change.Changes[0].FromValue.ShouldBe(80.0);
        change.Changes[0].ToValue.ShouldBe(40.0);
        change.Changes[1].Change.ShouldBe(-8, 1e-9);
        change.Changes.Sum(c => c.Change).ShouldBe(change.Change.Value, 1e-9);
    }

    [Fact]
    public void Explain_DatesWithoutSnapshots_UseTheLatestSnapshotBeforeEach()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        store.Metric("A1", Mar(5), 40);
        store.Scoring.Score(Mar1);
        store.Scoring.Score(Mar10);

        var change = store.Reader.Explain("A1", Mar(3), Mar(20)).ShouldNotBeNull();

        change.From.ShouldBe("2025-03-01");
        change.To.ShouldBe("2025-03-10");
        change.Change.ShouldNotBeNull().ShouldBe(-40, 1e-9);
    }

    [Fact]
    public void Explain_ModelVersionChangedBetweenTheDates_IsFlagged()
    {
        var v1 = store.Publish();
        store.Metric("A1", Feb1, 80);
        Nps("A1", Feb1, 5);
        store.Scoring.Score(Mar1);
        var v2 = store.Publish(TestModels.HealthReweighted);
        store.Scoring.Score(Mar10);

        var change = store.Reader.Explain("A1", Mar1, Mar10).ShouldNotBeNull();

        change.ModelChanged.ShouldBeTrue();
        change.FromModelVersion.ShouldBe(v1.VersionId);
        change.ToModelVersion.ShouldBe(v2.VersionId);
        // The values did not move between the days: the whole change is the new model's weights, not a measure's.
        change.Changes.First().Cause.ShouldBe(ChangeAttribution.ModelVersion);
        change.Changes.First().Measure.ShouldBeNull();
        // 0.6 × 80 + 0.4 × 50 = 68 under the first model, 0.2 × 80 + 0.8 × 50 = 56 under the second.
        change.Changes.First().Change.ShouldBe(56 - 68, 1e-9);
        change.Changes.Where(c => c.Measure is not null).ShouldAllBe(c => c.Change == 0);
        change.Changes.Sum(c => c.Change).ShouldBe(change.Change!.Value, 1e-9);
    }

    [Fact]
    public void Score_TooLittleOfTheModelHasData_IsScoredButNotGradedUntilEnoughHas()
    {
        // The Health model: product 60% (the health metric), voice 40% (NPS); by default half must have data.
        store.Publish();
        Nps("A1", Feb1, 9);
        store.Metric("A2", Feb1, 80);
        var summary = store.Scoring.Score(Mar1);

        var a1 = store.Reader.Show("A1").ShouldNotBeNull();
        a1.Score!.Value.ShouldBe(90, 1e-9);
        a1.Coverage!.Value.ShouldBe(0.4, 1e-9);
        a1.Grade.ShouldBeNull();
        var a2 = store.Reader.Show("A2").ShouldNotBeNull();
        a2.Coverage!.Value.ShouldBe(0.6, 1e-9);
        a2.Grade.ShouldNotBeNull();
        summary.ByGrade.Values.Sum().ShouldBe(1);
        summary.NotGraded.ShouldBe(1);
        var listed = store.Reader.List(new AccountQuery()).ToDictionary(r => r.AccountId);
        listed["A1"].Coverage!.Value.ShouldBe(0.4, 1e-9);
        listed["A1"].Grade.ShouldBeNull();

        // Once the metric arrives, A1 is scored on the whole model and graded.
        store.Metric("A1", Mar(5), 70);
        store.Scoring.Score(Mar10);
        var later = store.Reader.Show("A1").ShouldNotBeNull();
        later.Coverage!.Value.ShouldBe(1, 1e-9);
        later.Grade.ShouldNotBeNull();
    }

    [Fact]
    public void Score_MinCoverageZero_GradesEveryScore()
    {
        store.Publish("min_coverage: 0\n" + TestModels.Health);
        Nps("A1", Feb1, 9);
        store.Scoring.Score(Mar1);
        store.Reader.Show("A1").ShouldNotBeNull().Grade.ShouldNotBeNull();
    }

    [Fact]
    public void Explain_ASourceConnects_TheChangeIsItsAndTheMeasureThatDidNotMoveGetsNothing()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        store.Scoring.Score(Mar1);
        Nps("A1", Mar(5), 5);
        store.Scoring.Score(Mar10);

        var change = store.Reader.Explain("A1", Mar1, Mar10).ShouldNotBeNull();

        // 80 on the health metric alone, then 0.6 × 80 + 0.4 × 50 = 68 once NPS arrives: −12, all of it NPS's.
        change.Change!.Value.ShouldBe(-12, 1e-9);
        var nps = change.Changes.Single(c => c.Measure == "nps");
        nps.Change.ShouldBe(-12, 1e-9);
        nps.Cause.ShouldBe(ChangeAttribution.SourceConnected);
        change.Changes.Single(c => c.Measure == "health").Change.ShouldBe(0);
        change.Changes[0].ShouldBe(nps);
    }

    [Fact]
    public void Explain_ModelChangedAndChangedBackInBetween_IsFlagged()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        store.Scoring.Score(Mar1);
        store.Publish(TestModels.HealthReweighted);
        store.Scoring.Score(Mar(5));
        store.Publish();
        store.Scoring.Score(Mar10);

        var change = store.Reader.Explain("A1", Mar1, Mar10).ShouldNotBeNull();

        change.FromModelVersion.ShouldBe(change.ToModelVersion);
        change.ModelChanged.ShouldBeTrue();
    }

    [Fact]
    public void Explain_NoSnapshotBeforeTheStart_Throws()
    {
        store.Publish();
        store.Metric("A1", Feb1, 80);
        store.Scoring.Score(Mar10);

        Should.Throw<StoreException>(() => store.Reader.Explain("A1", Mar1, Mar10));
        Should.Throw<StoreException>(() => store.Reader.Explain("NOPE", Mar1, Mar10));
    }
}

public sealed class AccountReaderTestsOnSqlite() : AccountReaderTests(TestEngine.Sqlite);

public sealed class AccountReaderTestsOnPostgres() : AccountReaderTests(TestEngine.Postgres);
