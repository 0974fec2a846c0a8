using System.Globalization;

namespace CustomerHealth.Core.Signals;

/// <summary>
/// Turns one imported row (field name to text) into a typed record, or into the list of what is wrong with it.
/// The same rules serve files and the HTTP API.
/// </summary>
public static class RowParser
{
    /// <summary>The priority of a ticket that gives none.</summary>
    public const string DefaultPriority = "normal";

    /// <summary>The words a true/false field reads as true (case ignored); `false`, `0` and `no` as false.</summary>
    public static IReadOnlyList<string> TrueWords { get; } = ["true", "1", "yes"];

    private static readonly Dictionary<ImportKind, string[]> KnownFields = new()
    {
        [ImportKind.Accounts] = ["account_id", "name", "segment", "lifecycle_stage", "owner", "arr", "seats", "plan", "started_on", "renewal_on", "parent_id", "status"],
        [ImportKind.Usage] = ["account_id", "occurred_at", "event", "user_id", "event_id", "count", "value"],
        [ImportKind.Surveys] = ["account_id", "kind", "score", "responded_at", "response_id", "contact", "comment"],
        [ImportKind.Tickets] = ["ticket_id", "account_id", "opened_at", "priority", "status", "first_response_at", "closed_at", "escalated", "satisfaction"],
        [ImportKind.Invoices] = ["invoice_id", "account_id", "amount", "due_on", "issued_on", "paid_on", "status", "currency"],
        [ImportKind.Subscriptions] = ["account_id", "kind", "occurred_on", "arr_delta", "event_id"],
        [ImportKind.Orders] = ["order_id", "account_id", "placed_at", "amount", "returned_amount", "status"],
        [ImportKind.Metrics] = ["account_id", "metric", "date", "value"],
        [ImportKind.Sentiment] = ["account_id", "rating", "recorded_at", "author", "note"],
        [ImportKind.Touches] = ["touch_id", "account_id", "kind", "occurred_at", "author", "text"],
    };

    // The fields SPEC §3 marks required.
    private static readonly Dictionary<ImportKind, string[]> RequiredFields = new()
    {
        [ImportKind.Accounts] = ["account_id"],
        [ImportKind.Usage] = ["account_id", "occurred_at", "event"],
        [ImportKind.Surveys] = ["account_id", "kind", "score", "responded_at"],
        [ImportKind.Tickets] = ["ticket_id", "account_id", "opened_at"],
        [ImportKind.Invoices] = ["invoice_id", "account_id", "amount", "due_on"],
        [ImportKind.Subscriptions] = ["account_id", "kind", "occurred_on"],
        [ImportKind.Orders] = ["order_id", "account_id", "placed_at", "amount"],
        [ImportKind.Metrics] = ["account_id", "metric", "date", "value"],
        [ImportKind.Sentiment] = ["account_id", "rating", "recorded_at"],
        [ImportKind.Touches] = ["account_id", "kind", "occurred_at"],
    };

    public static IReadOnlyList<string> FieldsOf(ImportKind kind) => KnownFields[kind];

    /// <summary>The fields a row of the kind must have (SPEC §3's `*`).</summary>
    public static IReadOnlyList<string> RequiredOf(ImportKind kind) => RequiredFields[kind];

    public static bool TryParseKind(string text, out ImportKind kind) =>
        Enum.TryParse(text, ignoreCase: true, out kind) && text == text.ToLowerInvariant() && !int.TryParse(text, out _);

    public static string Name(this ImportKind kind) => kind.ToString().ToLowerInvariant();

