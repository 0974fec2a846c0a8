using CustomerHealth.Core.Scoring;
using System.Globalization;
using CustomerHealth.Store.Reading;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands.Output;

/// <summary>How lists and explanations read on a terminal.</summary>
internal static class Tables
{
    public static void Accounts(IReadOnlyList<AccountRow> rows)
    {
        var t = new Table().Border(TableBorder.Simple);
        foreach (var c in new[] { "Account", "Name", "Segment", "Owner", "ARR", "Score", "Grade", "Trend", "Scored on" })
        {
            t.AddColumn(c);
        }
        foreach (var r in rows)
        {
            t.AddRow(E(r.AccountId), E(r.Name), E(r.Segment), E(r.Owner), r.Arr?.ToString("N0", CultureInfo.InvariantCulture) ?? "", Num(r.Score), E(r.Grade ?? (r.Score is null ? "unscored" : "not graded")),
                r.Trend is { } tr ? $"{Arrow(r.Direction)} {tr.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)}" : "", E(r.ScoredOn));
        }
        AnsiConsole.Write(t);
        Console.WriteLine($"{rows.Count} accounts.");
    }

    public static void Detail(AccountDetail d)
    {
        Console.WriteLine($"{d.AccountId}  {d.Name}");
        var p = d.Profile;
        Console.WriteLine($"  segment {p.Segment ?? "—"} · stage {p.LifecycleStage ?? "—"} · owner {p.Owner ?? "—"} · ARR {p.Arr?.ToString("N0", CultureInfo.InvariantCulture) ?? "—"} · seats {p.Seats?.ToString(CultureInfo.InvariantCulture) ?? "—"} · plan {p.Plan ?? "—"} · renewal {p.RenewalOn ?? "—"} · status {p.Status}{(p.ChurnedOn is null ? "" : " since " + p.ChurnedOn)}");
        if (d.Score is null)
        {
            Console.WriteLine($"  Not scored{(d.AsOf.Length > 0 ? " as of " + d.AsOf : "")}: {d.Note ?? "no measure has data for this account"}.");
            return;
        }
        Console.WriteLine($"  Score {Num(d.Score)} · {(d.Grade is null ? "not graded yet" : $"{d.GradeLabel ?? d.Grade} ({d.Grade})")} as of {d.AsOf}" +
            (d.Trend is { } t ? $" · trend {Arrow(d.Direction)} {t.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)}" : "") +
            $" · scorecard {d.Scorecard} · model {d.ModelVersion}");
        if (d.StaleSource is { } stale)
        {
            Console.WriteLine($"  Not current: the source `{stale.Source}` ({stale.Engine}) could not be read{(stale.FailedAt is null ? "" : " at " + stale.FailedAt)}, so this is " +
                $"the last score made with it and {string.Join(", ", stale.Measures)} {(stale.Measures.Count == 1 ? "is" : "are")} as of {d.AsOf}. Why: {stale.Error}");
        }
        if (d.Coverage is { } coverage && coverage < 0.9995)
        {
            Console.WriteLine($"  Scored on {(coverage * 100).ToString("0", CultureInfo.InvariantCulture)}% of the model: the measures of the rest have no data yet" +
                (d.Grade is null ? "; a grade comes once enough of the model has data (the model's min_coverage)." : "."));
        }
        if (d.ChurnProbability is { } churn)
        {
            Console.WriteLine(d.ChurnInterval is { } i
                ? $"  Churn risk: {Pct(churn)} within {d.ChurnHorizonDays} days (likely between {Pct(i.Low)} and {Pct(i.High)}; predictor {d.ChurnPredictor})"
                : $"  Churn risk: {Pct(churn)} within {d.ChurnHorizonDays} days (calibrated on the latest backtest of this model)");
            foreach (var driver in d.ChurnDrivers ?? [])
            {
                Console.WriteLine("    " + driver.Text);
            }
        }
        if (d.OverrideReason is not null)
        {
            Console.WriteLine($"  Overridden: \"{d.OverrideReason}\" (computed score {Num(d.ComputedScore)})");
        }
        if (d.Note is not null)
        {
            Console.WriteLine("  " + d.Note);
        }
        var table = new Table().Border(TableBorder.Simple);
        foreach (var c in new[] { "Dimension / measure", "Value", "Score", "Weight", "Contribution", "" })
        {
            table.AddColumn(c);
        }
        foreach (var dim in d.Dimensions)
        {
            table.AddRow($"[bold]{E(dim.Label)}[/]", "", Num(dim.Score), Pct(dim.EffectiveWeight), Num(dim.Contribution), "");
            foreach (var m in dim.Measures)
            {
                var flag = m.Stale ? "stale" : m.Missing ? "missing" : "";
                table.AddRow("  " + E(m.Label), E(Value(m.Value)), Num(m.Score), Pct(m.EffectiveWeight), Num(m.Contribution), flag);
            }
        }
        AnsiConsole.Write(table);
        Console.WriteLine("  Contribution = weight × measure score; the contributions add up to the score. Missing measures drop out and the others share their weight.");
    }

    public static void Change(ScoreChange c)
    {
        Console.WriteLine($"{c.AccountId}: {Num(c.FromScore)} ({c.FromGrade ?? "unscored"}) on {c.From} → {Num(c.ToScore)} ({c.ToGrade ?? "unscored"}) on {c.To}" +
            (c.Change is { } ch ? $", {ch.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)} points" : ""));
        if (c.ModelChanged)
        {
            Console.WriteLine($"  The model changed in between ({c.FromModelVersion} → {c.ToModelVersion}): part of the change comes from the new model.");
        }
        var table = new Table().Border(TableBorder.Simple);
        foreach (var col in new[] { "Cause", "Value then", "Value now", "Contribution then", "now", "Change", "Why" })
        {
            table.AddColumn(col);
        }
        foreach (var m in c.Changes)
        {
            table.AddRow(E(m.Measure is null ? m.Label : $"{m.Label} ({m.Dimension})"), E(Value(m.FromValue)), E(Value(m.ToValue)),
                m.Measure is null ? "" : Num(m.FromContribution), m.Measure is null ? "" : Num(m.ToContribution),
                m.Change.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture), E(ChangeAttribution.Describe(m.Cause)));
        }
        AnsiConsole.Write(table);
        Console.WriteLine("Change is each cause's part of the score change; the parts add up to it, and a measure whose value did not move has none.");
    }

    private static string Value(object? v) => v switch
    {
        null => "—",
        double d => d.ToString(Math.Abs(d) >= 100 ? "N0" : "0.##", CultureInfo.InvariantCulture),
        _ => v.ToString() ?? "",
    };

    private static string Arrow(string? direction) => direction switch { "up" => "↑", "down" => "↓", _ => "→" };

    private static string Num(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "—";

    private static string Pct(double w) => (w * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    private static string E(string? s) => Markup.Escape(s ?? "");
}
