using System.Security.Claims;
using CustomerHealth.Store.Access;

namespace CustomerHealth.Web.Components;

/// <summary>
/// What the signed-in person may change, so that pages show only the controls they can use (SPEC §10). The
/// endpoints behind the controls check the same roles again; hiding a control is courtesy, not protection.
/// </summary>
public static class UiAccess
{
    public static string Role(ClaimsPrincipal user) => Roles.All.FirstOrDefault(user.IsInRole) ?? "viewer";

    /// <summary>Admins: the model, the alert rules, users and keys.</summary>
    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    /// <summary>Admins and managers: overrides, every alert and task.</summary>
    public static bool CanManage(ClaimsPrincipal user) => user.IsInRole(Roles.Admin) || user.IsInRole(Roles.Manager);

    /// <summary>Admins, managers and CSMs: sentiment notes, their alerts and tasks.</summary>
    public static bool CanWork(ClaimsPrincipal user) => CanManage(user) || user.IsInRole(Roles.Csm);

    /// <summary>CSMs who are not also managers or admins: their alerts and tasks only (SPEC §10), on the pages and in the API.</summary>
    public static bool OnlyOwn(ClaimsPrincipal user) => user.IsInRole(Roles.Csm) && !CanManage(user);

    /// <summary>
    /// Who records sentiment on an account: managers and admins on any, a CSM on the accounts they own (SPEC §10). The
    /// page and the API both ask this.
    /// </summary>
    public static bool MayRecordSentiment(ClaimsPrincipal user, string? accountOwner) =>
        CanManage(user) || (user.IsInRole(Roles.Csm) && accountOwner is not null && user.Identity?.Name is { } me
            && string.Equals(accountOwner.Trim(), me.Trim(), StringComparison.OrdinalIgnoreCase));
}
