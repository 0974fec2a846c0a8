#pragma warning disable IDE0130 // shared by the test projects, linked into each
using System.Text;

namespace CustomerHealth.Tests;

/// <summary>
/// The hostile-input corpus, in one place for the HTTP and the command-line suites: text for ids, fields and
/// parameters (control characters, injections, huge values), extreme numbers and dates, and whole bodies and files
/// (malformed, deep and huge JSON, JSON Lines, CSV and YAML). Each piece has a name, so a failure says which.
/// </summary>
internal static class HostileCorpus
{
    public sealed record Piece(string Name, string Value)
    {
        public override string ToString() => Name;
    }

    private static Piece P(string name, string value) => new(name, value);

    /// <summary>Text put into ids, fields, form fields and query parameters.</summary>
    public static readonly Piece[] Strings =
    [
        P("nul", "A\0B"), P("nul-only", "\0"), P("ansi-escape", "\u001b[2J\u001b[31mred"), P("bell-backspace", "a\u0007\u0008b"),
        P("crlf-injection", "x\r\nSet-Cookie: chs=evil"), P("sql-injection", "'; DROP TABLE accounts; --"),
        P("sql-union", "' UNION SELECT password_hash FROM app_users --"), P("html-script", "<script>alert(1)</script>"),
        P("template", "{{7*7}}${7*7}<%= 7*7 %>"), P("path-traversal", "../../../../etc/passwd"),
        P("csv-formula", "=HYPERLINK(\"http://evil.example\",\"x\")"), P("rtl-override", "abc\u202Eexe.txt"), P("lone-surrogate", "a\uD800b"),
        P("emoji", "\U0001F600\U0001F44D\U0001F3FD"), P("whitespace-only", " \t "), P("empty", ""), P("percent-nul", "%00"),
        P("json-breaker", "\"},{\"x\":\""), P("yaml-breaker", "a: [b, {c: d"), P("long-1k", new string('x', 1_000)),
        P("long-100k", new string('y', 100_000)),
    ];

    /// <summary>Numbers at and past the edges of every numeric type, and what is not quite a number.</summary>
    public static readonly Piece[] Numbers =
    [
        P("int-max", "2147483647"), P("int-max+1", "2147483648"), P("int-min-1", "-2147483649"), P("long-max+1", "9223372036854775808"),
        P("long-min-1", "-9223372036854775809"), P("1e309", "1e309"), P("-1e309", "-1e309"), P("nan", "NaN"), P("infinity", "Infinity"),
        P("negative-zero", "-0"), P("hex", "0x10"), P("comma-decimal", "1,5"), P("underflow", "1e-400"), P("30-digits", "999999999999999999999999999999"),
        P("negative", "-1"),
    ];

    /// <summary>Days and times outside the calendar, at its ends, or nearly ISO 8601.</summary>
    public static readonly Piece[] Dates =
    [
        P("zero-date", "0000-00-00"), P("first-day", "0001-01-01"), P("last-day", "9999-12-31"), P("year-10000", "10000-01-01"),
        P("negative-year", "-0001-01-01"), P("feb-30", "2025-02-30"), P("month-13", "2025-13-01"), P("short-date", "2025-1-1"),
        P("hour-25", "2025-01-01T25:61:61Z"), P("offset-25h", "1970-01-01T00:00:00+25:00"), P("year-99999", "99999-01-01T00:00:00Z"),
        P("max-timestamp", "9999-12-31T23:59:59.9999999-14:00"), P("min-timestamp", "0001-01-01T00:00:00+14:00"),
    ];

    /// <summary>Every value piece: strings, numbers, dates.</summary>
    public static IEnumerable<Piece> Values => Strings.Concat(Numbers).Concat(Dates);

    private static string Repeat(string s, int n) => new StringBuilder(s.Length * n).Insert(0, s, n).ToString();

