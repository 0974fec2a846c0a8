using System.Globalization;
using System.Security.Claims;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Jobs;

namespace CustomerHealth.Web.Components.Alerts;

/// <summary>
/// The Alert rules page (Pages/AlertRulesPage.razor) apart from its markup: the rules in force in words and as YAML,
/// who may replay or draft rules, what the form shows in its fields (the days and horizon the replay used, or as
/// posted when they are wrong; the draft), and the form's answer (<see cref="RulesForm"/>).
/// </summary>
internal sealed class AlertRulesPageModel(Dashboard dashboard, AlertBook book, DraftRuns runs, ClaimsPrincipal user, RulesFormInput posted, bool posting)
{
    private bool handled;

    public IReadOnlyList<RuleReading> InForce { get; private set; } = [];

    /// <summary>The rules in force as YAML (secrets sealed), or null when they cannot be read.</summary>
    public string? RulesYaml { get; private set; }

    /// <summary>Why the rules in force cannot be read, or null.</summary>
    public string? LoadError { get; private set; }

    public DateOnly? LatestScored { get; private set; }

    /// <summary>The form's answer, once it was posted and handled.</summary>
    public RulesFormAnswer? Answer { get; private set; }

    public bool MayReplay { get; } = Rights.CanManage(user);

    public bool IsAdmin { get; } = Rights.IsAdmin(user);

    // A form posted by someone who may not use it is still answered by its handler (with a clear refusal), so the form
    // is part of the page until the handler has run.
    public bool Posting => !handled && posting;

    /// <summary>The replay form is shown: to managers and admins, and to anyone whose post is being answered.</summary>
    public bool ShowReplay => MayReplay || Posting;

    /// <summary>The draft box is shown: to admins, and to anyone whose post of a draft is being answered.</summary>
    public bool ShowDraft => IsAdmin || (Posting && posted.Draft is not null);

    public DateOnly? DefaultFrom => RulesForm.DefaultFrom(LatestScored);

    // The days and horizon the replay used (the defaults filled in), or as posted when they are wrong, so they can be corrected.
    private (DateOnly? From, DateOnly? To, int Horizon, string? Error) Used => RulesForm.Range(posted with { Act = null, Draft = null }, LatestScored);

    public string FromValue => Used.Error is null ? Day(Used.From) : posted.From ?? "";

    public string ToValue => Used.Error is null ? Day(Used.To) : posted.To ?? "";

    public string HorizonValue => Used.Error is null ? Used.Horizon.ToString(CultureInfo.InvariantCulture) : posted.Horizon ?? "";

    // The box holds what was posted (or what the form put there), else the rules in force, else nothing.
    public string DraftText => Answer?.Draft ?? (Posting ? posted.Draft : null) ?? RulesYaml ?? "";

    public string ReplayHeading => Answer?.DraftRules is null ? "Replay of the rules in force" : "Replay of the draft (nothing was changed)";

    /// <summary>How long the replay took, as the page says it after the replay's span; nothing without a replay.</summary>
    public string Took => Answer?.Seconds is { } s ? $" The replay took {Dashboard.Number(s, "0.0")} s." : "";

    /// <summary>The tested draft's rules in words.</summary>
    public IReadOnlyList<RuleReading> DraftSentences => Answer?.DraftRules is { } draft ? RuleSentences.Read(draft, dashboard.Model) : [];

    public void Load()
    {
        try
        {
            InForce = RuleSentences.Read(book.Rules(), dashboard.Model);
            RulesYaml = book.RulesYaml();
        }
        catch (Exception e) when (e is StoreException or AlertRulesInvalidException)
        {
            LoadError = e.Message;
        }
        LatestScored = new ScoringRun(dashboard.Db, dashboard.Models).LatestDay() is { } latest
            ? DateOnly.ParseExact(latest, "yyyy-MM-dd", CultureInfo.InvariantCulture)
            : null;
    }

    /// <summary>Answers the posted form: a replay, a draft tested or put in force, or why not.</summary>
    public RulesFormAnswer Submit()
    {
        handled = true;
        Answer = RulesForm.Handle(posted, user, book, LatestScored, runs, dashboard.Clock);
        return Answer;
    }

    /// <summary>
    /// The noise table's lines, per rule: the rule with its cooldown, and when it has one, the same rule without it
    /// (<c>Without</c>, shown grey) to show what the cooldown saves.
    /// </summary>
    public static IEnumerable<IReadOnlyList<(RuleNoise Row, bool Without)>> NoiseRows(NoiseReport report) =>
        report.WithCooldown.Zip(report.WithoutCooldown, (with, without) =>
            with.CooldownDays > 0 ? new[] { (with, false), (without, true) } : [(with, false)]);

    public static string Day(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";
}
