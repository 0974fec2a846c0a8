using System.Text;
using System.Text.Json;

namespace CustomerHealth.Store.Import;

/// <summary>One input row: where it came from, its fields, and what is needed to write it back out unchanged.</summary>
/// <param name="Line">Where the row starts in the file: its line (in a JSON array, its 1-based index).</param>
/// <param name="Fields">Its fields by name; empty when it could not be read.</param>
/// <param name="CsvFields">A CSV row's fields as they stood, in column order; null for JSON.</param>
/// <param name="RawText">The row as it stood in the file (the JSON line, or a CSV line that could not be read).</param>
/// <param name="ReadError">Why the row could not be read; null when it could.</param>
public sealed record SourceRow(int Line, Dictionary<string, string?> Fields, string[]? CsvFields, string? RawText, string? ReadError = null)
{
    /// <summary>Whether its numbers may have a comma as decimal point: a row of a semicolon-separated file.</summary>
    public bool DecimalComma { get; init; }
}

/// <summary>A row that could not even be read (broken quoting, invalid JSON).</summary>
public sealed class RowReadException(int line, string message) : Exception(message)
{
    public int Line { get; } = line;
}

/// <summary>Reads CSV (RFC 4180, header row, UTF-8) or JSON Lines into rows of field name to text.</summary>
public static class RowSource
{
    public static bool IsJsonLines(string path) =>
        path.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".ndjson", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    /// <param name="reader">The CSV text.</param>
    /// <param name="separator">The separator, or null to find it on the header line.</param>
    /// <param name="header">Told the header's names and the separator in use, before any row.</param>
    /// <param name="plain">
    /// When given, offered each record that is a plain line (no quotes) first, with its text: a record it takes
    /// (true) is not given as a row. Called in the order of the rows, as they are enumerated.
    /// </param>
    public static IEnumerable<SourceRow> Csv(TextReader reader, Action<string[], char> header, char? separator = null, Func<ReadOnlyMemory<char>, bool>? plain = null)
    {
        var csv = new CsvRecordReader(reader, separator);
        var first = csv.Read();
        if (first is null)
        {
            yield break;
        }
        var names = first.Select(h => h.Trim().TrimStart('\uFEFF')).ToArray();
        header(names, csv.Separator);
        while (true)
        {
            string[]? record;
            string? error = null;
            try
            {
                if (plain is not null && csv.TryReadPlain(out var text))
                {
                    if (plain(text))
                    {
                        continue;
                    }
                    record = csv.Split(text.Span);
                }
                else
                {
                    record = csv.Read();
                }
            }
            catch (RowReadException e)
            {
                record = null;
                error = e.Message;
            }
            if (error is not null)
            {
                yield return new SourceRow(csv.RecordLine, [], null, csv.RawText, error);
                continue;
            }
            if (record is null)
            {
                break;
            }
            var fields = new Dictionary<string, string?>(names.Length, StringComparer.Ordinal);
            for (var i = 0; i < names.Length; i++)
            {
                fields[names[i]] = i < record.Length ? record[i] : null;
            }
            if (record.Length > names.Length)
            {
                fields["_extra_columns"] = string.Join(csv.Separator, record.Skip(names.Length));
            }
            yield return new SourceRow(csv.RecordLine, fields, record, null) { DecimalComma = csv.Separator == ';' };
        }
    }

