using System.Security.Claims;
using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Components.Accounts;
using Dapper;

namespace CustomerHealth.Web.Tests.Components.Accounts;

/// <summary>
/// The Account page's model on a store: A1 (the CSM's) has the `health` metric 50 forty days ago and 90 ten days ago,
/// scored 35 days ago (50, yellow), 5 days ago and today (90, green); A2 (Ann's) is never scored.
/// </summary>
public sealed class AccountPageModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);

    public AccountPageModelTests()
    {
        store.Publish();
        store.Import(ImportKind.Accounts, "account_id,name,owner", "A1,Acme,csm@example.com", "A2,Beta,ann@example.com");
        store.Health(Today.AddDays(-40), ("A1", 50));
        store.Health(Today.AddDays(-10), ("A1", 90));
        store.Score(Today.AddDays(-35), Today.AddDays(-5), Today);
    }

    public void Dispose() => store.Dispose();

    private AccountPageModel Page(string id, ClaimsPrincipal? user = null)
    {
        var dashboard = store.Dashboard();
        return new AccountPageModel(dashboard, new AccountReader(store.Db, dashboard.Models), new AccountTimeline(store.Db), new AlertBook(store.Db, dashboard.Models, store.Clock),
            store.Importer, new OverrideBook(store.Db, dashboard.Models, store.Clock), user ?? ModelStore.Person("viewer"), id);
    }

    private AccountPageModel Loaded(string id = "A1", string? from = null, string? to = null, ClaimsPrincipal? user = null)
    {
        var page = Page(id, user);
        page.Load(from, to).ShouldBeTrue();
        return page;
    }

    [Fact]
    public void Load_NoSuchAccount_IsNotFoundAndNamedByItsId()
    {
        var page = Page("NOPE");

        page.Load(null, null).ShouldBeFalse();

        page.Detail.ShouldBeNull();
        page.Name.ShouldBe("NOPE");
    }

    [Fact]
    public void Compare_NoDaysAsked_LatestScoreAgainstOneTrendBefore()
    {
        var page = Loaded();

        page.ToDay.ShouldBe("2025-06-01");
        page.FromDay.ShouldBe("2025-05-02");
        page.ChangeError.ShouldBeNull();
        // No score on May 2: the nearest scored day before it stands in, and the page says so.
        page.Change!.From.ShouldBe("2025-04-27");
        page.Change.FromScore.ShouldBe(50);
        page.Change.ToScore.ShouldBe(90);
        page.GradeMove.ShouldBe(", grade yellow → green");
    }

    [Fact]
    public void Compare_FromAfterTo_IsRefusedWithoutComparing()
    {
        var page = Loaded(from: "2025-05-30", to: "2025-05-01");

        page.ChangeError.ShouldBe("“From” is after “To”: swap the dates.");
        page.Change.ShouldBeNull();
        (page.FromDay, page.ToDay).ShouldBe(("2025-05-30", "2025-05-01"));
    }

    [Fact]
    public void Compare_OnlyFromGiven_ComparesItWithTheLatestScore()
    {
        var page = Loaded(from: "2025-05-27");

        (page.FromDay, page.ToDay).ShouldBe(("2025-05-27", "2025-06-01"));
        page.Change!.From.ShouldBe("2025-05-27");
        page.GradeMove.ShouldBe("");
    }

    [Theory]
    [InlineData("05/02/2025")]
    [InlineData("2025-5-2")]
    [InlineData(" 2025-05-02")]
    [InlineData("2025-02-30")]
    [InlineData("yesterday")]
    public void Compare_DayNotWrittenYyyyMmDd_IsReadAsNotGiven(string day)
    {
        AccountPageModel.ParseDay(day).ShouldBeNull();

        var page = Loaded(from: day, to: day);

        (page.FromDay, page.ToDay).ShouldBe(("2025-05-02", "2025-06-01"));
    }

    [Fact]
    public void HistoryDescription_NoScoreYet_SaysSo()
    {
        // A2 has no signals: its days are kept without a score.
        var page = Loaded("A2");

        page.History.ShouldNotBeEmpty();
        page.HistoryDescription().ShouldBe("No scores yet.");
    }

    [Fact]
    public void HistoryDescription_ScoredDays_FirstLastLowestAndHighest()
    {
        Loaded().HistoryDescription().ShouldBe("Score from 2025-04-27 (50.0) to 2025-06-01 (90.0), lowest 50.0, highest 90.0; 0 model changes.");
    }

    [Fact]
    public void HistoryChart_OneScore_IsAPointWithItsValue()
    {
        store.Health(Today.AddDays(-1), ("A2", 64));
        store.Score(Today);

        var chart = JsonSerializer.SerializeToElement(Loaded("A2").HistoryChart());

        var series = chart.GetProperty("series")[0];
        series.GetProperty("showSymbol").GetBoolean().ShouldBeTrue();
        var points = series.GetProperty("data").EnumerateArray().ToList();
        points.Count.ShouldBe(3);
        points.Where(p => p.GetProperty("value").ValueKind == JsonValueKind.Null).Count().ShouldBe(2);
        points[^1].GetProperty("label").GetProperty("formatter").GetString().ShouldBe("64.0");
    }

    [Fact]
    public void PointsMode_ScoreOfAPointsModel_StaysInPointsAfterAWeightsModelIsPublished()
    {
        store.Publish(ModelStore.PointsModel);
        store.Score(Today);
        store.Publish();

        var page = Loaded();

        page.PointsMode.ShouldBeTrue();
        page.Share(0.6).ShouldBe("60");
        store.Score(Today);
        var rescored = Loaded();
        rescored.PointsMode.ShouldBeFalse();
        rescored.Share(0.6).ShouldBe("60%");
    }

    [Fact]
    public void SaveSentiment_CsmOnAnotherOwnersAccount_IsRefusedAndNothingIsStored()
    {
        var page = Loaded("A2", user: ModelStore.Person("csm"));

        page.MayRecordSentiment.ShouldBeFalse();
        var outcome = page.SaveSentiment("4", "good call");

        outcome.ShouldBe(AccountOutcome.Refused("A CSM records sentiment on the accounts they own; ask the owner or a manager."));
        new AccountTimeline(store.Db).Read("A2")!.ShouldNotContain(t => t.Kind == "sentiment");
    }

    [Fact]
    public void SaveSentiment_Viewer_IsToldWhoRecordsIt()
    {
        Loaded(user: ModelStore.Person("viewer")).SaveSentiment("4", null).Refusal.ShouldBe("Only CSMs, managers and admins record sentiment.");
    }

    [Fact]
    public void SaveTouch_CsmOnAnotherOwnersAccount_IsRefusedAndNothingIsStored()
    {
        var outcome = Loaded("A2", user: ModelStore.Person("csm")).SaveTouch("call", null, "x", "Follow up", null);

        outcome.ShouldBe(AccountOutcome.Refused("A CSM records notes on the accounts they own; ask the owner or a manager."));
        store.Db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM touches").ShouldBe(0);
        store.Db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM tasks").ShouldBe(0);
    }

    [Theory]
    [InlineData("visit", null, null, null, "The note was not saved: the kind must be one of note, call, meeting, email, got `visit`.")]
    [InlineData("call", "2999-01-01", null, null, "The note was not saved: the day is 2999-01-01, after today: record a touch once it has happened (a task is for what is planned).")]
    [InlineData("call", null, null, "2030-01-01", "The note was not saved: the follow-up is required for a follow-up task (what is to be done).")]
    public void SaveTouch_WithABadField_SaysWhichInTheFormsWords(string kind, string? on, string? followUp, string? due, string refusal)
    {
        Loaded(user: ModelStore.Person("manager")).SaveTouch(kind, on, "text", followUp, due).Refusal.ShouldBe(refusal);
    }

    [Fact]
    public void SaveTouch_ByTheOwner_WithAFollowUp_IsOnTheTimelineAndOpensTheirTask()
    {
        var page = Loaded(user: ModelStore.Person("csm"));

        var outcome = page.SaveTouch("meeting", null, "QBR: wants SSO", "Send the SSO guide", "2030-01-15");

        outcome.ShouldBe(AccountOutcome.GoTo("/accounts/A1?saved=touch-task", rescore: true));
        new AccountTimeline(store.Db).Read("A1")!.ShouldContain(t => t.Kind == "touch" && t.Title == "Meeting by csm@example.com" && t.Detail == "QBR: wants SSO");
        var task = Loaded().Tasks.ShouldHaveSingleItem();
        (task.Title, task.Assignee, task.DueOn).ShouldBe(("Send the SSO guide", "csm@example.com", "2030-01-15"));
    }

    [Fact]
    public void SaveSentiment_OwnerInAnotherCase_IsSavedAndTheAccountRescored()
    {
        var page = Loaded(user: ModelStore.Person("csm", "CSM@Example.com"));

        page.MayRecordSentiment.ShouldBeTrue();
        var outcome = page.SaveSentiment("4", "good call");

        outcome.ShouldBe(AccountOutcome.GoTo("/accounts/A1?saved=sentiment", rescore: true));
        new AccountTimeline(store.Db).Read("A1")!.ShouldContain(t => t.Kind == "sentiment" && t.Detail == "good call");
    }

    [Fact]
    public void SaveSentiment_RatingOutOfRange_IsRefusedNamingTheField()
    {
        var refusal = Loaded(user: ModelStore.Person("manager")).SaveSentiment("9", null).Refusal;

        refusal.ShouldNotBeNull();
        refusal.ShouldStartWith("The sentiment was not saved: rating: ");
    }

    [Theory]
    [InlineData("red", 40.0, "2025-07-01", "Give either a grade or a score, not both.")]
    [InlineData("", null, "2025-07-01", "Give either a grade or a score, not both.")]
    [InlineData(" ", null, "2025-07-01", "Give either a grade or a score, not both.")]
    [InlineData("red", null, "", "Give the day the override ends.")]
    [InlineData("red", null, "07/01/2025", "Give the day the override ends.")]
    [InlineData(null, 140.0, "2025-07-01", "score must be between 0 and 100")]
    [InlineData("purple", null, "2025-07-01", "unknown grade `purple`; the model's grades are green, yellow, red")]
    [InlineData("red", null, "2025-05-01", "until 2025-05-01 is in the past")]
    public void SaveOverride_WrongForm_IsRefusedInTheFormsWords(string? grade, double? score, string until, string refusal)
    {
        var page = Loaded(user: ModelStore.Person("manager"));

        page.SaveOverride(grade, score, "new sponsor", until).ShouldBe(AccountOutcome.Refused(refusal));

        store.Db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM overrides").ShouldBe(0);
    }

    [Fact]
    public void SaveOverride_Csm_IsRefused()
    {
        var page = Loaded(user: ModelStore.Person("csm"));

        page.MayOverride.ShouldBeFalse();
        page.SaveOverride("red", null, "r", "2025-07-01").Refusal.ShouldBe("Only managers and admins set a score by hand.");
    }

    [Fact]
    public void SaveOverride_Manager_IsKeptAndGoesBackToTheAccount()
    {
        var outcome = Loaded(user: ModelStore.Person("manager")).SaveOverride("red", null, "new sponsor", "2025-07-01");

        outcome.ShouldBe(AccountOutcome.GoTo("/accounts/A1?saved=override"));
        var shown = new AccountReader(store.Db, store.Models).Show("A1")!;
        (shown.Grade, shown.OverrideReason).ShouldBe(("red", "new sponsor"));
    }

    [Theory]
    [InlineData("sentiment", "Sentiment saved; the score follows within seconds.")]
    [InlineData("override", "The score is set by hand until the day you gave.")]
    [InlineData("other", null)]
    [InlineData(null, null)]
    public void SavedMessage_WhatWasSaved_SaysSo(string? saved, string? message) => AccountPageModel.SavedMessage(saved).ShouldBe(message);

    [Theory]
    [InlineData(-5, 0)]
    [InlineData(12.4, 25)]
    [InlineData(150, 200)]
    public void Bar_Contribution_TwoPixelsAPointWithinZeroToHundred(double contribution, int pixels) => AccountPageModel.Bar(contribution).ShouldBe(pixels);

    [Theory]
    [InlineData("high", "danger")]
    [InlineData("medium", "warning")]
    [InlineData("low", "secondary")]
    public void SeverityTone_Severity_BadgeColor(string severity, string tone) => AccountPageModel.SeverityTone(severity).ShouldBe(tone);
}
