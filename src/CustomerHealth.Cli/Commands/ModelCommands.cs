using System.CommandLine;
using CustomerHealth.Core.Model;
using CustomerHealth.Store;

namespace CustomerHealth.Cli.Commands;

/// <summary>`model validate|publish|show|versions` (SPEC §4).</summary>
internal static class ModelCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var model = new Command("model", "Validate, publish and read health models");

        var vFile = new Argument<string>("FILE");
        var validate = new Command("validate", "Check a model file; every problem is listed as file:line:column: message") { vFile };
        validate.SetAction(p =>
        {
            var file = p.GetValue(vFile)!;
            var m = ModelLoader.Load(Read(file), file);
            Console.WriteLine($"{file}: valid. \"{m.Name}\": {m.Dimensions.Count} dimensions, {m.MeasureCount} measures, {m.Grades.Count} grades, {m.Scorecards.Count} scorecards; version id {ModelLoader.VersionId(m)}.");
            return 0;
        });

        var pFile = new Argument<string>("FILE");
        var note = new Option<string?>("--note") { Description = "Why this version (shown in the version history)" };
        var publish = new Command("publish", "Validate a model file and make it the current model") { pFile, note };
        publish.SetAction(p =>
        {
            var file = p.GetValue(pFile)!;
            using var db = ctx.Open(p);
            var v = ctx.Models(db).Publish(Read(file), file, p.GetValue(note), out var alreadyCurrent);
            Console.WriteLine(alreadyCurrent
                ? $"\"{v.Name}\" is already published as the current version {v.VersionId} (the same model, comments and layout aside); nothing changed."
                : $"Published \"{v.Name}\" as version {v.VersionId}. Run `chs score` to score with it.");
            return 0;
        });

        var showVersion = new Option<string?>("--version") { Description = "A version id (default: the current model)" };
        var show = new Command("show", "Print the current model's YAML") { showVersion };
        show.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var models = ctx.Models(db);
            var v = p.GetValue(showVersion) is { } id ? models.Get(id) ?? throw new StoreException($"no model version {id}") : models.RequireCurrent();
            Console.WriteLine($"# version {v.VersionId}, published {v.PublishedAt:yyyy-MM-dd HH:mm} UTC" + (v.Note is null ? "" : $": {v.Note}"));
            Console.Write(v.Yaml);
            return 0;
        });

        var json = Chs.Json;
        var versions = new Command("versions", "List the published model versions, the current one last") { json };
        versions.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var all = ctx.Models(db).All();
            if (p.GetValue(json))
            {
                CliContext.WriteJson(all.Select((v, i) => new { v.VersionId, v.Name, v.PublishedAt, v.Note, Current = i == all.Count - 1 }));
                return 0;
            }
            foreach (var v in all)
            {
                Console.WriteLine($"{v.VersionId}  {v.PublishedAt:yyyy-MM-dd HH:mm}  {v.Name}{(v.Note is null ? "" : "  — " + v.Note)}{(v == all[^1] ? "  (current)" : "")}");
            }
            return 0;
        });

        model.Subcommands.Add(validate);
        model.Subcommands.Add(publish);
        model.Subcommands.Add(show);
        model.Subcommands.Add(versions);
        root.Subcommands.Add(model);
    }

    private static string Read(string file) =>
        File.Exists(file) ? File.ReadAllText(file) : throw new StoreException($"{file}: no such file");
}
