using System.Security.Claims;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// API writes by a signed-in person (a cookie, not a key) must come from this site's own pages. The session cookie is
/// `SameSite=Strict`, but a page on the same host at another port counts as the same site and could still have the
/// browser send it. So such a write is refused when the browser says it came from elsewhere (`Sec-Fetch-Site`, `Origin`),
/// and when its body has a type an HTML form can send (form fields, multipart, `text/plain`). The Segment-compatible
/// endpoints take API keys only.
/// </summary>
internal static class CrossSite
{
    public static IApplicationBuilder UseCrossSiteChecks(this IApplicationBuilder app) =>
        app.Use(async (ctx, next) =>
        {
            if (Refusal(ctx) is { } reason)
            {
                await TypedResults.Problem(title: "Refused", detail: reason, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(ctx);
                return;
            }
            await next(ctx);
        });

    private static string? Refusal(HttpContext ctx)
    {
        var request = ctx.Request;
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || HttpMethods.IsOptions(request.Method))
        {
            return null;
        }
        var api = request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
        var segment = request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase);
        if (!(api || segment) || request.Headers.Authorization.Count > 0 || ctx.User.FindFirstValue(Access.KindClaim) != "user")
        {
            return null;
        }
        if (segment)
        {
            return "The Segment-compatible endpoints take an API key (HTTP Basic, the key as user name), not a signed-in session.";
        }
        var site = request.Headers["Sec-Fetch-Site"].ToString();
        if (site.Length > 0 && site is not ("same-origin" or "none"))
        {
            return $"A write with your sign-in must come from this site's own pages (the browser says it came from a {site} page).";
        }
        var origin = request.Headers.Origin.ToString();
        if (origin.Length > 0 && !SameOrigin(origin, ctx))
        {
            return $"A write with your sign-in must come from this site's own pages, not from {origin}.";
        }
        if (request.ContentType is { Length: > 0 } type && FormType(type))
        {
            return $"A write with your sign-in must send JSON (or the YAML the endpoint takes), not {type.Split(';')[0]}.";
        }
        return null;
    }

    private static bool SameOrigin(string origin, HttpContext ctx)
    {
        if (!Uri.TryCreate(origin, UriKind.Absolute, out var o))
        {
            return false;
        }
        var own = new Uri($"{ctx.Request.Scheme}://{ctx.Request.Host}");
        var pub = ctx.RequestServices.GetRequiredService<ServerSettings>().PublicUrl;
        return Same(o, own) || (pub is not null && Same(o, pub));
    }

    private static bool Same(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && string.Equals(a.Host, b.Host, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port;

    /// <summary>The body types an HTML form can send without the page asking the server first.</summary>
    private static bool FormType(string contentType)
    {
        var media = contentType.Split(';')[0].Trim();
        return media.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase)
            || media.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase)
            || media.Equals("text/plain", StringComparison.OrdinalIgnoreCase);
    }
}