    /// <summary>Whether a path names an Excel workbook (.xlsx, .xlsm).</summary>
    public static bool IsWorkbook(string path) =>
        path.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".xlsm", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// The rows of a workbook's sheet (the first unless <paramref name="sheet"/> names one): the first row with a value
    /// is the header, each later row a record, its line the sheet's row number. Cells read as the import reads text:
    /// a date as `YYYY-MM-DD` (with a time, `YYYY-MM-DDTHH:MM:SS`, UTC), a number with `.` as decimal point, a
    /// boolean as `true`/`false`; empty rows are skipped. The workbook is read whole before the first row is given.
    /// </summary>
    public static IEnumerable<SourceRow> Workbook(string path, string? sheet, Action<string[]> header)
    {
        List<string[]> cells;
        int[] lines;
        try
        {
            using var book = new ClosedXML.Excel.XLWorkbook(path);
            var sheets = book.Worksheets.ToList();
            var ws = sheet is null ? sheets.FirstOrDefault() : sheets.FirstOrDefault(w => string.Equals(w.Name, sheet, StringComparison.OrdinalIgnoreCase));
            if (ws is null)
            {
                throw new StoreException(sheet is null
                    ? $"{path}: the workbook has no sheet"
                    : $"{path}: no sheet named `{sheet}`; its sheets are {string.Join(", ", sheets.Select(w => $"`{w.Name}`"))}");
            }
            var used = ws.RangeUsed();
            if (used is null)
            {
                yield break;
            }
            var width = used.LastColumn().ColumnNumber();
            var rows = used.Rows().Where(r => !r.IsEmpty()).ToList();
            cells = rows.Select(r => Enumerable.Range(1, width).Select(c => CellText(ws.Cell(r.RowNumber(), c))).ToArray()).ToList();
            lines = rows.Select(r => r.RowNumber()).ToArray();
        }
        catch (Exception e) when (NotAWorkbook(e))
        {
            throw new StoreException($"{path}: not a readable Excel workbook (.xlsx): {e.Message}");
        }
        if (cells.Count == 0)
        {
            yield break;
        }
        var names = cells[0].Select(h => h.Trim()).ToArray();
        // Trailing columns without a name hold nothing the import reads.
        var named = names.Length;
        while (named > 0 && names[named - 1].Length == 0)
        {
            named--;
        }
        names = names[..named];
        header(names);
        for (var i = 1; i < cells.Count; i++)
        {
            var record = cells[i];
            var fields = new Dictionary<string, string?>(names.Length, StringComparer.Ordinal);
            for (var c = 0; c < names.Length; c++)
            {
                fields[names[c]] = record[c].Length == 0 ? null : record[c];
            }
            if (record.Skip(names.Length).Any(v => v.Length > 0))
            {
                fields["_extra_columns"] = string.Join(",", record.Skip(names.Length));
            }
            yield return new SourceRow(lines[i], fields, record[..Math.Max(names.Length, 1)], null);
        }
    }

    /// <summary>The names of a workbook's sheets, in order; a file that is not a workbook is a <see cref="StoreException"/>.</summary>
    public static IReadOnlyList<string> SheetNames(string path)
    {
        try
        {
            using var book = new ClosedXML.Excel.XLWorkbook(path);
            return book.Worksheets.Select(w => w.Name).ToList();
        }
        catch (Exception e) when (NotAWorkbook(e))
        {
            throw new StoreException($"{path}: not a readable Excel workbook (.xlsx): {e.Message}");
        }
    }

    /// <summary>What the workbook library throws for a file that is not a readable workbook (a CSV file renamed, a damaged download).</summary>
    private static bool NotAWorkbook(Exception e) =>
        e is InvalidDataException or IOException or FormatException or ArgumentException or InvalidOperationException
            or System.Xml.XmlException or DocumentFormat.OpenXml.Packaging.OpenXmlPackageException;