    /// <summary>Whole JSON bodies that are not what any endpoint expects.</summary>
    public static readonly Piece[] JsonBodies =
    [
        P("truncated-object", "{"), P("truncated-array", "["), P("truncated-member", "{\"a\":"), P("null", "null"), P("true", "true"),
        P("number", "42"), P("string", "\"text\""), P("empty-array", "[]"), P("empty-object", "{}"), P("array-of-null", "[null]"),
        P("array-of-numbers", "[1,2,3]"), P("array-of-arrays", "[[],[[]]]"), P("trailing-garbage", "{\"a\":1}garbage"),
        P("nan-literal", "{\"score\":NaN}"), P("huge-exponent", "{\"score\":1e999,\"rating\":1e999}"),
        P("duplicate-keys", "{\"title\":\"a\",\"title\":\"b\",\"account_id\":\"x\",\"account_id\":\"y\"}"), P("bom", "\uFEFF{}"),
        P("wrong-types", "{\"account_id\":[1],\"title\":{\"a\":1},\"steps\":\"not a list\",\"score\":\"high\",\"until\":20250101,\"rating\":[],\"note\":{},\"reason\":true,\"due_on\":false,\"status\":7,\"assignee\":[]}"),
        P("deep-array-10000", Repeat("[", 10_000) + Repeat("]", 10_000)),
        P("deep-object-10000", Repeat("{\"a\":", 10_000) + "1" + Repeat("}", 10_000)),
        P("huge-string-2mb", "{\"account_id\":\"" + new string('z', 2_000_000) + "\"}"),
        P("many-keys-50k", "{" + string.Join(",", Enumerable.Range(0, 50_000).Select(i => $"\"k{i}\":{i}")) + "}"),
        P("many-records-20k", "[" + string.Join(",", Enumerable.Range(0, 20_000).Select(i => $"{{\"account_id\":\"H{i}\\u0000\"}}")) + "]"),
        P("escaped-nul", "{\"account_id\":\"\\u0000\",\"title\":\"\\u0000\",\"reason\":\"\\u0000\",\"note\":\"\\u0000\"}"),
        P("lone-surrogate-escape", "{\"account_id\":\"\\ud800\",\"title\":\"\\udfff\"}"),
        P("lone-surrogate-call", "{\"type\":\"track\",\"userId\":\"\\ud800\",\"event\":\"\\udfff\",\"context\":{\"groupId\":\"\\ud800\"},\"properties\":{\"\\ud800\":1},\"batch\":[{\"type\":\"group\",\"groupId\":\"g\",\"traits\":{\"name\":\"\\ud800\"}}]}"),
    ];

    /// <summary>JSON Lines bodies and files (each line should be an object of SPEC §3's fields).</summary>
    public static readonly Piece[] JsonLines =
    [
        P("truncated", "{\"account_id\":"), P("array-line", "[1]\n"), P("string-line", "\"x\"\n"), P("empty-objects", "{}\n{}\n"),
        P("nested-value", "{\"account_id\":{\"nested\":{\"deeper\":[1,2,3]}}}\n"),
        P("deep-line", Repeat("{\"a\":", 5_000) + "1" + Repeat("}", 5_000) + "\n"),
        P("escaped-nul-id", "{\"account_id\":\"A\\u0000\",\"name\":\"x\"}\n"), P("huge-line-1mb", "{\"account_id\":\"" + new string('q', 1_000_000) + "\"}\n"),
        P("blank-lines", "\n\n\n"), P("null-id", "{\"account_id\":null}\n"), P("numeric-id", "{\"account_id\":123456789012345678901234567890}\n"),
        P("array-id", "{\"account_id\":[1,2]}\n"), P("mixed-good-bad", "{\"account_id\":\"OK-1\"}\nnot json\n{\"account_id\":\"OK-2\"}\n"),
        P("crlf", "{\"account_id\":\"CR-1\"}\r\n{\"account_id\":\"CR\\u001b\"}\r\n"),
    ];

    /// <summary>CSV files (header row first) that no reader should trust.</summary>
    public static readonly Piece[] CsvFiles =
    [
        P("empty", ""), P("newline-only", "\n"), P("header-only", "account_id,name\n"), P("unterminated-quote", "account_id,name\n\"A1,Acme\n"),
        P("stray-quote", "account_id,name\nA\"1,Acme\n"), P("duplicate-header", "account_id,account_id\nA,B\n"), P("nul-bytes", "account_id,name\nA\01,N\0ame\n"),
        P("long-line-1mb", "account_id,name\nA1," + new string('n', 1_000_000) + "\n"), P("binary", "\u0001\u0002\u0003\u00ff\ufffd\u0000PK\u0003\u0004"),
        P("bom", "\uFEFFaccount_id,name\nB1,Bom\n"), P("bare-cr", "account_id,name\rC1,Cr\rC2,Cr\n"), P("ragged", "account_id,name\nA1\nA2,N,extra,more\n"),
        P("columns-10000", string.Join(",", Enumerable.Range(0, 10_000).Select(i => "c" + i)) + "\n" + string.Join(",", Enumerable.Range(0, 10_000)) + "\n"),
        P("empty-header-name", "account_id,,\nA1,x,y\n"), P("control-header", "account_id,na\u001bme\nA1,x\n"), P("quoted-newlines", "account_id,name\n\"A\n1\",\"x\ny\"\n"),
        P("formula-cells", "account_id,name\n=cmd|' /C calc'!A0,@SUM(1)\n"), P("semicolons", "account_id;name\nA1;x\n"),
        P("semicolon-decimals", "account_id;arr;seats\nA1;1.234,5;1,2,3\nA2;12,5;,\nA3;-,;1e400,0\n"),
    ];

    private static string NestedMapping(int depth) =>
        string.Concat(Enumerable.Range(0, depth).Select(i => new string(' ', i) + "a:\n")) + new string(' ', depth) + "b\n";

