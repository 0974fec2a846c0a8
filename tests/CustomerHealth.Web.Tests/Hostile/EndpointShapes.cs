using Microsoft.AspNetCore.Routing;

namespace CustomerHealth.Web.Tests.Hostile;

/// <summary>What an endpoint reads, which decides the corpus pieces it is sent.</summary>
internal enum BodyKind
{
    /// <summary>No body: only route and query values.</summary>
    None,

    /// <summary>A JSON object with the given fields.</summary>
    Json,

    /// <summary>Records of SPEC §3 as a JSON array or JSON Lines, per kind.</summary>
    Ingest,

    /// <summary>A Segment call or batch.</summary>
    Segment,

    /// <summary>A YAML file (a model, alert rules).</summary>
    Yaml,

    /// <summary>A dashboard form posted by a signed-in person (with the antiforgery token).</summary>
    Form,

    /// <summary>The sign-in form.</summary>
    SignIn,

    /// <summary>Blazor's own endpoints and static files: anything sent is junk to them.</summary>
    Framework,
}

/// <param name="Body">What the endpoint reads as its body.</param>
/// <param name="Query">The query parameters the endpoint reads, under the names it binds.</param>
/// <param name="Fields">The body's fields (JSON) or form fields (dashboard: `_handler` then the fields).</param>
/// <param name="Valid">A valid body the fields are put into one at a time.</param>
/// <param name="Handler">The dashboard form's name.</param>
/// <param name="OtherForms">Further forms of the same dashboard page (or the same form doing something else): each form's name with its fields.</param>
/// <param name="YamlFields">Form fields that hold a whole YAML file: they are sent the corpus's YAML files as well as its values.</param>
/// <remarks>
/// A form field is its name, or `name=value` for the value it keeps while another field is hostile (else "x"): so that
/// a hostile value gets past the fields checked before it, such as the form's action.
/// </remarks>
internal sealed record Shape(BodyKind Body, string[] Query, string[]? Fields = null, string? Valid = null, string? Handler = null,
    (string Handler, string[] Fields)[]? OtherForms = null, string[]? YamlFields = null)
{
    /// <summary>Every form of a dashboard page, by name with its fields (name and the value it keeps).</summary>
    public IEnumerable<(string Handler, (string Name, string Value)[] Fields)> Forms =>
        (Handler is null ? [] : new[] { (Handler, Fields: Fields ?? []) }).Concat(OtherForms ?? [])
            .Select(f => (f.Handler, f.Fields.Select(x => x.Split('=', 2)).Select(x => (x[0], x.Length > 1 ? x[1] : "x")).ToArray()));
}

/// <summary>
/// The corpus mapping of every endpoint the app serves, by method and route pattern. The suite enumerates the endpoints
/// at run time: one missing here fails it, so a new endpoint cannot join without hostile input.
/// </summary>
internal static class EndpointShapes
{
    private static readonly string[] PageQuery = ["q", "grade", "segment", "owner", "stage", "sort", "page", "done", "saved"];

