namespace CustomerHealth.Core.Signals;

/// <summary>
/// Which column of a file feeds which field of an import kind, saved under a name and applied to every file imported
/// with it (`chs import KIND FILE --mapping NAME`): the file's columns are renamed to the
/// fields they feed before its rows are read. Column names match ignoring case and surrounding spaces. A column the
/// mapping does not name keeps its own name: one named as a field of the kind (in any case) feeds it, anything else is
/// kept as a property; except one named like a field the mapping feeds from another column, which is then only a property.
/// </summary>
public sealed class ColumnMapping
{
    /// <summary>The longest name a mapping may have.</summary>
    public const int MaxNameLength = 100;

    private readonly Dictionary<string, string> fieldOfColumn;

    private ColumnMapping(ImportKind kind, IReadOnlyList<(string Field, string Column)> columns)
    {
        Kind = kind;
        Columns = columns;
        fieldOfColumn = columns.ToDictionary(c => c.Column, c => c.Field, StringComparer.OrdinalIgnoreCase);
    }

    public ImportKind Kind { get; }

    /// <summary>Each field the mapping feeds and the column that feeds it, in the kind's field order.</summary>
    public IReadOnlyList<(string Field, string Column)> Columns { get; }

    /// <summary>
    /// The mapping of these fields and columns for the kind, or the problems with it: a field the kind does not have,
    /// a field given twice, a column that is empty, too long or feeds two fields.
    /// </summary>
    public static ColumnMapping Create(ImportKind kind, IEnumerable<(string Field, string Column)> pairs, List<string> problems)
    {
        var fields = RowParser.FieldsOf(kind);
        var byField = new Dictionary<string, string>(StringComparer.Ordinal);
        var seenColumns = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (rawField, rawColumn) in pairs)
        {
            var field = rawField.Trim();
            var column = rawColumn.Trim();
            if (!fields.Contains(field))
            {
                problems.Add($"`{Shorten(field)}` is not a field of {kind.Name()}; its fields are {string.Join(", ", fields)}");
                continue;
            }
            if (column.Length == 0)
            {
                problems.Add($"{field}: the column's name is empty");
                continue;
            }
            if (FieldLimits.Problem(column, FieldLimits.Kind.Id) is { } bad)
            {
                problems.Add($"{field}: the column's name {bad}");
                continue;
            }
            if (byField.ContainsKey(field))
            {
                problems.Add($"{field} is given twice");
                continue;
            }
            if (!seenColumns.TryAdd(column, field))
            {
                problems.Add($"the column `{Shorten(column)}` feeds both {seenColumns[column]} and {field}; a column feeds one field");
                continue;
            }
            byField[field] = column;
        }
        if (byField.Count == 0 && problems.Count == 0)
        {
            problems.Add("a mapping names at least one field and its column");
        }
        return new ColumnMapping(kind, fields.Where(byField.ContainsKey).Select(f => (f, byField[f])).ToList());
    }

    /// <summary>What is wrong with a mapping's name, or null: 1 to 100 characters, one line, not only spaces.</summary>
    public static string? NameProblem(string? name) =>
        string.IsNullOrWhiteSpace(name) ? "a mapping needs a name"
        : name.Trim().Length > MaxNameLength ? $"a mapping's name is at most {MaxNameLength} characters"
        : FieldLimits.Problem(name.Trim(), FieldLimits.Kind.Label) is { } bad ? $"the mapping's name {bad}" : null;

    /// <summary>The columns the mapping reads that the file's header lacks, as the mapping names them.</summary>
    public IReadOnlyList<string> MissingFrom(IReadOnlyList<string> header)
    {
        var present = new HashSet<string>(header.Select(h => h.Trim()), StringComparer.OrdinalIgnoreCase);
        return Columns.Where(c => !present.Contains(c.Column)).Select(c => c.Column).ToList();
    }

    /// <summary>The header as the import reads it: each column renamed to the field it feeds (see the class).</summary>
    public string[] Apply(IReadOnlyList<string> header)
    {
        var fed = new HashSet<string>(Columns.Select(c => c.Field), StringComparer.OrdinalIgnoreCase);
        var fields = RowParser.FieldsOf(Kind);
        return header.Select(h =>
        {
            var name = h.Trim();
            if (fieldOfColumn.TryGetValue(name, out var field))
            {
                return field;
            }
            if (fed.Contains(name))
            {
                return name + " (not mapped)";
            }
            // A column named as a field, in another case (an export's `Status`), feeds that field.
            return fields.FirstOrDefault(f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase)) ?? h;
        }).ToArray();
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..60] + "…";
}
