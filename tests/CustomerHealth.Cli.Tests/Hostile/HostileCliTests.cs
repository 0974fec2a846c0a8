using System.Text;
using System.Text.Json;
using CustomerHealth.Cli.Commands;
using CustomerHealth.Core.Signals;
using Xunit.Abstractions;

namespace CustomerHealth.Cli.Tests.Hostile;

/// <summary>
/// The hostile-input suite of the command line: every entry point that reads a file (imports of each kind as CSV and
/// JSON Lines, a folder, models, alert rules) and the options that take dates and numbers, fed the corpus. Whatever
/// the input: exit 0, 1 or 2 (never a crash such as 134), a refusal names the file (and line) or the option, shows no
/// stack trace, and leaves the store as it was. The bulk runs `chs` in this process (one process start per input
/// would take minutes); <see cref="HostileCliProcessTests"/> checks the same through the real executable.
/// </summary>
public abstract class HostileCliTests(TestEngine engine, ITestOutputHelper output) : IDisposable
{
    private readonly ChsRunner chs = new(engine);
    private readonly List<string> failures = [];
    private int runs;

    public void Dispose() => chs.Dispose();

    private static readonly object Console1 = new();

    private static readonly string[] Tables =
    [
        "accounts", "usage_events", "usage_blocks", "surveys", "tickets", "invoices", "subscriptions", "orders", "metrics", "sentiment", "touches",
        "model_versions", "overrides", "alert_rules", "alerts", "tasks", "snapshots", "predictors", "predictions", "external_sources",
    ];

    private string Counts()
    {
        using var c = chs.Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT " + string.Join(", ", Tables.Select(t => $"(SELECT COUNT(*) FROM {t})"));
        using var r = cmd.ExecuteReader();
        r.Read();
        return string.Join(", ", Tables.Select((t, i) => $"{t} {Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)}"));
    }

    /// <summary>Runs `chs` in this process with its output captured; an exception escaping it is a crash (exit 134 as a process).</summary>
    internal static ChsRunner.Result InProcess(string db, params string[] args)
    {
        lock (Console1)
        {
            var (stdout, stderr) = (Console.Out, Console.Error);
            using var o = new StringWriter();
            using var e = new StringWriter();
            Console.SetOut(o);
            Console.SetError(e);
            try
            {
                int code;
                try
                {
                    code = Chs.Run(["--db", db, .. args], TimeProvider.System);
                }
                catch (Exception x)
                {
                    code = 134;
                    e.Write("CRASH " + x);
                }
                return new ChsRunner.Result(code, o.ToString(), e.ToString());
            }
            finally
            {
                Console.SetOut(stdout);
                Console.SetError(stderr);
            }
        }
    }

    /// <summary>Runs and checks one input; <paramref name="where"/> are the words a refusal must name (the file, or the option).</summary>
    private ChsRunner.Result Check(string what, string[] where, params string[] args)
    {
        var before = Counts();
        runs++;
        var r = InProcess(chs.DbPath, args);
        var said = r.Out + r.Err;
        if (r.ExitCode is not (0 or 1 or 2))
        {
            failures.Add($"{what}: exit {r.ExitCode}: {Short(r.Err)}");
        }
        if (said.Contains("   at ", StringComparison.Ordinal) || said.Contains("CRASH", StringComparison.Ordinal))
        {
            failures.Add($"{what}: a stack trace: {Short(said)}");
        }
        if (r.ExitCode != 0)
        {
            if (!where.Any(w => r.Err.Contains(w, StringComparison.Ordinal)))
            {
                failures.Add($"{what}: exit {r.ExitCode} without naming {string.Join(" or ", where)}: {Short(r.Err)}");
            }
            if (Counts() is var after && after != before)
            {
                failures.Add($"{what}: refused but the store changed: before {before}; after {after}");
            }
        }
        return r;
    }

    private static string Short(string s) => s.Length > 400 ? s[..400] + "…" : s;

