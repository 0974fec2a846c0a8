using System.CommandLine;
using System.Globalization;
using CustomerHealth.Store.Backtesting;

namespace CustomerHealth.Cli.Commands;

/// <summary>`suggest`: weights fitted on the store's history, judged out of time against the current model (SPEC §9).</summary>
internal static class SuggestCommand
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var json = Chs.Json;
        var output = new Option<string>("--out") { Description = "Where to write the model with the suggested weights", DefaultValueFactory = _ => "suggested-model.yaml" };
        var cmd = new Command("suggest", "Suggest measure weights that predict churn better, checked on later dates than they were fitted on")
        {
            BacktestCommand.From, BacktestCommand.To, BacktestCommand.Every, BacktestCommand.Horizon, BacktestCommand.Lapse, BacktestCommand.ModelFile, output, json,
        };
        cmd.SetAction(p =>
        {
            var options = BacktestCommand.Options(p, ctx);
            using var db = ctx.Open(p);
            var (model, _) = BacktestCommand.Model(p, ctx, db);
            var yaml = p.GetValue(BacktestCommand.ModelFile) is { } file ? File.ReadAllText(file) : ctx.Models(db).RequireCurrent().Yaml;
            var result = CliContext.WithProgress("Fitting", _ => new Suggestion(db).Run(model, yaml, options));
            var path = p.GetValue(output)!;
            File.WriteAllText(path, result.Yaml);
            if (p.GetValue(json))
            {
                CliContext.WriteJson(new
                {
                    result.SuggestedAuc, result.CurrentAuc, result.TrainDates, result.TestDates, result.Weights, result.TrainObservations, result.TestObservations,
                    Model = path, result.Note,
                });
                return 0;
            }
            static string Auc(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";
            Console.WriteLine($"Fitted on {result.TrainDates.Count} dates ({result.TrainDates[0]} to {result.TrainDates[^1]}, {result.TrainObservations:N0} observations); " +
                $"tested on {result.TestDates.Count} later dates ({result.TestDates[0]} to {result.TestDates[^1]}, {result.TestObservations:N0} observations).");
            Console.WriteLine($"Out-of-time AUC: suggested weights {Auc(result.SuggestedAuc)}, current model {Auc(result.CurrentAuc)}.");
            if (result.Note is not null)
            {
                Console.WriteLine("Note: " + result.Note);
            }
            foreach (var (id, w) in result.Weights.OrderByDescending(x => x.Value))
            {
                Console.WriteLine($"  {id,-28} {w * 100,6:0.0}%");
            }
            Console.WriteLine($"Wrote {path}. Review it, backtest it (`chs backtest --model {path} ...`), then `chs model publish {path}`.");
            return 0;
        });
        root.Subcommands.Add(cmd);
    }
}
