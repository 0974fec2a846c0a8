using System.Collections.Concurrent;
using System.Security.Claims;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Sign-in sessions kept in the store. A cookie carries its session's id; on each request the session is checked
/// against the store (the answer kept for a few seconds, <see cref="ServerSettings.SessionCheck"/>), so signing out,
/// a new password, a role change, disabling or removing the user ends the sessions they had, on every server.
/// </summary>
internal sealed class Sessions(TimeProvider clock, ServerSettings settings)
{
    public const string SessionClaim = "chs:session";

    /// <summary>How long a session lives at most, however active: a stolen cookie does not live forever.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    private readonly ConcurrentDictionary<string, (AppUser? User, DateTimeOffset CheckedAt)> checkedSessions = new(StringComparer.Ordinal);

    /// <summary>Signs a stored user in: a new session in the store, and the cookie that names it.</summary>
    public async Task SignInAsync(HttpContext ctx, AppUser user)
    {
        var id = ctx.RequestServices.GetRequiredService<AccessBook>().StartSession(user.Email, Lifetime);
        await ctx.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, Access.UserPrincipal(user, id));
    }

    /// <summary>Ends the caller's session in the store and removes the cookie.</summary>
    public async Task SignOutAsync(HttpContext ctx)
    {
        if (ctx.User.FindFirstValue(SessionClaim) is { } id)
        {
            ctx.RequestServices.GetRequiredService<AccessBook>().EndSession(id);
            checkedSessions.TryRemove(id, out _);
        }
        await ctx.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
    }

    /// <summary>
    /// Whether a cookie's principal still stands: its session lives, its user is enabled and has the same role. The
    /// store is opened (by <paramref name="open"/>) only when the last look is older than the check interval.
    /// </summary>
    public bool Stands(ClaimsPrincipal principal, Func<StoreDb> open)
    {
        if (principal.FindFirstValue(SessionClaim) is not { } id)
        {
            return false;
        }
        var now = clock.GetUtcNow();
        if (!checkedSessions.TryGetValue(id, out var known) || now - known.CheckedAt >= settings.SessionCheck)
        {
            known = (new AccessBook(open(), clock).SessionUser(id), now);
            if (checkedSessions.Count > 10_000)
            {
                checkedSessions.Clear();
            }
            checkedSessions[id] = known;
        }
        return known.User is { } user
            && string.Equals(user.Email, principal.Identity?.Name, StringComparison.Ordinal)
            && principal.IsInRole(user.Role);
    }

    /// <summary>The cookie handler's check on every request.</summary>
    public static async Task Validate(CookieValidatePrincipalContext ctx)
    {
        var sessions = ctx.HttpContext.RequestServices.GetRequiredService<Sessions>();
        // The request's own connection to the store, which most requests open anyway.
        if (ctx.Principal is null || !sessions.Stands(ctx.Principal, () => ctx.HttpContext.RequestServices.GetRequiredService<StoreDb>()))
        {
            ctx.RejectPrincipal();
            await ctx.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }
    }
}

/// <summary>
/// A live dashboard connection (the model editor's) re-checks its session every half minute, so an ended session
/// does not keep working through a page left open.
/// </summary>
internal sealed class SessionRevalidation(ILoggerFactory logger, Sessions sessions, StoreAccess store) : RevalidatingServerAuthenticationStateProvider(logger)
{
    protected override TimeSpan RevalidationInterval => TimeSpan.FromSeconds(30);

    protected override Task<bool> ValidateAuthenticationStateAsync(AuthenticationState state, CancellationToken cancellationToken) =>
        Task.FromResult(state.User.FindFirstValue(Access.KindClaim) != "user" || Stands(state.User));

    private bool Stands(ClaimsPrincipal user)
    {
        StoreDb? db = null;
        try
        {
            return sessions.Stands(user, () => db = store.Open());
        }
        finally
        {
            db?.Dispose();
        }
    }
}
