using System.Security.Claims;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;

namespace CustomerHealth.Web.Accounts;

/// <summary>A task to follow a touch up: what to do, for whom (an e-mail address; the author when left out and a person) and by when.</summary>
/// <param name="Title">What to do.</param>
/// <param name="Assignee">Who does it; the person recording the touch when left out.</param>
/// <param name="DueOn">By when (yyyy-MM-dd), if there is a day.</param>
internal sealed record FollowUp(string? Title, string? Assignee, string? DueOn);

/// <summary>What recording a touch did: the task it opened, or why it was refused (the field, the problem, and whether the account is unknown or not the caller's).</summary>
internal sealed record TouchOutcome(bool Recorded, long? TaskId, string? Field, string? Problem, bool NotFound = false, bool NotYours = false)
{
    public static TouchOutcome Refused(string field, string problem) => new(false, null, field, problem);
}

/// <summary>
/// Recording a note, call, meeting or e-mail on an account, with an optional follow-up task: the Account page's form
/// and `POST /api/v1/accounts/{id}/touches` ask the same checks here, and nothing lands unless all of them pass.
/// </summary>
internal sealed class TouchWork(ClaimsPrincipal user, AccountReader accounts, Importer importer, AlertBook book, TimeProvider clock)
{
    /// <summary>Records the touch now or on the day given (not after today); then opens the follow-up task when it has a title.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="kind">note, call, meeting or email.</param>
    /// <param name="on">The day it happened (yyyy-MM-dd); today when left out.</param>
    /// <param name="text">What was said or agreed.</param>
    /// <param name="followUp">A task to open with it, if any.</param>
    public TouchOutcome Record(string accountId, string? kind, string? on, string? text, FollowUp? followUp)
    {
        if (accounts.Key(accountId) is null)
        {
            return new TouchOutcome(false, null, "account_id", $"no account `{accountId}`", NotFound: true);
        }
        // A person as their role allows; otherwise only a key that may write (a read-only key posting the page's form may not).
        if (Rights.IsPerson(user) ? !Rights.MayRecordOn(user, accounts.Owner(accountId)) : !Rights.IsWritingKey(user))
        {
            return new TouchOutcome(false, null, "account_id",
                Rights.CanWork(user) ? "a CSM records notes on the accounts they own; ask the owner or a manager" : "only CSMs, managers and admins record notes",
                NotYours: true);
        }
        DateOnly? day = null;
        if (!string.IsNullOrWhiteSpace(on))
        {
            if (Day(on) is not { } d)
            {
                return TouchOutcome.Refused("occurred_on", $"must be a day as yyyy-MM-dd, got `{Shorten(on)}`");
            }
            // A day ahead of UTC is still today somewhere.
            if (d > DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(1))
            {
                return TouchOutcome.Refused("occurred_on", $"is {d:yyyy-MM-dd}, after today: record a touch once it has happened (a task is for what is planned)");
            }
            day = d;
        }
        if (string.IsNullOrWhiteSpace(kind) || !TouchRecord.Kinds.Contains(kind.Trim().ToLowerInvariant()))
        {
            return TouchOutcome.Refused("kind", $"must be one of {string.Join(", ", TouchRecord.Kinds)}" + (string.IsNullOrWhiteSpace(kind) ? "" : $", got `{Shorten(kind)}`"));
        }
        string? title = null, assignee = null;
        DateOnly? due = null;
        if (followUp is not null && !string.IsNullOrWhiteSpace(followUp.Title))
        {
            title = followUp.Title.Trim();
            // Left out, the task is the author's when the author is a person (an API key's name is not an assignee).
            assignee = string.IsNullOrWhiteSpace(followUp.Assignee) ? (AlertLifecycle.IsAssignee(Author) ? Author : null) : followUp.Assignee.Trim();
            if (FieldLimits.Task(title, assignee, [], null) is { } refused)
            {
                return TouchOutcome.Refused("follow_up." + refused.Field, refused.Problem);
            }
            if (!AlertLifecycle.IsAssignee(assignee))
            {
                return TouchOutcome.Refused("follow_up.assignee", $"must be a person's e-mail address (`{Shorten(assignee!)}` is not one)");
            }
            if (!string.IsNullOrWhiteSpace(followUp.DueOn))
            {
                due = Day(followUp.DueOn);
                if (due is null)
                {
                    return TouchOutcome.Refused("follow_up.due_on", $"must be a day as yyyy-MM-dd, got `{Shorten(followUp.DueOn)}`");
                }
            }
        }
        else if (followUp is not null && (!string.IsNullOrWhiteSpace(followUp.DueOn) || !string.IsNullOrWhiteSpace(followUp.Assignee)))
        {
            return TouchOutcome.Refused("follow_up.title", "is required for a follow-up task (what is to be done)");
        }
        var r = importer.RecordTouch(accountId, kind.Trim().ToLowerInvariant(), day, text, Author);
        if (!r.Applied)
        {
            var e = r.Errors[0];
            return TouchOutcome.Refused(e.Field, e.Reason);
        }
        long? task = null;
        if (title is not null)
        {
            try
            {
                task = book.CreateTask(accountId, title, assignee, due, []);
            }
            catch (StoreException e)
            {
                return new TouchOutcome(true, null, "follow_up", $"the touch was recorded but the task was not opened: {e.Message}");
            }
        }
        return new TouchOutcome(true, task, null, null);
    }

    // A person is the author; an API key records for a system, named by the key.
    private string? Author => user.Identity?.Name;

    private static DateOnly? Day(string text) =>
        DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var d) ? d : null;

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
