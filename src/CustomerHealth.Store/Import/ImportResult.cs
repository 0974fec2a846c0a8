using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Import;

/// <summary>A rejected row: where it is and why.</summary>
public sealed record ImportError(string File, int Line, string Field, string Reason)
{
    public override string ToString() => $"{File}:{Line}: {Field}: {Reason}";
}

/// <summary>What one file's import did.</summary>
public sealed record ImportResult(string Kind, string File, int Rows, int Changed, int Unchanged, int Rejected, bool Applied, IReadOnlyList<ImportError> Errors, int ErrorCount, string? RejectedFile)
{
    /// <summary>The separator a CSV file was read with (null for JSON Lines and requests).</summary>
    public char? Separator { get; init; }
}

/// <param name="SkipInvalid">The valid rows land even when others are rejected (they are written to the rejected file); else a file with a rejected row lands nothing.</param>
/// <param name="Progress">Told the share of the file read so far (0–1).</param>
/// <param name="MaxListedErrors">How many errors the result lists; all are counted.</param>
/// <param name="Delimiter">A CSV file's separator (comma, semicolon or tab); null finds it on the header line.</param>
/// <param name="Sheet">An Excel workbook's sheet to read (by name, ignoring case); null reads the first.</param>
/// <param name="Mapping">Which of the file's columns feed which fields (a saved mapping); null reads the columns by their own names.</param>
public sealed record ImportOptions(
    bool SkipInvalid = false, IProgress<double>? Progress = null, int MaxListedErrors = 100, char? Delimiter = null, string? Sheet = null,
    Core.Signals.ColumnMapping? Mapping = null);

/// <summary>
/// Rows read and validated ahead of writing (see <see cref="Importer.Check(ImportKind, IEnumerable{SourceRow}, string, ImportOptions)"/>):
/// the records of the valid rows, and what was wrong with the others.
/// </summary>
public sealed class CheckedRows
{
    internal CheckedRows(ImportKind kind, string file, ImportOptions options, int rows, int rejected, IReadOnlyList<ImportError> errors, int errorCount, IReadOnlyList<SignalRecord> records)
    {
        Kind = kind;
        File = file;
        Options = options;
        Rows = rows;
        Rejected = rejected;
        Errors = errors;
        ErrorCount = errorCount;
        Records = records;
    }

    public ImportKind Kind { get; }

    public string File { get; }

    public ImportOptions Options { get; }

    public int Rows { get; }

    public int Rejected { get; }

    /// <summary>The rejected rows' errors, as many as the options list.</summary>
    public IReadOnlyList<ImportError> Errors { get; }

    public int ErrorCount { get; }

    internal IReadOnlyList<SignalRecord> Records { get; }

    /// <summary>Whether the valid rows are written: always with skip-invalid, otherwise only when no row is bad.</summary>
    public bool Lands => Rejected == 0 || Options.SkipInvalid;
}

/// <summary>The start of a file as read, before any mapping or check (<see cref="Importer.Start"/>).</summary>
/// <param name="File">The file's name, as messages give it.</param>
/// <param name="Header">The file's column names as it gives them (in JSON Lines, the keys of the rows read).</param>
/// <param name="Separator">A CSV file's separator; null for other files.</param>
/// <param name="Rows">The first rows.</param>
/// <param name="MoreRows">Whether the file has more rows than those.</param>
/// <param name="JsonLines">Whether the file is JSON Lines (its header is only the keys seen).</param>
public sealed record FileStart(string File, string[] Header, char? Separator, IReadOnlyList<SourceRow> Rows, bool MoreRows, bool JsonLines);

/// <summary>The start of a file as an import would read it (<see cref="Importer.Sample"/>).</summary>
/// <param name="Header">The file's column names as it gives them (in JSON Lines, the keys of the rows read).</param>
/// <param name="Separator">A CSV file's separator; null for other files.</param>
/// <param name="Rows">The first rows.</param>
/// <param name="MoreRows">Whether the file has more rows than those.</param>
public sealed record ImportSample(string[] Header, char? Separator, IReadOnlyList<SampleRow> Rows, bool MoreRows);

/// <summary>One row of a sample: its line, its fields as the import reads them, and what is wrong with it (`field: reason`).</summary>
public sealed record SampleRow(int Line, IReadOnlyDictionary<string, string?> Fields, IReadOnlyList<string> Problems);
