using System.Text.Encodings.Web;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Antiforgery;
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
        HttpContext ctx, IAntiforgery antiforgery, AccessBook book, IPasswordHasher<AppUser> hasher, Sessions sessions, SignInThrottle throttle)
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
        if (throttle.Wait(book, keys) is { Ticks: > 0 } wait)
        {
            var seconds = (int)Math.Ceiling(wait.TotalSeconds);
            ctx.Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Page(ctx, antiforgery, returnUrl,
                $"Too many failed sign-ins for this user or from this address. Wait {seconds} second{(seconds == 1 ? "" : "s")} and try again.",
                StatusCodes.Status429TooManyRequests, email);
        }
        var user = string.IsNullOrWhiteSpace(email) ? null : book.User(email);
        var verdict = user is null || user.Disabled || string.IsNullOrEmpty(password)
            ? PasswordVerificationResult.Failed
            : hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (verdict == PasswordVerificationResult.Failed)
        {
            SignInThrottle.Failed(book, keys);
            // The same answer whether the e-mail or the password was wrong.
            return Page(ctx, antiforgery, returnUrl, "That e-mail and password do not match a user of this Customer Health.", StatusCodes.Status401Unauthorized, email);
        }
        SignInThrottle.Succeeded(book, keys);
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            book.SaveUser(user!.Email, user.Role, hasher.HashPassword(user, password!));
        }
        await sessions.SignInAsync(ctx, user!);
        // A CSM starts the day on their own list; the others on the portfolio.
        var home = user!.Role == Roles.Csm ? "/today" : "/";
        return TypedResults.Redirect(IsLocal(returnUrl) && returnUrl != "/" ? returnUrl! : home);
    }

    /// <summary>Only paths on this site, so a crafted link cannot send a user elsewhere after signing in.</summary>
    /// <remarks>
    /// A plain path: it starts with one `/`, and has no backslash, white space or control character (a browser drops a tab
    /// or a line break, so `/&lt;tab&gt;/evil.example` would lead to `//evil.example`).
    /// </remarks>
    internal static bool IsLocal(string? url) =>
        !string.IsNullOrEmpty(url) && url[0] == '/' && (url.Length == 1 || url[1] != '/')
        && url.All(c => c is > ' ' and < (char)0x7f and not '\\');

    /// <param name="ctx">The request.</param>
    /// <param name="antiforgery">Gives the form its anti-forgery token.</param>
    /// <param name="returnUrl">Where to go after signing in; kept only when it is a path on this site.</param>
    /// <param name="error">The message shown above the form, if any.</param>
    /// <param name="status">The response's status code.</param>
    /// <param name="email">What the person typed, kept when the form comes back with an error.</param>
    private static ContentHttpResult Page(HttpContext ctx, IAntiforgery antiforgery, string? returnUrl, string? error, int status, string? email = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(ctx);
        var h = HtmlEncoder.Default;
        var message = error is null ? "" : $"""<p class="error alert alert-danger" role="alert">{h.Encode(error)}</p>""";
        var sso = ctx.RequestServices.GetRequiredService<SingleSignOnSettings>();
        var target = h.Encode(IsLocal(returnUrl) ? returnUrl! : "/");
        var ssoButton = sso.Enabled
            ? $"""<p><a class="sso btn btn-primary w-100" href="{SingleSignOn.StartPath}?returnUrl={h.Encode(Uri.EscapeDataString(IsLocal(returnUrl) ? returnUrl! : "/"))}">Sign in with {h.Encode(sso.DisplayName)}</a></p>"""
            : "";
        var passwordForm = !sso.LocalPasswords ? "" :
            $"""
            {(sso.Enabled ? "<p class=\"text-secondary small text-center my-3\">Or with your e-mail and password:</p>" : "")}
            <form method="post" action="/signin">
            <input type="hidden" name="{h.Encode(tokens.FormFieldName)}" value="{h.Encode(tokens.RequestToken ?? "")}">
            <input type="hidden" name="returnUrl" value="{target}">
            <div class="mb-3"><label for="email" class="form-label">E-mail</label><input id="email" name="email" type="email" class="form-control" autocomplete="username" required{(email is null ? " autofocus" : "")} value="{h.Encode(email ?? "")}"></div>
            <div class="mb-3"><label for="password" class="form-label">Password</label><input id="password" name="password" type="password" class="form-control" autocomplete="current-password" required{(email is null ? "" : " autofocus")}></div>
            <button type="submit" class="btn {(sso.Enabled ? "btn-outline-primary" : "btn-primary")} w-100">Sign in</button></form>
            """;
        // The dashboard's own look (Bootstrap and app.css from this site, as the Content-Security-Policy allows), and no
        // script at all: the page works before anyone is signed in.
        return TypedResults.Content(
            $"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Sign in · Customer Health</title>
            <link rel="icon" type="image/svg+xml" href="/favicon.svg">
            <link rel="stylesheet" href="/lib/bootstrap/css/bootstrap.min.css">
            <link rel="stylesheet" href="/app.css"></head>
            <body class="bg-body-tertiary">
            <main class="signin-page container">
            <div class="card shadow-sm mx-auto signin-card"><div class="card-body p-4">
            <h1 class="h3 mb-1"><img src="/favicon.svg" alt="" width="28" height="28" class="me-2 align-text-bottom">Customer Health</h1>
            <p class="text-secondary mb-4">Sign in to see how your customers are doing.</p>{message}{ssoButton}{passwordForm}
            </div></div>
            </main></body></html>
            """, "text/html", System.Text.Encoding.UTF8, status);
    }
}
