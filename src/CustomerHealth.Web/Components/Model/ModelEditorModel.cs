using System.Globalization;
using System.Security.Claims;
using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;
using CustomerHealth.Store;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Drafts;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Jobs;

namespace CustomerHealth.Web.Components.Model;

/// <summary>The backtest the editor is asked for: its dates, how often it observes, the churn window and the lapse, as the form edits them.</summary>
internal sealed class BacktestRequest
{
    public DateOnly? From { get; set; }

    public DateOnly? To { get; set; }

    public int Every { get; set; } = 30;

    public int Horizon { get; set; } = 90;

    public int? Lapse { get; set; }
}

/// <summary>A preview as shown: its result, the draft text's version it was run on, and the two models it compared.</summary>
internal sealed record PreviewShown(Preview Result, string Of, HealthModel Current, HealthModel Draft);

/// <summary>A backtest as shown: its result, the draft text's version it was run on, and the two models it compared.</summary>
internal sealed record BacktestShown(BacktestComparison Result, string Of, HealthModel Current, HealthModel Draft);

/// <summary>A part of the draft in its summary, with what it counts for (a share, or points), and its measures'.</summary>
internal sealed record SummaryPart(string Id, string Label, string Figure, IReadOnlyList<SummaryMeasure> Measures);

internal sealed record SummaryMeasure(string Id, string Label, string Figure);

/// <summary>A grade's line in the preview: accounts in it now and with the draft.</summary>
internal sealed record PreviewGrade(string Id, Grade? Grade, int Now, int Then);

/// <summary>A line of the preview's histogram: the scores from and to, accounts now and with the draft, and each bar's width.</summary>
internal sealed record HistogramRow(string From, string To, int Now, int Then, string NowWidth, string ThenWidth);

/// <summary>A grade's line in the backtest: the churn rate in it with the published model and with the draft ("—" where it has no accounts).</summary>
internal sealed record BacktestGradeRow(string Id, string Current, string Draft);

/// <summary>
/// The model editor (Model/ModelEditor.razor) apart from its markup: the draft's text and its check, the preview and
/// the backtest asked for and their results, what may run or be published and why not, and the words it shows. The
/// store is opened per action, never held: previews and backtests run off the render thread for as long as they take,
/// one at a time per person, and stop when the editor goes.
/// </summary>
internal sealed class ModelEditorModel(StoreAccess store, TimeProvider clock, DraftRuns runs, string yaml, bool interactive) : IDisposable
{
    /// <summary>How many of the accounts whose grade a preview changes are listed.</summary>
    public const int ShownChanges = 100;

    private CancellationTokenSource? debounce;

    // The preview or backtest under way: cancelled when the editor goes (the tab closed, the page left).
    private CancellationTokenSource? running;

    /// <summary>The draft's text, as typed.</summary>
    public string Yaml { get; set; } = yaml;

    /// <summary>The draft as a model when its text is valid, else null (and <see cref="Errors"/> says why).</summary>
    public HealthModel? Draft { get; private set; }

    public IReadOnlyList<ModelError> Errors { get; private set; } = [];

    /// <summary>The text changed and is checked once typing pauses.</summary>
    public bool Checking { get; private set; }

    public string? PublishedVersion { get; private set; }

    /// <summary>What runs: "preview", "backtest" or "publish"; null when nothing does.</summary>
    public string? Busy { get; private set; }

    /// <summary>Why the last action did not run, or null.</summary>
    public string? Failure { get; private set; }

    /// <summary>Why the draft is published (kept with the version).</summary>
    public string Note { get; set; } = "";

    public PreviewShown? Preview { get; private set; }

    public BacktestShown? Backtest { get; private set; }

    public BacktestRequest Request { get; } = new();

    /// <summary>The backtest dates the scored history allows, or null when it is too short for any.</summary>
    public BacktestOptions? Defaults { get; private set; }

    /// <summary>The usage event and metric names stored, offered in the form's lists.</summary>
    public SignalNames Names { get; private set; } = new([], []);

    /// <summary>Valid, and not waiting for a check.</summary>
    public bool Valid => Draft is not null && !Checking;

    public bool CanRun => interactive && Draft is not null && !Checking && Busy is null && PublishedVersion is not null;

