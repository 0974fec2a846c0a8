using System.CommandLine;
using System.Globalization;
using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;
using CustomerHealth.Store.Backtesting;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>`backtest`: does the score predict churn on this store's own history (SPEC §9)?</summary>
internal static class BacktestCommand
{
    public static readonly Option<string> From = new("--from") { Description = "First observation date (YYYY-MM-DD)", Required = true };
    public static readonly Option<string?> To = new("--to") { Description = "Last observation date (default: today)" };
    public static readonly Option<string> Every = new("--every") { Description = "Step between observation dates, such as 30d", DefaultValueFactory = _ => "30d" };
    public static readonly Option<string> Horizon = new("--horizon") { Description = "How far after each date churn counts, such as 90d", DefaultValueFactory = _ => "90d" };
    public static readonly Option<string?> Lapse = new("--lapse") { Description = "Churn by lapse for businesses without contracts, such as 90d: active with an order (or usage) in that window, churned when none follows within the horizon" };
    public static readonly Option<string?> ModelFile = new("--model") { Description = "Backtest this model file instead of the published model (nothing is published)" };

    public static void Add(RootCommand root, CliContext ctx)
    {
        var json = Chs.Json;
        var cmd = new Command("backtest", "Check on this store's history how well the score predicts churn") { From, To, Every, Horizon, Lapse, ModelFile, json };
        cmd.SetAction(p =>
        {
            var options = Options(p, ctx);
            using var db = ctx.Open(p);
            var (model, version) = Model(p, ctx, db);
            var (report, calibration) = CliContext.WithProgress("Backtesting", _ => new Backtest(db).RunWithCalibration(model, version, options));
            if (p.GetValue(ModelFile) is null && calibration is not null)
            {
                // The published model's backtest calibrates the churn probability that `show`, `accounts` and the API give.
                calibration.Save(db);
            }
            if (p.GetValue(json))
            {
                CliContext.WriteJson(report);
                return 0;
            }
            Print(report);
            if (p.GetValue(ModelFile) is null && calibration is not null)
            {
                Console.WriteLine($"Churn probabilities within {calibration.HorizonDays} days now appear in `show`, `accounts --json` and the API for scores of model {calibration.ModelVersion}.");
            }
            return 0;
        });
        root.Subcommands.Add(cmd);
    }

    public static BacktestOptions Options(ParseResult p, CliContext ctx)
    {
        static int Days(string text, string option) =>
            ModelLoader.TryParseDays(text, out var d) && d > 0 ? d : throw new UsageException($"{option} must be a number of days such as 30d, got '{text}'");
        return new BacktestOptions(
            CliContext.ParseDate(p.GetValue(From)!, "--from"),
            p.GetValue(To) is { } t ? CliContext.ParseDate(t, "--to") : ctx.Today,
            Days(p.GetValue(Every)!, "--every"),
            Days(p.GetValue(Horizon)!, "--horizon"),
            p.GetValue(Lapse) is { } l ? Days(l, "--lapse") : null);
    }

    public static (HealthModel Model, string Version) Model(ParseResult p, CliContext ctx, Store.StoreDb db)
    {
        if (p.GetValue(ModelFile) is { } file)
        {
            if (!File.Exists(file))
            {
                throw new Store.StoreException($"{file}: no such file");
            }
            var yaml = File.ReadAllText(file);
            return (ModelLoader.Load(yaml, file), ModelLoader.VersionId(yaml) + " (" + Path.GetFileName(file) + ", not published)");
        }
        var current = ctx.Models(db).RequireCurrent();
        return (current.Model, current.VersionId);
    }

    private static string Pct(double v) => (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string Num(double? v, string format = "0.000") => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "—";

    private static void Print(BacktestReport r)
    {
        Console.WriteLine($"Model {r.ModelVersion}; {(r.Dates.Count == 1 ? $"1 observation date, {r.Dates[0]}" : $"{r.Dates.Count} observation dates from {r.Dates[0]} to {r.Dates[^1]}")}; churn = {r.Churn} within {r.HorizonDays} days.");
        Console.WriteLine($"{r.Observations:N0} observations (an active account on a date), {r.Churned:N0} churned within the horizon ({Pct(r.ChurnRate)})" +
            (r.Unscored > 0 ? $"; {r.Unscored:N0} unscored observations left out." : "."));
        Console.WriteLine($"AUC {Num(r.Auc)}: the chance that an account that churned scored below one that stayed (0.5 is a coin toss, 1 is perfect).");
        Console.WriteLine($"Top-decile lift {Num(r.LiftTopDecile, "0.00")}: the lowest-scored tenth churned {Num(r.LiftTopDecile, "0.00")} times as often as average.");
        var g = new Table().Border(TableBorder.Simple).AddColumns("Grade", "Observations", "Churned", "Churn rate");
        foreach (var x in r.ByGrade)
        {
            g.AddRow(x.Grade, x.Accounts.ToString("N0", CultureInfo.InvariantCulture), x.Churned.ToString("N0", CultureInfo.InvariantCulture), Pct(x.ChurnRate));
        }
        AnsiConsole.Write(g);
        var c = new Table().Border(TableBorder.Simple).AddColumns("Score", "Observations", "Churn rate", "Predicted (calibrated)");
        foreach (var b in r.Calibration.Where(b => b.Accounts > 0))
        {
            c.AddRow($"{b.From:0}–{b.To:0}", b.Accounts.ToString("N0", CultureInfo.InvariantCulture), Pct(b.ChurnRate), Pct(b.Predicted));
        }
        AnsiConsole.Write(c);
        var m = new Table().Border(TableBorder.Simple).AddColumns("Measure", "With data", "AUC", "Direction", "Churn by decile of the value (lowest → highest)");
        foreach (var x in r.Measures)
        {
            m.AddRow(Markup.Escape(x.Label), x.Observations.ToString("N0", CultureInfo.InvariantCulture), Num(x.Auc),
                x.DirectionOk switch { true => "agrees", false => "[red]disagrees[/]", null => "—" },
                string.Join(" ", x.Deciles.Select(d => Pct(d.ChurnRate))));
        }
        AnsiConsole.Write(m);
    }
}