    /// <summary>YAML files (models, alert rules) that are malformed or abusive but not deep.</summary>
    public static readonly Piece[] Yaml =
    [
        P("empty", ""), P("colon", ":"), P("truncated-flow", "rules: [ {id: a, when: "), P("tabs", "rules:\n\t- id: a\n"), P("null-doc", "~\n"),
        P("two-docs", "---\na: 1\n---\nb: 2\n"), P("scalar", "just text"), P("list-root", "- 1\n- 2\n"),
        P("python-tag", "!!python/object/apply:os.system ['echo pwned']\n"), P("unknown-tag", "rules: !include /etc/passwd\n"),
        P("billion-laughs", "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"),
        P("huge-scalar-2mb", "name: " + new string('m', 2_000_000) + "\n"), P("keys-20k", string.Concat(Enumerable.Range(0, 20_000).Select(i => $"k{i}: {i}\n"))),
        P("nul", "name: a\0b\n"), P("control", "name: \u001b[2J\n"), P("binary", "\u0000\u0001\u0002\u00ff"), P("duplicate-keys", "name: a\nname: b\n"),
        P("extreme-numbers", "name: x\nmax_score: 1e309\ngrades: [{id: g, min: -1e309}]\nrules: [{id: r, when: {score: {below: 9223372036854775808}}}]\n"),
    ];

    /// <summary>YAML nested far deeper than any file needs (parsed in-process, this can exhaust the stack).</summary>
    public static readonly Piece[] DeepYaml =
    [
        P("deep-flow-100000", Repeat("[", 100_000) + Repeat("]", 100_000) + "\n"),
        P("deep-flow-mapping-50000", "a: " + Repeat("{a: ", 50_000) + "1" + Repeat("}", 50_000) + "\n"),
        P("deep-block-mapping-2000", NestedMapping(2_000)),
    ];

    /// <summary>How many pieces the corpus holds, for the suites' reports.</summary>
    public static int Size => Strings.Length + Numbers.Length + Dates.Length + JsonBodies.Length + JsonLines.Length + CsvFiles.Length + Yaml.Length + DeepYaml.Length;

    public static string Summary =>
        $"{Size} pieces: {Strings.Length} strings, {Numbers.Length} numbers, {Dates.Length} dates, {JsonBodies.Length} JSON bodies, " +
        $"{JsonLines.Length} JSON Lines, {CsvFiles.Length} CSV files, {Yaml.Length} YAML files, {DeepYaml.Length} deep YAML files";

    /// <summary>A valid value for each field of SPEC §3, so that a row can be made bad in one field at a time.</summary>
    public static readonly Dictionary<string, string> ValidFields = new()
    {
        ["account_id"] = "HOSTILE-1", ["name"] = "Acme", ["segment"] = "SMB", ["lifecycle_stage"] = "adoption", ["owner"] = "csm@example.com",
        ["arr"] = "1000", ["seats"] = "5", ["plan"] = "pro", ["started_on"] = "2024-01-01", ["renewal_on"] = "2026-01-01", ["parent_id"] = "HOSTILE-P",
        ["status"] = "open", ["occurred_at"] = "2025-03-01T10:00:00Z", ["event"] = "login", ["user_id"] = "u1", ["event_id"] = "e1", ["count"] = "1",
        ["value"] = "1", ["kind"] = "nps", ["score"] = "5", ["responded_at"] = "2025-03-01T10:00:00Z", ["response_id"] = "r1", ["contact"] = "c@example.com",
        ["comment"] = "ok", ["ticket_id"] = "t1", ["opened_at"] = "2025-03-01T10:00:00Z", ["priority"] = "low", ["first_response_at"] = "2025-03-01T11:00:00Z",
        ["closed_at"] = "2025-03-02T10:00:00Z", ["escalated"] = "false", ["satisfaction"] = "good", ["invoice_id"] = "i1", ["amount"] = "10",
        ["due_on"] = "2025-03-01", ["issued_on"] = "2025-02-01", ["paid_on"] = "2025-03-01", ["currency"] = "EUR", ["occurred_on"] = "2025-03-01",
        ["arr_delta"] = "10", ["order_id"] = "o1", ["placed_at"] = "2025-03-01T10:00:00Z", ["returned_amount"] = "0", ["metric"] = "logins",
        ["date"] = "2025-03-01", ["rating"] = "red", ["recorded_at"] = "2025-03-01T10:00:00Z", ["author"] = "a@example.com", ["note"] = "ok",
    };

    private static string Valid(string kind, string field) => (kind, field) switch
    {
        ("accounts", "status") => "active",
        ("subscriptions", "kind") => "started",
        _ => ValidFields.GetValueOrDefault(field, "x"),
    };

    /// <summary>Rows of a kind, each valid but for one field holding one value piece: every field of the kind times every value.</summary>
    public static IEnumerable<(string Field, Piece Piece, Dictionary<string, string> Row)> BadRows(string kind, IReadOnlyList<string> fields)
    {
        foreach (var field in fields)
        {
            foreach (var piece in Values)
            {
                var row = fields.ToDictionary(f => f, f => Valid(kind, f));
                row[field] = piece.Value;
                yield return (field, piece, row);
            }
        }
    }
}
