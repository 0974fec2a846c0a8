using System.Security.Claims;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Identity;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Who may do what (SPEC §10). People sign in with a cookie; machines send an API key as a bearer token (or, for
/// Segment-compatible calls, as the Basic user name). Every endpoint needs one or the other unless it says otherwise.
/// </summary>
internal static class Access
{
    public const string KeyScheme = "ApiKey";
    public const string EitherScheme = "CookieOrKey";

    /// <summary>Policies by what they protect.</summary>
    public const string Read = "read";
    public const string Ingest = "ingest";
    public const string Admin = "admin";
    public const string Manage = "manage";
    public const string Sentiment = "sentiment";

    public const string KindClaim = "chs:kind";
    public const string ScopeClaim = "chs:scope";
    public const string KeyIdClaim = "chs:key";

    public static IServiceCollection AddChsAccess(this IServiceCollection services)
    {
        services.AddSingleton<IPasswordHasher<AppUser>, PasswordHasher<AppUser>>();
        services.AddSingleton<Sessions>();
        services.AddSingleton<SignInThrottle>();
        services.AddScoped<Microsoft.AspNetCore.Components.Authorization.AuthenticationStateProvider, SessionRevalidation>();
        // The keys that protect the cookies live in the store, under one application name whatever folder the server
        // runs from: the servers of one store accept each other's cookies, and a restart signs nobody out.
        services.AddDataProtection().SetApplicationName("customer-health");
        services.AddOptions<KeyManagementOptions>().Configure<StoreAccess>((o, store) => o.XmlRepository = new StoreKeyRing(store));
        services.AddAuthentication(EitherScheme)
            .AddPolicyScheme(EitherScheme, "Cookie or API key", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.Authorization.Count > 0 ? KeyScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/signin";
                o.LogoutPath = "/signout";
                o.Cookie.Name = "chs_session";
                o.Cookie.HttpOnly = true;
                // Strict: a page on another site cannot make the browser send the session with a request here.
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(12);
                // Machines get status codes, people get the sign-in page.
                o.Events.OnRedirectToLogin = ctx => Refuse(ctx, StatusCodes.Status401Unauthorized);
                o.Events.OnRedirectToAccessDenied = ctx => Refuse(ctx, StatusCodes.Status403Forbidden);
                o.Events.OnValidatePrincipal = Sessions.Validate;
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(KeyScheme, null);
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder(EitherScheme).RequireAuthenticatedUser().Build())
            .AddPolicy(Read, p => p.RequireAssertion(c => Allows(c.User, Scopes.Read, Roles.All)))
            .AddPolicy(Ingest, p => p.RequireAssertion(c => Allows(c.User, Scopes.Ingest, [Roles.Admin, Roles.Manager])))
            .AddPolicy(Admin, p => p.RequireAssertion(c => Allows(c.User, null, [Roles.Admin])))
            .AddPolicy(Manage, p => p.RequireAssertion(c => Allows(c.User, null, [Roles.Admin, Roles.Manager])))
            .AddPolicy(Sentiment, p => p.RequireAssertion(c => Allows(c.User, Scopes.Ingest, [Roles.Admin, Roles.Manager, Roles.Csm])));
        return services;
    }

    /// <summary>A key passes with the scope (or `admin`); a person passes with one of the roles.</summary>
    private static bool Allows(ClaimsPrincipal user, string? scope, IReadOnlyList<string> roles)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }
        return user.FindFirstValue(KindClaim) == "key"
            ? user.HasClaim(ScopeClaim, Scopes.Admin) || (scope is not null && user.HasClaim(ScopeClaim, scope))
            : roles.Any(user.IsInRole);
    }

    /// <summary>A signed-in person: their e-mail, role and the id of the stored session the cookie belongs to.</summary>
    public static ClaimsPrincipal UserPrincipal(AppUser user, string sessionId) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, user.Email), new Claim(ClaimTypes.Role, user.Role), new Claim(KindClaim, "user"), new Claim(Sessions.SessionClaim, sessionId)],
            CookieAuthenticationDefaults.AuthenticationScheme));

    public static ClaimsPrincipal KeyPrincipal(ApiKeyInfo key) =>
        new(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, "key:" + key.Name), new Claim(KindClaim, "key"), new Claim(KeyIdClaim, key.KeyId),
                .. key.Scopes.Select(s => new Claim(ScopeClaim, s))],
            KeyScheme));

    /// <summary>Who is calling, for the rate limits and for the author of what they write.</summary>
    public static string Caller(ClaimsPrincipal user) =>
        user.FindFirstValue(KeyIdClaim) is { } key ? "key:" + key : user.Identity?.Name ?? "anonymous";

    private static Task Refuse(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        if (ctx.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase) || ctx.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase) || ctx.Request.Path.StartsWithSegments("/openapi", StringComparison.OrdinalIgnoreCase))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }
}
