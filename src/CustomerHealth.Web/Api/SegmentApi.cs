using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Ingest;
using CustomerHealth.Web.Jobs;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CustomerHealth.Web.Api;

/// <summary>
/// Segment-compatible tracking (the HTTP Tracking API's `/v1/track`, `/v1/identify`, `/v1/group`, `/v1/batch`), so
/// Segment and RudderStack SDKs and pipelines can send here by changing their host; the API key is the write key
/// (Basic auth user name). `group` → the account and its traits; `identify` → the user and, when known, its account;
/// `track` → a usage event (`messageId` → `event_id`, so a retried message is stored once), on the account of
/// `context.groupId` or else the account the user was grouped with; `page` and `screen` → usage events named
/// `page` and `screen`. A batch keeps its valid messages and lists the others by index: Segment's SDKs drop a
/// whole batch on a 4xx, which would lose the good messages with the bad.
/// </summary>
internal static class SegmentApi
{
    public sealed record SegmentResult(bool Success, int Accepted, int Duplicates, IReadOnlyList<Problems.FieldError> Rejected);

    private static readonly string[] UsageFields = ["account_id", "occurred_at", "event", "user_id", "event_id", "count", "value"];

    public static IEndpointRouteBuilder MapSegment(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").RequireAuthorization(Access.Ingest).WithTags("Segment-compatible");
        foreach (var type in new[] { "track", "identify", "group", "page", "screen" })
        {
            v1.MapPost("/" + type, (HttpRequest request, People people, IngestWriter writer, TimeProvider clock, ServerSettings settings, RescoreQueue rescore, CancellationToken cancel) =>
                    Receive(request, people, writer, clock, settings, rescore, type, cancel))
                .TakesBody($"A Segment `{type}` call, as Segment's HTTP Tracking API documents it", "application/json").WithSummary($"A Segment `{type}` call");
        }
        v1.MapPost("/batch", (HttpRequest request, People people, IngestWriter writer, TimeProvider clock, ServerSettings settings, RescoreQueue rescore, CancellationToken cancel) =>
                Receive(request, people, writer, clock, settings, rescore, null, cancel))
            .TakesBody("`{batch: [calls], context}` as Segment's HTTP Tracking API documents it", "application/json").WithSummary("A Segment batch of track, identify, group, page and screen calls");
        return app;
    }