    public static readonly Dictionary<string, Shape> ByRoute = new()
    {
        ["static file"] = new(BodyKind.Framework, ["v"]),
        ["GET /health"] = new(BodyKind.None, []),
        ["GET /signin"] = new(BodyKind.None, ["returnUrl"]),
        ["POST /signin"] = new(BodyKind.SignIn, [], ["email", "password", "returnUrl"]),
        ["POST /signout"] = new(BodyKind.Framework, []),
        ["GET /openapi/{documentName}.json"] = new(BodyKind.None, []),
        ["GET /_framework/opaque-redirect"] = new(BodyKind.None, ["url"]),
        ["* /_blazor"] = new(BodyKind.Framework, ["id"]),
        ["* /_blazor/negotiate"] = new(BodyKind.Framework, ["negotiateVersion"]),
        ["* /_blazor/disconnect/"] = new(BodyKind.Framework, []),
        ["* /_blazor/initializers/"] = new(BodyKind.Framework, []),
        ["GET|HEAD {**path:file}"] = new(BodyKind.None, []),
        ["GET /accounts.csv"] = new(BodyKind.None, ["q", "grade", "segment", "owner", "stage", "renewal", "sort"]),
        ["GET /segments/at-risk.csv"] = new(BodyKind.None, []),

        ["GET|POST /"] = new(BodyKind.Form, ["renewal", "grade", "segment"]),
        ["GET|POST /accounts"] = new(BodyKind.Form, [.. PageQuery, "renewal", "mine"]),
        ["GET|POST /accounts/{Id}"] = new(BodyKind.Form, ["from", "to", "saved"], ["Sentiment.Rating", "Sentiment.Note"], Handler: "sentiment",
            OtherForms: [("touch", ["Touch.Kind=call", "Touch.On", "Touch.Text", "Touch.FollowUp", "Touch.DueOn"])]),
        ["GET|POST /alerts"] = new(BodyKind.Form, ["severity", "rule", "owner", "mine", "page", "tpage", "done"],
            ["account", "title", "assignee", "due", "steps"], Handler: "task-new", OtherForms: [("inbox", ["accounts", "action", "until"])]),
        ["GET|POST /alerts/rules"] = new(BodyKind.Form, ["done"], ["act=replay", "from=", "to=", "horizon="], Handler: "rules",
            OtherForms: [("rules", ["act=test", "draft=rules: []", "from=", "to=", "horizon="]), ("rules", ["act=set", "draft"]), ("rules", ["act=shipped", "draft"])],
            YamlFields: ["draft"]),
        ["GET|POST /model"] = new(BodyKind.Form, ["published"]),
        ["GET|POST /segments"] = new(BodyKind.Form, ["kind", "segment", "grade"]),
        ["GET|POST /surveys"] = new(BodyKind.Form, ["kind", "segment", "from", "to"]),
        ["GET|POST /sources"] = new(BodyKind.Form, ["quiet_days"], ["act=add", "name", "kind=usage", "engine=duckdb", "connection", "what=table", "relation", "columns", "schedule"], Handler: "external"),
        ["GET|POST /notes"] = new(BodyKind.Form, ["q", "kind"]),
        ["GET|POST /import"] = new(BodyKind.Form, []),
        ["GET /import/rejected/{id}"] = new(BodyKind.None, []),
        ["GET|POST /team"] = new(BodyKind.Form, ["owner", "sort"]),
        ["GET|POST /today"] = new(BodyKind.Form, ["owner"]),

        ["GET /api/v1/accounts"] = new(BodyKind.None, ["grade", "segment", "owner", "q", "sort", "limit", "offset", "include_churned"]),
        ["GET /api/v1/accounts/{id}"] = new(BodyKind.None, ["as_of"]),
        ["GET /api/v1/accounts/{id}/history"] = new(BodyKind.None, []),
        ["GET /api/v1/accounts/{id}/explain"] = new(BodyKind.None, ["from", "to"]),
        ["GET /api/v1/portfolio"] = new(BodyKind.None, []),
        ["GET /api/v1/sources"] = new(BodyKind.None, ["quiet_days"]),
        ["GET /api/v1/touches"] = new(BodyKind.None, ["q", "account_id", "kind", "limit"]),
        ["GET /api/v1/alerts"] = new(BodyKind.None, ["all"]),
        ["GET /api/v1/alerts/rules"] = new(BodyKind.None, []),
        ["GET /api/v1/tasks"] = new(BodyKind.None, ["assignee", "all"]),
        ["GET /api/v1/deliveries"] = new(BodyKind.None, ["state", "alert_id", "limit"]),
        ["GET /api/v1/model"] = new(BodyKind.None, []),
        ["GET /api/v1/model/versions"] = new(BodyKind.None, []),
        ["POST /api/v1/accounts/{id}/override"] = new(BodyKind.Json, [], ["score", "grade", "reason", "until"], """{"score":50,"reason":"why","until":"2099-01-01"}"""),
        ["POST /api/v1/accounts/{id}/sentiment"] = new(BodyKind.Json, [], ["rating", "note"], """{"rating":"red","note":"n"}"""),
        ["POST /api/v1/accounts/{id}/touches"] = new(BodyKind.Json, [], ["kind", "occurred_on", "text", "follow_up"], """{"kind":"call","text":"n"}"""),
        ["POST /api/v1/alerts/{id:long}/acknowledge"] = new(BodyKind.Json, [], ["until"], "{}"),
        ["POST /api/v1/alerts/{id:long}/resolve"] = new(BodyKind.Json, [], ["until"], "{}"),
        ["POST /api/v1/alerts/{id:long}/snooze"] = new(BodyKind.Json, [], ["until"], """{"until":"2099-01-01"}"""),
        ["POST /api/v1/tasks"] = new(BodyKind.Json, [], ["account_id", "title", "assignee", "due_on", "steps"],
            """{"account_id":"HOSTILE-A","title":"Call","assignee":"csm@example.com","due_on":"2099-01-01","steps":["one"]}"""),
        ["PATCH /api/v1/tasks/{id:long}"] = new(BodyKind.Json, [], ["status", "outcome", "assignee", "due_on"], """{"status":"in_progress"}"""),
        ["POST /api/v1/deliveries/retry"] = new(BodyKind.Json, [], [], "{}"),
        ["POST /api/v1/deliveries/{id:long}/retry"] = new(BodyKind.Json, [], [], "{}"),
        ["POST /api/v1/ingest/{kind}"] = new(BodyKind.Ingest, ["partial"]),
        ["POST /api/v1/model/preview"] = new(BodyKind.Yaml, ["as_of"]),
        ["PUT /api/v1/model"] = new(BodyKind.Yaml, ["note"]),
        ["PUT /api/v1/alerts/rules"] = new(BodyKind.Yaml, []),
        ["POST /v1/track"] = new(BodyKind.Segment, []),
        ["POST /v1/identify"] = new(BodyKind.Segment, []),
        ["POST /v1/group"] = new(BodyKind.Segment, []),
        ["POST /v1/page"] = new(BodyKind.Segment, []),
        ["POST /v1/screen"] = new(BodyKind.Segment, []),
        ["POST /v1/batch"] = new(BodyKind.Segment, []),
    };

    /// <summary>The key of an endpoint in <see cref="ByRoute"/>: its methods and route pattern; every static file is one.</summary>
    public static string Key(RouteEndpoint e)
    {
        if (e.Metadata.Any(m => m.GetType().Name == "StaticAssetDescriptor"))
        {
            return "static file";
        }
        var methods = e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"];
        return $"{string.Join("|", methods)} {e.RoutePattern.RawText}";
    }
}
