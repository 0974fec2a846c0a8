using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace CustomerHealth.Web.Tests.Auth;

/// <summary>
/// A real OpenID Connect provider (OpenIddict's server, in degraded mode: no database, one client checked here) on a
/// loopback port over plain HTTP, with ephemeral keys. Its authorize page is a small form where the test says who signs
/// in: an e-mail address and the person's groups. The e-mail goes in the identity token; the groups only in the access
/// token and so the userinfo answer, as many providers do.
/// </summary>
public sealed class TestIdentityProvider : IAsyncLifetime
{
    public const string ClientId = "customer-health";

    /// <summary>The claim that carries a person's groups.</summary>
    public const string GroupsClaim = "groups";

    private readonly ConcurrentDictionary<string, bool> redirectUris = new(StringComparer.Ordinal);
    private WebApplication? app;

    /// <summary>A fresh secret per run, so that a test passes only when the app really sends it.</summary>
    public string ClientSecret { get; } = "secret-" + Guid.NewGuid().ToString("N");

    /// <summary>The issuer, e.g. http://127.0.0.1:40123/.</summary>
    public string Authority { get; private set; } = "";

    /// <summary>How many codes were redeemed with the right secret and verifier.</summary>
    public int TokensIssued => tokensIssued;

    private int tokensIssued;

    /// <summary>Registers an app's callback address with the client; requests for any other are refused.</summary>
    public void AllowRedirect(string uri) => redirectUris[uri] = true;

    public async Task InitializeAsync()
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Services.AddOpenIddict().AddServer(o =>
        {
            o.SetAuthorizationEndpointUris("connect/authorize").SetTokenEndpointUris("connect/token").SetUserInfoEndpointUris("connect/userinfo");
            o.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange();
            o.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, GroupsClaim);
            o.AddEphemeralEncryptionKey().AddEphemeralSigningKey();
            o.EnableDegradedMode();
            o.UseAspNetCore().DisableTransportSecurityRequirement()
                .EnableAuthorizationEndpointPassthrough().EnableTokenEndpointPassthrough().EnableUserInfoEndpointPassthrough();
            // Degraded mode has no client store: the one client is checked here.
            o.AddEventHandler<ValidateAuthorizationRequestContext>(h => h.UseInlineHandler(ctx =>
            {
                if (ctx.ClientId != ClientId)
                {
                    ctx.Reject(Errors.InvalidClient, "unknown client_id");
                }
                else if (ctx.RedirectUri is null || !redirectUris.ContainsKey(ctx.RedirectUri))
                {
                    ctx.Reject(Errors.InvalidRequest, "redirect_uri not registered");
                }
                return default;
            }));
            o.AddEventHandler<ValidateTokenRequestContext>(h => h.UseInlineHandler(ctx =>
            {
                if (ctx.Request.ClientId != ClientId || ctx.Request.ClientSecret != ClientSecret)
                {
                    ctx.Reject(Errors.InvalidClient, "wrong client credentials");
                }
                return default;
            }));
        });
        app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/connect/authorize", (HttpContext ctx) => Form(ctx));
        app.MapPost("/connect/authorize", (Delegate)Authorize);
        app.MapPost("/connect/token", (Delegate)(async (HttpContext ctx) =>
        {
            var code = await ctx.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            Interlocked.Increment(ref tokensIssued);
            return Results.SignIn(code.Principal!, null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }));
        app.MapMethods("/connect/userinfo", ["GET", "POST"], (Delegate)(async (HttpContext ctx) =>
        {
            var token = await ctx.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
            var p = token.Principal!;
            var info = new Dictionary<string, object> { [Claims.Subject] = p.GetClaim(Claims.Subject)! };
            if (p.GetClaim(Claims.Email) is { } email)
            {
                info[Claims.Email] = email;
            }
            info[GroupsClaim] = p.GetClaims(GroupsClaim).ToArray();
            return Results.Json(info);
        }));
        await app.StartAsync();
        Authority = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/";
    }

    public async Task DisposeAsync()
    {
        if (app is not null)
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    /// <summary>The provider's sign-in page: who signs in, posted back with the request's own parameters.</summary>
    private static IResult Form(HttpContext ctx)
    {
        var h = HtmlEncoder.Default;
        var hidden = string.Concat(ctx.Request.Query.Select(p => $"""<input type="hidden" name="{h.Encode(p.Key)}" value="{h.Encode(p.Value.ToString())}">"""));
        return Results.Content(
            $"""
            <!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title></head>
            <body><h1>Test identity provider</h1><form method="post" action="/connect/authorize">{hidden}
            <label for="person">Person's e-mail</label><input id="person" name="person_email">
            <label for="groups">Groups (comma-separated)</label><input id="groups" name="person_groups">
            <label><input type="checkbox" name="person_unverified" value="1"> E-mail not verified</label>
            <button type="submit">Continue</button></form></body></html>
            """, "text/html");
    }

    private static async Task<IResult> Authorize(HttpContext ctx)
    {
        var request = ctx.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("not an OpenID Connect request");
        var form = await ctx.Request.ReadFormAsync();
        var email = form["person_email"].ToString().Trim();
        var groups = form["person_groups"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var identity = new ClaimsIdentity(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, "sub-" + email).SetClaim(Claims.Name, email);
        if (email.Length > 0)
        {
            identity.SetClaim(Claims.Email, email);
            identity.AddClaim(new Claim(Claims.EmailVerified, form["person_unverified"] == "1" ? "false" : "true", ClaimValueTypes.Boolean));
        }
        identity.SetClaims(GroupsClaim, [.. groups]);
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(c => c.Type == GroupsClaim ? [Destinations.AccessToken] : [Destinations.AccessToken, Destinations.IdentityToken]);
        return Results.SignIn(new ClaimsPrincipal(identity), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }
}
