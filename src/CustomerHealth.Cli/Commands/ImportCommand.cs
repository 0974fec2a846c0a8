using System.CommandLine;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Cli.Commands;

/// <summary>`import KIND FILE` and `import DIR` (SPEC §3).</summary>
internal static class ImportCommand
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var first = new Argument<string>("KIND|DIR") { Description = "The kind of the file (accounts, usage, surveys, tickets, invoices, subscriptions, orders, metrics, sentiment, touches), or a folder of KIND.csv / KIND.jsonl / KIND.xlsx files" };
        var second = new Argument<string?>("FILE") { Description = "The CSV, JSON Lines or Excel (.xlsx) file", Arity = ArgumentArity.ZeroOrOne };
        var skip = new Option<bool>("--skip-invalid") { Description = "Import the valid rows and write the rejected ones to FILE.rejected.csv (or .jsonl)" };
        var delimiter = new Option<string?>("--delimiter")
        {
            Description = "The separator of CSV files: comma, semicolon or tab (default: found on each file's header line)",
        };
        var sheet = new Option<string?>("--sheet") { Description = "The sheet of an Excel workbook to read (default: the first)" };
        var mapping = new Option<string?>("--mapping") { Description = "A saved column mapping (`chs mapping list`): which of the file's columns feed which fields" };
        var json = Chs.Json;
        var cmd = new Command("import", "Import signals from CSV, JSON Lines or Excel files") { first, second, skip, delimiter, sheet, mapping, json };
        cmd.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var importer = new Importer(db, ctx.Clock);
            var options = new ImportOptions(p.GetValue(skip), Delimiter: Separator(p.GetValue(delimiter)), Sheet: p.GetValue(sheet));
            IReadOnlyList<ImportResult> results;
            var target = p.GetValue(first)!;
            if (p.GetValue(second) is { } file)
            {
                if (!RowParser.TryParseKind(target, out var kind))
                {
                    throw new UsageException($"unknown kind `{target}`; one of: {string.Join(", ", Enum.GetValues<ImportKind>().Select(k => k.Name()))}");
                }
                if (p.GetValue(mapping) is { } mappingName)
                {
                    options = options with { Mapping = new ImportMappings(db, ctx.Clock).For(mappingName, kind) };
                }
                results = [CliContext.WithProgress($"Importing {Path.GetFileName(file)}", pr => importer.ImportFile(kind, file, options with { Progress = pr }))];
            }
            else
            {
                if (!Directory.Exists(target) && RowParser.TryParseKind(target, out _))
                {
                    throw new UsageException($"`chs import {target}` needs a FILE");
                }
                if (p.GetValue(mapping) is not null)
                {
                    throw new UsageException("--mapping applies to one file of one kind: `chs import KIND FILE --mapping NAME`");
                }
                results = CliContext.WithProgress($"Importing {target}", pr => importer.ImportDirectory(target, options with { Progress = pr }));
            }
            if (p.GetValue(json))
            {
                CliContext.WriteJson(results.Select(r => new
                {
                    r.Kind, r.File, r.Rows, r.Changed, r.Unchanged, r.Rejected, r.Applied, r.RejectedFile, r.ErrorCount,
                    Separator = r.Separator switch { null => null, var c => Importer.SeparatorName(c.Value).TrimEnd('s') },
                    Errors = r.Errors.Select(e => new { e.File, e.Line, e.Field, e.Reason }),
                }));
            }
            else
            {
                foreach (var r in results)
                {
                    Report(r);
                }
            }
            return results.All(r => r.Applied) ? 0 : 1;
        });
        root.Subcommands.Add(cmd);
    }

    /// <summary>`--delimiter`: a name or the character itself.</summary>
    private static char? Separator(string? given) => given?.Trim().ToLowerInvariant() switch
    {
        null or "" => null,
        "comma" or "," => ',',
        "semicolon" or ";" => ';',
        "tab" or "\\t" or "\t" => '\t',
        _ => throw new UsageException($"--delimiter must be comma, semicolon or tab, not `{given}`"),
    };

    private static void Report(ImportResult r)
    {
        if (!r.Applied)
        {
            Console.Error.WriteLine($"{r.File}: nothing imported: {r.Rejected} of {r.Rows} rows are invalid ({r.ErrorCount} problem{(r.ErrorCount == 1 ? "" : "s")}):");
            foreach (var e in r.Errors)
            {
                Console.Error.WriteLine("  " + e);
            }
            if (r.ErrorCount > r.Errors.Count)
            {
                Console.Error.WriteLine($"  ... and {r.ErrorCount - r.Errors.Count} more");
            }
            Console.Error.WriteLine("  Fix the rows and import the file again, or use --skip-invalid to import the valid rows.");
            return;
        }
        Console.WriteLine($"{r.File}: {r.Rows} {r.Kind} rows: {r.Changed} new or updated, {r.Unchanged} unchanged" +
            (r.Rejected > 0 ? $", {r.Rejected} rejected (written to {r.RejectedFile})" : "") + "." +
            (r.Separator is { } c && c != ',' ? $" (Read as separated by {Importer.SeparatorName(c)}.)" : ""));
        foreach (var e in r.Errors.Take(10))
        {
            Console.Error.WriteLine("  rejected " + e);
        }
    }
}
