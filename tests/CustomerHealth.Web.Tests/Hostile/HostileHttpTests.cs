using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Engines;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace CustomerHealth.Web.Tests.Hostile;

/// <summary>
/// The hostile-input suite over HTTP: every endpoint the app serves (found at run time) is sent the corpus pieces
/// that fit it, with credentials that reach its handler (the admin key for the API, a signed-in admin for pages).
/// Whatever comes back: never a 5xx; a 400 from the API is a problem naming the field or line; a refusal stores nothing.
/// </summary>
public abstract partial class HostileHttpTests(TestEngine engine, ITestOutputHelper output) : IDisposable
{
    private readonly TestApp app = new(engine, new()
    {
        ["Scoring:DebounceMilliseconds"] = "600000", ["Limits:RequestsPerSecond"] = "1000000", ["Limits:Burst"] = "1000000",
    });

    private readonly List<string> failures = [];
    private int requests;
    private StoreDb? probe;
    private string? counted;

    public void Dispose()
    {
        probe?.Dispose();
        app.Dispose();
    }

    private static readonly string[] Tables =
    [
        "accounts", "usage_events", "usage_blocks", "surveys", "tickets", "invoices", "subscriptions", "orders", "metrics", "sentiment", "touches",
        "model_versions", "overrides", "app_users", "api_keys", "people", "alert_rules", "tasks", "deliveries",
    ];