    public bool CanBacktest => CanRun && Request.From is not null && Request.To is not null;

    /// <summary>The draft is the published model's text.</summary>
    public bool Unchanged => PublishedVersion is not null && VersionOf(Yaml) == PublishedVersion;

    public bool CanPublish => interactive && Draft is not null && !Checking && Busy is null && !Unchanged && !string.IsNullOrWhiteSpace(Note);

    public string PublishHint => Draft is null || Checking ? "Fix the model's problems first."
        : Unchanged ? "Change the model first: this is the published version."
        : "Say why you change the model; the note is kept in the version history.";

    public string PreviewLabel => Busy == "preview" ? "Scoring every account…" : "Preview";

    public string BacktestLabel => Busy == "backtest" ? "Backtesting…" : "Backtest";

    public string PublishLabel => Busy == "publish" ? "Publishing…" : "Publish";

    /// <summary>The draft has changed since the preview shown was run.</summary>
    public bool PreviewStale => Preview is not null && Preview.Of != VersionOf(Yaml);

    /// <summary>The draft has changed since the backtest shown was run.</summary>
    public bool BacktestStale => Backtest is not null && Backtest.Of != VersionOf(Yaml);

    private DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>Checks the text and reads what the editor compares with: the published version, and the backtest dates its history allows.</summary>
    public void Load()
    {
        Check();
        using var db = store.Open();
        PublishedVersion = new ModelVersions(db, clock).Current()?.VersionId;
        var drafts = new DraftModel(db, new ModelVersions(db, clock));
        Defaults = drafts.DefaultBacktest(Request.Horizon, Request.Every);
        Names = drafts.Names();
        if (Defaults is not null)
        {
            (Request.From, Request.To) = (Defaults.From, Defaults.To);
        }
    }

    public static string VersionOf(string text) => ModelLoader.VersionId(text);

    private void Check()
    {
        try
        {
            Draft = ModelLoader.Load(Yaml, "model.yaml");
            Errors = [];
        }
        catch (ModelInvalidException e)
        {
            Draft = null;
            Errors = e.Errors;
        }
    }

    /// <summary>
    /// A change made with the form: applied to the valid draft and written back as the YAML (anew: comments are not
    /// kept), which is checked at once. A change that would make the model invalid is not made, and
    /// <see cref="FormProblem"/> says why. Nothing happens while the YAML has problems, is being checked or is published.
    /// </summary>
    public void Edit(Func<HealthModel, HealthModel> change)
    {
        if (Draft is not { } draft || Checking || Busy == "publish")
        {
            return;
        }
        var text = ModelWriter.Write(change(draft));
        try
        {
            Draft = ModelLoader.Load(text, "model.yaml");
        }
        catch (ModelInvalidException e)
        {
            FormProblem = "That change was not made: " + e.Errors[0].Message + ".";
            return;
        }
        FormProblem = null;
        Yaml = text;
        Errors = [];
    }

    /// <summary>Why the last change made with the form was not made, or null.</summary>
    public string? FormProblem { get; private set; }

    // Each measure's values across the accounts, with the value settings they were read for (SpreadKey).
    private readonly Dictionary<string, (string Key, MeasureSpread Spread)> spreads = new(StringComparer.Ordinal);

    private CancellationTokenSource? refreshing;

    /// <summary>Why the accounts' values could not be read, or null.</summary>
    public string? SpreadFailure { get; private set; }

    /// <summary>The values a measure of the draft has across the accounts now, or null while they are read (its value settings changed).</summary>
    public MeasureSpread? SpreadOf(string dimension, Measure measure) =>
        Draft is { } draft && spreads.TryGetValue(dimension + "." + measure.Id, out var s) && s.Key == SpreadKey(draft, measure) ? s.Spread : null;

    private static string SpreadKey(HealthModel model, Measure measure) =>
        model.Timezone + "|" + measure.ValidForDays + "|" + System.Text.Json.JsonSerializer.Serialize(measure.Value);

