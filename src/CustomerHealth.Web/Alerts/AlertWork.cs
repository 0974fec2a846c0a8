using System.Security.Claims;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Reading;
using CustomerHealth.Web.Auth;

namespace CustomerHealth.Web.Alerts;

/// <summary>
/// Who may work which alert and task (SPEC §10), and what a change to one must hold: the one rule the Alerts page
/// and the API both ask. Managers and admins work all of them, and so does an API key that may write (ingest or admin
/// scope); a CSM the alerts of the accounts they own, the tasks assigned to them or on their accounts, and new tasks
/// on their accounts; viewers and read keys none. A snooze ends on a day after today (UTC), and a task is assigned
/// to a person's e-mail address.
/// </summary>
internal sealed class AlertWork
{
    private readonly ClaimsPrincipal user;
    private readonly AccountReader accounts;
    private readonly Dictionary<string, string?> owners = new(StringComparer.Ordinal);

    public AlertWork(ClaimsPrincipal user, AccountReader accounts, TimeProvider clock)
    {
        this.user = user;
        this.accounts = accounts;
        Today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        Email = user.Identity?.Name ?? "";
        Role = Rights.Role(user);
        All = Rights.CanManage(user) || Rights.IsWritingKey(user);
        Any = All || Rights.CanWork(user);
    }

    public string Email { get; }

    public string Role { get; }

    public DateOnly Today { get; }

    /// <summary>May act on every alert and task.</summary>
    public bool All { get; }

    /// <summary>May act on some: CSMs on their own, managers, admins and writing keys on all.</summary>
    public bool Any { get; }

    private bool Csm => Rights.OnlyOwn(user);

    /// <summary>Whether a person (an owner, an assignee) is the caller, however the import spelled the address's case.</summary>
    public bool Mine(string? person) =>
        person is not null && Email.Length > 0 && string.Equals(person.Trim(), Email.Trim(), StringComparison.OrdinalIgnoreCase);

    public bool MayAct(AlertView alert) => All || (Csm && Mine(alert.Owner));

    public bool MayWork(TaskView task) => All || (Csm && (Mine(task.Assignee) || Mine(OwnerOf(task.AccountId))));

    public bool MayCreateTaskOn(string accountId) => All || (Csm && Mine(OwnerOf(accountId)));

    /// <summary>Why the caller may not do what they asked, in words they can act on.</summary>
    public string Refusal(string what) => Any
        ? $"You cannot {what}: as a CSM you work on the alerts and tasks of the accounts you own and the tasks assigned to you. Ask the account's owner or a manager."
        : $"You cannot {what}: your role ({Role}) can read alerts and tasks but not change them. Ask a manager or an admin for a CSM or manager account.";

    /// <summary>Whether a snooze may end on a day, today being the caller's (<see cref="AlertLifecycle.SnoozeMayEnd"/>).</summary>
    public bool SnoozeMayEnd(DateOnly until) => AlertLifecycle.SnoozeMayEnd(until, Today);

    private string? OwnerOf(string accountId)
    {
        if (!owners.TryGetValue(accountId, out var owner))
        {
            owners[accountId] = owner = accounts.Owner(accountId);
        }
        return owner;
    }
}
