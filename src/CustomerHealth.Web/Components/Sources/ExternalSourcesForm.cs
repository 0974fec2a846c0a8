using System.Security.Claims;
using CustomerHealth.Store;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Web.Auth;

namespace CustomerHealth.Web.Components.Sources;

/// <summary>What the Sources page's form for external sources posted (every field as typed).</summary>
internal sealed record ExternalSourceInput(string? Act, string? Name, string? Engine, string? Connection, string? What, string? Relation, string? Columns, string? Schedule = null,
    string? Kind = null);

/// <summary>What the form did: the sentence to show, and the HTTP status of the answer (200 done, 400 refused, 403 not an admin).</summary>
internal sealed record ExternalSourceAnswer(string Message, bool Done, int Status);

/// <summary>
/// The Sources page's sources computed where the data lives (docs/scale.md): the list, and for admins adding, testing and
/// removing one, as `chs sources add|test|remove` do. The connection is never shown: the field is a password field
/// that is not filled in again.
/// </summary>
internal sealed class ExternalSourcesForm(StoreAccess store, TimeProvider clock, ClaimsPrincipal user)
{
    public bool IsAdmin { get; } = Rights.IsAdmin(user);

    public IReadOnlyList<ExternalSource> Sources { get; private set; } = [];

    public ExternalSourceAnswer? Answer { get; private set; }

    /// <summary>What the add form shows again after a refusal (never the connection).</summary>
    public ExternalSourceInput Shown { get; private set; } = new(null, null, "duckdb", null, "files", null, null, Kind: "usage");

    /// <summary>The kinds a source can compute, by name, as the form offers them.</summary>
    public static IEnumerable<(string Kind, string Label)> Kinds =>
        ExternalSources.Fields.Keys.Select(ExternalSources.KindName).Select(k => (k, SourcesPageModel.KindLabel(k)));

    /// <summary>The fields of each kind, in words for the form's help: the needed ones, then the others.</summary>
    public static string FieldsHelp => string.Join("; ", ExternalSources.Fields.Select(f =>
        $"{SourcesPageModel.KindLabel(ExternalSources.KindName(f.Key))}: {string.Join(", ", f.Value.Required)} (needed), {string.Join(", ", f.Value.Optional)}"));

    public void Load()
    {
        using var db = store.Open();
        Sources = new ExternalSources(db, clock).List();
    }

    /// <summary>Does what was posted: admins only; every refusal says why.</summary>
    public ExternalSourceAnswer Submit(ExternalSourceInput input)
    {
        Answer = Do(input);
        if (input.Act == "add" && !Answer.Done)
        {
            Shown = input with { Connection = null };
        }
        Load();
        return Answer;
    }

    private ExternalSourceAnswer Do(ExternalSourceInput input)
    {
        if (!IsAdmin)
        {
            return new("Only admins add, test or remove the sources computed where the data lives.", false, 403);
        }
        using var db = store.Open();
        var sources = new ExternalSources(db, clock);
        try
        {
            switch (input.Act)
            {
                case "add":
                    if (!Enum.TryParse<RelationType>(input.What ?? "", ignoreCase: true, out var what) || !Enum.IsDefined(what))
                    {
                        return new("Choose what the engine reads: a table, a query or files.", false, 400);
                    }
                    if (ExternalSources.ParseColumns([input.Columns ?? ""], out var bad) is not { } columns)
                    {
                        return new($"Columns: “{bad}” is not FIELD=COLUMN (such as occurred_at=ts).", false, 400);
                    }
                    var added = sources.Add(input.Name?.Trim() ?? "", input.Kind ?? "usage", input.Engine ?? "", input.Connection ?? "", what, input.Relation ?? "", columns,
                        user.Identity?.Name, input.Schedule);
                    return new($"Added “{added.Name}”: the {SourcesPageModel.KindLabel(added.KindName).ToLowerInvariant()} measures are now computed in {added.EngineName} from the next scoring run. Test it below before then.", true, 200);
                case "test":
                    var check = sources.Test(input.Name ?? "");
                    return new($"“{check.Name}” works: {Dashboard.Number(check.Rows, "N0")} row{(check.Rows == 1 ? "" : "s")} of {Dashboard.Number(check.Accounts, "N0")} of your {Dashboard.Number(check.StoreAccounts, "N0")} accounts, from {check.FirstDay ?? "—"} to {check.LastDay ?? "—"}.", true, 200);
                case "remove":
                    var removed = sources.Find(input.Name ?? "");
                    return sources.Remove(input.Name ?? "")
                        ? new($"Removed “{input.Name}”: the {SourcesPageModel.KindLabel(removed?.KindName ?? "usage").ToLowerInvariant()} measures read imported rows again from the next scoring run.", true, 200)
                        : new($"There is no source named “{ExternalSources.Shown(input.Name)}”.", false, 400);
                default:
                    return new("Choose to add, test or remove a source.", false, 400);
            }
        }
        catch (StoreException e)
        {
            return new(char.ToUpperInvariant(e.Message[0]) + e.Message[1..] + (e.Message.EndsWith('.') ? "" : "."), false, 400);
        }
    }

    /// <summary>When the server scores again with it.</summary>
    public static string Rescored(ExternalSource s) =>
        s.Schedule is null ? "With the daily rescore" : $"At {s.Schedule} (cron, UTC); next {ExternalSources.NextRun(s)?.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)} UTC";

    /// <summary>When it was last read and how that went.</summary>
    public static string LastRead(ExternalSource s) =>
        s.CheckedAt is null ? "Not read yet" : s.LastError is null ? $"Worked ({Dashboard.When(s.CheckedAt)})" : $"Failed ({Dashboard.When(s.CheckedAt)}): {s.LastError}";
}