    /// <summary>Parses a row; returns null and fills <paramref name="errors"/> when it is invalid.</summary>
    /// <param name="kind">The import kind the row is of.</param>
    /// <param name="row">The row's fields by column name.</param>
    /// <param name="errors">Filled with what is wrong with the row.</param>
    /// <param name="decimalComma">
    /// Whether a number may have a comma as its decimal point (`12,5`; a semicolon-separated file, as spreadsheets save
    /// them where the comma is the decimal point). A point is always read as one; a number with both, or with more than
    /// one comma, is refused (no thousands separators).
    /// </param>
    public static SignalRecord? Parse(ImportKind kind, IReadOnlyDictionary<string, string?> row, List<FieldError> errors, bool decimalComma = false)
    {
        var r = new Fields(row, errors, KnownFields[kind], decimalComma);
        SignalRecord record = kind switch
        {
            ImportKind.Accounts => ParseAccount(r),
            ImportKind.Usage => new UsageRecord(r.Id("account_id"), r.Time("occurred_at", true) ?? default, r.Text("event", true) ?? "",
                r.Text("user_id"), r.Text("event_id"), r.Long("count") ?? 1, r.Number("value"), r.Extra),
            ImportKind.Surveys => ParseSurvey(r),
            ImportKind.Tickets => new TicketRecord(r.Id("ticket_id"), r.Id("account_id"), r.Time("opened_at", true) ?? default,
                r.OneOf("priority", DefaultPriority, "low", "normal", "high", "urgent")!, r.OneOf("status", "open", "open", "pending", "solved", "closed")!,
                r.Time("first_response_at"), r.Time("closed_at"), r.Bool("escalated") ?? false, r.OneOf("satisfaction", null, "good", "bad"), r.Extra),
            ImportKind.Invoices => new InvoiceRecord(r.Id("invoice_id"), r.Id("account_id"), r.Number("amount", true) ?? 0, r.Date("due_on", true) ?? default,
                r.Date("issued_on"), r.Date("paid_on"), InvoiceStatus(r), r.Text("currency"), r.Extra),
            ImportKind.Subscriptions => new SubscriptionRecord(r.Id("account_id"),
                r.RequiredOneOf("kind", "started", "renewed", "expanded", "contracted", "churned", "reactivated") ?? "",
                r.Date("occurred_on", true) ?? default, r.Number("arr_delta"), r.Text("event_id"), r.Extra),
            ImportKind.Orders => ParseOrder(r),
            ImportKind.Metrics => new MetricRecord(r.Id("account_id"), r.Text("metric", true) ?? "", r.Date("date", true) ?? default, r.Number("value", true) ?? 0, r.Extra),
            ImportKind.Sentiment => new SentimentRecord(r.Id("account_id"), Rating(r), r.Time("recorded_at", true) ?? default, r.Text("author"), r.Text("note"), r.Extra),
            ImportKind.Touches => new TouchRecord(r.Text("touch_id"), r.Id("account_id"), r.RequiredOneOf("kind", TouchRecord.Kinds) ?? "",
                r.Time("occurred_at", true) ?? default, r.Text("author"), r.Text("text"), r.Extra),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        return errors.Count == 0 ? record : null;
    }

    /// <summary>
    /// Reads a usage row straight from the text of its fields, for imports of millions of rows: true with the row read
    /// exactly as <see cref="Parse"/> reads it, or false, having decided nothing, when the row is not plain: a required
    /// field blank, a field over its limit or with a control character, a timestamp in a form other than
    /// `2025-03-01T14:30:00Z`, a count other than digits, a value that is not a plain number. Such a row is then read
    /// by <see cref="Parse"/>, which says what is wrong or reads the other forms.
    /// </summary>
    /// <param name="fields">The text of each field of <see cref="FieldsOf"/>(Usage), in that order; empty for a column the file lacks.</param>
    /// <param name="usage">The row read, its text fields trimmed spans of <paramref name="fields"/>'s text.</param>
    public static bool TryParsePlainUsage(ReadOnlySpan<ReadOnlyMemory<char>> fields, out PlainUsage usage)
    {
        usage = default;
        var account = fields[0].Span.Trim();
        var at = fields[1].Span.Trim();
        var ev = fields[2].Span.Trim();
        var user = fields[3].Span.Trim();
        var id = fields[4].Span.Trim();
        var count = fields[5].Span.Trim();
        var value = fields[6].Span.Trim();
        if (account.IsEmpty || ev.IsEmpty || !FieldLimits.Allowed(account, FieldLimits.Kind.Id) || !FieldLimits.Allowed(ev, FieldLimits.Kind.Label)
            || !FieldLimits.Allowed(user, FieldLimits.Kind.Id) || !FieldLimits.Allowed(id, FieldLimits.Kind.Id)
            || !Timestamps.TryParseCommon(at, out var occurred))
        {
            return false;
        }
        long n = 1;
        if (!count.IsEmpty && (count.Length > 18 || count.ContainsAnyExceptInRange('0', '9') || !long.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out n)))
        {
            return false;
        }
        double? number = null;
        if (!value.IsEmpty)
        {
            // A comma (a decimal point in some files) and the rarer spellings are Parse's to read.
            if (value.ContainsAnyExcept(PlainNumber) || !double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) || !double.IsFinite(d))
            {
                return false;
            }
            number = d;
        }
        usage = new PlainUsage(Trimmed(fields[0], account.Length), occurred, Trimmed(fields[2], ev.Length), Trimmed(fields[3], user.Length), Trimmed(fields[4], id.Length), n, number);
        return true;
    }

    private static readonly System.Buffers.SearchValues<char> PlainNumber = System.Buffers.SearchValues.Create("0123456789.-+eE");

    // A field's text without the spaces around it, as memory (length: that of its trimmed span).
    private static ReadOnlyMemory<char> Trimmed(ReadOnlyMemory<char> field, int length) =>
        field[(field.Length - field.Span.TrimStart().Length)..][..length];

    private static AccountRecord ParseAccount(Fields r)
    {
        var given = new HashSet<string>(r.Given);
        var arr = r.Number("arr");
        var seats = r.Number("seats");
        if (arr < 0)
        {
            r.Fail("arr", "must not be negative");
        }
        if (seats < 0)
        {
            r.Fail("seats", "must not be negative");
        }
        return new AccountRecord(r.Id("account_id"), r.Text("name"), r.Text("segment"), r.Text("lifecycle_stage"), r.Text("owner"), arr, seats,
            r.Text("plan"), r.Date("started_on"), r.Date("renewal_on"), r.Text("parent_id"), r.OneOf("status", null, "active", "churned"), r.Extra, given);
    }

    private static SurveyRecord ParseSurvey(Fields r)
    {
        var kind = r.RequiredOneOf("kind", "nps", "csat", "ces");
        var score = r.Number("score", true);
        if (kind is not null && score is not null)
        {
            var (lo, hi) = kind switch { "nps" => (0, 10), "csat" => (1, 5), _ => (1, 7) };
            if (score < lo || score > hi)
            {
                r.Fail("score", $"a {kind} score must be between {lo} and {hi}, got {score.Value.ToString(CultureInfo.InvariantCulture)}");
            }
        }
        return new SurveyRecord(r.Id("account_id"), kind ?? "", score ?? 0, r.Time("responded_at", true) ?? default, r.Text("response_id"),
            r.Text("contact"), r.Text("comment"), r.Extra);
    }

    private static OrderRecord ParseOrder(Fields r)
    {
        var amount = r.Number("amount", true) ?? 0;
        var returned = r.Number("returned_amount") ?? 0;
        if (returned < 0)
        {
            r.Fail("returned_amount", "must not be negative");
        }
        return new OrderRecord(r.Id("order_id"), r.Id("account_id"), r.Time("placed_at", true) ?? default, amount, returned, r.Text("status"), r.Extra);
    }

    private static string InvoiceStatus(Fields r)
    {
        var s = r.OneOf("status", null, "open", "paid", "failed", "void");
        return s ?? (r.Has("paid_on") ? "paid" : "open");
    }

    private static int Rating(Fields r)
    {
        var text = r.Text("rating", true);
        switch (text?.ToLowerInvariant())
        {
            case null: return 0;
            case "red": return 1;
            case "yellow": return 3;
            case "green": return 5;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 5)
        {
            return n;
        }
        r.Fail("rating", $"must be red, yellow, green or a whole number from 1 to 5, got '{text}'");
        return 0;
    }

    private sealed class Fields(IReadOnlyDictionary<string, string?> row, List<FieldError> errors, string[] known, bool decimalComma)
    {
        public IEnumerable<string> Given => row.Where(kv => !string.IsNullOrWhiteSpace(kv.Value)).Select(kv => kv.Key);

        public IReadOnlyDictionary<string, string> Extra
        {
            get
            {
                Dictionary<string, string>? extra = null;
                foreach (var (k, v) in row)
                {
                    if (!string.IsNullOrEmpty(v) && !known.Contains(k) && !k.StartsWith('_'))
                    {
                        if (FieldLimits.Problem(k, FieldLimits.Kind.Id) is { } badName)
                        {
                            Fail(k.Length > 40 ? k[..40] + "…" : k, "the column name " + badName);
                            continue;
                        }
                        if (FieldLimits.Problem(v, FieldLimits.Kind.Text) is { } badValue)
                        {
                            Fail(k, badValue);
                            continue;
                        }
                        (extra ??= new Dictionary<string, string>(StringComparer.Ordinal))[k] = v;
                    }
                }
                return extra ?? (IReadOnlyDictionary<string, string>)Empty;
            }
        }

        private static readonly Dictionary<string, string> Empty = [];

        public void Fail(string field, string error) => errors.Add(new FieldError(field, error));

        public bool Has(string field) => row.TryGetValue(field, out var v) && !string.IsNullOrWhiteSpace(v);

        public string? Text(string field, bool required = false)
        {
            if (row.TryGetValue(field, out var v) && !string.IsNullOrWhiteSpace(v))
            {
                var text = v.Trim();
                if (FieldLimits.Problem(text, FieldLimits.OfImported(field)) is { } problem)
                {
                    Fail(field, problem);
                    return null;
                }
                return text;
            }
            if (required)
            {
                Fail(field, "is required");
            }
            return null;
        }

        public string Id(string field) => Text(field, true) ?? "";

        public string? OneOf(string field, string? dflt, params string[] allowed) => OneOf(field, dflt, false, allowed);

        public string? RequiredOneOf(string field, params string[] allowed) => OneOf(field, null, true, allowed);

        private string? OneOf(string field, string? dflt, bool required, string[] allowed)
        {
            var t = Text(field, required);
            if (t is null)
            {
                return dflt;
            }
            var lower = t.ToLowerInvariant();
            if (!allowed.Contains(lower))
            {
                Fail(field, $"must be one of {string.Join(", ", allowed)}, got '{t}'");
                return dflt;
            }
            return lower;
        }

        public double? Number(string field, bool required = false)
        {
            var t = Text(field, required);
            if (t is null)
            {
                return null;
            }
            var text = decimalComma && t.IndexOf(',', StringComparison.Ordinal) is var comma and >= 0 &&
                t.IndexOf(',', comma + 1) < 0 && !t.Contains('.', StringComparison.Ordinal)
                ? t.Replace(',', '.')
                : t;
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                return d;
            }
            Fail(field, decimalComma
                ? $"must be a number with ',' or '.' as decimal point and no thousands separator, got '{t}'"
                : $"must be a number with '.' as decimal point, got '{t}'");
            return null;
        }

        public long? Long(string field)
        {
            var t = Text(field);
            if (t is null)
            {
                return null;
            }
            if (long.TryParse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= 0)
            {
                return n;
            }
            Fail(field, $"must be a whole number of zero or more, got '{t}'");
            return null;
        }

        public bool? Bool(string field)
        {
            var t = Text(field)?.ToLowerInvariant();
            switch (t)
            {
                case null: return null;
                case { } yes when TrueWords.Contains(yes): return true;
                case "false" or "0" or "no": return false;
                default:
                    Fail(field, $"must be true or false, got '{t}'");
                    return null;
            }
        }

        public DateOnly? Date(string field, bool required = false)
        {
            var t = Text(field, required);
            if (t is null)
            {
                return null;
            }
            if (DateOnly.TryParseExact(t, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
            {
                return d;
            }
            Fail(field, $"must be a date as YYYY-MM-DD, got '{t}'");
            return null;
        }

        public DateTimeOffset? Time(string field, bool required = false)
        {
            var t = Text(field, required);
            if (t is null)
            {
                return null;
            }
            if (Timestamps.TryParse(t, out var ts))
            {
                return ts;
            }
            Fail(field, $"must be an ISO 8601 timestamp such as 2025-03-01T14:30:00Z, got '{t}'");
            return null;
        }
    }
}

