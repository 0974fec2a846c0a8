using System.Security.Claims;
using System.Text.Encodings.Web;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Signing in with the company's OpenID Connect provider (authorization code flow with PKCE). The provider only says
/// who the person is: the user is looked up (or created) in the store, and the session is the same cookie as a password
/// sign-in, made by <see cref="Sessions.SignInAsync"/> from the stored user. A refusal comes back to the sign-in page
/// as `?sso=REASON`, which the page turns into a message.
/// </summary>
internal static class SingleSignOn
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>Where the sign-in page's button goes to start the sign-in at the provider.</summary>
    public const string StartPath = "/signin/sso";

    /// <summary>Why a sign-in with the provider did not go through, as the sign-in page says it.</summary>
    private static readonly Dictionary<string, string> Reasons = new(StringComparer.Ordinal)
    {
        ["uninvited"] = "Your company account is not a user of this Customer Health yet. Ask an admin to invite you (add your e-mail address as a user).",
        ["disabled"] = "Your user of this Customer Health is disabled. Ask an admin if you should still have access.",
        ["no-email"] = "The identity provider did not tell which e-mail address your account has, so Customer Health cannot tell who you are. Ask your admin to release the email claim to this app.",
        ["unverified"] = "The identity provider says the e-mail address of your account is not verified, so it cannot be used to sign in here.",
        ["failed"] = "Signing in with your company account did not complete. Please try again.",
        ["unreachable"] = "The identity provider could not be reached. Please try again later, or tell an admin.",
    };

    /// <summary>The sign-in page's message for a refusal reason; null for anything else (the reason comes from the address).</summary>
    public static string? Message(string? reason) => reason is not null && Reasons.TryGetValue(reason, out var m) ? m : null;

    /// <summary>
    /// Registers the settings, and the OpenID Connect handler when `Oidc:Authority` is set. They are read while the app
    /// is put together (the arguments, `CHS_` variables and the settings file), because whether there is a handler at all
    /// depends on them; a wrong one stops the start.
    /// </summary>
    public static IServiceCollection AddChsSingleSignOn(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = SingleSignOnSettings.From(configuration);
        services.AddSingleton(settings);
        if (!settings.Enabled)
        {
            return services;
        }
        services.AddAuthentication().AddOpenIdConnect(Scheme, settings.DisplayName, o =>
        {
            o.Authority = settings.Authority!.ToString();
            o.ClientId = settings.ClientId;
            o.ClientSecret = settings.ClientSecret;
            o.RequireHttpsMetadata = !settings.IsLoopback;
            o.ResponseType = OpenIdConnectResponseType.Code;
            o.UsePkce = true;
            // The code comes back in the address of a top-level GET, which carries SameSite=Lax cookies; a form post from
            // the provider's site would need SameSite=None cookies, which browsers keep only over https.
            o.ResponseMode = OpenIdConnectResponseMode.Query;
            o.CorrelationCookie.SameSite = SameSiteMode.Lax;
            o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.NonceCookie.SameSite = SameSiteMode.Lax;
            o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Scope.Clear();
            foreach (var scope in (string[])["openid", "profile", "email", .. settings.Scopes])
            {
                o.Scope.Add(scope);
            }
            // Claims keep the names the provider gives (`email`, `roles`, `groups`), which is what the settings name.
            o.MapInboundClaims = false;
            o.GetClaimsFromUserInfoEndpoint = true;
            o.ClaimActions.MapUniqueJsonKey("preferred_username", "preferred_username");
            o.ClaimActions.MapUniqueJsonKey("email_verified", "email_verified");
            o.ClaimActions.MapJsonKey(settings.RoleClaim, settings.RoleClaim);
            o.SaveTokens = false;
            // Never used: every callback ends in OnTicketReceived, which signs in with the stored user itself.
            o.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            o.Events.OnRedirectToIdentityProvider = ctx =>
            {
                if (settings.RedirectBase is not null)
                {
                    ctx.ProtocolMessage.RedirectUri = new Uri(settings.RedirectBase, ctx.Options.CallbackPath.Value!.TrimStart('/')).ToString();
                }
                return Task.CompletedTask;
            };
            o.Events.OnTicketReceived = SignIn;
            o.Events.OnRemoteFailure = ctx =>
            {
                // The failure says what the provider or the exchange got wrong; it never holds the client secret.
                Logger(ctx.HttpContext).LogWarning("A sign-in with the identity provider failed: {Reason}", ctx.Failure?.Message);
                ctx.HandleResponse();
                ctx.Response.Redirect("/signin?sso=failed");
                return Task.CompletedTask;
            };
        });
        return services;
    }

    /// <summary>`GET /signin/sso` (when single sign-on is on): sends the person to the provider, to come back to <c>returnUrl</c>.</summary>
    public static IEndpointRouteBuilder MapSingleSignOn(this IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<SingleSignOnSettings>().Enabled)
        {
            return app;
        }
        app.MapGet(StartPath, async (HttpContext ctx, SingleSignOnSettings settings, string? returnUrl) =>
        {
            try
            {
                await ctx.ChallengeAsync(Scheme, new AuthenticationProperties { RedirectUri = SignInApi.IsLocal(returnUrl) ? returnUrl : "/" });
                return Results.Empty;
            }
            catch (Exception e) when (e is InvalidOperationException or HttpRequestException or IOException)
            {
                // The provider's metadata could not be read (the provider is down or the address is wrong).
                Logger(ctx).LogWarning("The identity provider {Authority} could not be reached: {Reason}", settings.Authority, e.Message);
                return Results.Redirect("/signin?sso=unreachable");
            }
        }).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The provider has said who the person is: find or create the user, apply a mapped role, and sign in with the
    /// stored user. Every way out handles the response, so the provider's own principal never becomes a session.
    /// </summary>
    private static async Task SignIn(TicketReceivedContext ctx)
    {
        ctx.HandleResponse();
        var http = ctx.HttpContext;
        var settings = http.RequestServices.GetRequiredService<SingleSignOnSettings>();
        var principal = ctx.Principal ?? new ClaimsPrincipal();
        var email = Email(principal);
        string? refusal = null;
        AppUser? user = null;
        if (email is null)
        {
            refusal = "no-email";
        }
        else if (string.Equals(principal.FindFirstValue("email_verified"), "false", StringComparison.OrdinalIgnoreCase))
        {
            refusal = "unverified";
        }
        else
        {
            var book = http.RequestServices.GetRequiredService<AccessBook>();
            var mapped = settings.MappedRole(principal.FindAll(settings.RoleClaim).Select(c => c.Value));
            user = book.User(email);
            if (user is null && (mapped ?? settings.DefaultRole) is { } role)
            {
                book.AddSingleSignOnUser(email, role);
            }
            else if (user is { Disabled: false } && mapped is not null && mapped != user.Role)
            {
                // A new role ends the sessions the person had; this sign-in starts a new one.
                book.SetRole(email, mapped);
            }
            // Read back, so that the session is made from the user as stored.
            user = book.User(email);
            refusal = user is null ? "uninvited" : user.Disabled ? "disabled" : null;
        }
        if (refusal is not null)
        {
            Logger(http).LogInformation("Refused a sign-in with the identity provider ({Reason}) for {Email}", refusal, email ?? "(no e-mail)");
            http.Response.Redirect("/signin?sso=" + refusal);
            return;
        }
        await http.RequestServices.GetRequiredService<Sessions>().SignInAsync(http, user!);
        // The session cookie is SameSite=Strict, and a browser does not send it on a redirect that the provider's site
        // started: a page of this site moves on instead, which the browser treats as a visit from this site.
        var target = SignInApi.IsLocal(ctx.ReturnUri) ? ctx.ReturnUri! : "/";
        var h = HtmlEncoder.Default.Encode(target);
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "text/html; charset=utf-8";
        await http.Response.WriteAsync(
            $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url={h}"><title>Signing in · Customer Health</title></head>
            <body><p>Signed in. <a href="{h}">Continue</a></p></body></html>
            """);
    }

    /// <summary>The person's e-mail address: the `email` claim, else `preferred_username` when that is an e-mail address.</summary>
    internal static string? Email(ClaimsPrincipal principal)
    {
        foreach (var claim in (string[])["email", "preferred_username"])
        {
            // 254 characters: the longest address that mail can carry (RFC 5321).
            if (principal.FindFirstValue(claim)?.Trim() is { Length: >= 3 and <= 254 } value && value.IndexOf('@', StringComparison.Ordinal) is > 0 and var at
                && at < value.Length - 1 && !value.Any(char.IsWhiteSpace))
            {
                return value;
            }
        }
        return null;
    }

    private static ILogger Logger(HttpContext ctx) =>
        ctx.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SingleSignOn).FullName!);
}
