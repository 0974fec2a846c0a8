using System.CommandLine;
using CustomerHealth.Core.Model;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Models;

namespace CustomerHealth.Cli.Commands;

/// <summary>`score`: one day, or a range of days every N days.</summary>
internal static class ScoreCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var asOf = new Option<string?>("--as-of") { Description = "Score as of this day (YYYY-MM-DD; default today)" };
        var from = new Option<string?>("--from") { Description = "First day of a history to score" };
        var to = new Option<string?>("--to") { Description = "Last day of a history to score (default today)" };
        var every = new Option<string>("--every") { Description = "Step between days of a history, such as 7d", DefaultValueFactory = _ => "7d" };
        var version = new Option<string?>("--model-version") { Description = "Score with this published model version (default: the current one)" };
        var json = Chs.Json;
        var cmd = new Command("score", "Score all accounts and store the snapshots") { asOf, from, to, every, version, json };
        cmd.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var models = ctx.Models(db);
            var scoring = new ScoreAndAlert(db, models, ctx.Clock);
            ScoredAndAlerted result;
            if (p.GetValue(from) is { } f)
            {
                if (p.GetValue(asOf) is not null)
                {
                    throw new UsageException("give either --as-of or --from/--to, not both");
                }
                if (!ModelLoader.TryParseDays(p.GetValue(every)!, out var step))
                {
                    throw new UsageException("--every must be a number of days such as 7d");
                }
                var start = CliContext.ParseDate(f, "--from");
                var end = p.GetValue(to) is { } t ? CliContext.ParseDate(t, "--to") : models.Today(p.GetValue(version));
                RefuseFuture(models, end, "--to", p.GetValue(version));
                result = CliContext.WithProgress("Scoring history", pr => scoring.ScoreRange(start, end, step, p.GetValue(version), pr));
            }
            else
            {
                var day = p.GetValue(asOf) is { } a ? CliContext.ParseDate(a, "--as-of") : models.Today(p.GetValue(version));
                RefuseFuture(models, day, "--as-of", p.GetValue(version));
                result = CliContext.WithProgress("Scoring", pr => scoring.Score(day, p.GetValue(version), pr));
            }
            var summaries = result.Scores;
            if (result.Alerts is { } alerts)
            {
                AlertCommands.PrintAfterScoring(alerts);
            }
            if (p.GetValue(json))
            {
                if (summaries.Count == 1)
                {
                    CliContext.WriteJson(summaries[0]);
                }
                else
                {
                    CliContext.WriteJson(summaries);
                }
                return 0;
            }
            foreach (var s in summaries)
            {
                // Grades are listed when some were given (none: every account scored but not graded, or none scored).
                var grades = s.ByGrade.Count == 0 ? "" : " (" + string.Join(", ", s.ByGrade.OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Value}")) + ")";
                Console.WriteLine($"{s.AsOf}: scored {s.AccountsScored} accounts{grades}{(s.NotGraded > 0 ? $", {s.NotGraded} not graded yet (too little of the model has data)" : "")}{(s.Unscored > 0 ? $", {s.Unscored} unscored (no data for any measure)" : "")} with model {s.ModelVersion}.");
            }
            return 0;
        });
        root.Subcommands.Add(cmd);
    }

    private static void RefuseFuture(ModelVersions models, DateOnly day, string option, string? version)
    {
        if (models.FutureDayRefusal(day, version) is { } why)
        {
            throw new UsageException($"{option} {why}");
        }
    }
}
