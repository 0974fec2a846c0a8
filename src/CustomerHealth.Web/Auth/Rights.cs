using System.Security.Claims;
using CustomerHealth.Store.Access;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// What a signed-in person's role lets them change (SPEC §10). The pages ask so that they show only the controls a
/// person can use, and check again when a form is posted; the API asks where a policy alone cannot tell (a CSM's own
/// accounts). Hiding a control is courtesy, not protection.
/// </summary>
internal static class Rights
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

    /// <summary>A signed-in person (a cookie), not an API key.</summary>
    public static bool IsPerson(ClaimsPrincipal user) => user.FindFirstValue(Access.KindClaim) == "user";

    /// <summary>An API key that may write judgements, alerts and tasks: one with the ingest or admin scope (as the `sentiment` policy lets through).</summary>
    public static bool IsWritingKey(ClaimsPrincipal user) =>
        user.FindFirstValue(Access.KindClaim) == "key" && (user.HasClaim(Access.ScopeClaim, Scopes.Ingest) || user.HasClaim(Access.ScopeClaim, Scopes.Admin));

    /// <summary>
    /// Who records sentiment, notes, calls and meetings on an account: managers and admins on any, a CSM on the accounts
    /// they own (SPEC §10). The page and the API both ask this.
    /// </summary>
    public static bool MayRecordOn(ClaimsPrincipal user, string? accountOwner) =>
        CanManage(user) || (user.IsInRole(Roles.Csm) && accountOwner is not null && user.Identity?.Name is { } me
            && string.Equals(accountOwner.Trim(), me.Trim(), StringComparison.OrdinalIgnoreCase));
}