    /// <summary>A cell as the import reads text.</summary>
    private static string CellText(ClosedXML.Excel.IXLCell cell)
    {
        switch (cell.DataType)
        {
            case ClosedXML.Excel.XLDataType.DateTime:
                var d = cell.GetDateTime();
                return d.TimeOfDay == TimeSpan.Zero
                    ? d.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)
                    : d.ToString("yyyy-MM-dd'T'HH:mm:ss", System.Globalization.CultureInfo.InvariantCulture);
            case ClosedXML.Excel.XLDataType.Number:
                return cell.GetDouble().ToString("R", System.Globalization.CultureInfo.InvariantCulture);
            case ClosedXML.Excel.XLDataType.Boolean:
                return cell.GetBoolean() ? "true" : "false";
            default:
                return cell.GetString();
        }
    }

    public static IEnumerable<SourceRow> JsonLines(TextReader reader)
    {
        if (reader.Peek() == '[')
        {
            // A JSON array of records is taken as well: each element is reported by its 1-based index.
            foreach (var row in JsonArray(reader.ReadToEnd()))
            {
                yield return row;
            }
            yield break;
        }
        var line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            Dictionary<string, string?> fields;
            string? error = null;
            try
            {
                fields = ParseObject(text, line);
            }
            catch (RowReadException e)
            {
                fields = [];
                error = e.Message;
            }
            yield return new SourceRow(line, fields, null, text, error);
        }
    }

    private static IEnumerable<SourceRow> JsonArray(string text)
    {
        JsonDocument doc;
        string? error = null;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            doc = JsonDocument.Parse("[]");
            error = "not valid JSON: " + e.Message;
        }
        using (doc)
        {
            if (error is not null)
            {
                yield return new SourceRow(1, [], null, text.Length > 200 ? text[..200] : text, error);
                yield break;
            }
            foreach (var row in ArrayRows(doc.RootElement))
            {
                yield return row;
            }
        }
    }

    /// <summary>The records of a parsed JSON array, each reported by its 1-based index.</summary>
    public static IEnumerable<SourceRow> ArrayRows(JsonElement array)
    {
        var index = 0;
        foreach (var element in array.EnumerateArray())
        {
            index++;
            if (element.ValueKind != JsonValueKind.Object)
            {
                yield return new SourceRow(index, [], null, element.GetRawText(), "each record must be a JSON object");
                continue;
            }
            Dictionary<string, string?> fields;
            string? error = null;
            try
            {
                fields = Fields(element);
            }
            catch (FormatException e)
            {
                fields = [];
                error = e.Message;
            }
            yield return new SourceRow(index, fields, null, element.GetRawText(), error);
        }
    }

    public static Dictionary<string, string?> ParseObject(string text, int line)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text);
        }
        catch (JsonException e)
        {
            throw new RowReadException(line, "not valid JSON: " + e.Message);
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new RowReadException(line, "each line must be a JSON object");
            }
            try
            {
                return Fields(doc.RootElement);
            }
            catch (FormatException e)
            {
                throw new RowReadException(line, e.Message);
            }
        }
    }

    /// <summary>The members of a JSON object as text fields; a FormatException for a string that is not text (a lone surrogate escape).</summary>
    public static Dictionary<string, string?> Fields(JsonElement obj)
    {
        var fields = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
        {
            try
            {
                fields[p.Name] = p.Value.ValueKind switch
                {
                    JsonValueKind.String => p.Value.GetString(),
                    JsonValueKind.Null or JsonValueKind.Undefined => null,
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    _ => p.Value.GetRawText(),
                };
            }
            catch (InvalidOperationException)
            {
                // JSON may escape half of a UTF-16 pair (\ud800) on its own; that is not text and cannot be stored.
                throw new FormatException("a name or value is not valid text: it holds half of a UTF-16 surrogate pair (an escape such as \\ud800 on its own)");
            }
        }
        return fields;
    }

    /// <summary>Writes rejected rows, unchanged, with an `_error` column (CSV) or field (JSON Lines).</summary>
    public sealed class RejectWriter : IDisposable
    {
        private readonly StreamWriter writer;
        private readonly bool json;
        private readonly int width;

        private readonly char separator;

        /// <param name="path">The file the rejected rows are written to (replaced when it exists).</param>
        /// <param name="json">JSON Lines with an `_error` field; else CSV with an `_error` column.</param>
        /// <param name="header">A CSV input's header names, written before `_error`.</param>
        /// <param name="separator">The input's: the rejected rows are written as they stood.</param>
        public RejectWriter(string path, bool json, string[]? header, char separator = ',')
        {
            Path = path;
            this.json = json;
            this.separator = separator;
            width = header?.Length ?? 0;
            writer = new StreamWriter(path, false, new UTF8Encoding(false));
            if (!json)
            {
                writer.WriteLine(string.Join(separator, (header ?? []).Append("_error").Select(f => CsvRecordReader.Quote(f, separator))));
            }
        }

        public string Path { get; }
        public int Count { get; private set; }

        public void Write(SourceRow? row, string rawText, string error)
        {
            Count++;
            if (json)
            {
                System.Text.Json.Nodes.JsonObject? obj = null;
                try
                {
                    obj = System.Text.Json.Nodes.JsonNode.Parse(row?.RawText ?? "{}") as System.Text.Json.Nodes.JsonObject;
                }
                catch (JsonException)
                {
                    // written below as raw text
                }
                if (obj is null)
                {
                    writer.WriteLine(JsonSerializer.Serialize(new Dictionary<string, string> { ["_raw"] = rawText, ["_error"] = error }));
                    return;
                }
                obj["_error"] = error;
                writer.WriteLine(obj.ToJsonString());
                return;
            }
            // A line that could not be read as CSV keeps its exact text in the first column, so the file stays valid CSV.
            var fields = row?.CsvFields ?? [rawText];
            // A short row is padded so that the error stays in the `_error` column.
            var padded = fields.Length < width ? fields.Concat(Enumerable.Repeat("", width - fields.Length)) : fields;
            writer.WriteLine(string.Join(separator, padded.Append(error).Select(f => CsvRecordReader.Quote(f, separator))));
        }

        public void Dispose()
        {
            writer.Dispose();
        }
    }
}