    private void Done(string suite)
    {
        output.WriteLine($"Corpus: {HostileCorpus.Summary}. {suite}: {runs} runs of chs on {engine}; {failures.Count} failures.");
        failures.ShouldBeEmpty(string.Join("\n", failures.Take(60)) + (failures.Count > 60 ? $"\n... and {failures.Count - 60} more" : ""));
    }

    private string File(string name, string text)
    {
        var path = Path.Combine(chs.Dir, name);
        System.IO.File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    private static string CsvCell(string v) => v.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;

    private void Init()
    {
        InProcess(chs.DbPath, "init").ExitCode.ShouldBe(0);
        File("seed.csv", "account_id,name\nKEEP-1,Kept\n");
        InProcess(chs.DbPath, "import", "accounts", Path.Combine(chs.Dir, "seed.csv")).ExitCode.ShouldBe(0);
        // The same account as a workbook, for the options that read one.
        using var book = new ClosedXML.Excel.XLWorkbook();
        var sheet = book.Worksheets.Add("Accounts");
        sheet.Cell(1, 1).Value = "account_id";
        sheet.Cell(2, 1).Value = "KEEP-1";
        book.SaveAs(Path.Combine(chs.Dir, "seed.xlsx"));
    }

    /// <summary>Each kind as CSV and as JSON Lines, every field holding every value piece (one bad field a row): refused whole, every row named.</summary>
    protected void ImportBadRowsOfEveryKind()
    {
        Init();
        foreach (var kind in Enum.GetValues<ImportKind>())
        {
            var fields = RowParser.FieldsOf(kind);
            var rows = HostileCorpus.BadRows(kind.Name(), fields).ToList();
            var csv = File($"{kind.Name()}-hostile.csv",
                string.Join(",", fields) + "\n" + string.Concat(rows.Select(r => string.Join(",", fields.Select(f => CsvCell(r.Row[f]))) + "\n")));
            var jsonl = File($"{kind.Name()}-hostile.jsonl", string.Concat(rows.Select(r => JsonSerializer.Serialize(r.Row) + "\n")));
            var xlsx = Path.Combine(chs.Dir, $"{kind.Name()}-hostile.xlsx");
            using (var book = new ClosedXML.Excel.XLWorkbook())
            {
                var sheet = book.Worksheets.Add("rows");
                for (var c = 0; c < fields.Count; c++)
                {
                    sheet.Cell(1, c + 1).Value = fields[c];
                    for (var r = 0; r < rows.Count; r++)
                    {
                        // Written as text, as a spreadsheet holds what was typed or pasted; a cell holds at most 32,767 characters.
                        var value = rows[r].Row[fields[c]] ?? "";
                        sheet.Cell(r + 2, c + 1).SetValue(value.Length > 32_767 ? value[..32_767] : value);
                    }
                }
                book.SaveAs(xlsx);
            }
            foreach (var file in new[] { csv, jsonl, xlsx })
            {
                var r = Check($"import {kind.Name()} {Path.GetFileName(file)} ({rows.Count} rows)", [file + ":"], "import", kind.Name(), file);
                if (r.ExitCode != 1)
                {
                    failures.Add($"import {Path.GetFileName(file)}: exit {r.ExitCode}, not 1, for a file with bad rows");
                }
            }
        }
        Done("bad rows of every kind");
    }

    [Fact]
    public void Import_EveryCorpusFile_AsCsvAndJsonLinesAndAFolder()
    {
        Init();
        foreach (var piece in HostileCorpus.CsvFiles)
        {
            var file = File($"accounts-{piece.Name}.csv", piece.Value);
            Check($"import accounts CSV {piece}", [file], "import", "accounts", file);
            Check($"import usage CSV {piece}", [file], "import", "usage", file);
        }
        foreach (var piece in HostileCorpus.CsvFiles.Take(8))
        {
            // Not a workbook at all, under a workbook's name.
            var file = File($"accounts-{piece.Name}.xlsx", piece.Value);
            Check($"import accounts .xlsx holding {piece}", [file], "import", "accounts", file);
        }
        foreach (var piece in HostileCorpus.JsonLines.Concat(HostileCorpus.JsonBodies.Select(b => b with { Name = "json-body-" + b.Name })))
        {
            var file = File($"accounts-{piece.Name}.jsonl", piece.Value);
            Check($"import accounts JSON Lines {piece}", [file], "import", "accounts", file);
        }
        var dir = Path.Combine(chs.Dir, "folder");
        Directory.CreateDirectory(dir);
        // Each file of a folder lands whole or not at all; here the only one is refused.
        System.IO.File.WriteAllText(Path.Combine(dir, "usage.jsonl"), HostileCorpus.JsonLines.Single(p => p.Name == "mixed-good-bad").Value);
        Check("import DIR with a bad JSON Lines file", ["usage.jsonl"], "import", dir);
        foreach (var piece in HostileCorpus.Strings.Where(p => p.Value.Length < 1_000))
        {
            Check($"import KIND {piece}", ["kind", "FILE", "no such"], "import", piece.Value, Path.Combine(chs.Dir, "seed.csv"));
            Check($"import FILE named {piece}", ["no such", "FILE", "file"], "import", "accounts", Path.Combine(chs.Dir, piece.Value));
        }
        Done("import files");
    }

    protected void ModelAndAlertRules()
    {
        Init();
        foreach (var piece in HostileCorpus.Yaml)
        {
            var file = File($"{piece.Name}.yaml", piece.Value);
            var name = Path.GetFileName(file);
            Check($"model validate {piece}", [name], "model", "validate", file);
            Check($"model publish {piece}", [name], "model", "publish", file);
            Check($"alerts rules set {piece}", [name], "alerts", "rules", "set", file);
            Check($"alerts rules test {piece}", [name, "no scored history", "score"], "alerts", "rules", "test", file);
        }
        Done("model and rules files");
    }

    /// <summary>The options that take days and numbers, each given every date and number piece.</summary>
    private static readonly (string Option, string[] Args)[] ValueOptions =
    [
        ("--as-of", ["score", "--as-of"]),
        ("--from", ["score", "--from"]),
        ("--every", ["score", "--from", "2025-01-01", "--to", "2025-02-01", "--every"]),
        ("--as-of", ["show", "KEEP-1", "--as-of"]),
        ("--from", ["explain", "KEEP-1", "--to", "2025-02-01", "--from"]),
        ("--until", ["override", "KEEP-1", "--grade", "red", "--reason", "r", "--until"]),
        ("--score", ["override", "KEEP-1", "--reason", "r", "--until", "2099-01-01", "--score"]),
        ("--limit", ["accounts", "--limit"]),
        ("--from", ["backtest", "--from"]),
        ("--horizon", ["backtest", "--from", "2025-01-01", "--horizon"]),
        ("--from", ["predict", "fit", "--from"]),
        ("--every", ["predict", "fit", "--from", "2025-01-01", "--to", "2025-03-01", "--every"]),
        ("--horizon", ["predict", "fit", "--from", "2025-01-01", "--horizon"]),
        ("PREDICTOR", ["predict", "publish"]),
        ("RULE", ["alerts", "effect"]),
        ("--horizon", ["alerts", "effect", "entered-red", "--horizon"]),
        ("--horizon", ["alerts", "rules", "test", "-", "--horizon"]),
        ("--until", ["alerts", "snooze", "1", "--until"]),
        ("ID", ["alerts", "ack"]),
        ("--accounts", ["demo", "--no-serve", "--accounts"]),
        ("--months", ["demo", "--no-serve", "--months"]),
        ("--to", ["demo", "--no-serve", "--accounts", "1", "--months", "1", "--to"]),
        ("--delimiter", ["import", "accounts", "accounts.csv", "--delimiter"]),
        ("--sheet", ["import", "accounts", "seed.xlsx", "--sheet"]),
        ("--quiet-days", ["sources", "--quiet-days"]),
        ("--mapping", ["import", "accounts", "accounts.csv", "--mapping"]),
        ("NAME", ["mapping", "save"]),
        ("FIELD=COLUMN", ["mapping", "save", "m", "tickets"]),
        ("NAME", ["mapping", "remove"]),
        ("ROLE", ["user", "role", "someone@example.com"]),
        ("NAME", ["sources", "add", "--engine", "duckdb", "--table", "events"]),
        ("--engine", ["sources", "add", "s", "--table", "events", "--engine"]),
        ("--kind", ["sources", "add", "s", "--engine", "duckdb", "--table", "events", "--kind"]),
        ("--table", ["sources", "add", "s", "--engine", "duckdb", "--table"]),
        ("--files", ["sources", "add", "s", "--engine", "postgres", "--connection", "Host=127.0.0.1", "--files"]),
        ("--columns", ["sources", "add", "s", "--engine", "duckdb", "--table", "events", "--columns"]),
        ("--connection", ["sources", "add", "s", "--engine", "postgres", "--table", "events", "--connection"]),
        ("--schedule", ["sources", "add", "s", "--engine", "duckdb", "--table", "events", "--schedule"]),
        ("NAME", ["sources", "test"]),
        ("NAME", ["sources", "remove"]),
    ];

    protected void OptionValues()
    {
        Init();
        foreach (var (option, args) in ValueOptions)
        {
            // demo builds a store; only values it must refuse are sent to it (a huge portfolio would take hours).
            // Days get the dates, numbers the numbers, a duration both; each a few strings too.
            var strings = HostileCorpus.Strings.Where(p => p.Name is "nul" or "ansi-escape" or "sql-injection" or "long-1k");
            var pieces = args[0] == "demo" && option == "--to" ? HostileCorpus.Dates.Concat(strings)
                : args[0] == "demo"
                ? HostileCorpus.Numbers.Where(p => !double.TryParse(p.Value, System.Globalization.CultureInfo.InvariantCulture, out var n) || n is < 1 or > 1e7)
                : option is "--as-of" or "--from" or "--until" ? HostileCorpus.Dates.Concat(strings).Concat(HostileCorpus.Numbers.Take(4))
                : option is "--every" or "--horizon" ? HostileCorpus.Numbers.Concat(strings).Concat(HostileCorpus.Dates.Take(4))
                : HostileCorpus.Numbers.Concat(strings);
            foreach (var piece in pieces)
            {
                // The workbook Init wrote, by its full path.
                var given = args.Select(a => a == "seed.xlsx" ? Path.Combine(chs.Dir, a) : a);
                Check($"{string.Join(' ', args)} {piece}", [option, "ID", "no account", "KEEP-1", "no alert", "no open alert", "nothing to", "argument", "no sheet named",
                    "mapping", "FIELD=COLUMN", "too little history", "observation dates", "no predictor", "no alert rule", "source", "--files is for DuckDB"], [.. given, piece.Value]);
            }
        }
        Done("option values");
    }
}

public sealed class HostileCliTestsOnSqlite(ITestOutputHelper output) : HostileCliTests(TestEngine.Sqlite, output)
{
    [Fact]
    public void Import_EveryKindWithEveryBadField_IsRefusedWholeNamingEachLine() => ImportBadRowsOfEveryKind();

    [Fact]
    public void ModelAndAlertRules_EveryYamlFile_AreRefusedWithWhereOrAccepted() => ModelAndAlertRules();

    [Fact]
    public void Options_ExtremeDatesAndNumbers_AreRefusedNamingTheOption() => OptionValues();
}

/// <summary>On PostgreSQL, what stores: the imports (YAML and option values open the store the same way and run on SQLite).</summary>
public sealed class HostileCliTestsOnPostgres(ITestOutputHelper output) : HostileCliTests(TestEngine.Postgres, output)
{
    [Fact]
    public void Import_EveryKindWithEveryBadField_IsRefusedWholeNamingEachLine() => ImportBadRowsOfEveryKind();
}
