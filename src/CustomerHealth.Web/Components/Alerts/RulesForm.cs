using System.Globalization;
using System.Security.Claims;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Jobs;

namespace CustomerHealth.Web.Components.Alerts;

/// <summary>The rules page's form as posted: what to do, the replay's days and horizon, and the admin's draft rules file.</summary>
internal sealed record RulesFormInput(string? Act, string? From, string? To, string? Horizon, string? Draft);

/// <summary>
/// What the rules page shows after its form: a refusal or an error (with the draft's problems, each at its line and
/// column), or a replay's report; the draft to show in the box again; whether rules were put in force.
/// </summary>
internal sealed record RulesFormAnswer
{
    public int Status { get; init; } = StatusCodes.Status200OK;

    public string? Error { get; init; }

    /// <summary>The draft's problems, each "line L, column C: what is wrong".</summary>
    public IReadOnlyList<string> Problems { get; init; } = [];

    public string? Notice { get; init; }

    public NoiseReport? Report { get; init; }

    /// <summary>The rules replayed: the draft's, when a draft was tested (shown in words beside the report).</summary>
    public AlertRuleSet? DraftRules { get; init; }

    /// <summary>How long the replay took, in seconds.</summary>
    public double? Seconds { get; init; }

    /// <summary>The draft to show in the box; null keeps the default (the rules in force).</summary>
    public string? Draft { get; init; }

    /// <summary>The rules put in force, by id, when the form did that.</summary>
    public IReadOnlyList<string>? PutInForce { get; init; }
}

/// <summary>
/// The rules page's form (SPEC §8, §10): managers and admins replay the rules in force over the scored history; admins
/// also replay a draft, put a draft in force (the checks and the handling of secrets of `PUT /api/v1/alerts/rules`),
/// or start a draft from the shipped rules. The replay is <see cref="AlertBook.Simulate"/>'s, shown as it reports it.
/// Nothing is stored unless a valid draft is put in force; every refusal says why.
/// </summary>
internal static class RulesForm
{
    /// <summary>The default replay: this many weeks of scored history up to the latest scored day (a few seconds on 2,000 accounts).</summary>
    public const int DefaultWeeks = 26;

    public const int DefaultHorizonDays = 90;

    /// <summary>Ten years: a horizon longer than any history only leaves every alert unjudged.</summary>
    public const int MaxHorizonDays = 3650;

    /// <summary>The file name the draft's problems are reported under.</summary>
    public const string DraftName = "the draft";

    public const string AlreadyRunning =
        "a replay, preview or backtest of yours is already running (in another tab or through the API); wait for it to finish and try again";

    /// <summary>The default replay's first day: <see cref="DefaultWeeks"/> weeks up to and including the latest scored day.</summary>
    public static DateOnly? DefaultFrom(DateOnly? latestScored) =>
        latestScored is { } latest ? DateOnly.FromDayNumber(Math.Max(0, latest.DayNumber - (7 * DefaultWeeks - 1))) : null;

    public static RulesFormAnswer Handle(RulesFormInput input, ClaimsPrincipal user, AlertBook book, DateOnly? latestScored, DraftRuns runs, TimeProvider clock)
    {
        var act = input.Act?.Trim();
        if (!Rights.CanManage(user))
        {
            return Refused($"You cannot replay or change the alert rules: your role ({Rights.Role(user)}) can read the rules in force but not replay them. " +
                "Ask a manager or an admin.");
        }
        if (act is "test" or "set" or "shipped" && !Rights.IsAdmin(user))
        {
            var what = act == "set" ? "put rules in force" : "work on a draft of the rules";
            return Refused($"You cannot {what}: only admins change the alert rules; as a {Rights.Role(user)} you can replay the rules in force. Ask an admin.", input.Draft);
        }
        switch (act)
        {
            case "shipped":
                return new RulesFormAnswer { Draft = AlertBook.ShippedRules, Notice = "The box holds the shipped rules: edit them, test them, and put them in force when they suit you." };
            case "set":
                return PutInForce(input.Draft, book);
            case "replay" or "test":
                break;
            default:
                return Bad("Choose what to do: replay the rules in force, or (admins) test or put in force the draft.", input.Draft);
        }
        AlertRuleSet rules;
        AlertRuleSet? draftRules = null;
        if (act == "test")
        {
            if (string.IsNullOrWhiteSpace(input.Draft))
            {
                return Bad("The box is empty: paste a rules file (YAML) into it, or start from the shipped rules.", input.Draft);
            }
            if (Read(() => book.ValidateDraft(input.Draft, DraftName), input.Draft, out var read) is { } refused)
            {
                return refused;
            }
            rules = draftRules = read!;
        }
        else
        {
            try
            {
                rules = book.Rules();
            }
            catch (Exception e) when (e is StoreException or AlertRulesInvalidException)
            {
                return new RulesFormAnswer { Status = StatusCodes.Status409Conflict, Error = $"The rules in force cannot be read, so they cannot be replayed: {e.Message}", Draft = input.Draft };
            }
            if (rules.Rules.Count == 0)
            {
                return new RulesFormAnswer
                {
                    Draft = input.Draft,
                    Notice = "No rules are in force, so there is nothing to replay." +
                        (Rights.IsAdmin(user) ? " Start from the shipped rules below and test them." : " An admin can put rules in force on this page."),
                };
            }
        }
        var (from, to, horizon, rangeError) = Range(input, latestScored);
        if (rangeError is not null)
        {
            return Bad(rangeError, input.Draft);
        }
        using var turn = runs.TryStart(Web.Auth.Access.Caller(user));
        if (turn is null)
        {
            return new RulesFormAnswer { Status = StatusCodes.Status429TooManyRequests, Error = $"The replay did not run: {AlreadyRunning}.", Draft = input.Draft };
        }
        var started = clock.GetTimestamp();
        try
        {
            var report = book.Simulate(rules, from!.Value, to!.Value, horizon);
            return new RulesFormAnswer { Report = report, DraftRules = draftRules, Seconds = clock.GetElapsedTime(started).TotalSeconds, Draft = input.Draft };
        }
        catch (StoreException e)
        {
            return Bad($"The replay did not run: {e.Message}.", input.Draft);
        }
    }

