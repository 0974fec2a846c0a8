using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Store.Tests.Reading;

/// <summary>NPS, CSAT and CES by month and by segment, and the comments.</summary>
public abstract class SurveyReaderTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 3, 10));

    public void Dispose() => store.Dispose();

    private SurveyReader Reader => new(store.Db);

    /// <summary>S1 Enterprise, S2 SMB, S3 without a segment; answers in December, January and February.</summary>
    private void Answers()
    {
        store.ImportCsv(ImportKind.Accounts, "account_id,name,segment", "S1,Alpha,Enterprise", "S2,Beta,SMB", "S3,Gamma <b>Inc</b>,").Applied.ShouldBeTrue();
        store.ImportCsv(ImportKind.Surveys,
            "account_id,kind,score,responded_at,comment",
            "S1,nps,0,2024-12-20T10:00:00Z,Old news",
            "S1,nps,10,2025-01-10T10:00:00Z,Love it",
            "S1,nps,9,2025-01-11T10:00:00Z,",
            "S2,nps,7,2025-01-12T10:00:00Z,",
            "S3,nps,3,2025-01-20T09:00:00Z,\"Too slow, <b>really</b>\"",
            "S1,csat,5,2025-01-05T10:00:00Z,",
            "S2,csat,3,2025-01-06T10:00:00Z,",
            "S2,nps,6,2025-02-02T10:00:00Z,",
            "S1,ces,7,2025-02-03T10:00:00Z,",
            "S2,ces,4,2025-02-04T10:00:00Z,meh",
            "S3,ces,5,2025-02-05T10:00:00Z,").Applied.ShouldBeTrue();
    }

    [Fact]
    public void Monthly_NpsIsPromotersMinusDetractors_CsatAndCesAverages()
    {
        Answers();

        var months = Reader.Monthly(new DateOnly(2025, 1, 1));

        months.Select(m => (m.Group, m.Kind, m.Responses)).ShouldBe([("2025-01", "csat", 2), ("2025-01", "nps", 4), ("2025-02", "ces", 3), ("2025-02", "nps", 1)]);
        var janNps = months[1];
        // 10, 9, 7, 3: two promoters and one detractor of four.
        janNps.Nps.ShouldNotBeNull().ShouldBe(25, 1e-9);
        janNps.Average.ShouldBe(7.25, 1e-9);
        janNps.Positive.ShouldBe(2);
        janNps.Detractors.ShouldBe(1);
        var janCsat = months[0];
        janCsat.Average.ShouldBe(4, 1e-9);
        janCsat.PositiveShare.ShouldBe(0.5, 1e-9);
        janCsat.Nps.ShouldBeNull();
        var febCes = months[2];
        febCes.Average.ShouldBe(16 / 3.0, 1e-9);
        febCes.PositiveShare.ShouldBe(2 / 3.0, 1e-9);
        months[3].Nps.ShouldNotBeNull().ShouldBe(-100, 1e-9);
    }

    [Fact]
    public void BySegment_GroupsAnswersSinceADayByTheAccountsSegment_NotSetLast()
    {
        Answers();

        var segments = Reader.BySegment(new DateOnly(2025, 1, 1));

        segments.Select(s => (s.Group, s.Kind, s.Responses)).ShouldBe([
            ("Enterprise", "ces", 1), ("Enterprise", "csat", 1), ("Enterprise", "nps", 2),
            ("SMB", "ces", 1), ("SMB", "csat", 1), ("SMB", "nps", 2),
            (null, "ces", 1), (null, "nps", 1)]);
        segments[2].Nps.ShouldNotBeNull().ShouldBe(100, 1e-9);
        segments[5].Nps.ShouldNotBeNull().ShouldBe(-50, 1e-9);
        segments[3].PositiveShare.ShouldBe(0);
        segments[7].Nps.ShouldNotBeNull().ShouldBe(-100, 1e-9);
        // The December detractor is before the day.
        Reader.BySegment(new DateOnly(2024, 12, 1)).Single(s => s.Group == "Enterprise" && s.Kind == "nps").Responses.ShouldBe(3);
    }

    [Fact]
    public void Comments_NewestFirst_OnlyAnswersWithAComment_FilteredByKind()
    {
        Answers();

        var all = Reader.Comments();
        all.Select(c => c.Comment).ShouldBe(["meh", "Too slow, <b>really</b>", "Love it", "Old news"]);
        var first = all[0];
        (first.AccountId, first.AccountName, first.Kind, first.Score).ShouldBe(("S2", "Beta", "ces", 4.0));
        first.RespondedAt.ShouldStartWith("2025-02-04");
        Reader.Comments("nps").Select(c => c.Comment).ShouldBe(["Too slow, <b>really</b>", "Love it", "Old news"]);
        Reader.Comments("csat").ShouldBeEmpty();
        Reader.Comments(limit: 2).Count.ShouldBe(2);
    }

    [Fact]
    public void EmptyStore_HasNoFigures()
    {
        Reader.Monthly(new DateOnly(2025, 1, 1)).ShouldBeEmpty();
        Reader.BySegment(new DateOnly(2025, 1, 1)).ShouldBeEmpty();
        Reader.Comments().ShouldBeEmpty();
    }
}

public sealed class SurveyReaderTestsOnSqlite() : SurveyReaderTests(TestEngine.Sqlite);

public sealed class SurveyReaderTestsOnPostgres() : SurveyReaderTests(TestEngine.Postgres);
