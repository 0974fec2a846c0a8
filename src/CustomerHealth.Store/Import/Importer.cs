using System.Globalization;
using System.Text;
using Dapper;
using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Import;

/// <summary>
/// Imports files of the kinds of SPEC §3. A file is applied in one transaction: all of it, or (by default, when a
/// row is bad) none of it; with skip-invalid the valid rows land and the others go to a rejected-rows file.
/// </summary>
public sealed class Importer(StoreDb db, TimeProvider clock)
{
    // Usage is staged and merged with set-based SQL: per row only an append, per merge a few sorted passes.
    internal const int DefaultUsageStageLimit = 1 << 20;

    /// <summary>How many usage events an import holds before merging them into the store (fewer in tests, to merge a small file in several parts).</summary>
    internal int UsageStageLimit { get; init; } = DefaultUsageStageLimit;

    /// <summary>Imports every `KIND.csv` / `KIND.jsonl` in a folder, accounts first.</summary>
    public IReadOnlyList<ImportResult> ImportDirectory(string dir, ImportOptions options)
    {
        if (!Directory.Exists(dir))
        {
            throw new StoreException($"{dir}: no such folder");
        }
        var results = new List<ImportResult>();
        foreach (var kind in Enum.GetValues<ImportKind>())
        {
            foreach (var ext in new[] { ".csv", ".jsonl", ".xlsx" })
            {
                var file = Path.Combine(dir, kind.Name() + ext);
                if (File.Exists(file))
                {
                    results.Add(ImportFile(kind, file, options));
                }
            }
        }
        if (results.Count == 0)
        {
            throw new StoreException($"{dir}: no files to import; name them after their kind, such as accounts.csv or usage.jsonl");
        }
        return results;
    }

    public ImportResult ImportFile(ImportKind kind, string file, ImportOptions options)
    {
        if (!File.Exists(file))
        {
            throw new StoreException($"{file}: no such file");
        }
        // An Excel workbook is read like a CSV file; its rejected rows are written as CSV, comma-separated.
        var workbook = RowSource.IsWorkbook(file);
        var json = !workbook && RowSource.IsJsonLines(file);
        using var stream = workbook ? null : new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = stream is null ? null : new StreamReader(stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        var rejectedPath = file + (json ? ".rejected.jsonl" : ".rejected.csv");
        if (options.SkipInvalid && File.Exists(rejectedPath))
        {
            // A rejected-rows file always describes the latest import of its file.
            File.Delete(rejectedPath);
        }
        string[]? header = null;
        var separator = ',';
        var mapping = options.Mapping;
        // Usage files are read in the plain lane where their lines allow (millions of rows), on another core.
        var lane = kind == ImportKind.Usage && !workbook && !json ? new PlainUsageLane() : null;
        void Told(string[] names, char? used)
        {
            (header, separator) = (names, used ?? ',');
            var mapped = Mapped(mapping, file, names);
            CheckHeader(kind, file, mapped, used);
            lane?.Header(mapped, used ?? ',');
        }
        using var pipeline = lane is null ? null : new UsagePipeline(lane, take => Rows(file, reader, options, Told, take), stream);
        var rows = pipeline is null ? Rows(file, reader, options, Told) : pipeline.Rows();
        if (mapping is not null)
        {
            rows = Renamed(rows, mapping);
        }
        ImportResult result;
        try
        {
            result = Import(kind, rows, file, options, pipeline is null ? stream : null, () => header, json ? null : rejectedPath, json ? rejectedPath : null, () => separator, pipeline);
        }
        catch (Exception e) when (StoreDb.IsDiskFull(e))
        {
            throw new StoreException($"the disk holding the store is full: {file} was not imported (a file lands whole or not at all); free some space and import it again");
        }
        db.AnalyzeAfterBulk(result.Changed);
        return json || workbook ? result : result with { Separator = separator };
    }

    /// <summary>
    /// A file's rows by the reader its name calls for: an Excel workbook's sheet, JSON Lines, else CSV. The header (a
    /// CSV file's with its separator; a workbook's with none) is told before the first row; JSON Lines has none.
    /// </summary>
    private static IEnumerable<SourceRow> Rows(string file, TextReader? reader, ImportOptions options, Action<string[], char?> header,
        Func<ReadOnlyMemory<char>, bool>? plain = null) =>
        RowSource.IsWorkbook(file) ? RowSource.Workbook(file, options.Sheet, names => header(names, null))
        : RowSource.IsJsonLines(file) ? RowSource.JsonLines(reader!)
        : RowSource.Csv(reader!, (names, used) => header(names, used), options.Delimiter, plain);

    /// <summary>The header as the mapping reads it; a column the mapping reads that the file lacks refuses the file.</summary>
    private static string[] Mapped(Core.Signals.ColumnMapping? mapping, string file, string[] names)
    {
        if (mapping is null)
        {
            return names;
        }
        var missing = mapping.MissingFrom(names);
        if (missing.Count > 0)
        {
            var fed = mapping.Columns.Where(c => missing.Contains(c.Column)).Select(c => $"`{Shorten(c.Column)}` (for {c.Field})");
            throw new StoreException($"{file}: the mapping reads the column{(missing.Count == 1 ? "" : "s")} {string.Join(", ", fed)}, which the file does not have; " +
                $"its columns are {Shorten(string.Join(", ", names))}.");
        }
        return mapping.Apply(names);
    }

    /// <summary>The rows with their fields named as the mapping says (in JSON Lines, each row's keys: a row without a mapped key lacks its field).</summary>
    private static IEnumerable<SourceRow> Renamed(IEnumerable<SourceRow> rows, Core.Signals.ColumnMapping mapping)
    {
        foreach (var row in rows)
        {
            if (row.ReadError is not null || row.Fields.Count == 0)
            {
                yield return row;
                continue;
            }
            var names = row.Fields.Keys.ToArray();
            var renamed = mapping.Apply(names);
            var fields = new Dictionary<string, string?>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                fields[renamed[i]] = row.Fields[names[i]];
            }
            yield return row with { Fields = fields };
        }
    }

