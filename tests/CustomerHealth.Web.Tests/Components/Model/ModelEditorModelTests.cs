using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Signals;
using CustomerHealth.Web.Components.Model;
using CustomerHealth.Web.Jobs;
using Microsoft.Extensions.Logging.Abstractions;

namespace CustomerHealth.Web.Tests.Components.Model;

/// <summary>
/// The model editor's model on a store, without rendering: the draft's check, what may run or be published and why
/// not, the preview and backtest it runs and shows. M1 has the `health` metric 75 (green with the published model,
/// yellow with a draft whose green starts at 80), M2 30 (red); both are scored on the first of January and of June 2025.
/// </summary>
public sealed class ModelEditorModelTests : IDisposable
{
    private static readonly DateOnly Today = new(2025, 6, 1);
    private readonly ModelStore store = new(Today);
    private readonly DraftRuns runs = new(NullLogger<DraftRuns>.Instance);

    /// <summary>The published model with green from 80 instead of 70.</summary>
    private static readonly string Stricter = ModelStore.Model.Replace("min: 70", "min: 80", StringComparison.Ordinal);

    public ModelEditorModelTests()
    {
        store.Publish();
        store.Import(ImportKind.Accounts, "account_id,name", "M1,One", "M2,Two");
        store.Health(new DateOnly(2024, 12, 1), ("M1", 75), ("M2", 30));
        store.Score(new DateOnly(2025, 1, 1), Today);
    }

    public void Dispose() => store.Dispose();

    private ModelEditorModel Editor(string yaml = ModelStore.Model, bool interactive = true)
    {
        var editor = new ModelEditorModel(store.Access(), store.Clock, runs, yaml, interactive);
        editor.Load();
        return editor;
    }

    [Fact]
    public void Load_PublishedText_ValidButNothingToPublish()
    {
        using var editor = Editor();
        editor.Note = "no change";

        editor.Valid.ShouldBeTrue();
        editor.Unchanged.ShouldBeTrue();
        editor.CanRun.ShouldBeTrue();
        editor.CanPublish.ShouldBeFalse();
        editor.PublishHint.ShouldBe("Change the model first: this is the published version.");
    }

    [Fact]
    public async Task TextChanged_BrokenText_ProblemsAtTheirLineAndNothingRuns()
    {
        using var editor = Editor();
        editor.Yaml = ModelStore.Model.Replace("weight: 60", "weight: lots", StringComparison.Ordinal);

        await editor.TextChanged();

        editor.Draft.ShouldBeNull();
        editor.Errors.ShouldHaveSingleItem().Line.ShouldBe(10);
        (editor.Valid, editor.CanRun, editor.CanPublish).ShouldBe((false, false, false));
        editor.PublishHint.ShouldBe("Fix the model's problems first.");
    }

    [Fact]
    public async Task TextChanged_TypingOn_CheckedOnceTypingPauses()
    {
        using var editor = Editor();
        editor.Yaml = "name: [";
        var first = editor.TextChanged();
        editor.Yaml = Stricter;
        var second = editor.TextChanged();

        // Until the pause, the text counts as unchecked: nothing may run on it.
        (editor.Checking, editor.Valid, editor.CanRun).ShouldBe((true, false, false));
        await Task.WhenAll(first, second);

        editor.Checking.ShouldBeFalse();
        editor.Draft!.FindGrade("green")!.Min.ShouldBe(80);
        editor.Unchanged.ShouldBeFalse();
    }

    [Fact]
    public void Publish_ChangedWithANote_ANewVersionInForce()
    {
        using var editor = Editor(Stricter);
        editor.CanPublish.ShouldBeFalse();
        editor.PublishHint.ShouldBe("Say why you change the model; the note is kept in the version history.");
        editor.Note = "  Greener is harder  ";

        var version = editor.Publish(ModelStore.Person("admin"));

        version.ShouldNotBeNull();
        var current = store.Models.Current()!;
        (current.VersionId, current.Note).ShouldBe((version, "Greener is harder"));
        ModelEditorModel.PublishedAddress(version).ShouldBe($"/model?published={version}");
        editor.Busy.ShouldBe("publish");
    }