    private static async Task<Results<Ok<SegmentResult>, ProblemHttpResult>> Receive(
        HttpRequest request, People people, IngestWriter writer, TimeProvider clock, ServerSettings settings, RescoreQueue rescore, string? type, CancellationToken cancel)
    {
        var (body, problem) = await Bodies.Read(request, settings.MaxBodyBytes, null, cancel);
        if (problem is not null)
        {
            return problem;
        }
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(body);
        }
        catch (JsonException e)
        {
            return Problems.BadField("body", "not valid JSON: " + e.Message);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return Problems.BadField("body", "must be a JSON object");
            }
            // Checked whole before anything is kept: people are recorded as the calls are read.
            if (NotText(doc.RootElement, "") is { } where)
            {
                return Problems.BadField(where, "not valid text: it holds half of a UTF-16 surrogate pair (an escape such as \\ud800 on its own)");
            }
            List<(JsonElement Message, string Type)> messages = [];
            JsonElement? sharedContext = null;
            if (type is null)
            {
                if (!doc.RootElement.TryGetProperty("batch", out var batch) || batch.ValueKind != JsonValueKind.Array)
                {
                    return Problems.BadField("batch", "required: an array of calls");
                }
                if (doc.RootElement.TryGetProperty("context", out var ctx) && ctx.ValueKind == JsonValueKind.Object)
                {
                    sharedContext = ctx;
                }
                foreach (var m in batch.EnumerateArray())
                {
                    messages.Add((m, m.ValueKind == JsonValueKind.Object && Text(m, "type") is { } t ? t : ""));
                }
            }
            else
            {
                messages.Add((doc.RootElement, type));
            }
            SegmentResult result;
            try
            {
                result = await Land(people, writer, clock, messages, sharedContext, batch: type is null);
            }
            catch (IngestFailedException)
            {
                // Users are recorded before the writer runs, so those of identify and group calls may have been kept.
                return IngestApi.NotStored("The store failed; the calls were not stored", "writing these calls failed: no account or usage event of them was stored; send them again (a retried message is stored once)");
            }
            if (result.Accepted > 0)
            {
                rescore.Notify();
            }
            if (type is not null && result.Rejected.Count > 0)
            {
                var e = result.Rejected[0];
                return Problems.BadField(e.Field, e.Error);
            }
            return TypedResults.Ok(result);
        }
    }

    /// <summary>
    /// People are recorded first (a track may need its user's account), then the accounts and the usage events are
    /// checked and handed to the ingest writer together, to land in one transaction.
    /// </summary>
    private static async Task<SegmentResult> Land(
        People people, IngestWriter writer, TimeProvider clock, List<(JsonElement Message, string Type)> messages, JsonElement? sharedContext, bool batch)
    {
        var rejected = new List<Problems.FieldError>();
        var accounts = new List<SourceRow>();
        var tracks = new List<(int Index, JsonElement Message, string Type)>();
        var accepted = 0;
        var duplicates = 0;
        var now = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        string Field(int i, string name) => batch ? $"batch[{i}].{name}" : name;
        // Who belongs where first, so a track in the same batch as its user's group call finds the account.
        for (var i = 0; i < messages.Count; i++)
        {
            var (m, type) = messages[i];
            if (m.ValueKind != JsonValueKind.Object)
            {
                rejected.Add(new Problems.FieldError(Field(i, "type"), "each call must be a JSON object", i));
                continue;
            }
            var user = Text(m, "userId") ?? Text(m, "anonymousId");
            // People are recorded before the rows are checked: their ids are checked here.
            if (FieldLimits.First((Field(i, Text(m, "userId") is null ? "anonymousId" : "userId"), user, FieldLimits.Kind.Id),
                    (Field(i, "groupId"), Text(m, "groupId"), FieldLimits.Kind.Id), (Field(i, "context.groupId"), GroupOf(m, sharedContext), FieldLimits.Kind.Id)) is { } refused)
            {
                rejected.Add(new Problems.FieldError(refused.Field, refused.Problem, i));
                continue;
            }
            switch (type)
            {
                case "group":
                    var groupId = Text(m, "groupId");
                    if (groupId is null)
                    {
                        rejected.Add(new Problems.FieldError(Field(i, "groupId"), "required for a group call", i));
                        continue;
                    }
                    accounts.Add(new SourceRow(i + 1, AccountFields(groupId, m), null, null));
                    if (user is not null)
                    {
                        people.Save(user, groupId, null);
                    }
                    break;
                case "identify":
                    if (user is null)
                    {
                        rejected.Add(new Problems.FieldError(Field(i, "userId"), "an identify call needs a userId or an anonymousId", i));
                        continue;
                    }
                    var traits = m.TryGetProperty("traits", out var t) && t.ValueKind == JsonValueKind.Object ? t : (JsonElement?)null;
                    var account = GroupOf(m, sharedContext)
                        ?? (traits is { } tr ? Text(tr, "groupId") ?? (tr.TryGetProperty("company", out var c) && c.ValueKind == JsonValueKind.Object ? Text(c, "id") : null) : null);
                    people.Save(user, account, traits?.GetRawText());
                    accepted++;
                    break;
                case "track" or "page" or "screen":
                    tracks.Add((i, m, type));
                    break;
                default:
                    rejected.Add(new Problems.FieldError(Field(i, "type"), $"`{type}` calls are not used; send track, identify, group, page or screen", i));
                    break;
            }
        }
        var events = new List<SourceRow>();
        foreach (var (i, m, type) in tracks)
        {
            var user = Text(m, "userId") ?? Text(m, "anonymousId");
            var account = GroupOf(m, sharedContext) ?? (user is null ? null : people.AccountOf(user));
            if (account is null)
            {
                rejected.Add(new Problems.FieldError(Field(i, "context.groupId"),
                    "cannot tell which account this is for: send context.groupId, or a group call for the user first", i));
                continue;
            }
            var name = type == "track" ? Text(m, "event") : type;
            if (name is null)
            {
                rejected.Add(new Problems.FieldError(Field(i, "event"), "required for a track call", i));
                continue;
            }
            var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
            if (m.TryGetProperty("properties", out var props) && props.ValueKind == JsonValueKind.Object)
            {
                foreach (var (key, value) in RowSource.Fields(props))
                {
                    if (!UsageFields.Contains(key))
                    {
                        fields[key] = value;
                    }
                }
                if (Text(props, "value") is { } v)
                {
                    fields["value"] = v;
                }
            }
            if (type != "track" && Text(m, "name") is { } pageName)
            {
                fields["name"] = pageName;
            }
            fields["account_id"] = account;
            fields["occurred_at"] = Text(m, "timestamp") ?? Text(m, "originalTimestamp") ?? Text(m, "sentAt") ?? now;
            fields["event"] = name;
            fields["user_id"] = user;
            fields["event_id"] = Text(m, "messageId");
            events.Add(new SourceRow(i + 1, fields, null, null));
        }
        var options = new ImportOptions(SkipInvalid: true, MaxListedErrors: 10_000);
        var checkedAccounts = Importer.Check(ImportKind.Accounts, accounts, "request", options);
        var checkedEvents = Importer.Check(ImportKind.Usage, events, "request", options);
        rejected.AddRange(checkedAccounts.Errors.Select(e => new Problems.FieldError(Field(e.Line - 1, "traits." + e.Field), e.Reason, e.Line - 1)));
        rejected.AddRange(checkedEvents.Errors.Select(e => new Problems.FieldError(Field(e.Line - 1, SegmentName(e.Field)), e.Reason, e.Line - 1)));
        List<CheckedRows> batches = [.. new[] { checkedAccounts, checkedEvents }.Where(b => b.Rows > b.Rejected)];
        if (batches.Count > 0)
        {
            foreach (var r in await writer.Write(batches))
            {
                accepted += r.Changed;
                duplicates += r.Unchanged;
            }
        }
        return new SegmentResult(true, accepted, duplicates, rejected.OrderBy(e => e.Index).ToList());
    }

    private static string SegmentName(string usageField) => usageField switch
    {
        "occurred_at" => "timestamp",
        "user_id" => "userId",
        "event_id" => "messageId",
        "account_id" => "context.groupId",
        "value" => "properties.value",
        var f => "properties." + f,
    };

    /// <summary>Traits named like account fields (SPEC §3) set them, camelCase spellings too; other traits become attributes.</summary>
    private static Dictionary<string, string?> AccountFields(string groupId, JsonElement m)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal) { ["account_id"] = groupId };
        if (m.TryGetProperty("traits", out var traits) && traits.ValueKind == JsonValueKind.Object)
        {
            foreach (var (key, value) in RowSource.Fields(traits))
            {
                var name = key switch
                {
                    "createdAt" or "created_at" => "started_on",
                    "lifecycleStage" => "lifecycle_stage",
                    "renewalOn" or "renewal_date" => "renewal_on",
                    "parentId" => "parent_id",
                    _ => key,
                };
                if (name == "account_id")
                {
                    continue;
                }
                // Segment sends dates as full timestamps; the account's dates are days.
                fields[name] = name is "started_on" or "renewal_on" && value is { Length: > 10 } ? value[..10] : value;
            }
        }
        return fields;
    }

    /// <summary>Where in a call a name or string is not text (JSON can escape a lone UTF-16 surrogate), or null.</summary>
    private static string? NotText(JsonElement e, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    _ = e.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return path.Length == 0 ? "body" : path;
                }
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = p.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return path.Length == 0 ? "body" : path;
                    }
                    if (NotText(p.Value, path.Length == 0 ? name : path + "." + name) is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in e.EnumerateArray())
                {
                    if (NotText(item, $"{path}[{i++}]") is { } inner)
                    {
                        return inner;
                    }
                }
                return null;
            default:
                return null;
        }
    }

    private static string? GroupOf(JsonElement m, JsonElement? sharedContext) =>
        (m.TryGetProperty("context", out var c) && c.ValueKind == JsonValueKind.Object ? Text(c, "groupId") : null)
        ?? (sharedContext is { } s ? Text(s, "groupId") : null);

    private static string? Text(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) ? v.ValueKind switch
        {
            JsonValueKind.String => v.GetString() is { Length: > 0 } s ? s : null,
            JsonValueKind.Number => v.GetRawText(),
            _ => null,
        } : null;
}
