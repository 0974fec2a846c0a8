using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;

namespace CustomerHealth.Web;

/// <summary>The page a signed-in person lands on: who they are, where the API and its description are, signing out.</summary>
internal static class Home
{
    public static IEndpointRouteBuilder MapHome(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext ctx, IAntiforgery antiforgery) =>
        {
            var tokens = antiforgery.GetAndStoreTokens(ctx);
            var h = HtmlEncoder.Default;
            return TypedResults.Content(
                $"""
                <!DOCTYPE html>
                <html lang="en"><head><meta charset="utf-8"><title>Customer Health</title></head>
                <body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto">
                <h1>Customer Health</h1>
                <p>Signed in as {h.Encode(ctx.User.Identity?.Name ?? "")}.</p>
                <ul><li><a href="/api/v1/portfolio">The portfolio</a> and <a href="/api/v1/accounts?sort=score">the accounts, least healthy first</a> (JSON)</li>
                <li><a href="/openapi/v1.json">The API's description</a> (OpenAPI)</li></ul>
                <form method="post" action="/signout"><input type="hidden" name="{h.Encode(tokens.FormFieldName)}" value="{h.Encode(tokens.RequestToken ?? "")}"><button>Sign out</button></form>
                </body></html>
                """, "text/html", System.Text.Encoding.UTF8);
        }).ExcludeFromDescription();
        return app;
    }
}
