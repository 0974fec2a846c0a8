using System.Text.Encodings.Web;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace CustomerHealth.Web.Auth;

/// <summary>The sign-in page and signing out: plain forms, protected against cross-site request forgery.</summary>
internal static class SignInApi
{
    public static IEndpointRouteBuilder MapSignIn(this IEndpointRouteBuilder app)
    {
        app.MapGet("/signin", (HttpContext ctx, IAntiforgery antiforgery, string? returnUrl, string? sso) =>
                Page(ctx, antiforgery, returnUrl, SingleSignOn.Message(sso), StatusCodes.Status200OK))
            .AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/signin", SignIn).AllowAnonymous().DisableAntiforgery().ExcludeFromDescription();
        app.MapPost("/signout", async (HttpContext ctx, IAntiforgery antiforgery, Sessions sessions) =>
        {
            if (!await ValidForm(ctx, antiforgery))
            {
                return Results.BadRequest();
            }
            // The session ends in the store: a copy of the cookie kept elsewhere no longer signs anyone in.
            await sessions.SignOutAsync(ctx);
            return TypedResults.Redirect("/signin");
        }).DisableAntiforgery().ExcludeFromDescription();
        return app;
    }

    /// <summary>A form posted from this site's own page: form content with a valid anti-forgery token.</summary>
    private static async Task<bool> ValidForm(HttpContext ctx, IAntiforgery antiforgery)
    {
        if (!ctx.Request.HasFormContentType)
        {
            return false;
        }
        try
        {
            await antiforgery.ValidateRequestAsync(ctx);
            return true;
        }
        catch (AntiforgeryValidationException)
        {
            return false;
        }
    }

    private static async Task<IResult> SignIn(
        HttpContext ctx, IAntiforgery antiforgery, StoreDb db, TimeProvider clock, IPasswordHasher<AppUser> hasher, Sessions sessions, SignInThrottle throttle)
    {
        if (!ctx.RequestServices.GetRequiredService<SingleSignOnSettings>().LocalPasswords)
        {
            return Page(ctx, antiforgery, null, "Passwords are turned off here: sign in with the button below.", StatusCodes.Status403Forbidden);
        }
        if (!await ValidForm(ctx, antiforgery))
        {
            return Page(ctx, antiforgery, null, "The sign-in form had expired or did not come from this site; please try again.", StatusCodes.Status400BadRequest);
        }
        var form = await ctx.Request.ReadFormAsync();
        string? email = form["email"], password = form["password"], returnUrl = form["returnUrl"];
        var keys = string.IsNullOrWhiteSpace(email) ? [SignInThrottle.AddressKey(ctx)] : new[] { SignInThrottle.UserKey(email), SignInThrottle.AddressKey(ctx) };
        // While a wait is on, not even the right password is tried: guessing gets no faster by being right.
        if (throttle.Wait(db, keys) is { Ticks: > 0 } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page(ctx, antiforgery, returnUrl,
                $"Too many failed sign-ins for this user or from this address. Wait {seconds} second{(seconds == 1 ? "" : "s")} and try again.",
                StatusCodes.Status429TooManyRequests, email);
        }
        var user = string.IsNullOrWhiteSpace(email) ? null : new AccessBook(db, clock).User(email);
        var verdict = user is null || user.Disabled || string.IsNullOrEmpty(password)
            ? PasswordVerificationResult.Failed
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            throttle.Failed(db, keys);
            // The same answer whether the e-mail or the password was wrong.
            return Page(ctx, antiforgery, returnUrl, "That e-mail and password do not match a user of this Customer Health.", StatusCodes.Status401Unauthorized, email);
        }
        throttle.Succeeded(db, keys);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            new AccessBook(db, clock).SaveUser(user!.Email, user.Role, hasher.HashPassword(user, password!));
        }
        await sessions.SignInAsync(ctx, user!);
        return TypedResults.Redirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>Only paths on this site, so a crafted link cannot send a user elsewhere after signing in.</summary>
    /// <remarks>
    /// A plain path: it starts with one `/`, and has no backslash, white space or control character (a browser drops a tab
    /// or a line break, so `/<tab>/evil.example` would lead to `//evil.example`).
    /// </remarks>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || url[1] != '/')
        && url.All(c => c is > ' ' and < (char)0x7f and not '\\');

    /// <param name="email">What the person typed, kept when the form comes back with an error.</param>
    private static ContentHttpResult Page(HttpContext ctx, IAntiforgery antiforgery, string? returnUrl, string? error, int status, string? email = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(ctx);
        var h = HtmlEncoder.Default;
        var message = error is null ? "" : $"""<p class="error" role="alert">{h.Encode(error)}</p>""";
        var sso = ctx.RequestServices.GetRequiredService<SingleSignOnSettings>();
        var target = h.Encode(IsLocal(returnUrl) ? returnUrl! : "/");
        var ssoButton = sso.Enabled
            ? $"""<p><a class="sso" href="{SingleSignOn.StartPath}?returnUrl={h.Encode(Uri.EscapeDataString(IsLocal(returnUrl) ? returnUrl! : "/"))}">Sign in with {h.Encode(sso.DisplayName)}</a></p>"""
            : "";
        var passwordForm = !sso.LocalPasswords ? "" :
            $"""
            {(sso.Enabled ? "<p>Or with your e-mail and password:</p>" : "")}
            <form method="post" action="/signin">
            <input type="hidden" name="{h.Encode(tokens.FormFieldName)}" value="{h.Encode(tokens.RequestToken ?? "")}">
            <input type="hidden" name="returnUrl" value="{target}">
            <label for="email">E-mail</label><input id="email" name="email" type="email" autocomplete="username" required{(email is null ? " autofocus" : "")} value="{h.Encode(email ?? "")}">
            <label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required{(email is null ? "" : " autofocus")}>
            <button type="submit">Sign in</button></form>
            """;
        return TypedResults.Content(
            $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · Customer Health</title>
            <style>body{"{"}font-family:system-ui,sans-serif;max-width:24rem;margin:4rem auto;padding:0 1rem{"}"}
            label,input,button{"{"}display:block;width:100%;margin:.4rem 0{"}"}input{"{"}padding:.5rem{"}"}button{"{"}padding:.6rem{"}"}.error{"{"}color:#b00020{"}"}
            a.sso{"{"}display:block;text-align:center;padding:.6rem;border:1px solid #1a56db;border-radius:4px;background:#1a56db;color:#fff;text-decoration:none{"}"}</style></head>
            <body><h1>Customer Health</h1><p>Sign in to see how your customers are doing.</p>{message}{ssoButton}{passwordForm}</body></html>
            """, "text/html", System.Text.Encoding.UTF8, status);
    }
}
