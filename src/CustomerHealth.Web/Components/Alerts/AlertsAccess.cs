using System.Security.Claims;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Alerts;

namespace CustomerHealth.Web.Components.Alerts;

/// <summary>
/// Who may work which alert and task (SPEC §10): managers and admins all of them; a CSM the alerts of the accounts
/// they own, the tasks assigned to them or on their accounts, and new tasks on their accounts; viewers none. The
/// page asks before it shows a form and again before it acts on one.
/// </summary>
internal sealed class AlertsAccess(ClaimsPrincipal user, IReadOnlySet<string> ownedAccounts)
{
    public string Email { get; } = user.Identity?.Name ?? "";

    public string Role { get; } = UiAccess.Role(user);

    /// <summary>May act on every alert and task.</summary>
    public bool All { get; } = UiAccess.CanManage(user);

    /// <summary>May act on some: CSMs on their own, managers and admins on all.</summary>
    public bool Any { get; } = UiAccess.CanWork(user);

    private bool Csm => UiAccess.OnlyOwn(user);

    public bool Mine(string? person) => person is not null && string.Equals(person.Trim(), Email, StringComparison.OrdinalIgnoreCase);

    public bool MayAct(AlertView alert) => All || (Csm && (Mine(alert.Owner) || ownedAccounts.Contains(alert.AccountId)));

    public bool MayWork(TaskView task) => All || (Csm && (Mine(task.Assignee) || ownedAccounts.Contains(task.AccountId)));

    public bool MayCreateTaskOn(string accountId) => All || (Csm && ownedAccounts.Contains(accountId));

    /// <summary>Why the signed-in person may not do what they asked, in words they can act on.</summary>
    public string Refusal(string what) => Any
        ? $"You cannot {what}: as a CSM you work on the alerts and tasks of the accounts you own and the tasks assigned to you. Ask the account's owner or a manager."
        : $"You cannot {what}: your role ({Role}) can read alerts and tasks but not change them. Ask a manager or an admin for a CSM or manager account.";
}
