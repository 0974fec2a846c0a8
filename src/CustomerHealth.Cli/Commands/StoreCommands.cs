using System.CommandLine;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;

namespace CustomerHealth.Cli.Commands;

/// <summary>`init` and `backup`.</summary>
internal static class StoreCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var model = new Option<string>("--model") { Description = "The default model to publish: saas (default) or ecommerce", DefaultValueFactory = _ => "saas" };
        var init = new Command("init", "Create or upgrade the store and publish the default model") { model };
        init.SetAction(p =>
        {
            var name = p.GetValue(model)!;
            if (!ModelVersions.BuiltinNames.Contains(name))
            {
                throw new UsageException($"--model must be one of {string.Join(", ", ModelVersions.BuiltinNames)}");
            }
            using var db = ctx.Open(p, mustExist: false);
            var models = ctx.Models(db);
            var current = models.Current();
            if (current is null)
            {
                current = models.Publish(ModelVersions.Builtin(name), name + ".yaml", $"default {name} model");
                Console.WriteLine($"Created the store {db.DisplayName} (schema version {db.SchemaVersion}) and published the model \"{current.Name}\" as version {current.VersionId}.");
            }
            else
            {
                Console.WriteLine($"The store {db.DisplayName} is up to date (schema version {db.SchemaVersion}); the current model is \"{current.Name}\" ({current.VersionId}).");
                if (new AlertBook(db, models, ctx.Clock).SealStoredRules() is > 0 and var n)
                {
                    Console.WriteLine($"Sealed the destination secrets of {n} stored version{(n == 1 ? "" : "s")} of the alert rules.");
                }
            }
            Console.WriteLine("Next: `chs import DIR` (or `chs import KIND FILE`), then `chs score`.");
            return 0;
        });
        root.Subcommands.Add(init);

        var file = new Argument<string>("FILE") { Description = "Where to write the copy" };
        var backup = new Command("backup", "Write a consistent copy of the store, also while it is in use") { file };
        backup.SetAction(p =>
        {
            using var db = ctx.Open(p);
            db.Backup(p.GetValue(file)!);
            Console.WriteLine($"Backed up {db.DisplayName} to {p.GetValue(file)}.");
            return 0;
        });
        root.Subcommands.Add(backup);
    }
}