    /// <summary>The replay's days and horizon from the form, the defaults where a field is empty; or what is wrong with them.</summary>
    public static (DateOnly? From, DateOnly? To, int Horizon, string? Error) Range(RulesFormInput input, DateOnly? latestScored)
    {
        if (!TryDay(input.From, out var from))
        {
            return (null, null, 0, $"The first day (from) is not a date: “{Shown(input.From)}”. Pick a day in the calendar, or write it as YYYY-MM-DD.");
        }
        if (!TryDay(input.To, out var to))
        {
            return (null, null, 0, $"The last day (to) is not a date: “{Shown(input.To)}”. Pick a day in the calendar, or write it as YYYY-MM-DD.");
        }
        var horizon = DefaultHorizonDays;
        if (!string.IsNullOrWhiteSpace(input.Horizon)
            && (!int.TryParse(input.Horizon.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out horizon) || horizon is < 1 or > MaxHorizonDays))
        {
            return (null, null, 0, $"The horizon must be a whole number of days from 1 to {MaxHorizonDays.ToString("N0", CultureInfo.InvariantCulture)}, such as 90; “{Shown(input.Horizon)}” is not.");
        }
        to ??= latestScored;
        from ??= DefaultFrom(to);
        if (from is null || to is null)
        {
            return (null, null, 0, "Nothing is scored yet, so there is no history to replay the rules on. Score the history first (chs score --from D1 --to D2 --every 7d).");
        }
        if (from > to)
        {
            return (null, null, 0, $"The first day ({Text(from.Value)}) is after the last ({Text(to.Value)}): swap them.");
        }
        return (from, to, horizon, null);
    }

    private static RulesFormAnswer PutInForce(string? draft, AlertBook book)
    {
        if (string.IsNullOrWhiteSpace(draft))
        {
            return Bad("The box is empty: paste a rules file (YAML) into it, or start from the shipped rules. (To stop every rule, put in force `rules: []`.)", draft);
        }
        if (Read(() => book.SetRules(draft, DraftName), draft, out var rules) is { } refused)
        {
            return refused;
        }
        return new RulesFormAnswer { PutInForce = rules!.Rules.Select(r => r.Id).ToList() };
    }

    /// <summary>Reads (and, for put in force, stores) a draft; a refusal names every problem, each at its line and column.</summary>
    private static RulesFormAnswer? Read(Func<AlertRuleSet> read, string? draft, out AlertRuleSet? rules)
    {
        rules = null;
        try
        {
            rules = read();
            return null;
        }
        catch (AlertRulesInvalidException e)
        {
            return new RulesFormAnswer
            {
                Status = StatusCodes.Status400BadRequest,
                Error = $"The draft is refused ({e.Errors.Count.ToString("N0", CultureInfo.InvariantCulture)} problem{(e.Errors.Count == 1 ? "" : "s")}); nothing was changed. Fix {(e.Errors.Count == 1 ? "it" : "each")} and try again:",
                Problems = e.Errors.Select(p => $"line {p.Line.ToString(CultureInfo.InvariantCulture)}, column {p.Column.ToString(CultureInfo.InvariantCulture)}: {p.Message}").ToList(),
                Draft = draft,
            };
        }
        catch (StoreException e)
        {
            // The file reads, but does not fit the published model (a grade or measure it does not have).
            return new RulesFormAnswer
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Error = $"The draft does not fit the published model, so nothing was changed: {Unprefixed(e.Message)}.",
                Draft = draft,
            };
        }
    }

    private static string Unprefixed(string message) => message.StartsWith(DraftName + ": ", StringComparison.Ordinal) ? message[(DraftName.Length + 2)..] : message;

    private static bool TryDay(string? text, out DateOnly? day)
    {
        day = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            day = d;
            return true;
        }
        return false;
    }

    /// <summary>A posted value quoted back in a message: short, and without control characters.</summary>
    private static string Shown(string? text)
    {
        var clean = new string((text ?? "").Where(c => !char.IsControl(c)).Take(40).ToArray());
        return (text?.Length ?? 0) > 40 ? clean + "…" : clean;
    }

    private static string Text(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static RulesFormAnswer Refused(string message, string? draft = null) =>
        new() { Status = StatusCodes.Status403Forbidden, Error = message + " Nothing was changed.", Draft = draft };

    private static RulesFormAnswer Bad(string message, string? draft) => new() { Status = StatusCodes.Status400BadRequest, Error = message, Draft = draft };
}
