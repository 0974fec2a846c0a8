using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Signals;
using Dapper;

namespace CustomerHealth.Store.Import;

/// <summary>A column mapping as saved: its name, who saved it and when.</summary>
/// <param name="Name">The name it is used by.</param>
/// <param name="Mapping">The kind and its columns.</param>
/// <param name="SavedAt">When it was saved (UTC, ISO 8601).</param>
/// <param name="SavedBy">Who saved it, when known.</param>
public sealed record SavedMapping(string Name, ColumnMapping Mapping, string SavedAt, string? SavedBy);

/// <summary>The column mappings saved in the store, by name (names match ignoring case).</summary>
public sealed class ImportMappings(StoreDb db, TimeProvider clock)
{
    /// <summary>Saves a mapping under a name, replacing one of the same name; the name is checked (<see cref="ColumnMapping.NameProblem"/>).</summary>
    public SavedMapping Save(string name, ColumnMapping mapping, string? savedBy)
    {
        if (ColumnMapping.NameProblem(name) is { } problem)
        {
            throw new StoreException(problem);
        }
        name = name.Trim();
        var columns = JsonSerializer.Serialize(mapping.Columns.Select(c => new[] { c.Field, c.Column }));
        var at = clock.GetUtcNow().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        using var tx = db.Connection.BeginTransaction();
        // One name, whatever its case: saving `Zendesk` replaces `zendesk`.
        db.Connection.Execute($"DELETE FROM import_mappings WHERE {SameName}", new { lower = name.ToLowerInvariant() }, tx);
        db.Connection.Execute("INSERT INTO import_mappings (name, kind, columns, saved_at, saved_by) VALUES (@name, @kind, @columns, @at, @savedBy)",
            new { name, kind = mapping.Kind.Name(), columns, at, savedBy }, tx);
        tx.Commit();
        return new SavedMapping(name, mapping, at, savedBy);
    }

    /// <summary>The mapping of that name (ignoring case), or null.</summary>
    public SavedMapping? Find(string name) =>
        Read($"WHERE {SameName}", new { lower = name.Trim().ToLowerInvariant() }).SingleOrDefault();

    /// <summary>The mapping of that name for an import of the kind; a missing name or another kind is a <see cref="StoreException"/> that says which exist.</summary>
    public ColumnMapping For(string name, ImportKind kind)
    {
        var saved = Find(name);
        if (saved is null)
        {
            var names = List().Select(m => $"`{m.Name}` ({m.Mapping.Kind.Name()})").ToList();
            throw new StoreException($"no column mapping named `{name}`; " + (names.Count == 0 ? "none is saved yet" : "the saved ones are " + string.Join(", ", names)));
        }
        if (saved.Mapping.Kind != kind)
        {
            throw new StoreException($"the column mapping `{saved.Name}` is for {saved.Mapping.Kind.Name()} files, not {kind.Name()}");
        }
        return saved.Mapping;
    }

    /// <summary>Every saved mapping, by name.</summary>
    public IReadOnlyList<SavedMapping> List() => Read("", null).OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase).ToList();

    /// <summary>Removes the mapping of that name (ignoring case); false when there was none.</summary>
    public bool Remove(string name) =>
        db.Connection.Execute($"DELETE FROM import_mappings WHERE {SameName}", new { lower = name.Trim().ToLowerInvariant() }) > 0;

    // A name matched ignoring case as .NET lower-cases it (SQLite's own LOWER knows only A-Z).
    private string SameName => $"{db.Engine.Lower("name")} = @lower";

    private IEnumerable<SavedMapping> Read(string where, object? param) =>
        db.Connection.Query<(string Name, string Kind, string Columns, string SavedAt, string? SavedBy)>(
                $"SELECT name, kind, columns, saved_at, saved_by FROM import_mappings {where}", param)
            .Select(r =>
            {
                RowParser.TryParseKind(r.Kind, out var kind);
                var pairs = JsonSerializer.Deserialize<string[][]>(r.Columns) ?? [];
                var mapping = ColumnMapping.Create(kind, pairs.Select(p => (p[0], p[1])), []);
                return new SavedMapping(r.Name, mapping, r.SavedAt, r.SavedBy);
            });
}