    /// <summary>
    /// A header that names none of the kind's columns is the wrong file or the wrong separator, and one whose columns
    /// need renaming is an export (<see cref="ColumnSuggestions.Advise"/>): one clear error for the file rather than
    /// "is required" on every row.
    /// </summary>
    private static void CheckHeader(ImportKind kind, string file, string[] names, char? separator)
    {
        var advice = ColumnSuggestions.Advise(kind, names);
        if (!advice.Refused)
        {
            return;
        }
        // An export of a known tool (Zendesk, HubSpot, Stripe, Salesforce): say which of its columns to rename.
        var rename = advice.Renames.Count == 0 ? "" :
            $" Its columns look like an export whose columns could feed these fields: {string.Join(", ", advice.Renames.Select(m => $"`{Shorten(m.Column)}` → {m.Field}"))}" +
            (advice.NotFound.Count > 0 ? $" (no column found for {string.Join(", ", advice.NotFound)})" : "") +
            "; rename them in the header row to import it.";
        if (!advice.NamesNone)
        {
            throw new StoreException($"{file}: the header has no {string.Join(", ", advice.Missing)} column, which every {kind.Name()} row needs." + rename);
        }
        var known = RowParser.FieldsOf(kind);
        if (separator is not { } used)
        {
            throw new StoreException(
                $"{file}: the first row of the sheet names none of the {kind.Name()} columns ({string.Join(", ", known)}); it holds `{Shorten(string.Join(", ", names))}`." +
                (rename.Length > 0 ? rename : " Put the column names in the first row, or choose another sheet with --sheet."));
        }
        var read = names.Length == 1 ? $"one column, `{Shorten(names[0])}`" : $"{names.Length} columns, `{Shorten(string.Join(used, names))}`";
        throw new StoreException(
            $"{file}: the header names none of the {kind.Name()} columns ({string.Join(", ", known)}); it was read as {read}, " +
            $"separated by {SeparatorName(used)}." + (rename.Length > 0 ? rename : " If the file uses another separator, give it with --delimiter (comma, semicolon or tab)."));
    }

    private static string Shorten(string text) => text.Length <= 120 ? text : text[..120] + "…";

    /// <summary>How a separator is named to people: `commas`, `semicolons`, `tabs`.</summary>
    public static string SeparatorName(char separator) => separator switch { ';' => "semicolons", '\t' => "tabs", _ => "commas" };