    [Theory]
    [InlineData("manager", true)]
    [InlineData("admin", false)]
    public void Publish_NotAdminOrNotInteractive_NothingPublished(string role, bool interactive)
    {
        var published = store.Models.Current()!.VersionId;
        using var editor = Editor(Stricter, interactive);
        editor.Note = "why";

        editor.Publish(ModelStore.Person(role)).ShouldBeNull();

        store.Models.Current()!.VersionId.ShouldBe(published);
        editor.Failure.ShouldBe(interactive ? "Only admins can preview, backtest and publish models here." : null);
    }

    [Fact]
    public async Task RunPreview_Admin_TodaysScoresBesideThePublishedModels()
    {
        using var editor = Editor(Stricter);

        await editor.RunPreview(ModelStore.Person("admin"));

        editor.Failure.ShouldBeNull();
        editor.Busy.ShouldBeNull();
        var preview = editor.Preview!;
        preview.Result.AsOf.ShouldBe("2025-06-01");
        preview.Result.GradeChanges.ShouldHaveSingleItem().AccountId.ShouldBe("M1");
        editor.PreviewGrades().Select(g => (g.Id, g.Now, g.Then)).ShouldBe([("green", 1, 0), ("yellow", 0, 1), ("red", 1, 1)]);
        var histogram = editor.Histogram();
        histogram.Count.ShouldBe(10);
        (histogram[7].From, histogram[7].To, histogram[7].Now, histogram[7].Then, histogram[7].NowWidth).ShouldBe(("70", "80", 1, 1, "85%"));
        histogram[0].NowWidth.ShouldBe("0%");
        editor.PreviewStale.ShouldBeFalse();
        // The turn is given back: another run may start.
        using (runs.TryStart("admin@example.com").ShouldNotBeNull())
        {
        }

        editor.Yaml = ModelStore.Model;
        editor.PreviewStale.ShouldBeTrue();
    }

    [Fact]
    public async Task RunPreview_NotAdmin_Refused()
    {
        using var editor = Editor(Stricter);

        await editor.RunPreview(ModelStore.Person("manager"));

        editor.Failure.ShouldBe("Only admins can preview, backtest and publish models here.");
        editor.Preview.ShouldBeNull();
    }

    [Fact]
    public async Task RunPreview_AnotherRunOfTheSamePerson_Refused()
    {
        using var editor = Editor(Stricter);
        using var other = runs.TryStart("admin@example.com");

        await editor.RunPreview(ModelStore.Person("admin"));

        editor.Failure.ShouldBe($"The preview did not run: {DraftRuns.AlreadyRunning} (in another tab or through the API).");
        editor.Preview.ShouldBeNull();
        editor.Busy.ShouldBeNull();
    }

    [Fact]
    public void Edit_AChangeThatWouldBreakTheModel_IsNotMade_AndSaysWhy()
    {
        using var editor = Editor();

        editor.Edit(m => ModelEdits.GradeMin(m, "yellow", 80));

        editor.FormProblem!.ShouldStartWith("That change was not made: grades must be listed highest `min` first");
        editor.Yaml.ShouldBe(ModelStore.Model);
        editor.Valid.ShouldBeTrue();

        editor.Edit(m => ModelEdits.GradeMin(m, "green", 80));
        editor.FormProblem.ShouldBeNull();
        editor.Yaml.ShouldContain("min: 80");
        editor.Draft!.FindGrade("green")!.Min.ShouldBe(80);
    }

