using System.Globalization;
using System.Security.Claims;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Accounts;
using CustomerHealth.Web.Auth;

namespace CustomerHealth.Web.Components.Accounts;

/// <summary>
/// What a form on the Account page did: the address to go to next (and whether the account is to be scored again),
/// or why it was refused.
/// </summary>
internal sealed record AccountOutcome(string? Next, string? Refusal, bool Rescore = false)
{
    public static AccountOutcome GoTo(string url, bool rescore = false) => new(url, null, rescore);

    public static AccountOutcome Refused(string why) => new(null, why);
}

/// <summary>
/// The Account page (Pages/AccountPage.razor) apart from its markup: the account, its score's breakdown in the units
/// of the model that scored it, its history and signals, the comparison of two days (those asked for, else the latest
/// score against the one a trend before), who may record sentiment or set the score by hand and what those forms do,
/// and the words and chart the page shows.
/// </summary>
internal sealed class AccountPageModel(
    Dashboard dashboard, AccountReader accounts, AccountTimeline timeline, AlertBook book, Importer importer, OverrideBook overrides,
    ClaimsPrincipal user, string id)
{
    /// <summary>The sentiment ratings a person picks from, with their words.</summary>
    /// <summary>The kinds of touch a person picks from, with their words.</summary>
    public static readonly (string Value, string Label)[] TouchKinds = [.. Core.Signals.TouchRecord.Kinds.Select(k => (k, AccountTimeline.Touch(k)))];

    public static readonly (string Value, string Label)[] Ratings = [("1", "1 · very worried"), ("2", "2"), ("3", "3 · fine"), ("4", "4"), ("5", "5 · excellent")];

    /// <summary>The account, or null when there is none with this id.</summary>
    public AccountDetail? Detail { get; private set; }

    public IReadOnlyList<HistoryPoint> History { get; private set; } = [];

    public IReadOnlyList<TimelineItem> Timeline { get; private set; } = [];

    public IReadOnlyList<AlertView> Alerts { get; private set; } = [];

    public IReadOnlyList<TaskView> Tasks { get; private set; } = [];

    /// <summary>The comparison of the two days, or null (no history, or <see cref="ChangeError"/>).</summary>
    public ScoreChange? Change { get; private set; }

    /// <summary>Why the two days were not compared, or null.</summary>
    public string? ChangeError { get; private set; }

    /// <summary>The days compared, as the form shows them: those asked for, or the defaults.</summary>
    public string? FromDay { get; private set; }

    public string? ToDay { get; private set; }

    /// <summary>Whether the model of the shown score counts points (`scale: points`) rather than weights.</summary>
    public bool PointsMode { get; private set; }

    public string Name => Detail?.Name ?? id;

    public bool MayRecordSentiment => Detail is not null && Rights.MayRecordOn(user, Detail.Profile.Owner);

    public bool MayOverride => Rights.CanManage(user);

    /// <summary>The share of the model the score rests on, when it is not all of it; null when it is.</summary>
    public double? PartCoverage => Detail?.Coverage is { } coverage && coverage < 0.9995 ? coverage : null;

    /// <summary>When and with what the account was scored: "Scored on D with model version V, scorecard “S”", or "Not scored yet".</summary>
    public string ScoredLine => Detail is not { } d ? ""
        : (d.AsOf is { Length: > 0 } ? $"Scored on {d.AsOf} with model version {d.ModelVersion}" : "Not scored yet") + (d.Scorecard is { Length: > 0 } sc ? $", scorecard “{sc}”" : "");

    /// <summary>Reads the account and what the page shows of it, comparing the days asked for (`from`, `to`); false when there is no such account.</summary>
    public bool Load(string? from, string? to)
    {
        Detail = accounts.Show(id);
        if (Detail is null)
        {
            return false;
        }
        // The breakdown is in the units of the model that scored it, which may be older than the published one.
        PointsMode = (Detail.ModelVersion is { } version ? dashboard.Models.ModelOf(version) : dashboard.Model)?.Scale == ScaleKind.Points;
        History = accounts.History(id) ?? [];
        Timeline = timeline.Read(id) ?? [];
        Alerts = book.Alerts(accountId: id);
        Tasks = book.Tasks(accountId: id);
        Compare(from, to);
        return true;
    }

    /// <summary>The comparison of two dates: those asked for, else the latest score against the one about a month before.</summary>
    private void Compare(string? fromText, string? toText)
    {
        if (History.Count == 0)
        {
            return;
        }
        var latest = DateOnly.ParseExact(History[^1].AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var to = ParseDay(toText) ?? latest;
        var from = ParseDay(fromText) ?? to.AddDays(-(dashboard.Model?.TrendDays ?? 30));
        (FromDay, ToDay) = (Iso(from), Iso(to));
        if (from > to)
        {
            ChangeError = "“From” is after “To”: swap the dates.";
            return;
        }
        try
        {
            Change = accounts.Explain(id, from, to);
        }
        catch (StoreException e)
        {
            ChangeError = e.Message;
        }
    }

    /// <summary>A day as a form sends it (yyyy-MM-dd), or null for anything else.</summary>
    public static DateOnly? ParseDay(string? s) =>
        DateOnly.TryParseExact(s, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    private static string Iso(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>What the page says after a form did its work (the `saved` of its address).</summary>
    public static string? SavedMessage(string? saved) => saved switch
    {
        "sentiment" => "Sentiment saved; the score follows within seconds.",
        "touch" => "Saved; it is on the signals below and in Notes.",
        "touch-task" => "Saved, with its follow-up task; both are below.",
        "override" => "The score is set by hand until the day you gave.",
        _ => null,
    };

    private string Address(string saved) => $"/accounts/{Uri.EscapeDataString(id)}?saved={saved}";

    /// <summary>The sentiment form: a rating from 1 to 5 and a note, by the account's owner, a manager or an admin; the score follows.</summary>
    public AccountOutcome SaveSentiment(string? rating, string? note)
    {
        if (!Rights.MayRecordOn(user, accounts.Owner(id)))
        {
            return AccountOutcome.Refused(Rights.CanWork(user) ? "A CSM records sentiment on the accounts they own; ask the owner or a manager." : "Only CSMs, managers and admins record sentiment.");
        }
        var r = importer.RecordSentiment(id, rating, note, user.Identity?.Name);
        if (!r.Applied)
        {
            return AccountOutcome.Refused($"The sentiment was not saved: {r.Errors[0].Field}: {r.Errors[0].Reason}");
        }
        return AccountOutcome.GoTo(Address("sentiment"), rescore: true);
    }

    /// <summary>
    /// The note form: a note, call, meeting or e-mail on a day (today when left out) with what was said, and an optional
    /// follow-up task for the author (or whoever they name) by a day; the same checks as the API (Accounts/TouchWork).
    /// </summary>
    public AccountOutcome SaveTouch(string? kind, string? on, string? text, string? followUp, string? dueOn)
    {
        var outcome = new TouchWork(user, accounts, importer, book, dashboard.Clock)
            .Record(id, kind, on, text, new FollowUp(followUp, null, dueOn));
        if (!outcome.Recorded)
        {
            return AccountOutcome.Refused(outcome.NotYours ? Capitalised(outcome.Problem!) + "." : $"The note was not saved: {Field(outcome.Field!)} {outcome.Problem}.");
        }
        return AccountOutcome.GoTo(Address(outcome.TaskId is null ? "touch" : "touch-task"), rescore: true);
    }

    // The form's words for the fields the checks name.
    private static string Field(string field) => field switch
    {
        "occurred_on" => "the day",
        "follow_up.title" or "follow_up" => "the follow-up",
        "follow_up.due_on" => "the follow-up's day",
        "follow_up.assignee" => "the follow-up's assignee",
        _ => "the " + field,
    };

    private static string Capitalised(string text) => text.Length == 0 ? text : char.ToUpperInvariant(text[0]) + text[1..];

    /// <summary>The override form: a grade or a score (not both), why, and the day it ends; managers and admins only.</summary>
    public AccountOutcome SaveOverride(string? grade, double? score, string? reason, string? until)
    {
        if (!Rights.CanManage(user))
        {
            return AccountOutcome.Refused("Only managers and admins set a score by hand.");
        }
        grade = string.IsNullOrWhiteSpace(grade) ? null : grade;
        if ((score is null) == (grade is null))
        {
            return AccountOutcome.Refused("Give either a grade or a score, not both.");
        }
        if (ParseDay(until) is not { } ends)
        {
            return AccountOutcome.Refused("Give the day the override ends.");
        }
        try
        {
            overrides.Add(id, score, grade, reason ?? "", ends);
        }
        catch (StoreException e)
        {
            return AccountOutcome.Refused(e.Message.Replace("--", "", StringComparison.Ordinal));
        }
        return AccountOutcome.GoTo(Address("override"));
    }

    /// <summary>The changes between the two days worth a line (a twentieth of a point or more), the largest first.</summary>
    public IEnumerable<ContributionChange> ShownCauses => (Change?.Changes ?? []).Where(c => Math.Abs(c.Change) >= 0.05).OrderByDescending(c => Math.Abs(c.Change));

    /// <summary>The grade's move between the two days (", grade a → b"), or nothing when it stayed.</summary>
    public string GradeMove => Change is { } c && c.FromGrade != c.ToGrade ? $", grade {c.FromGrade ?? "none"} → {c.ToGrade ?? "none"}" : "";

    /// <summary>The score over time: a line (a lone score as a point with its value), dashed lines where the model changed, and the grades as bands.</summary>
    public object HistoryChart()
    {
        var history = History;
        var changes = history.Where(h => h.ModelChanged).Select(h => new { xAxis = h.AsOf, label = new { formatter = "model " + h.ModelVersion[..Math.Min(8, h.ModelVersion.Length)] } }).ToArray();
        var bands = dashboard.Grades.OrderBy(g => g.Min).ToList();
        // A line needs two points: a lone score is drawn as a point with its value beside it.
        var single = history.Count(h => h.Score is not null) == 1;
        object[] data = single
            ? history.Select(h => h.Score is { } s ? new { value = (double?)s, label = new { show = true, position = "top", formatter = Dashboard.Score(s) } } : (object)new { value = (double?)null }).ToArray()
            : history.Select(h => (object)h.Score!).ToArray();
        return new
        {
            grid = new { left = 40, right = 20, top = 20, bottom = 30 },
            tooltip = new { trigger = "axis" },
            xAxis = new { type = "category", data = history.Select(h => h.AsOf).ToArray() },
            yAxis = new { type = "value", min = 0, max = 100 },
            series = new object[]
            {
                new
                {
                    name = "Score", type = "line", showSymbol = single, symbolSize = single ? 10 : 4, data,
                    markLine = new { symbol = "none", lineStyle = new { type = "dashed", color = "#6c757d" }, data = changes },
                    markArea = new
                    {
                        silent = true,
                        data = bands.Select((g, i) => new object[]
                        {
                            new { yAxis = g.Min, itemStyle = new { color = g.SafeColor, opacity = 0.08 } },
                            new { yAxis = i + 1 < bands.Count ? bands[i + 1].Min : 100 },
                        }).ToArray(),
                    },
                },
            },
        };
    }

    /// <summary>The score over time in words, for whoever does not see the chart.</summary>
    public string HistoryDescription()
    {
        var scored = History.Where(h => h.Score is not null).ToList();
        return scored.Count == 0
            ? "No scores yet."
            : $"Score from {scored[0].AsOf} ({Dashboard.Score(scored[0].Score)}) to {scored[^1].AsOf} ({Dashboard.Score(scored[^1].Score)}), lowest {Dashboard.Score(scored.Min(h => h.Score))}, highest {Dashboard.Score(scored.Max(h => h.Score))}; {History.Count(h => h.ModelChanged)} model changes.";
    }

    /// <summary>
    /// A part's share of the score: a weight in percent, or in points mode the points it can give (an effective weight
    /// there is points / 100).
    /// </summary>
    public string Share(double w) => PointsMode ? Dashboard.Number(w * 100, "0.#") : Dashboard.Number(w * 100, "0") + "%";

    /// <summary>The width of a contribution's bar, in pixels: two per point, within 0 to 100 points.</summary>
    public static int Bar(double contribution) => (int)Math.Round(Math.Clamp(contribution, 0, 100) * 2);

    public static string Value(MeasureExplanation m) => m.Missing ? "—" : Format(m.Value);

    public static string Format(object? v) => v switch
    {
        null => "—",
        double d => Dashboard.Number(d, "0.##"),
        float f => Dashboard.Number(f, "0.##"),
        _ => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "—",
    };

    public static string ToneClass(string tone) => tone switch { "good" => "text-bg-success", "bad" => "text-bg-danger", _ => "text-bg-secondary" };

    /// <summary>The badge color of an alert's severity.</summary>
    public static string SeverityTone(string severity) => severity == "high" ? "danger" : severity == "medium" ? "warning" : "secondary";
}