    /// <summary>A person's sentiment on an account, recorded now with them as author, through the same checks as an import.</summary>
    public ImportResult RecordSentiment(string accountId, string? rating, string? note, string? author)
    {
        return Record(ImportKind.Sentiment, new()
        {
            ["account_id"] = accountId,
            ["rating"] = rating,
            ["recorded_at"] = Stamp(clock.GetUtcNow()),
            ["author"] = author,
            ["note"] = Blank(note),
        });
    }

    /// <summary>
    /// A note, call, meeting or e-mail a person records on an account, with them as author, through the same checks as
    /// an import: now, or at noon (UTC) of an earlier day they give, so the day stays the same in every time zone a
    /// model may use but the farthest ones.
    /// </summary>
    public ImportResult RecordTouch(string accountId, string? kind, DateOnly? on, string? text, string? author)
    {
        var now = clock.GetUtcNow();
        var at = on is { } day && day != DateOnly.FromDateTime(now.UtcDateTime) ? new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero) : now;
        return Record(ImportKind.Touches, new()
        {
            ["account_id"] = accountId,
            ["kind"] = kind,
            ["occurred_at"] = Stamp(at),
            ["author"] = author,
            ["text"] = Blank(text),
        });
    }

    /// <summary>One row a person writes, imported as a request: the same checks as a file, all or nothing.</summary>
    private ImportResult Record(ImportKind kind, Dictionary<string, string?> row) =>
        Import(kind, [new SourceRow(1, row, null, null)], "request", new ImportOptions());

    private static string Stamp(DateTimeOffset at) => at.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>Imports rows from any source (files, HTTP); one transaction. Without a rejected-rows file, skipped rows are only listed.</summary>
    public ImportResult Import(
        ImportKind kind, IEnumerable<SourceRow> rows, string file, ImportOptions options, Stream? progressStream = null,
        Func<string[]?>? header = null, string? rejectedCsv = null, string? rejectedJson = null, Func<char>? separator = null) =>
        Import(kind, rows, file, options, progressStream, header, rejectedCsv, rejectedJson, separator, null);

    /// <summary>
    /// As the public <c>Import</c>, with the pipeline the rows are read through, if any (<paramref name="pipeline"/>): the
    /// rows its plain lane takes are written here as they come, between the others, and it tells the progress.
    /// </summary>
    private ImportResult Import(
        ImportKind kind, IEnumerable<SourceRow> rows, string file, ImportOptions options, Stream? progressStream,
        Func<string[]?>? header, string? rejectedCsv, string? rejectedJson, Func<char>? separator, UsagePipeline? pipeline)
    {
        var errors = new List<ImportError>();
        var errorCount = 0;
        int total = 0, changed = 0, unchanged = 0, rejected = 0;
        RowSource.RejectWriter? rejects = null;
        var fieldErrors = new List<FieldError>();
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        db.Engine.LockForImport(db.Connection, tx);
        var writer = new SignalWriter(db, tx, clock, UsageStageLimit);
        var lastProgress = 0L;
        void Progress()
        {
            if (progressStream is not null && options.Progress is not null && (total & 4095) == 0 && progressStream.CanSeek)
            {
                var pos = progressStream.Position;
                if (pos != lastProgress)
                {
                    lastProgress = pos;
                    options.Progress.Report((double)pos / Math.Max(progressStream.Length, 1));
                }
            }
        }
        if (pipeline is not null)
        {
            // A plain row is valid: it is written unless an earlier row was refused (then only counted); usage is
            // counted as changed when merged.
            pipeline.Sink = usage =>
            {
                total++;
                if (rejected == 0 || options.SkipInvalid)
                {
                    writer.WriteUsage(usage);
                    unchanged++;
                }
            };
            pipeline.Progress = options.Progress is { } progress ? progress.Report : null;
        }
        try
        {
            foreach (var row in rows)
            {
                total++;
                var record = Check(kind, row, fieldErrors);
                if (record is null)
                {
                    rejected++;
                    errorCount += fieldErrors.Count;
                    List(errors, file, row, fieldErrors, options);
                    if (options.SkipInvalid && (rejectedCsv ?? rejectedJson) is not null)
                    {
                        rejects ??= new RowSource.RejectWriter((rejectedCsv ?? rejectedJson)!, rejectedJson is not null, header?.Invoke(), separator?.Invoke() ?? ',');
                        rejects.Write(row, row.RawText ?? "", string.Join("; ", fieldErrors.Select(f => $"{f.Field}: {f.Error}")));
                    }
                    continue;
                }
                if (rejected > 0 && !options.SkipInvalid)
                {
                    // The file will not land: keep validating to list every error, write nothing more.
                    continue;
                }
                if (writer.Write(record))
                {
                    changed++;
                }
                else
                {
                    unchanged++;
                }
                Progress();
            }
        }
        finally
        {
            rejects?.Dispose();
        }
        var applied = rejected == 0 || options.SkipInvalid;
        if (applied)
        {
            writer.Finish();
            // Usage changes are counted when the staged events are merged.
            changed += writer.UsageChanged + writer.EntityChanged;
            unchanged -= writer.UsageChanged + writer.EntityChanged;
            RecordArrival(tx, kind, changed + unchanged);
            tx.Commit();
            writer.Committed();
        }
        else
        {
            tx.Rollback();
            changed = unchanged = 0;
        }
        options.Progress?.Report(1);
        return new ImportResult(kind.Name(), file, total, changed, unchanged, rejected, applied, errors, errorCount, rejects?.Path);
    }

    /// <summary>
    /// Reads and validates rows without touching the store, so that it can be done before the import lock is taken;
    /// <see cref="Import(IReadOnlyList{CheckedRows})"/> then only writes.
    /// </summary>
    public static CheckedRows Check(ImportKind kind, IEnumerable<SourceRow> rows, string file, ImportOptions options)
    {
        var records = new List<SignalRecord>();
        var errors = new List<ImportError>();
        var fieldErrors = new List<FieldError>();
        int total = 0, rejected = 0, errorCount = 0;
        foreach (var row in rows)
        {
            total++;
            if (Check(kind, row, fieldErrors) is { } record)
            {
                records.Add(record);
                continue;
            }
            rejected++;
            errorCount += fieldErrors.Count;
            List(errors, file, row, fieldErrors, options);
        }
        return new CheckedRows(kind, file, options, total, rejected, errors, errorCount, records);
    }

    /// <summary>
    /// Writes several checked batches in one transaction (one import lock, one commit), in order, each counted on
    /// its own as if imported alone after the ones before it: an identity sent by two batches is new in the first
    /// and a duplicate in the second. A batch that does not land (a bad row without skip-invalid) writes nothing.
    /// When the transaction fails, nothing of any batch lands and the exception is thrown.
    /// Usage events go to the inbox (<see cref="Engines.UsageInbox"/>): counted exactly now, merged into the store later.
    /// </summary>
    public IReadOnlyList<ImportResult> Import(IReadOnlyList<CheckedRows> batches)
    {
        var counts = new (int Changed, int Unchanged)[batches.Count];
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        db.Engine.LockForImport(db.Connection, tx);
        var writer = new SignalWriter(db, tx, clock) { ToInbox = true };
        for (var b = 0; b < batches.Count; b++)
        {
            writer.StartBatch();
            if (!batches[b].Lands)
            {
                continue;
            }
            var entities = writer.EntityChanged;
            foreach (var record in batches[b].Records)
            {
                if (writer.Write(record))
                {
                    counts[b].Changed++;
                }
                else
                {
                    counts[b].Unchanged++;
                }
            }
            // Entities are written per batch, so that the next batch sees this one's; usage is merged once, below.
            writer.FlushEntities();
            entities = writer.EntityChanged - entities;
            counts[b].Changed += entities;
            counts[b].Unchanged -= entities;
        }
        writer.Finish();
        foreach (var kind in batches.Where(b => b.Lands).Select(b => b.Kind).Distinct())
        {
            RecordArrival(tx, kind, batches.Where(b => b.Lands && b.Kind == kind).Sum(b => b.Records.Count));
        }
        tx.Commit();
        writer.Committed();
        var results = new ImportResult[batches.Count];
        for (var b = 0; b < batches.Count; b++)
        {
            var batch = batches[b];
            var usage = writer.UsageChangedIn(b);
            results[b] = new ImportResult(batch.Kind.Name(), batch.File, batch.Rows, counts[b].Changed + usage, counts[b].Unchanged - usage, batch.Rejected,
                batch.Lands, batch.Errors, batch.ErrorCount, null);
        }
        return results;
    }

    /// <summary>Records that <paramref name="rows"/> rows of a kind arrived now (none: nothing is recorded), for the Sources page.</summary>
    private void RecordArrival(System.Data.Common.DbTransaction tx, ImportKind kind, int rows)
    {
        if (rows <= 0)
        {
            return;
        }
        db.Connection.Execute(
            """
            INSERT INTO source_arrivals (kind, last_at, rows_received) VALUES (@kind, @at, @rows)
            ON CONFLICT (kind) DO UPDATE SET last_at = excluded.last_at, rows_received = source_arrivals.rows_received + excluded.rows_received
            """, new { kind = kind.Name(), at = clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture), rows = (long)rows }, tx);
    }

    /// <summary>
    /// The header of a file and its first rows as read, without checking or storing anything (for the dashboard's import,
    /// which shows a file before it lands): read once, then <see cref="Sample(ImportKind, FileStart, Core.Signals.ColumnMapping?)"/>
    /// as often as the columns are matched again.
    /// </summary>
    /// <param name="file">The file: CSV, JSON Lines or an Excel workbook, told apart by its name.</param>
    /// <param name="options">The separator and sheet to read it with.</param>
    /// <param name="rows">How many rows to read at most.</param>
    public static FileStart Start(string file, ImportOptions options, int rows)
    {
        using var reader = RowSource.IsWorkbook(file) ? null : new StreamReader(file, Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
        string[] header = [];
        char? separator = null;
        var read = Rows(file, reader, options, (names, used) => (header, separator) = (names, used)).Take(rows + 1).ToList();
        var json = !RowSource.IsWorkbook(file) && RowSource.IsJsonLines(file);
        if (json)
        {
            header = [.. read.SelectMany(r => r.Fields.Keys).Where(k => k != "_extra_columns").Distinct(StringComparer.Ordinal)];
        }
        return new FileStart(Path.GetFileName(file), header, separator, read.Take(rows).ToList(), read.Count > rows, json);
    }

    /// <summary>
    /// A file's first rows as an import would read them: each row's fields named as the mapping says and what is wrong
    /// with it. A mapping the header does not fit is a <see cref="StoreException"/>, as on import (JSON Lines has no
    /// header: a record without a mapped key lacks that field).
    /// </summary>
    public static ImportSample Sample(ImportKind kind, FileStart start, Core.Signals.ColumnMapping? mapping)
    {
        IEnumerable<SourceRow> rows = start.Rows;
        if (mapping is not null)
        {
            if (!start.JsonLines)
            {
                Mapped(mapping, start.File, start.Header);
            }
            rows = Renamed(rows, mapping);
        }
        var errors = new List<FieldError>();
        var sample = rows.Select(r =>
        {
            Check(kind, r, errors);
            return new SampleRow(r.Line, r.Fields, errors.Select(e => $"{e.Field}: {e.Error}").ToList());
        }).ToList();
        return new ImportSample(start.Header, start.Separator, sample, start.MoreRows);
    }

    /// <summary>The record of a row, or null with <paramref name="fieldErrors"/> saying what is wrong with it.</summary>
    private static SignalRecord? Check(ImportKind kind, SourceRow row, List<FieldError> fieldErrors)
    {
        fieldErrors.Clear();
        if (row.ReadError is { } readError)
        {
            fieldErrors.Add(new FieldError("(line)", readError));
            return null;
        }
        var record = RowParser.Parse(kind, row.Fields, fieldErrors, row.DecimalComma);
        if (row.Fields.TryGetValue("_extra_columns", out var extra))
        {
            fieldErrors.Add(new FieldError("(line)", $"more fields than the header names: {extra}"));
            return null;
        }
        return fieldErrors.Count > 0 ? null : record;
    }

    private static void List(List<ImportError> errors, string file, SourceRow row, List<FieldError> fieldErrors, ImportOptions options)
    {
        foreach (var fe in fieldErrors)
        {
            if (errors.Count < options.MaxListedErrors)
            {
                errors.Add(new ImportError(file, row.Line, fe.Field, fe.Error));
            }
        }
    }
}