    [Theory]
    [InlineData("x\n  - id: evil")]
    [InlineData("a: 1, b: [2]")]
    [InlineData("\"quoted\" & 'single' # not a comment")]
    [InlineData("*alias &anchor !!tag")]
    [InlineData("{ range: { worst: 0, best: 1 } }")]
    public void Edit_HostileTextInTheForm_IsKeptAsText_NeverReadAsModel(string text)
    {
        using var editor = Editor();

        editor.Edit(m => ModelEdits.MeasureLabel(m, "product", "health", text));
        editor.Edit(m => ModelEdits.GradeLabel(m, "red", text));
        editor.Edit(m => ModelEdits.MeasureMetric(m, "product", "health", text));
        editor.Edit(m => ModelEdits.MeasureCurve(m, "voice", "nps", CurveKind.Map, [text, "other"]));
        editor.Edit(ModelEdits.AddScorecard);
        editor.Edit(m => ModelEdits.ScorecardCondition(m, "scorecard_1", "lifecycle_stage", "lifecycle_stage", text.Replace(",", "", StringComparison.Ordinal)));

        var draft = editor.Draft!;
        var reread = ModelLoader.Load(editor.Yaml, "model.yaml");
        ModelLoader.VersionId(reread).ShouldBe(ModelLoader.VersionId(draft));
        (draft.Dimensions.Count, draft.MeasureCount, draft.Grades.Count, draft.Scorecards.Count).ShouldBe((2, 2, 3, 1));
        draft.Dimensions[0].Measures[0].Label.ShouldBe(text.Trim());
        draft.Grades[2].Label.ShouldBe(text.Trim());
        draft.Dimensions[0].Measures[0].Value.Metric.ShouldBe(text.Trim());
        draft.Dimensions[1].Measures[0].Score.ShouldBeOfType<MapScore>().Map.Keys.ShouldBe([text, "other"]);
        draft.Scorecards[0].When["lifecycle_stage"].ShouldBe([text.Replace(",", "", StringComparison.Ordinal).Trim()]);
        editor.FormProblem.ShouldBeNull();
    }

    [Fact]
    public async Task Refresh_ReadsEachMeasuresValuesAcrossTheAccounts_AgainOnlyWhenWhatItReadsChanges()
    {
        using var editor = Editor();
        var admin = ModelStore.Person("admin");
        Measure Health() => editor.Draft!.Dimensions[0].Measures[0];
        editor.SpreadOf("product", Health()).ShouldBeNull();

        await editor.Refresh(admin);

        var health = editor.SpreadOf("product", Health()).ShouldNotBeNull();
        health.Numbers.ShouldBe([30d, 75]);
        editor.SpreadOf("voice", editor.Draft!.Dimensions[1].Measures[0])!.Missing.ShouldBe(2);
        // A new curve reads the same values; a new window does not.
        editor.Edit(m => ModelEdits.MeasureCurve(m, "product", "health", CurveKind.Bands));
        editor.SpreadOf("product", Health()).ShouldBeSameAs(health);
        editor.Edit(m => ModelEdits.MeasureMetric(m, "product", "health", "other"));
        editor.SpreadOf("product", Health()).ShouldBeNull();
        await editor.Refresh(admin);
        var other = editor.SpreadOf("product", Health()).ShouldNotBeNull();
        (other.Numbers.Count, other.Missing).ShouldBe((0, 2));
        editor.SpreadFailure.ShouldBeNull();
    }

    [Fact]
    public async Task Refresh_AfterAChange_PreviewsTheDraft_AndFollowsEachLaterChange_NotWhenTheEditorOpens()
    {
        using var editor = Editor();
        var admin = ModelStore.Person("admin");
        await editor.Refresh(admin, changed: false);
        editor.Preview.ShouldBeNull();

        editor.Edit(m => ModelEdits.GradeMin(m, "green", 80));
        await editor.Refresh(admin);
        editor.Preview!.Result.GradeChanges.ShouldHaveSingleItem().AccountId.ShouldBe("M1");

        editor.Edit(m => ModelEdits.GradeMin(m, "green", 75));
        editor.PreviewStale.ShouldBeTrue();
        await editor.Refresh(admin);

        editor.PreviewStale.ShouldBeFalse();
        editor.Preview!.Result.GradeChangesCount.ShouldBe(0);
        runs.Running.ShouldBe(0);
        // A viewer's editor (never shown, but asked) previews nothing.
        using var other = Editor();
        other.Edit(m => ModelEdits.GradeMin(m, "green", 80));
        await other.Refresh(ModelStore.Person("viewer"));
        other.Preview.ShouldBeNull();
    }

