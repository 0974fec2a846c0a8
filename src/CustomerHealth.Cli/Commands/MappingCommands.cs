using System.CommandLine;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Cli.Commands;

/// <summary>`mapping save|list|remove`: column mappings saved under a name, for `import KIND FILE --mapping NAME`.</summary>
internal static class MappingCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var mapping = new Command("mapping", "Column mappings: which column of an export feeds which field, saved under a name");

        var name = new Argument<string>("NAME") { Description = "The mapping's name (1 to 100 characters)" };
        var kind = new Argument<string>("KIND") { Description = "The import kind its files are of (accounts, usage, surveys, tickets, ...)" };
        var pairs = new Argument<string[]>("FIELD=COLUMN") { Description = "Each field and the file's column that feeds it, such as ticket_id=Id", Arity = ArgumentArity.OneOrMore };
        var save = new Command("save", "Save a mapping (replacing one of the same name)") { name, kind, pairs };
        save.SetAction(p =>
        {
            var k = p.GetValue(kind)!;
            if (!RowParser.TryParseKind(k, out var importKind))
            {
                throw new UsageException($"unknown kind `{k}`; one of: {string.Join(", ", Enum.GetValues<ImportKind>().Select(x => x.Name()))}");
            }
            var given = new List<(string, string)>();
            foreach (var pair in p.GetValue(pairs)!)
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    throw new UsageException($"`{pair}` is not FIELD=COLUMN (such as ticket_id=Id)");
                }
                given.Add((pair[..eq], pair[(eq + 1)..]));
            }
            var problems = new List<string>();
            var columns = ColumnMapping.Create(importKind, given, problems);
            if (problems.Count > 0)
            {
                throw new UsageException("the mapping is not valid: " + string.Join("; ", problems));
            }
            using var db = ctx.Open(p);
            var saved = new ImportMappings(db, ctx.Clock).Save(p.GetValue(name)!, columns, Environment.UserName);
            Console.WriteLine($"Saved the mapping `{saved.Name}` for {importKind.Name()} files: {Describe(columns)}.");
            Console.WriteLine($"Use it with: chs import {importKind.Name()} FILE --mapping \"{saved.Name}\"");
            return 0;
        });
        mapping.Subcommands.Add(save);

        var json = Chs.Json;
        var list = new Command("list", "The saved mappings") { json };
        list.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var all = new ImportMappings(db, ctx.Clock).List();
            if (p.GetValue(json))
            {
                CliContext.WriteJson(all.Select(m => new
                {
                    m.Name, Kind = m.Mapping.Kind.Name(), Columns = m.Mapping.Columns.ToDictionary(c => c.Field, c => c.Column), m.SavedAt, m.SavedBy,
                }));
                return 0;
            }
            if (all.Count == 0)
            {
                Console.WriteLine("No mapping is saved. Save one with `chs mapping save NAME KIND FIELD=COLUMN...`.");
            }
            foreach (var m in all)
            {
                Console.WriteLine($"{m.Name} ({m.Mapping.Kind.Name()}): {Describe(m.Mapping)}");
            }
            return 0;
        });
        mapping.Subcommands.Add(list);

        var removeName = new Argument<string>("NAME") { Description = "The mapping's name" };
        var remove = new Command("remove", "Remove a saved mapping") { removeName };
        remove.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var n = p.GetValue(removeName)!;
            if (!new ImportMappings(db, ctx.Clock).Remove(n))
            {
                Console.Error.WriteLine($"error: no mapping named `{n}`; `chs mapping list` shows them");
                return 1;
            }
            Console.WriteLine($"Removed the mapping `{n}`.");
            return 0;
        });
        mapping.Subcommands.Add(remove);
        root.Subcommands.Add(mapping);
    }

    private static string Describe(ColumnMapping m) => string.Join(", ", m.Columns.Select(c => $"{c.Field} ← `{c.Column}`"));
}