    /// <summary>
    /// After a change settles (a short pause), brings what the editor shows up to date with the draft: the values of
    /// the measures whose value settings changed are read across the accounts (what the curves are drawn over), and
    /// the draft is previewed (again, when a preview is shown and the draft has changed since). A later change
    /// restarts the wait; reading stops when the editor goes.
    /// </summary>
    /// <param name="user">The person editing, for the preview's turn.</param>
    /// <param name="changed">The draft was changed (false when the editor opens: nothing is previewed until it is).</param>
    public async Task Refresh(ClaimsPrincipal? user, bool changed = true)
    {
        if (!interactive)
        {
            return;
        }
        // The earlier wait is cancelled, not disposed: its read may still hold the token.
        refreshing?.Cancel();
        var mine = refreshing = new CancellationTokenSource();
        var token = mine.Token;
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(400), clock, token);
            if (Draft is { } draft && !Checking && draft.AllMeasures().Any(x => SpreadOf(x.Dimension.Id, x.Measure) is null))
            {
                var today = Today;
                var read = await Task.Run(() =>
                {
                    using var db = store.Open();
                    var drafts = new DraftModel(db, new ModelVersions(db, clock));
                    return drafts.Spreads(draft, drafts.PreviewDay(today), token);
                }, token);
                var measures = draft.AllMeasures().ToList();
                for (var i = 0; i < read.Count; i++)
                {
                    spreads[read[i].Dimension + "." + read[i].Measure] = (SpreadKey(draft, measures[i].Measure), read[i]);
                }
                SpreadFailure = null;
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (StoreException e)
        {
            SpreadFailure = "The accounts' values could not be read: " + e.Message;
        }
        // The preview follows the draft: run while the draft is not the one it shows (a change made while it runs is
        // caught by whichever refresh is still looping when it ends).
        while (!disposed && (Preview is null ? changed && !Unchanged : PreviewStale) && CanRun && user is not null && Rights.IsAdmin(user))
        {
            var before = Preview;
            await RunPreview(user);
            if (ReferenceEquals(before, Preview))
            {
                break;
            }
        }
    }