    /// <summary>The rows of every table a request could add to (the usage inbox merged first, as any reader does).</summary>
    private string Counts()
    {
        probe ??= app.OpenStore();
        UsageInbox.Settle(probe);
        using var cmd = probe.Connection.CreateCommand();
        cmd.CommandText = "SELECT " + string.Join(", ", Tables.Select(t => $"(SELECT COUNT(*) FROM {t})"));
        using var r = cmd.ExecuteReader();
        r.Read();
        var counts = Enumerable.Range(0, r.FieldCount).Select(i => Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        return string.Join(", ", Tables.Zip(counts, (t, n) => $"{t} {n}"));
    }

    private List<RouteEndpoint> Endpoints()
    {
        _ = app.Server;
        return [.. app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];
    }

    [Fact]
    public void EveryEndpoint_HasACorpusMapping()
    {
        var unmapped = Endpoints().Select(EndpointShapes.Key).Distinct().Where(k => !EndpointShapes.ByRoute.ContainsKey(k)).ToList();

        unmapped.ShouldBeEmpty("endpoints without hostile input: add them to EndpointShapes.ByRoute");
    }

    /// <summary>Sends the request and checks what came back; returns the response's status.</summary>
    private async Task<int> Send(HttpClient client, string key, string what, HttpRequestMessage request, bool api)
    {
        var before = counted ??= Counts();
        requests++;
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request);
        }
        catch (Exception e) when (e is HttpRequestException or InvalidOperationException or IOException)
        {
            failures.Add($"{key} {what}: the request failed: {e.GetType().Name}: {e.Message}");
            return 0;
        }
        var status = (int)response.StatusCode;
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            failures.Add($"{key} {what}: {status} {Short(body)}");
        }
        if (status is 401 or 403 && !key.EndsWith(" /signin", StringComparison.Ordinal))
        {
            failures.Add($"{key} {what}: {status}: the credentials did not reach the handler");
        }
        if (api && status == 400 && !NamesWhere(body))
        {
            failures.Add($"{key} {what}: 400 without a problem naming a field or line: {Short(body)}");
        }
        var after = counted = Counts();
        if (status >= 400 && after != before)
        {
            failures.Add($"{key} {what}: refused with {status} but stored something: before {before}; after {after}");
        }
        return status;
    }

    private static string Short(string s) => s.Length > 300 ? s[..300] + "…" : s;

    private static bool NamesWhere(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
            {
                var first = errors[0];
                return first.TryGetProperty("field", out _) || first.TryGetProperty("line", out _);
            }
            if (root.TryGetProperty("errors", out var byField) && byField.ValueKind == JsonValueKind.Object)
            {
                return byField.EnumerateObject().Any();
            }
            return root.TryGetProperty("detail", out var detail) && detail.GetString() is { Length: > 0 } d && d.Contains(':', StringComparison.Ordinal);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Route(RouteEndpoint e, string? value = null) =>
        "/" + RouteParameter().Replace(e.RoutePattern.RawText!.TrimStart('/'), m => m.Groups[1].Value switch
        {
            "documentName" => "v1",
            "**path:file" => Uri.EscapeDataString(value ?? "missing.txt"),
            var p when p.EndsWith(":long", StringComparison.Ordinal) => value is null ? "1" : Uri.EscapeDataString(value),
            "kind" => value is null ? "accounts" : Uri.EscapeDataString(value),
            _ => Uri.EscapeDataString(value ?? "HOSTILE-A"),
        });

    [GeneratedRegex(@"\{([^}]+)\}")]
    private static partial Regex RouteParameter();

    private static string JsonString(string s) => JsonSerializer.Serialize(s);

    private static HttpRequestMessage Request(HttpMethod method, string url, HttpContent? content = null) => new(method, url) { Content = content };

    private static StringContent Body(string text, string type) => new(text, Encoding.UTF8, type);

    private async Task<(HttpClient Key, HttpClient Cookie, HttpClient Basic, string Token)> Clients()
    {
        var key = app.KeyClient("admin");
        var cookie = await app.SignedIn("admin");
        var token = Regex.Match(await TestApp.Page(cookie, "/alerts"), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var basic = app.Anonymous();
        basic.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(app.Keys["admin"] + ":")));
        return (key, cookie, basic, token);
    }

    /// <summary>An account, a task and an alert-free store to aim at, so that handlers get past "not found".</summary>
    private async Task Seed(HttpClient key)
    {
        await key.PostJson("/api/v1/ingest/accounts", """[{"account_id":"HOSTILE-A","name":"Target","owner":"admin@example.com"}]""");
        await key.PostJson("/api/v1/tasks", """{"account_id":"HOSTILE-A","title":"Target task"}""", 201);
    }

    /// <summary>The whole corpus at every endpoint; <paramref name="only"/> limits it to some endpoints (the PostgreSQL run).</summary>
    protected async Task RunCorpus(Func<string, bool>? only = null)
    {
        var (key, cookie, basic, token) = await Clients();
        await Seed(key);
        // Signing out last: the signed-in client stays signed in for every page before it.
        var endpoints = Endpoints().GroupBy(EndpointShapes.Key).Where(g => only?.Invoke(g.Key) ?? true).OrderBy(g => g.Key == "POST /signout").ToList();
        foreach (var group in endpoints)
        {
            var e = group.First();
            var k = group.Key;
            var shape = EndpointShapes.ByRoute[k];
            var api = k.Contains(" /api/", StringComparison.Ordinal) || k.Contains(" /v1/", StringComparison.Ordinal);
            var client = api ? (k.Contains(" /v1/", StringComparison.Ordinal) ? basic : key) : cookie;
            var method = k.Split(' ')[0] switch
            {
                "static" or "*" or "GET|HEAD" or "GET" => HttpMethod.Get,
                "GET|POST" => HttpMethod.Get,
                var m => new HttpMethod(m),
            };
            if (k == "static file")
            {
                // One static file stands for all: they share one handler.
                e = group.First(x => x.RoutePattern.RawText!.EndsWith(".css", StringComparison.Ordinal) || x.RoutePattern.RawText!.EndsWith(".js", StringComparison.Ordinal));
            }
            var path = Route(e);
            var defaultBody = shape.Body switch
            {
                BodyKind.Json => shape.Valid,
                BodyKind.Yaml => "rules: []\n",
                BodyKind.Ingest => "[]",
                BodyKind.Segment => "{}",
                _ => null,
            };
            HttpContent? Default() => defaultBody is null ? null : Body(defaultBody, "application/json");

            // Route values: every string piece (and numbers for numeric ids) in each route parameter.
            if (e.RoutePattern.Parameters.Count > 0 && k != "static file")
            {
                var pieces = e.RoutePattern.Parameters.Any(p => p.ParameterPolicies.Any(x => x.Content == "long")) ? HostileCorpus.Numbers : HostileCorpus.Strings;
                // NUL in a path cannot be sent through the in-memory test client (Kestrel refuses it with 400); it is sent in queries and bodies.
                foreach (var piece in pieces.Where(p => p.Value.Length < 4_000 && !p.Value.Contains('\0', StringComparison.Ordinal)))
                {
                    await Send(client, k, $"route value {piece}", Request(method, Route(e, piece.Value), Default()), api);
                }
            }
            // Query values: every value piece in each parameter the endpoint reads.
            foreach (var parameter in shape.Query)
            {
                foreach (var piece in HostileCorpus.Values.Where(p => p.Value.Length < 4_000))
                {
                    await Send(client, k, $"?{parameter}={piece}", Request(method, $"{path}?{parameter}={Uri.EscapeDataString(piece.Value)}", Default()), api);
                }
            }
            switch (shape.Body)
            {
                case BodyKind.Json:
                    foreach (var piece in HostileCorpus.JsonBodies)
                    {
                        await Send(client, k, $"body {piece}", Request(method, path, Body(piece.Value, "application/json")), api);
                    }
                    foreach (var field in shape.Fields!)
                    {
                        foreach (var piece in HostileCorpus.Values)
                        {
                            var body = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(shape.Valid!)!;
                            body[field] = JsonSerializer.SerializeToElement(field == "steps" ? new[] { piece.Value } : (object)piece.Value);
                            await Send(client, k, $"{field}={piece}", Request(method, path, Body(JsonSerializer.Serialize(body), "application/json")), api);
                        }
                    }
                    break;
                case BodyKind.Ingest:
                    await Ingest(client, k, e);
                    break;
                case BodyKind.Segment:
                    await Segment(client, k, path);
                    break;
                case BodyKind.Yaml:
                    foreach (var piece in HostileCorpus.Yaml.Concat(HostileCorpus.JsonBodies.Take(6)))
                    {
                        await Send(client, k, $"YAML {piece}", Request(method, path, Body(piece.Value, "application/yaml")), api);
                    }
                    break;
                case BodyKind.Form:
                    foreach (var (handler, fields) in shape.Forms)
                    {
                        // The values kept beside the hostile one name the form where one handler does several things.
                        var kept = string.Concat(fields.Where(f => f.Value != "x" && f.Value.Length > 0).Select(f => $" {f.Name}={f.Value}"));
                        foreach (var (field, _) in fields)
                        {
                            var pieces = shape.YamlFields?.Contains(field) == true ? HostileCorpus.Values.Concat(HostileCorpus.Yaml) : HostileCorpus.Values;
                            foreach (var piece in pieces)
                            {
                                var form = fields.ToDictionary(f => f.Name, f => f.Name == field ? piece.Value : f.Value);
                                form["_handler"] = handler;
                                form["__RequestVerificationToken"] = token;
                                await Send(client, k, $"form {handler}{kept}: {field}={piece}", Request(HttpMethod.Post, path, new FormUrlEncodedContent(form)), api);
                            }
                        }
                    }
                    // A post without the token, and with junk, is refused.
                    foreach (var piece in HostileCorpus.JsonBodies.Take(4))
                    {
                        await Send(client, k, $"form body {piece}", Request(HttpMethod.Post, path, Body(piece.Value, "application/x-www-form-urlencoded")), api);
                    }
                    break;
                case BodyKind.SignIn:
                    var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
                    var signInToken = Regex.Match(await anonymous.GetStringAsync("/signin"), "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
                    foreach (var field in shape.Fields!)
                    {
                        foreach (var piece in HostileCorpus.Values)
                        {
                            var form = new Dictionary<string, string> { ["email"] = "nobody@example.com", ["password"] = "wrong", ["returnUrl"] = "/", ["__RequestVerificationToken"] = signInToken };
                            form[field] = piece.Value;
                            await Send(anonymous, k, $"form {field}={piece}", Request(HttpMethod.Post, path, new FormUrlEncodedContent(form)), api);
                        }
                    }
                    break;
                case BodyKind.Framework:
                    foreach (var piece in HostileCorpus.JsonBodies.Take(8))
                    {
                        await Send(client, k, $"POST {piece}", Request(HttpMethod.Post, path, Body(piece.Value, "application/json")), api);
                    }
                    break;
            }
        }
        output.WriteLine($"Corpus: {HostileCorpus.Summary}. Sent {requests} requests to {endpoints.Count} endpoints on {engine}; {failures.Count} failures.");
        if (Environment.GetEnvironmentVariable("CHS_HOSTILE_REPORT") is { Length: > 0 } report)
        {
            File.WriteAllLines(report, [$"{requests} requests, {endpoints.Count} endpoints, {engine}", .. failures]);
        }
        failures.ShouldBeEmpty(string.Join("\n", failures.Take(60)) + (failures.Count > 60 ? $"\n... and {failures.Count - 60} more" : ""));
    }

    private async Task Ingest(HttpClient client, string key, RouteEndpoint e)
    {
        foreach (var kind in Enum.GetValues<ImportKind>())
        {
            var path = Route(e, kind.Name());
            foreach (var piece in HostileCorpus.JsonBodies)
            {
                await Send(client, key, $"{kind.Name()} body {piece}", Request(HttpMethod.Post, path, Body(piece.Value, "application/json")), true);
            }
            foreach (var piece in HostileCorpus.JsonLines)
            {
                await Send(client, key, $"{kind.Name()} JSON Lines {piece}", Request(HttpMethod.Post, path, Body(piece.Value, "application/x-ndjson")), true);
            }
            // Every field of the kind holding every value piece, one record each: refused whole, then kept in part.
            var records = HostileCorpus.BadRows(kind.Name(), RowParser.FieldsOf(kind)).Select(r => r.Row).ToList();
            var array = JsonSerializer.Serialize(records);
            var status = await Send(client, key, $"{kind.Name()} {records.Count} records, one bad field each", Request(HttpMethod.Post, path, Body(array, "application/json")), true);
            if (status != 422)
            {
                failures.Add($"{key} {kind.Name()}: {records.Count} records with bad fields answered {status}, not 422");
            }
            await Send(client, key, $"{kind.Name()} ?partial=true {records.Count} records", Request(HttpMethod.Post, path + "?partial=true", Body(array, "application/json")), true);
        }
    }

    private async Task Segment(HttpClient client, string key, string path)
    {
        foreach (var piece in HostileCorpus.JsonBodies)
        {
            await Send(client, key, $"body {piece}", Request(HttpMethod.Post, path, Body(piece.Value, "application/json")), true);
        }
        var type = path.Split('/')[^1];
        foreach (var field in new[] { "userId", "anonymousId", "groupId", "event", "timestamp", "messageId", "name" })
        {
            foreach (var piece in HostileCorpus.Values)
            {
                var call = new Dictionary<string, object?>
                {
                    ["type"] = type == "batch" ? "track" : type, ["userId"] = "u1", ["groupId"] = "HOSTILE-A", ["event"] = "login", ["messageId"] = "m1",
                    ["timestamp"] = "2025-03-01T10:00:00Z", ["context"] = new Dictionary<string, object> { ["groupId"] = "HOSTILE-A" },
                    ["traits"] = new Dictionary<string, object> { ["name"] = "Target" }, ["properties"] = new Dictionary<string, object> { ["value"] = 1 },
                };
                call[field] = piece.Value;
                var body = type == "batch" ? JsonSerializer.Serialize(new { batch = new[] { call } }) : JsonSerializer.Serialize(call);
                await Send(client, key, $"{field}={piece}", Request(HttpMethod.Post, path, Body(body, "application/json")), true);
            }
        }
    }
}

public sealed class HostileHttpTestsOnSqlite(ITestOutputHelper output) : HostileHttpTests(TestEngine.Sqlite, output)
{
    [Fact]
    public Task EveryEndpoint_TheWholeCorpus_NoServerErrorAndNothingStoredOnRefusal() => RunCorpus();
}

public sealed class HostileHttpTestsOnPostgres(ITestOutputHelper output) : HostileHttpTests(TestEngine.Postgres, output)
{
    /// <summary>On PostgreSQL, a representative part (the whole takes minutes): ingest of every kind, a Segment batch, tasks, overrides, sentiment and the account list's filters.</summary>
    [Fact]
    public Task WritingEndpoints_TheWholeCorpus_NoServerErrorAndNothingStoredOnRefusal() =>
        RunCorpus(k => k is "POST /api/v1/ingest/{kind}" or "POST /v1/batch" or "POST /api/v1/tasks" or "PATCH /api/v1/tasks/{id:long}"
            or "POST /api/v1/accounts/{id}/override" or "POST /api/v1/accounts/{id}/sentiment" or "GET /api/v1/accounts");
}
