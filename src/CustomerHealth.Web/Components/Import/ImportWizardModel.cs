using System.Security.Claims;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Imports;

namespace CustomerHealth.Web.Components.Import;

/// <summary>
/// The Import page's wizard (Import/ImportWizard.razor) apart from its markup: a file of a kind is uploaded (type and
/// size checked first), its columns are matched to the kind's fields (a saved mapping, else the suggestions of
/// <see cref="ColumnSuggestions"/> and the fields' own names), its first rows shown as they would land with their
/// problems, then imported through the same path as `chs import` (all or nothing, or skipping invalid rows into a
/// downloadable rejected file), the mapping saved under a name if asked. Managers and admins only; the store is
/// opened per action.
/// </summary>
internal sealed class ImportWizardModel(StoreAccess store, Uploads uploads, TimeProvider clock)
{
    /// <summary>How many rows the preview shows.</summary>
    public const int PreviewRows = 10;

    public ImportKind Kind { get; private set; } = ImportKind.Accounts;

    public Upload? File { get; private set; }

    /// <summary>The share of the file received (0–1) while it uploads; null otherwise.</summary>
    public double? Uploading { get; set; }

    /// <summary>The file's columns as it names them.</summary>
    public IReadOnlyList<string> Header { get; private set; } = [];

    /// <summary>For each field of the kind, the file's column that feeds it, or null.</summary>
    public Dictionary<string, string?> Chosen { get; } = new(StringComparer.Ordinal);

    /// <summary>The saved mappings of the kind.</summary>
    public IReadOnlyList<SavedMapping> Saved { get; private set; } = [];

    /// <summary>The saved mapping in use, if one is.</summary>
    public string? SavedName { get; private set; }

    public ImportSample? Sample { get; private set; }

    public bool SkipInvalid { get; set; }

    /// <summary>An Excel workbook's sheets; empty for other files.</summary>
    public IReadOnlyList<string> Sheets { get; private set; } = [];

    /// <summary>The sheet read: the first unless another is chosen.</summary>
    public string? Sheet { get; private set; }

    public void ChooseSheet(string? sheet)
    {
        if (sheet is null || !Sheets.Contains(sheet))
        {
            return;
        }
        Sheet = sheet;
        Result = null;
        Reload(readFile: true);
    }

    /// <summary>A name to save the mapping under when the file is imported; blank saves none.</summary>
    public string? SaveAs { get; set; }

    /// <summary>The share of the file imported (0–1) while it imports; null otherwise.</summary>
    public double? Importing { get; set; }

    public ImportResult? Result { get; private set; }

    /// <summary>Told when an upload or an import moves on, so that the page shows its progress.</summary>
    public Action? Changed { get; set; }

    /// <summary>What went wrong last, in words, or null.</summary>
    public string? Error { get; private set; }

    public IReadOnlyList<string> Fields => RowParser.FieldsOf(Kind);

    public bool IsRequired(string field) => RowParser.RequiredOf(Kind).Contains(field);

    /// <summary>The required fields no column feeds: the import waits until each has one.</summary>
    public IReadOnlyList<string> Unmapped => File is null ? []
        : ColumnSuggestions.Unmapped(Kind, [.. Chosen.Where(c => c.Value is not null).Select(c => (c.Key, c.Value!))]);

    public bool CanImport => File is not null && Unmapped.Count == 0 && Importing is null && Uploading is null && Error is null;

    /// <summary>Whether the user may import: managers and admins.</summary>
    public static bool MayImport(ClaimsPrincipal? user) => user is not null && Rights.CanManage(user);

    public void ChooseKind(string? kind)
    {
        if (kind is null || !RowParser.TryParseKind(kind, out var k))
        {
            Error = $"“{kind}” is not a kind of data the import takes.";
            return;
        }
        Kind = k;
        SavedName = null;
        Result = null;
        Reload();
    }

    /// <summary>Receives a file: refused (with why) when it is of the wrong type or too large, else kept and read.</summary>
    public async Task Receive(Stream content, string name, long size, CancellationToken cancel)
    {
        Result = null;
        Error = null;
        File = null;
        Sample = null;
        start = null;
        Header = [];
        if (uploads.Refusal(name, size) is { } refused)
        {
            Error = refused;
            return;
        }
        Uploading = 0;
        try
        {
            File = await uploads.Save(content, name, size, new Progress<double>(p => { Uploading = p; Changed?.Invoke(); }), cancel);
        }
        catch (UploadRefusedException e)
        {
            Error = e.Message;
        }
        catch (IOException e)
        {
            Error = $"The file could not be received: {e.Message}";
        }
        finally
        {
            Uploading = null;
        }
        if (File is null)
        {
            return;
        }
        SavedName = null;
        Sheets = [];
        Sheet = null;
        if (RowSource.IsWorkbook(File.Path))
        {
            try
            {
                Sheets = RowSource.SheetNames(File.Path);
                Sheet = Sheets.FirstOrDefault();
            }
            catch (StoreException e)
            {
                Error = File.Named(e.Message);
                return;
            }
        }
        Reload(readFile: true);
    }

    // The file's header and first rows, read once per file and sheet; matching the columns again reads nothing.
    private FileStart? start;

