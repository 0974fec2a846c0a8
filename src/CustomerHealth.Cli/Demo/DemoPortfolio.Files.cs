using System.Buffers;
using System.Globalization;
using System.Text;

namespace CustomerHealth.Cli.Demo;

// The CSV files the demo writes.
internal static partial class DemoPortfolio
{
    private sealed class Files : IDisposable
    {
        public Files(string? dir)
        {
            // Without a folder the rows go nowhere: a counterfactual run needs the simulation, not its files.
            CsvFile File(string name, string header) => new(dir is null ? null : Path.Combine(dir, name), header);
            Accounts = File("accounts.csv",
                "account_id,name,segment,lifecycle_stage,owner,arr,seats,plan,started_on,renewal_on,parent_id,status");
            Usage = File("usage.csv", "account_id,occurred_at,event,user_id,event_id,count");
            Surveys = File("surveys.csv", "account_id,kind,score,responded_at,response_id,contact,comment");
            Tickets = File("tickets.csv",
                "ticket_id,account_id,opened_at,priority,status,first_response_at,closed_at,escalated,satisfaction");
            Invoices = File("invoices.csv", "invoice_id,account_id,amount,due_on,issued_on,paid_on,status,currency");
            Subscriptions = File("subscriptions.csv", "account_id,kind,occurred_on,arr_delta,event_id");
            Sentiment = File("sentiment.csv", "account_id,rating,recorded_at,author,note");
        }

        public CsvFile Accounts { get; }
        public CsvFile Usage { get; }
        public CsvFile Surveys { get; }
        public CsvFile Tickets { get; }
        public CsvFile Invoices { get; }
        public CsvFile Subscriptions { get; }
        public CsvFile Sentiment { get; }

        public void Dispose()
        {
            Accounts.Dispose();
            Usage.Dispose();
            Surveys.Dispose();
            Tickets.Dispose();
            Invoices.Dispose();
            Subscriptions.Dispose();
            Sentiment.Dispose();
        }
    }

    /// <summary>An RFC 4180 CSV file built one row at a time in a reusable buffer.</summary>
    private sealed class CsvFile : IDisposable
    {
        private static readonly SearchValues<char> Special = SearchValues.Create(",\"\r\n");
        private readonly StreamWriter writer;
        private char[] buffer = new char[1024];
        private int length;
        private int fields;

        public CsvFile(string? path, string header)
        {
            writer = path is null
                ? new StreamWriter(Stream.Null)
                : new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 20);
            writer.Write(header);
            writer.Write('\n');
        }

        public long Rows { get; private set; }

        private Span<char> Room(int n)
        {
            if (length + n > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, length + n));
            }
            return buffer.AsSpan(length);
        }

        private void Next()
        {
            if (fields++ > 0)
            {
                Room(1)[0] = ',';
                length++;
            }
        }

        private void Append(ReadOnlySpan<char> s)
        {
            s.CopyTo(Room(s.Length));
            length += s.Length;
        }

        /// <summary>A value known to need no quoting (identifiers, fixed words).</summary>
        public CsvFile Raw(string s)
        {
            Next();
            Append(s);
            return this;
        }

        public CsvFile Text(string? s)
        {
            Next();
            if (string.IsNullOrEmpty(s))
            {
                return this;
            }
            if (s.AsSpan().IndexOfAny(Special) < 0)
            {
                Append(s);
                return this;
            }
            Append("\"");
            Append(s.Replace("\"", "\"\"", StringComparison.Ordinal));
            Append("\"");
            return this;
        }

        public CsvFile Empty()
        {
            Next();
            return this;
        }

        public CsvFile Int(long v)
        {
            Next();
            v.TryFormat(Room(24), out var n, default, CultureInfo.InvariantCulture);
            length += n;
            return this;
        }

        public CsvFile Id(string prefix, long v, int digits = 0)
        {
            Next();
            Append(prefix);
            v.TryFormat(Room(24), out var n, digits > 0 ? "D" + digits.ToString(CultureInfo.InvariantCulture) : default, CultureInfo.InvariantCulture);
            length += n;
            return this;
        }

        public CsvFile Money(double v)
        {
            Next();
            // Rounding first keeps "-0.00" out of the file.
            var rounded = Math.Round(v, 2) + 0.0;
            rounded.TryFormat(Room(40), out var n, rounded == Math.Floor(rounded) ? "0" : "0.00", CultureInfo.InvariantCulture);
            length += n;
            return this;
        }

        public CsvFile Date(int dayNumber)
        {
            Next();
            var span = Room(10);
            PutDate(span, DateOnly.FromDayNumber(dayNumber));
            length += 10;
            return this;
        }

        /// <summary>An ISO 8601 UTC timestamp from seconds since day number 0.</summary>
        public CsvFile Stamp(long seconds)
        {
            Next();
            var span = Room(20);
            PutDate(span, DateOnly.FromDayNumber((int)(seconds / SecondsPerDay)));
            var s = (int)(seconds % SecondsPerDay);
            span[10] = 'T';
            Put2(span, 11, s / 3600);
            span[13] = ':';
            Put2(span, 14, s / 60 % 60);
            span[16] = ':';
            Put2(span, 17, s % 60);
            span[19] = 'Z';
            length += 20;
            return this;
        }

        private static void PutDate(Span<char> span, DateOnly date)
        {
            var y = date.Year;
            span[0] = (char)('0' + (y / 1000));
            span[1] = (char)('0' + (y / 100 % 10));
            span[2] = (char)('0' + (y / 10 % 10));
            span[3] = (char)('0' + (y % 10));
            span[4] = '-';
            Put2(span, 5, date.Month);
            span[7] = '-';
            Put2(span, 8, date.Day);
        }

        private static void Put2(Span<char> span, int at, int v)
        {
            span[at] = (char)('0' + (v / 10));
            span[at + 1] = (char)('0' + (v % 10));
        }

        public void End()
        {
            Room(1)[0] = '\n';
            length++;
            writer.Write(buffer, 0, length);
            length = 0;
            fields = 0;
            Rows++;
        }

        public void Dispose() => writer.Dispose();
    }
}