    [Fact]
    public async Task Refresh_NotInteractive_ReadsNothing()
    {
        using var editor = Editor(interactive: false);

        await editor.Refresh(ModelStore.Person("admin"));

        editor.SpreadOf("product", editor.Draft!.Dimensions[0].Measures[0]).ShouldBeNull();
    }

    [Fact]
    public async Task Load_HistoryShorterThanTwoHorizons_NoBacktestDates()
    {
        using var editor = Editor(Stricter);

        editor.Defaults.ShouldBeNull();
        (editor.Request.From, editor.Request.To).ShouldBe((null, null));
        editor.CanBacktest.ShouldBeFalse();
        await editor.RunBacktest(ModelStore.Person("admin"));
        editor.Failure.ShouldBe("Give the first and last dates of the backtest (under Backtest settings).");
    }

    [Fact]
    public async Task RunBacktest_LongHistory_DefaultDatesOneHorizonInsideAndBothModelsReported()
    {
        store.Health(new DateOnly(2024, 5, 1), ("M1", 60), ("M2", 30));
        store.Score(new DateOnly(2024, 6, 1));
        using var editor = Editor(Stricter);

        // Scores from 2024-06-01 to 2025-06-01; 90 days in from each end.
        (editor.Request.From, editor.Request.To).ShouldBe((new DateOnly(2024, 8, 30), new DateOnly(2025, 3, 3)));
        editor.CanBacktest.ShouldBeTrue();
        await editor.RunBacktest(ModelStore.Person("admin"));

        editor.Failure.ShouldBeNull();
        var backtest = editor.Backtest!;
        backtest.Result.Options.HorizonDays.ShouldBe(90);
        editor.BacktestStale.ShouldBeFalse();
        editor.BacktestGrades().Select(g => g.Id).ShouldBe(
            backtest.Result.Current.ByGrade.Select(g => g.Grade).Union(backtest.Result.Draft.ByGrade.Select(g => g.Grade)));
        editor.BacktestGrade("green")!.Min.ShouldBe(80);
    }

    [Fact]
    public void Summary_WeightsModel_SharesOfTheScoreAndOfThePart()
    {
        using var editor = Editor();

        editor.SummaryCaption.ShouldBe("What each part counts for in the score, and its measures' shares of the part");
        editor.SummaryFigure.ShouldBe("Share");
        editor.Summary().Select(p => (p.Id, p.Figure, p.Measures.Single().Figure)).ShouldBe([("product", "60%", "100%"), ("voice", "40%", "100%")]);
    }

    [Fact]
    public void Summary_PointsModel_PointsOfEachPartAndMeasure()
    {
        using var editor = Editor(ModelStore.PointsModel);

        editor.SummaryCaption.ShouldBe("Points per part and measure");
        editor.SummaryFigure.ShouldBe("Points");
        editor.Summary().Select(p => (p.Id, p.Figure, p.Measures.Single().Figure)).ShouldBe([("product", "60", "60"), ("voice", "40", "40")]);
    }

    private static BacktestReport Report(double? auc) => new("v", "subscriptions", 90, ["2025-01-01"], 10, 1, 0.1, auc, null, [], [], [], 0);

    [Theory]
    [InlineData(0.700, 0.709, "The draft warns of churn about as well as the published model (AUC 0.709 against 0.700).")]
    [InlineData(0.700, 0.710, "The draft would have warned of churn better than the published model (AUC 0.710 against 0.700).")]
    [InlineData(0.700, 0.650, "The draft would have warned of churn less well than the published model (AUC 0.650 against 0.700).")]
    [InlineData(null, 0.650, "There is not enough churn in this period to judge the models: choose a longer period or a longer churn window.")]
    public void Verdict_Auc_WhichModelWarnsBetter(double? current, double? draft, string verdict) =>
        ModelEditorModel.Verdict(Report(current), Report(draft)).ShouldBe(verdict);
}