    /// <summary>
    /// Matches the columns again (reading the file's start first when it or its sheet changed): the saved mapping in
    /// use, else the suggestions; then the preview.
    /// </summary>
    private void Reload(bool readFile = false)
    {
        Error = null;
        Chosen.Clear();
        using (var db = store.Open())
        {
            Saved = new ImportMappings(db, clock).List().Where(m => m.Mapping.Kind == Kind).ToList();
        }
        if (readFile && File is not null)
        {
            try
            {
                start = Importer.Start(File.Path, new ImportOptions(Sheet: Sheet), PreviewRows);
            }
            catch (StoreException e)
            {
                Error = File.Named(e.Message);
                start = null;
            }
        }
        Header = File is null ? [] : start?.Header ?? [];
        if (File is null || start is null)
        {
            return;
        }
        if (SavedName is not null && Saved.FirstOrDefault(m => m.Name == SavedName) is { } saved)
        {
            foreach (var (field, column) in saved.Mapping.Columns)
            {
                Chosen[field] = Header.FirstOrDefault(h => string.Equals(h.Trim(), column, StringComparison.OrdinalIgnoreCase));
            }
            var missing = saved.Mapping.MissingFrom(Header);
            if (missing.Count > 0)
            {
                Error = $"The mapping “{saved.Name}” reads {string.Join(", ", missing.Select(m => $"“{m}”"))}, which this file does not have: choose those columns below.";
            }
        }
        else
        {
            foreach (var (field, column) in ColumnSuggestions.Suggest(Kind, Header))
            {
                Chosen[field] = column;
            }
        }
        Preview();
    }

    public void UseSaved(string? name)
    {
        SavedName = string.IsNullOrEmpty(name) ? null : name;
        Result = null;
        Reload();
    }

    public void Choose(string field, string? column)
    {
        if (!Fields.Contains(field))
        {
            return;
        }
        Chosen[field] = string.IsNullOrEmpty(column) || !Header.Contains(column) ? null : column;
        Result = null;
        Error = null;
        Preview();
    }

    /// <summary>The mapping the choices make; null when no column is chosen.</summary>
    private ColumnMapping? Mapping()
    {
        var pairs = Chosen.Where(c => c.Value is not null).Select(c => (c.Key, c.Value!)).ToList();
        if (pairs.Count == 0)
        {
            return null;
        }
        var problems = new List<string>();
        var mapping = ColumnMapping.Create(Kind, pairs, problems);
        if (problems.Count > 0)
        {
            Error = "The columns chosen do not fit: " + string.Join("; ", problems) + ".";
            return null;
        }
        return mapping;
    }

    private void Preview()
    {
        if (File is null || start is null)
        {
            return;
        }
        var mapping = Mapping();
        try
        {
            Sample = Importer.Sample(Kind, start, mapping);
        }
        catch (StoreException e)
        {
            Error = File.Named(e.Message);
            Sample = null;
        }
    }

    /// <summary>Imports the file as matched, saving the mapping first when a name is given; refused to anyone but a manager or an admin.</summary>
    public async Task Import(ClaimsPrincipal? user)
    {
        Result = null;
        if (!MayImport(user))
        {
            Error = "Only managers and admins import files.";
            return;
        }
        if (File is not { } file || Unmapped.Count > 0)
        {
            Error = File is null ? "Choose a file first." : $"Choose the column for {string.Join(", ", Unmapped)}: every row needs it.";
            return;
        }
        var mapping = Mapping();
        if (Error is not null)
        {
            return;
        }
        var name = string.IsNullOrWhiteSpace(SaveAs) ? null : SaveAs.Trim();
        if (name is not null && ColumnMapping.NameProblem(name) is { } badName)
        {
            Error = char.ToUpperInvariant(badName[0]) + badName[1..] + ".";
            return;
        }
        Importing = 0;
        try
        {
            var options = new ImportOptions(SkipInvalid, new Progress<double>(p => { Importing = p; Changed?.Invoke(); }), Sheet: Sheet, Mapping: mapping);
            var kind = Kind;
            Result = await Task.Run(() =>
            {
                using var db = store.Open();
                return new Importer(db, clock).ImportFile(kind, file.Path, options);
            });
            if (name is not null && mapping is not null)
            {
                using var db = store.Open();
                new ImportMappings(db, clock).Save(name, mapping, user!.Identity?.Name);
                SavedName = name;
                Saved = new ImportMappings(db, clock).List().Where(m => m.Mapping.Kind == Kind).ToList();
            }
        }
        catch (StoreException e)
        {
            Error = file.Named(e.Message);
        }
        finally
        {
            Importing = null;
        }
    }

    /// <summary>The address of the rejected-rows file of the last import, when it wrote one.</summary>
    public string? RejectedAddress => Result is { Rejected: > 0, Applied: true } && File?.RejectedFile is not null ? $"/import/rejected/{File.Id}" : null;

    /// <summary>What the import did, in a sentence.</summary>
    public string? Outcome => Result is not { } r ? null
        : !r.Applied ? $"Nothing was imported: {N(r.Rejected)} of {N(r.Rows)} rows are not valid. Fix them in the file, or choose to skip invalid rows."
        : $"Imported {N(r.Rows)} {Kind.Name()} rows: {N(r.Changed)} new or updated, {N(r.Unchanged)} already stored" +
          (r.Rejected > 0 ? $", {N(r.Rejected)} skipped as invalid." : ".") + (SaveAs is { Length: > 0 } ? $" The columns are saved as “{SavedName}”." : "");

    private static string N(int n) => n.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
}