/// <summary>ISO 8601 timestamps; one without an offset is UTC.</summary>
public static class Timestamps
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mmK", "yyyy-MM-dd",
    ];

    public static bool TryParse(string text, out DateTimeOffset value)
    {
        // The common `2025-03-01T14:30:00Z` form is read directly: imports parse millions of these.
        if (TryParseCommon(text, out value))
        {
            return true;
        }
        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value))
        {
            return true;
        }
        // Other ISO 8601 spellings (an offset without a colon, a comma before the fraction...), but only ISO dates.
        return text.Length >= 10 && text[4] == '-' && text[7] == '-' &&
            DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    /// <summary>Reads the common form `2025-03-01T14:30:00Z` (UTC, to the second); false for any other text, valid or not.</summary>
    public static bool TryParseCommon(ReadOnlySpan<char> text, out DateTimeOffset value)
    {
        if (text.Length == 20 && text[4] == '-' && text[7] == '-' && text[10] == 'T' && text[13] == ':' && text[16] == ':' && text[19] == 'Z'
            && Digits(text, 0, 4, out var y) && Digits(text, 5, 2, out var mo) && Digits(text, 8, 2, out var d)
            && Digits(text, 11, 2, out var h) && Digits(text, 14, 2, out var mi) && Digits(text, 17, 2, out var s)
            && mo is >= 1 and <= 12 && d >= 1 && y >= 1 && d <= DateTime.DaysInMonth(y, mo) && h < 24 && mi < 60 && s < 60)
        {
            value = new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.Zero);
            return true;
        }
        value = default;
        return false;
    }

    private static bool Digits(ReadOnlySpan<char> text, int start, int count, out int value)
    {
        value = 0;
        for (var i = start; i < start + count; i++)
        {
            var c = text[i] - '0';
            if ((uint)c > 9)
            {
                return false;
            }
            value = value * 10 + c;
        }
        return true;
    }
}
