using System.Text;

namespace CustomerHealth.Store.Import;

/// <summary>
/// An RFC 4180 reader (comma, double-quote quoting with "" escapes, fields spanning lines) that knows the line
/// each record starts on, so errors can point at it.
/// </summary>
internal sealed class CsvRecordReader(TextReader reader)
{
    private readonly char[] buffer = new char[1 << 16];
    private readonly StringBuilder field = new();
    private readonly StringBuilder rawText = new();
    private int pos, len;
    private int line = 1;

    /// <summary>The text of the last record as it stood in the file (without its line break).</summary>
    public string RawText => rawText.ToString().TrimEnd('\r', '\n');

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
        while (true)
        {
            var c = Peek();
            if (c < 0)
            {
                return null;
            }
            if (c == '\r' || c == '\n')
            {
                Next();
                continue;
            }
            break;
        }
        RecordLine = line;
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
                if (c is not (',' or '\r' or '\n' or -1))
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
                    if (c is ',' or '\r' or '\n' or -1)
                    {
                        break;
                    }
                    field.Append((char)Next());
                }
            }
            fields.Add(field.ToString());
            c = Next();
            if (c == ',')
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

    /// <summary>One field quoted as RFC 4180 needs it.</summary>
    public static string Quote(string? value)
    {
        if (value is null)
        {
            return "";
        }
        return value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
