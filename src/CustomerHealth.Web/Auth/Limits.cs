using System.Globalization;
using System.Threading.RateLimiting;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Request rate per caller (an API key, a signed-in user, or else the remote address): a token bucket refilled every
/// second; a caller over it gets 429 with Retry-After. Body size is limited in <see cref="Api.Bodies"/>.
/// </summary>
internal static class Limits
{
    public static IServiceCollection AddChsLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(o =>
        {
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(ctx =>
            {
                var settings = ctx.RequestServices.GetRequiredService<ServerSettings>();
                var caller = ctx.User.Identity?.IsAuthenticated == true
                    ? Access.Caller(ctx.User)
                    : "ip:" + ctx.Connection.RemoteIpAddress;
                return RateLimitPartition.GetTokenBucketLimiter(caller, _ => new TokenBucketRateLimiterOptions
                {
                    TokenLimit = settings.Burst,
                    TokensPerPeriod = settings.RequestsPerSecond,
                    ReplenishmentPeriod = TimeSpan.FromSeconds(1),
                    QueueLimit = 0,
                    AutoReplenishment = true,
                });
            });
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, token) =>
            {
                var wait = ctx.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? Math.Max(1, (int)Math.Ceiling(retry.TotalSeconds)) : 1;
                ctx.HttpContext.Response.Headers.RetryAfter = wait.ToString(CultureInfo.InvariantCulture);
                await TypedResults.Problem(
                    title: "Too many requests",
                    detail: $"This caller sent more than {ctx.HttpContext.RequestServices.GetRequiredService<ServerSettings>().RequestsPerSecond} requests a second; try again in {wait} s.",
                    statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(ctx.HttpContext);
            };
        });
        return services;
    }

    /// <summary>The usual security headers on every response.</summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((ctx, next) =>
        {
            var h = ctx.Response.Headers;
            h.XContentTypeOptions = "nosniff";
            h.XFrameOptions = "DENY";
            h["Referrer-Policy"] = "no-referrer";
            h["Cross-Origin-Opener-Policy"] = "same-origin";
            h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()";
            h.ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
            if (ctx.Request.IsHttps)
            {
                h.StrictTransportSecurity = "max-age=31536000";
            }
            return next();
        });
}
