using System.CommandLine;
using System.Globalization;
using CustomerHealth.Core.Prediction;
using CustomerHealth.Store.Prediction;

namespace CustomerHealth.Cli.Commands;

/// <summary>`predict fit`: the current score's probability, a logistic regression and boosted trees compared on the same later observations; `predict publish` puts one in force; `predict status` shows it.</summary>
internal static class PredictCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var json = Chs.Json;
        var fit = new Command("fit", "Fit a learned churn predictor on the store's history and compare it, on later dates, with the score and a logistic regression")
        {
            BacktestCommand.From, BacktestCommand.To, BacktestCommand.Every, BacktestCommand.Horizon, BacktestCommand.Lapse, BacktestCommand.ModelFile, json,
        };
        fit.SetAction(p =>
        {
            var options = BacktestCommand.Options(p, ctx);
            using var db = ctx.Open(p);
            var (model, version) = BacktestCommand.Model(p, ctx, db);
            var yaml = p.GetValue(BacktestCommand.ModelFile) is { } file ? File.ReadAllText(file) : ctx.Models(db).RequireCurrent().Yaml;
            var result = CliContext.WithProgress("Fitting", _ => new Predictions(db, ctx.Clock).Fit(model, version, yaml, options));
            var r = result.Report;
            if (p.GetValue(json))
            {
                CliContext.WriteJson(new
                {
                    r.Validation, r.Note, r.Observations, r.TrainObservations, r.TestObservations, TestDates = result.TestDates,
                    Auc = new { Score = r.Score.Auc, Logistic = r.Logistic.Auc, Boosted = r.Boosted.Auc },
                    Brier = new { Score = r.Score.Brier, Logistic = r.Logistic.Brier, Boosted = r.Boosted.Brier },
                    LogLoss = new { Score = r.Score.LogLoss, Logistic = r.Logistic.LogLoss, Boosted = r.Boosted.LogLoss },
                    Reliability = new { Score = r.Score.Reliability, Logistic = r.Logistic.Reliability, Boosted = r.Boosted.Reliability },
                    Importance = r.Importance,
                    r.Settings,
                    result.PredictorId,
                });
                return 0;
            }
            Console.WriteLine(r.Validation == PredictorFit.TimeOrder
                ? $"{N(r.Observations)} observations; fitted on {N(r.TrainObservations)} from earlier dates, tested on {N(r.TestObservations)} from {result.TestDates.Count} later dates ({result.TestDates[0]} to {result.TestDates[^1]})."
                : $"{N(r.Observations)} observations on {result.TestDates[0]}, cross-validated: each tested once by models fitted without it.");
            if (r.Note is not null)
            {
                Console.WriteLine("Note: " + r.Note);
            }
            Console.WriteLine();
            Console.WriteLine($"  {"",-36} {"AUC",7} {"Brier",7} {"log loss",9}");
            Row("current score (calibrated)", r.Score);
            Row("logistic regression", r.Logistic);
            Row("boosted trees", r.Boosted);
            Console.WriteLine();
            Console.WriteLine($"Boosted trees chosen on held-out dates: {r.Settings.Trees} trees of {r.Settings.Leaves} leaves, learning rate {r.Settings.LearningRate.ToString(CultureInfo.InvariantCulture)}.");
            Console.WriteLine("What it relies on most (share of its splits' gain):");
            foreach (var f in r.Importance.Take(10))
            {
                Console.WriteLine($"  {Pct(f.Importance),6}  {f.Label} ({f.Feature})");
            }
            Console.WriteLine();
            Console.WriteLine("Reliability of the boosted model (predicted → churned):");
            foreach (var b in r.Boosted.Reliability.Where(b => b.Observations > 0))
            {
                Console.WriteLine($"  {Pct(b.From)}–{Pct(b.To)}: {N(b.Observations)} observation{(b.Observations == 1 ? "" : "s")}, predicted {Pct(b.MeanPredicted!.Value)}, churned {Pct(b.ObservedRate!.Value)}");
            }
            Console.WriteLine();
            Console.WriteLine($"Kept as predictor {result.PredictorId}; `chs predict status` shows it and how far its measures have moved since.");
            return 0;
        });
        var status = new Command("status", "Which predictor is in force, the latest fitted, their validation figures, and how far each measure has moved since training") { json };
        status.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var s = new Predictions(db, ctx.Clock).Status(ctx.Today);
            if (p.GetValue(json))
            {
                CliContext.WriteJson(new { s.Latest, s.InForce, s.Kept, s.AsOf, s.Drift });
                return 0;
            }
            if (s.Latest is not { } k)
            {
                Console.WriteLine("No predictor is fitted yet: `chs predict fit --from D1 --to D2` fits one on your history.");
                return 0;
            }
            Console.WriteLine(s.InForce is { } live
                ? $"In force: predictor {live.PredictorId} (published {live.PublishedAt}); the churn probability on accounts scored with model {live.ModelVersion} is its prediction."
                : "In force: none; the churn probability shown on accounts comes from the score's calibration (the latest backtest). `chs predict publish ID` puts a predictor in force.");
            if (s.InForce is { } shown && shown.PredictorId != k.PredictorId)
            {
                Console.WriteLine($"The latest fitted, {k.PredictorId} ({k.FittedAt}), is not in force.");
                k = shown;
            }
            Console.WriteLine();
            var f = k.Figures;
            Console.WriteLine($"Predictor {k.PredictorId}, fitted {k.FittedAt} on model {k.ModelVersion}; churn within {k.HorizonDays} days{(k.LapseDays is { } l ? $" (lapse {l}d)" : "")}.");
            Console.WriteLine(f.Validation == PredictorFit.TimeOrder
                ? $"Validated on {N(f.TestObservations)} observations of {f.TestDates.Count} later dates ({f.TestDates[0]} to {f.TestDates[^1]}):"
                : $"Validated by cross-validation on {N(f.TestObservations)} observations of {f.TestDates[0]}:");
            Console.WriteLine($"  {"",-36} {"AUC",7} {"Brier",7} {"log loss",9}");
            Row("current score (calibrated)", f.Score);
            Row("logistic regression", f.Logistic);
            Row("boosted trees", f.Boosted);
            Console.WriteLine();
            Console.WriteLine($"Drift as of {s.AsOf}: each measure's values now against the training period (PSI; {Drift.Warning.ToString("0.00", CultureInfo.InvariantCulture)} or more: fit again).");
            foreach (var d in s.Drift)
            {
                var psi = d.Psi is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";
                Console.WriteLine($"  {d.Measure,-32} PSI {psi,6}  with a value: {Pct(d.TrainingCoverage)} then, {Pct(d.CoverageNow)} now{(d.Warning is null ? "" : "  ⚠ " + d.Warning)}");
            }
            return 0;
        });
        var id = new Argument<string>("PREDICTOR") { Description = "The predictor's id (`chs predict fit` and `chs predict status` give it), or `latest` for the latest fitted" };
        var publish = new Command("publish", "Put a fitted predictor in force: every account's churn probability, interval and drivers come from it") { id, json };
        publish.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var published = CliContext.WithProgress("Predicting", _ => new Predictions(db, ctx.Clock).Publish(p.GetValue(id)!));
            if (p.GetValue(json))
            {
                CliContext.WriteJson(published);
                return 0;
            }
            Console.WriteLine($"Predictor {published.PredictorId} is in force: the churn probability within {published.HorizonDays} days on accounts scored with model {published.ModelVersion} is its prediction, with an interval and the account's top drivers.");
            Console.WriteLine(published.AsOf is null
                ? "No day is scored yet: the next `chs score` predicts every account."
                : $"{N(published.Predicted)} accounts predicted as of {published.AsOf}; every later scoring predicts again.");
            return 0;
        });
        var predict = new Command("predict", "Learned churn predictions beside the score: fit and compare them on your history, put one in force") { fit, publish, status };
        root.Subcommands.Add(predict);
    }

    private static void Row(string name, ProbabilityFigures f) =>
        Console.WriteLine($"  {name,-36} {F(f.Auc),7} {F(f.Brier),7} {F(f.LogLoss),9}");

    private static string F(double? v) => v is { } x ? x.ToString("0.000", CultureInfo.InvariantCulture) : "—";

    private static string Pct(double v) => (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%";

    private static string N(int n) => n.ToString("N0", CultureInfo.InvariantCulture);
}
