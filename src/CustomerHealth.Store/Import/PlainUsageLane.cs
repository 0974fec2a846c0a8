using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Import;

/// <summary>
/// The plain lane of a usage file: a CSV line whose fields <see cref="RowParser.TryParsePlainUsage"/> reads goes to the
/// writer as it stands, without a row of named fields or a record; any other line goes the general way (which reads it
/// the same or says what is wrong with it). Open only when the header names usage fields and nothing else (another
/// column would be a property) and no field twice.
/// </summary>
internal sealed class PlainUsageLane
{
    // For each usage field (in RowParser's order), its column in the file, or -1 when the file lacks it.
    private readonly int[] columnOf;
    private readonly ReadOnlyMemory<char>[] fields;
    private int columns;
    private char separator;
    private bool open;

    public PlainUsageLane()
    {
        var count = RowParser.FieldsOf(ImportKind.Usage).Count;
        columnOf = new int[count];
        fields = new ReadOnlyMemory<char>[count];
    }

    /// <summary>Where the lane's rows go: set by the import that writes them.</summary>
    public Action<PlainUsage>? Sink { get; set; }

    /// <summary>Told the file's header (as the mapping names its columns) and separator, before any line.</summary>
    public void Header(string[] names, char used)
    {
        var known = RowParser.FieldsOf(ImportKind.Usage);
        open = names.Length > 0 && names.Distinct(StringComparer.Ordinal).Count() == names.Length && names.All(known.Contains);
        columns = names.Length;
        separator = used;
        for (var i = 0; i < known.Count; i++)
        {
            columnOf[i] = Array.IndexOf(names, known[i]);
        }
    }

    /// <summary>Takes a plain line when it is a plain usage row and gives it to <see cref="Sink"/>; false, having done nothing, otherwise.</summary>
    public bool Take(ReadOnlyMemory<char> text)
    {
        if (!open || Sink is null)
        {
            return false;
        }
        Span<Range> cuts = stackalloc Range[columns + 1];
        if (text.Span.Split(cuts, separator) != columns)
        {
            return false;
        }
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = columnOf[i] < 0 ? default : text[cuts[columnOf[i]]];
        }
        if (!RowParser.TryParsePlainUsage(fields, out var usage))
        {
            return false;
        }
        Sink(usage);
        return true;
    }
}
