using System.Text;

namespace CustomerHealth.Store.Import;

/// <summary>
/// An RFC 4180 reader (double-quote quoting with "" escapes, fields spanning lines) that knows the line each record
/// starts on, so errors can point at it. The separator is a comma, a semicolon (spreadsheets in much of Europe) or a
/// tab: given, or else found on the header line — the one of the three that occurs there most outside quotes.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader, char? separator = null)
{
    /// <summary>The separators a file may use.</summary>
    public static readonly char[] Separators = [',', ';', '\t'];

    private char sep = separator ?? ',';
    private bool decided = separator is not null;

    /// <summary>The separator in use (known once the first record is read).</summary>
    public char Separator => sep;

    private readonly char[] buffer = new char[1 << 16];
    private readonly StringBuilder field = new();
    private readonly StringBuilder rawText = new();
    private int pos, len;
    private int line = 1;

    // Where the last record stands in the buffer when it was read whole from there (a line without quotes), else -1.
    private int rawStart = -1, rawLength;

    /// <summary>The text of the last record as it stood in the file (without its line break).</summary>
    public string RawText => rawStart >= 0 ? new string(buffer, rawStart, rawLength) : rawText.ToString().TrimEnd('\r', '\n');

    /// <summary>The 1-based line the last record read started on.</summary>
    public int RecordLine { get; private set; }

    private int Peek()
    {
        if (pos == len)
        {
            len = reader.Read(buffer, 0, buffer.Length);
            pos = 0;
            if (len == 0)
            {
                return -1;
            }
        }
        return buffer[pos];
    }

    private int Next()
    {
        var c = Peek();
        if (c >= 0)
        {
            pos++;
            rawText.Append((char)c);
            if (c == '\n')
            {
                line++;
            }
        }
        return c;
    }

    /// <summary>
    /// Reads the next record, or null at the end of the input. Blank lines are skipped. A malformed record throws
    /// <see cref="RowReadException"/> and reading can go on with the next one.
    /// </summary>
    public string[]? Read()
    {
        if (!Start())
        {
            return null;
        }
        if (ReadLine() is { } simple)
        {
            return simple;
        }
        return ReadQuoted();
    }

    /// <summary>
    /// Reads the next record when it is a plain line (a whole line in the buffer with no quote and no line break but its
    /// end): true with its text (valid until the next read; <see cref="Split"/> gives its fields). False when the input
    /// is at its end or the record must be read by <see cref="Read"/>, having read nothing.
    /// </summary>
    public bool TryReadPlain(out ReadOnlyMemory<char> text)
    {
        text = default;
        if (!Start() || !FindLine(out var stop, out var next, out var ended))
        {
            return false;
        }
        text = buffer.AsMemory(pos, stop - pos);
        Take(stop, next, ended);
        return true;
    }

    /// <summary>The fields of a plain line's text.</summary>
    public string[] Split(ReadOnlySpan<char> text)
    {
        var fields = new string[text.Count(sep) + 1];
        for (var i = 0; i < fields.Length; i++)
        {
            var cut = text.IndexOf(sep);
            var value = cut < 0 ? text : text[..cut];
            fields[i] = value.IsEmpty ? "" : new string(value);
            text = cut < 0 ? [] : text[(cut + 1)..];
        }
        return fields;
    }

    /// <summary>Skips blank lines and finds the separator on the first record; false at the end of the input.</summary>
    private bool Start()
    {
        while (true)
        {
            var c = Peek();
            if (c < 0)
            {
                return false;
            }
            if (c == '\r' || c == '\n')
            {
                Next();
                continue;
            }
            break;
        }
        if (!decided)
        {
            sep = Detect();
            decided = true;
        }
        RecordLine = line;
        return true;
    }

    // A record read character by character (quoted fields, fields over lines).
    private string[] ReadQuoted()
    {
        rawStart = -1;
        rawText.Clear();
        var fields = new List<string>();
        while (true)
        {
            field.Clear();
            var c = Peek();
            if (c == '"')
            {
                Next();
                while (true)
                {
                    c = Next();
                    if (c < 0)
                    {
                        throw new RowReadException(RecordLine, "a quoted field is not closed before the end of the file");
                    }
                    if (c == '"')
                    {
                        if (Peek() == '"')
                        {
                            Next();
                            field.Append('"');
                            continue;
                        }
                        break;
                    }
                    field.Append((char)c);
                }
                c = Peek();
                if (c != sep && c is not ('\r' or '\n' or -1))
                {
                    // Skip the rest of the line so that reading goes on with the next record.
                    var bad = (char)c;
                    while (Peek() is not ('\n' or -1))
                    {
                        Next();
                    }
                    throw new RowReadException(RecordLine, $"unexpected character '{bad}' after a closing quote (a quote inside a field must be doubled)");
                }
            }
            else
            {
                while (true)
                {
                    c = Peek();
                    if (c == sep || c is '\r' or '\n' or -1)
                    {
                        break;
                    }
                    field.Append((char)Next());
                }
            }
            fields.Add(field.ToString());
            c = Next();
            if (c == sep)
            {
                continue;
            }
            if (c == '\r' && Peek() == '\n')
            {
                Next();
            }
            return [.. fields];
        }
    }

    /// <summary>
    /// Reads the next record when it is a whole line in the buffer (refilled when the line runs past its end) with no
    /// quote and no line break but its end: its fields are then the text between separators. Null otherwise, having
    /// read nothing: such a record is read character by character.
    /// </summary>
    private string[]? ReadLine()
    {
        if (!FindLine(out var stop, out var next, out var ended))
        {
            return null;
        }
        var fields = Split(buffer.AsSpan(pos, stop - pos));
        Take(stop, next, ended);
        return fields;
    }

    /// <summary>
    /// Finds the next record when it is a plain line in the buffer (refilled when the line runs past its end): where its
    /// text stops, where the next record starts, and whether it ended with a line break. False, having read nothing, otherwise.
    /// </summary>
    private bool FindLine(out int stop, out int next, out bool ended)
    {
        stop = next = 0;
        ended = false;
        var end = Array.IndexOf(buffer, '\n', pos, len - pos);
        if (end < 0)
        {
            // Move what is left to the front and read on, unless the buffer holds it all already.
            if (len - pos == buffer.Length)
            {
                return false;
            }
            Array.Copy(buffer, pos, buffer, 0, len - pos);
            len -= pos;
            pos = 0;
            int read;
            while (len < buffer.Length && (read = reader.Read(buffer, len, buffer.Length - len)) > 0)
            {
                len += read;
            }
            end = Array.IndexOf(buffer, '\n', 0, len);
            if (end < 0 && len == buffer.Length)
            {
                return false;
            }
        }
        next = end < 0 ? len : end + 1;
        stop = end < 0 ? len : end > pos && buffer[end - 1] == '\r' ? end - 1 : end;
        ended = end >= 0;
        return buffer.AsSpan(pos, stop - pos).IndexOfAny('"', '\r') < 0;
    }

    // Moves past a plain line found by FindLine, keeping its text as the record's raw text.
    private void Take(int stop, int next, bool ended)
    {
        rawStart = pos;
        rawLength = stop - pos;
        pos = next;
        if (ended)
        {
            line++;
        }
    }

    /// <summary>The separator that occurs most on the first line (outside quotes), a comma when none does.</summary>
    private char Detect()
    {
        // The header line is in the buffer once Peek has filled it (a header longer than the buffer is read as commas).
        Peek();
        int commas = 0, semicolons = 0, tabs = 0;
        var quoted = false;
        for (var i = pos; i < len && (quoted || buffer[i] is not ('\n' or '\r')); i++)
        {
            switch (buffer[i])
            {
                case '"':
                    quoted = !quoted;
                    break;
                case ',' when !quoted:
                    commas++;
                    break;
                case ';' when !quoted:
                    semicolons++;
                    break;
                case '\t' when !quoted:
                    tabs++;
                    break;
            }
        }
        return semicolons > commas && semicolons >= tabs ? ';' : tabs > commas && tabs > semicolons ? '\t' : ',';
    }

    /// <summary>One field quoted as RFC 4180 needs it, for a file separated by <paramref name="separator"/>.</summary>
    public static string Quote(string? value, char separator = ',')
    {
        if (value is null)
        {
            return "";
        }
        return value.AsSpan().IndexOfAny(separator, '"', '\r') >= 0 || value.Contains('\n', StringComparison.Ordinal)
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
    }
}