    /// <summary>A number the form sent, or null for anything that is not one.</summary>
    public static double? Number(object? value) =>
        double.TryParse(value as string, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    /// <summary>The text changed: it is checked once typing pauses, not on every key (a later change restarts the wait).</summary>
    public async Task TextChanged()
    {
        debounce?.Cancel();
        debounce?.Dispose();
        var mine = debounce = new CancellationTokenSource();
        Checking = true;
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(350), clock, mine.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        Check();
        Checking = false;
    }

    private bool Allowed(ClaimsPrincipal? user)
    {
        if (user is not null && Rights.IsAdmin(user))
        {
            return true;
        }
        Failure = "Only admins can preview, backtest and publish models here.";
        return false;
    }

    /// <summary>The caller's one turn at a preview or backtest (with the token that ends it), or null with the reason shown.</summary>
    private (IDisposable Turn, CancellationTokenSource Cancel)? StartRun(string what, ClaimsPrincipal? user)
    {
        if (user is null || runs.TryStart(Access.Caller(user)) is not { } turn)
        {
            Failure = $"The {what} did not run: {DraftRuns.AlreadyRunning} (in another tab or through the API).";
            return null;
        }
        var cancel = new CancellationTokenSource();
        running = cancel;
        return (turn, cancel);
    }

    private void EndRun((IDisposable Turn, CancellationTokenSource Cancel) run)
    {
        run.Turn.Dispose();
        if (running == run.Cancel)
        {
            running = null;
        }
        run.Cancel.Dispose();
    }

    /// <summary>Scores every account with the published model and the draft as of the latest scored day, storing nothing.</summary>
    public async Task RunPreview(ClaimsPrincipal? user)
    {
        if (Draft is null || Busy is not null || !Allowed(user))
        {
            return;
        }
        var (model, text, today) = (Draft, Yaml, Today);
        await Run("preview", user, (drafts, cancel) => drafts.Preview(model, VersionOf(text), drafts.PreviewDay(today), ShownChanges, cancel),
            (preview, current) => Preview = new PreviewShown(preview, VersionOf(text), current, model));
    }

    /// <summary>Backtests the published model and the draft on the same dates, as <see cref="Request"/> asks.</summary>
    public async Task RunBacktest(ClaimsPrincipal? user)
    {
        if (Draft is null || Busy is not null || !Allowed(user))
        {
            return;
        }
        if (Request.From is not { } f || Request.To is not { } t)
        {
            Failure = "Give the first and last dates of the backtest (under Backtest settings).";
            return;
        }
        var (model, text) = (Draft, Yaml);
        var options = new BacktestOptions(f, t, Request.Every, Request.Horizon, Request.Lapse);
        await Run("backtest", user, (drafts, cancel) => drafts.Backtest(model, VersionOf(text), options, cancel),
            (backtest, current) => Backtest = new BacktestShown(backtest, VersionOf(text), current, model));
    }

    /// <summary>
    /// Runs a what-if of the draft (`preview` or `backtest`) off the render thread on a connection of its own, one at a
    /// time per person: <paramref name="shown"/> takes its result beside the published model; a refusal of the store
    /// becomes <see cref="Failure"/>; a stopped run is noted and shows nothing.
    /// </summary>
    /// <param name="kind">`preview` or `backtest`, as <see cref="Busy"/> and the refusals name it.</param>
    /// <param name="user">The person asking.</param>
    /// <param name="work">The run, on the drafts of a store opened for it.</param>
    /// <param name="shown">Keeps the result, with the published model.</param>
    private async Task Run<T>(string kind, ClaimsPrincipal? user, Func<DraftModel, CancellationToken, T> work, Action<T, HealthModel> shown)
    {
        Failure = null;
        if (StartRun(kind, user) is not { } run)
        {
            return;
        }
        Busy = kind;
        var cancel = run.Cancel.Token;
        try
        {
            var (result, current) = await Task.Run(() =>
            {
                using var db = store.Open();
                var models = new ModelVersions(db, clock);
                return (work(new DraftModel(db, models), cancel), models.RequireCurrent().Model);
            }, cancel);
            shown(result, current);
        }
        catch (StoreException e)
        {
            Failure = $"The {kind} did not run: " + e.Message;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            runs.NoteStopped(kind);
        }
        finally
        {
            Busy = null;
            EndRun(run);
        }
    }

    /// <summary>
    /// Publishes the draft with its note: the new version's id, after which every account is to be scored again and
    /// the page reloaded (<see cref="PublishedAddress"/>); null when it was not published (and why is shown).
    /// </summary>
    public string? Publish(ClaimsPrincipal? user)
    {
        if (!CanPublish || !Allowed(user))
        {
            return null;
        }
        Busy = "publish";
        Failure = null;
        try
        {
            using var db = store.Open();
            return new ModelVersions(db, clock).Publish(Yaml, "model.yaml", Note.Trim()).VersionId;
        }
        catch (ModelInvalidException e)
        {
            Draft = null;
            Errors = e.Errors;
            Busy = null;
            return null;
        }
    }

    /// <summary>The Model page that says a version is published.</summary>
    public static string PublishedAddress(string version) => $"/model?published={Uri.EscapeDataString(version)}";

    /// <summary>The draft's parts and measures with what each counts for: points in a points model, else shares of the score and of the part.</summary>
    public IReadOnlyList<SummaryPart> Summary()
    {
        if (Draft is not { } draft)
        {
            return [];
        }
        var points = draft.Scale == ScaleKind.Points;
        var total = draft.Dimensions.Sum(d => d.Weight);
        return draft.Dimensions.Select(d =>
        {
            var measureTotal = d.Measures.Sum(m => m.Weight);
            return new SummaryPart(d.Id, d.Label, points ? Num(d.Measures.Sum(m => m.Points)) : ModelSentences.Share(d.Weight, total),
                d.Measures.Select(m => new SummaryMeasure(m.Id, m.Label, points ? Num(m.Points) : ModelSentences.Share(m.Weight, measureTotal))).ToList());
        }).ToList();
    }

    public bool PointsDraft => Draft?.Scale == ScaleKind.Points;

    public string SummaryCaption => PointsDraft ? "Points per part and measure" : "What each part counts for in the score, and its measures' shares of the part";

    public string SummaryFigure => PointsDraft ? "Points" : "Share";

    /// <summary>The preview's grades, the draft's first, each with its accounts now and with the draft.</summary>
    public IReadOnlyList<PreviewGrade> PreviewGrades()
    {
        if (Preview is not { } p)
        {
            return [];
        }
        return p.Draft.Grades.Select(g => g.Id).Concat(p.Current.Grades.Select(g => g.Id)).Distinct()
            .Select(g => new PreviewGrade(g, p.Draft.FindGrade(g) ?? p.Current.FindGrade(g), p.Result.Current.ByGrade.GetValueOrDefault(g), p.Result.Draft.ByGrade.GetValueOrDefault(g)))
            .ToList();
    }

    /// <summary>The preview's histogram: a line per tenth of the published model's scale, the bars scaled to the fullest tenth.</summary>
    public IReadOnlyList<HistogramRow> Histogram()
    {
        if (Preview is not { } p)
        {
            return [];
        }
        var (now, then) = (p.Result.Current.Histogram, p.Result.Draft.Histogram);
        var max = Math.Max(1, now.Concat(then).Max());
        var top = p.Current.MaxScore;
        return Enumerable.Range(0, now.Count)
            .Select(i => new HistogramRow(Num(top * i / 10), Num(top * (i + 1) / 10), now[i], then[i], Pct(now[i], max), Pct(then[i], max)))
            .ToList();
    }

    /// <summary>What the caption of the grade changes adds when not all are listed.</summary>
    public string ChangesShown => Preview?.Result is { } r && r.GradeChangesCount > ShownChanges ? $" (the first {ShownChanges} of {r.GradeChangesCount})" : "";

    /// <summary>The backtest's grades, the published model's first, with the churn rate in each.</summary>
    public IReadOnlyList<BacktestGradeRow> BacktestGrades()
    {
        if (Backtest is not { } b)
        {
            return [];
        }
        var (cur, dra) = (b.Result.Current, b.Result.Draft);
        return cur.ByGrade.Select(x => x.Grade).Union(dra.ByGrade.Select(x => x.Grade)).Select(g =>
        {
            var c = cur.ByGrade.FirstOrDefault(x => x.Grade == g);
            var d = dra.ByGrade.FirstOrDefault(x => x.Grade == g);
            return new BacktestGradeRow(g, c is null ? "—" : $"{Dashboard.Percent(c.ChurnRate)} of {c.Accounts:N0}", d is null ? "—" : $"{Dashboard.Percent(d.ChurnRate)} of {d.Accounts:N0}");
        }).ToList();
    }

    /// <summary>A grade the backtest names, as the draft defines it, else as the published model does.</summary>
    public Grade? BacktestGrade(string id) => Backtest?.Draft.FindGrade(id) ?? Backtest?.Current.FindGrade(id);

    /// <summary>Which model would have warned of churn better, by AUC (within 0.01 is "about as well").</summary>
    public static string Verdict(BacktestReport current, BacktestReport draft)
    {
        if (current.Auc is not { } c || draft.Auc is not { } d)
        {
            return "There is not enough churn in this period to judge the models: choose a longer period or a longer churn window.";
        }
        var diff = d - c;
        return Math.Abs(diff) < 0.01
            ? $"The draft warns of churn about as well as the published model (AUC {Num3(d)} against {Num3(c)})."
            : diff > 0
                ? $"The draft would have warned of churn better than the published model (AUC {Num3(d)} against {Num3(c)})."
                : $"The draft would have warned of churn less well than the published model (AUC {Num3(d)} against {Num3(c)}).";
    }

    /// <summary>A bar's width: 85% for the fullest.</summary>
    public static string Pct(int n, int max) => (85.0 * n / max).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    public static string Num(double v) => ModelSentences.Num(v);

    public static string Num3(double? v) => v?.ToString("0.000", CultureInfo.InvariantCulture) ?? "—";

    public static string Times(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) + "×" : "—";

    public static string Plural(int n, string what) => $"{n.ToString("N0", CultureInfo.InvariantCulture)} {what}{(n == 1 ? "" : "s")}";

    private bool disposed;

    public void Dispose()
    {
        disposed = true;
        debounce?.Cancel();
        debounce?.Dispose();
        refreshing?.Cancel();
        // The run disposes its own source when it ends; here it is only told to stop.
        running?.Cancel();
    }
}
