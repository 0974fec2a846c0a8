using CustomerHealth.Web.Tests.Hostile;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Auth;

/// <summary>
/// Who may call each endpoint (SPEC §10), read from what the app maps: every endpoint's effective authorization —
/// anonymous, the policies it requires, or the fallback (any signed-in person or key) — against the table below. An
/// endpoint whose authorization changes, or that is added without a line here, fails naming it.
/// </summary>
public sealed class EndpointPoliciesTests : IDisposable
{
    private readonly TestApp app = new(TestEngine.Sqlite);

    public void Dispose() => app.Dispose();

    /// <summary>What the authorization middleware does for an endpoint, in words.</summary>
    private static string Effective(Endpoint e)
    {
        if (e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
        {
            return "anonymous";
        }
        var parts = e.Metadata.GetOrderedMetadata<IAuthorizeData>()
            .Select(d => string.Join(" ", new[]
                {
                    d.Policy is null ? null : "policy " + d.Policy, d.Roles is null ? null : "roles " + d.Roles,
                    d.AuthenticationSchemes is null ? null : "schemes " + d.AuthenticationSchemes,
                }.OfType<string>()) is { Length: > 0 } s ? s : "signed in")
            .Concat(e.Metadata.GetOrderedMetadata<AuthorizationPolicy>().Select(_ => "a policy object"))
            .Concat(e.Metadata.GetOrderedMetadata<IAuthorizationRequirementData>().Select(_ => "requirements"))
            .ToList();
        return parts.Count == 0 ? "fallback" : string.Join(" + ", parts);
    }

    /// <summary>The endpoint's methods and route; the static files that need no sign-in by name, the others as one.</summary>
    private static string Key(RouteEndpoint e) => EndpointShapes.Key(e) is "static file" && Effective(e) == "anonymous"
        ? "static file " + e.RoutePattern.RawText
        : EndpointShapes.Key(e);

    [Fact]
    public void EveryEndpoint_HasTheAuthorizationOfItsRole()
    {
        _ = app.Server;
        var mapped = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .GroupBy(Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => string.Join(" / ", g.Select(Effective).Distinct(StringComparer.Ordinal)), StringComparer.Ordinal);

        var wrong = mapped.Where(m => Expected.TryGetValue(m.Key, out var policy) && policy != m.Value).Select(m => $"{m.Key}: {m.Value}, expected {Expected[m.Key]}").ToList();
        wrong.ShouldBeEmpty();
        mapped.Keys.Except(Expected.Keys).ShouldBeEmpty("endpoints without a line in the table");
        Expected.Keys.Except(mapped.Keys).ShouldBeEmpty("lines of the table without an endpoint");
    }

    private static readonly Dictionary<string, string> Expected = new(StringComparer.Ordinal)
    {
        ["* /_blazor"] = "policy read",
        ["* /_blazor/disconnect/"] = "policy read",
        ["* /_blazor/initializers/"] = "policy read",
        ["* /_blazor/negotiate"] = "policy read",
        ["GET /_framework/opaque-redirect"] = "policy read",
        ["GET /accounts.csv"] = "policy read",
        ["GET /api/v1/accounts"] = "policy read",
        ["GET /api/v1/accounts/{id}"] = "policy read",
        ["GET /api/v1/accounts/{id}/explain"] = "policy read",
        ["GET /api/v1/accounts/{id}/history"] = "policy read",
        ["GET /api/v1/alerts"] = "policy read",
        ["GET /api/v1/alerts/rules"] = "policy read",
        ["GET /api/v1/deliveries"] = "policy read",
        ["GET /api/v1/model"] = "policy read",
        ["GET /api/v1/model/versions"] = "policy read",
        ["GET /api/v1/portfolio"] = "policy read",
        ["GET /api/v1/sources"] = "policy read",
        ["GET /api/v1/touches"] = "policy read",
        ["GET /api/v1/tasks"] = "policy read",
        ["GET /health"] = "anonymous",
        ["GET /openapi/{documentName}.json"] = "fallback",
        ["GET /segments/at-risk.csv"] = "policy read",
        ["GET /signin"] = "anonymous",
        ["GET|HEAD {**path:file}"] = "fallback",
        ["GET|POST /"] = "policy read",
        ["GET|POST /accounts"] = "policy read",
        ["GET|POST /accounts/{Id}"] = "policy read",
        ["GET|POST /alerts"] = "policy read",
        ["GET|POST /alerts/rules"] = "policy read",
        ["GET|POST /model"] = "policy read",
        ["GET|POST /segments"] = "policy read",
        ["GET|POST /surveys"] = "policy read",
        ["GET|POST /sources"] = "policy read",
        ["GET|POST /notes"] = "policy read",
        ["GET|POST /import"] = "policy read",
        ["GET /import/rejected/{id}"] = "policy manage",
        ["GET|POST /team"] = "policy read",
        ["GET|POST /today"] = "policy read",
        ["PATCH /api/v1/tasks/{id:long}"] = "policy sentiment",
        ["POST /api/v1/accounts/{id}/override"] = "policy manage",
        ["POST /api/v1/accounts/{id}/sentiment"] = "policy sentiment",
        ["POST /api/v1/accounts/{id}/touches"] = "policy sentiment",
        ["POST /api/v1/alerts/{id:long}/acknowledge"] = "policy sentiment",
        ["POST /api/v1/alerts/{id:long}/resolve"] = "policy sentiment",
        ["POST /api/v1/alerts/{id:long}/snooze"] = "policy sentiment",
        ["POST /api/v1/deliveries/retry"] = "policy manage",
        ["POST /api/v1/deliveries/{id:long}/retry"] = "policy manage",
        ["POST /api/v1/ingest/{kind}"] = "policy ingest",
        ["POST /api/v1/model/preview"] = "policy manage",
        ["POST /api/v1/tasks"] = "policy sentiment",
        ["POST /signin"] = "anonymous",
        ["POST /signout"] = "fallback",
        ["POST /v1/batch"] = "policy ingest",
        ["POST /v1/group"] = "policy ingest",
        ["POST /v1/identify"] = "policy ingest",
        ["POST /v1/page"] = "policy ingest",
        ["POST /v1/screen"] = "policy ingest",
        ["POST /v1/track"] = "policy ingest",
        ["PUT /api/v1/alerts/rules"] = "policy admin",
        ["PUT /api/v1/model"] = "policy admin",
        ["static file"] = "fallback",
        ["static file app.css"] = "anonymous",
        ["static file favicon.svg"] = "anonymous",
        ["static file lib/bootstrap/css/bootstrap.min.css"] = "anonymous",
    };
}
