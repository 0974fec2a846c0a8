using System.CommandLine;
using System.Globalization;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Model;
using CustomerHealth.Store.Alerts;
using Spectre.Console;
using static CustomerHealth.Store.Alerts.NoiseReportText;

namespace CustomerHealth.Cli.Commands;

/// <summary>`alerts` (rules, the open alerts, acknowledge/snooze/resolve) and `tasks` (SPEC §8).</summary>
internal static class AlertCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var json = Chs.Json;
        var all = new Option<bool>("--all") { Description = "Include resolved alerts" };
        var alerts = new Command("alerts", "The open alerts, most severe first (rules: `chs alerts rules set FILE`)") { json, all };
        alerts.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var list = new AlertBook(db, ctx.Models(db), ctx.Clock).Alerts(p.GetValue(all));
            if (p.GetValue(json))
            {
                CliContext.WriteJson(list);
                return 0;
            }
            if (list.Count == 0)
            {
                Console.WriteLine("No open alerts.");
                return 0;
            }
            var t = new Table().Border(TableBorder.Simple).AddColumns("Id", "Severity", "Rule", "Account", "Owner", "Why", "State", "Since");
            foreach (var a in list)
            {
                t.AddRow(a.Id.ToString(CultureInfo.InvariantCulture), a.Severity, Markup.Escape(a.RuleId), Markup.Escape($"{a.AccountId} {a.AccountName}"),
                    Markup.Escape(a.Owner ?? "—"), Markup.Escape(a.Reason), a.State + (a.SnoozedUntil is { } u ? " until " + u : ""), a.OpenedOn);
            }
            AnsiConsole.Write(t);
            return 0;
        });

        var rules = new Command("rules", "The alert rules in force");
        var file = new Argument<string>("FILE") { Description = "A rules file (YAML, SPEC §8)" };
        var set = new Command("set", "Validate a rules file and put it in force") { file };
        set.SetAction(p =>
        {
            var path = p.GetValue(file)!;
            if (!File.Exists(path))
            {
                throw new Store.StoreException($"{path}: no such file");
            }
            using var db = ctx.Open(p);
            try
            {
                var ruleSet = new AlertBook(db, ctx.Models(db), ctx.Clock).SetRules(File.ReadAllText(path), path);
                Console.WriteLine($"{path}: {ruleSet.Rules.Count} rules in force ({string.Join(", ", ruleSet.Rules.Select(r => r.Id))}). They are evaluated after every scoring of the latest day.");
            }
            catch (AlertRulesInvalidException e)
            {
                Console.Error.WriteLine($"The rules are refused ({e.Errors.Count} problem{(e.Errors.Count == 1 ? "" : "s")}):");
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            return 0;
        });
        var shipped = new Option<bool>("--shipped") { Description = "Print the rules shipped with the SaaS model instead (a starting point for your own)" };
        var show = new Command("show", "Print the rules in force") { shipped };
        show.SetAction(p =>
        {
            if (p.GetValue(shipped))
            {
                Console.Write(AlertBook.ShippedRules);
                return 0;
            }
            using var db = ctx.Open(p);
            Console.Write(new AlertBook(db, ctx.Models(db), ctx.Clock).RulesYaml() ?? "# no alert rules yet: chs alerts rules set FILE (start from chs alerts rules show --shipped)\n");
            return 0;
        });
        rules.Subcommands.Add(set);
        rules.Subcommands.Add(show);
        rules.Subcommands.Add(TestRules(ctx));
        alerts.Subcommands.Add(rules);

        foreach (var (verb, help) in new[] { ("ack", "Acknowledge an alert (someone is on it)"), ("resolve", "Resolve an alert by hand"), ("snooze", "Snooze an alert until a day") })
        {
            var id = new Argument<long>("ID") { Description = "The alert's id, as `chs alerts` shows it" };
            var until = new Option<string?>("--until") { Description = "The day the snooze ends (YYYY-MM-DD)" };
            var cmd = new Command(verb, help) { id };
            if (verb == "snooze")
            {
                cmd.Options.Add(until);
            }
            cmd.SetAction(p =>
            {
                DateOnly? day = null;
                if (verb == "snooze")
                {
                    day = p.GetValue(until) is { } u ? CliContext.ParseDate(u, "--until") : throw new UsageException("snooze needs --until YYYY-MM-DD");
                }
                using var db = ctx.Open(p);
                var action = verb switch { "ack" => "acknowledge", _ => verb };
                if (!new AlertBook(db, ctx.Models(db), ctx.Clock).Act(p.GetValue(id), action, Environment.UserName, day))
                {
                    throw new Store.StoreException($"no open alert {p.GetValue(id)}");
                }
                Console.WriteLine($"Alert {p.GetValue(id)}: {action}d{(day is { } d ? " until " + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : "")}.");
                return 0;
            });
            alerts.Subcommands.Add(cmd);
        }
        alerts.Subcommands.Add(Effect(ctx));
        root.Subcommands.Add(alerts);

        var tasksJson = Chs.Json;
        var assignee = new Option<string?>("--assignee") { Description = "Only this person's tasks" };
        var done = new Option<bool>("--all") { Description = "Include done tasks" };
        var tasks = new Command("tasks", "Open tasks, soonest due first") { tasksJson, assignee, done };
        tasks.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var list = new AlertBook(db, ctx.Models(db), ctx.Clock).Tasks(p.GetValue(assignee), p.GetValue(done));
            if (p.GetValue(tasksJson))
            {
                CliContext.WriteJson(list);
                return 0;
            }
            if (list.Count == 0)
            {
                Console.WriteLine("No open tasks.");
                return 0;
            }
            var t = new Table().Border(TableBorder.Simple).AddColumns("Id", "Due", "Task", "Account", "Assignee", "Status");
            foreach (var x in list)
            {
                t.AddRow(x.Id.ToString(CultureInfo.InvariantCulture), (x.DueOn ?? "—") + (x.Overdue ? " [red](overdue)[/]" : ""), Markup.Escape(x.Title),
                    Markup.Escape(x.AccountId), Markup.Escape(x.Assignee ?? "—"), x.Status);
            }
            AnsiConsole.Write(t);
            return 0;
        });
        root.Subcommands.Add(tasks);
    }

    /// <summary>After scoring the latest day (<see cref="ScoreAndAlert"/>): the rules' verdicts, in a line.</summary>
    public static void PrintAfterScoring(AlertRunSummary summary)
    {
        if (summary.Opened + summary.Updated + summary.Resolved > 0)
        {
            Console.Error.WriteLine($"Alerts: {summary.Opened} opened, {summary.Resolved} resolved, {summary.Updated} still open; {summary.TasksCreated} tasks created. See `chs alerts`.");
        }
    }

    /// <summary>`alerts effect RULE`: did the rule's play help? Its alerted accounts that got it against those it held out.</summary>
    private static Command Effect(CliContext ctx)
    {
        var rule = new Argument<string>("RULE") { Description = "The rule's id (`chs alerts rules show`); give it a `holdout:` to have accounts to compare with" };
        var horizon = new Option<string>("--horizon")
        {
            Description = "How long after an alert a churn counts, such as 90d (as in `chs backtest`)", DefaultValueFactory = _ => "90d",
        };
        var json = Chs.Json;
        var cmd = new Command("effect",
            "Did the play help? Churn within the horizon and the score 30, 60 and 90 days after an alert, for the accounts the rule acted on against those it held out")
        {
            rule, horizon, json,
        };
        cmd.SetAction(p =>
        {
            var horizonDays = ModelLoader.TryParseDays(p.GetValue(horizon)!, out var h)
                ? h
                : throw new UsageException($"--horizon must be a number of days such as 90d, got '{p.GetValue(horizon)}'");
            using var db = ctx.Open(p);
            var effect = new PlayEffects(db, ctx.Models(db), ctx.Clock).Estimate(p.GetValue(rule)!, horizonDays);
            if (p.GetValue(json))
            {
                CliContext.WriteJson(effect);
                return 0;
            }
            var r = effect.Report;
            Console.WriteLine($"Rule {effect.Rule}: {r.Alerts:N0} alerts; {r.Treated:N0} acted on (task and notification), {r.HeldOut:N0} held out for comparison " +
                $"(hold-out {(effect.Holdout * 100).ToString("0.#", CultureInfo.InvariantCulture)}%); history scored up to {effect.KnownUntil ?? "—"}.");
            if (r.HeldOut == 0)
            {
                Console.WriteLine("No alert was held out, so there is nothing to compare with: give the rule a hold-out (`holdout: 10%`) and let it run.");
                return 0;
            }
            Console.WriteLine();
            Console.WriteLine($"  {"",-28} {"acted on",10} {"held out",10} {"difference",11}   95% interval");
            Line($"churned within {effect.HorizonDays} days", r.Churn, percent: true);
            foreach (var s in r.Score)
            {
                Line($"score change after {s.Days} days", s.Estimate, percent: false);
            }
            Console.WriteLine();
            Console.WriteLine(r.Churn.High is { } high && high < 0
                ? "Accounts the play reached churned less than those held out, beyond what chance explains."
                : r.Churn.Low is { } low && low > 0
                    ? "Accounts the play reached churned more than those held out, beyond what chance explains."
                    : "The difference in churn is within what chance explains: the play's effect is not shown (yet) — more alerts, or a longer wait, narrow the interval.");
            return 0;
        });
        return cmd;
    }

    private static void Line(string what, EffectEstimate e, bool percent)
    {
        string F(double? v, bool signed = false) => v is not { } x ? "—"
            : percent ? (x * 100).ToString(signed ? "+0.0;−0.0;0.0" : "0.0", CultureInfo.InvariantCulture) + (signed ? " pts" : "%")
            : x.ToString(signed ? "+0.0;−0.0;0.0" : "0.0", CultureInfo.InvariantCulture);
        var interval = e.Low is { } l && e.High is { } u ? $"{F(l, true)} to {F(u, true)}" : "too few to say";
        Console.WriteLine($"  {what,-28} {F(e.TreatedMean, !percent),10} {F(e.HeldOutMean, !percent),10} {F(e.Difference, true),11}   {interval}  ({e.Treated:N0} / {e.HeldOut:N0})");
    }

    /// <summary>`alerts rules test FILE`: how noisy a rules file would have been on the store's scored history.</summary>
    private static Command TestRules(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "A rules file (YAML, SPEC §8); `-` for the shipped rules" };
        var from = new Option<string?>("--from") { Description = "First day (YYYY-MM-DD; default: the first scored day)" };
        var to = new Option<string?>("--to") { Description = "Last day (YYYY-MM-DD; default: the latest scored day)" };
        var horizon = new Option<string>("--horizon")
        {
            Description = "How long after an alert a churn counts as following it, such as 90d (as in `chs backtest`)", DefaultValueFactory = _ => "90d",
        };
        var json = Chs.Json;
        var cmd = new Command("test",
            "Replay a rules file over the scored history: alerts per rule and week, with and without the cooldowns, and how often they came before churn; nothing is changed")
        {
            file, from, to, horizon, json,
        };
        cmd.SetAction(p =>
        {
            var horizonDays = ModelLoader.TryParseDays(p.GetValue(horizon)!, out var h)
                ? h
                : throw new UsageException($"--horizon must be a number of days such as 90d, got '{p.GetValue(horizon)}'");
            var path = p.GetValue(file)!;
            if (path != "-" && !File.Exists(path))
            {
                throw new Store.StoreException($"{path}: no such file");
            }
            using var db = ctx.Open(p);
            var book = new AlertBook(db, ctx.Models(db), ctx.Clock);
            AlertRuleSet ruleSet;
            try
            {
                ruleSet = book.ValidateDraft(path == "-" ? AlertBook.ShippedRules : File.ReadAllText(path), path == "-" ? "shipped rules" : path);
            }
            catch (AlertRulesInvalidException e)
            {
                Console.Error.WriteLine($"The rules are refused ({e.Errors.Count} problem{(e.Errors.Count == 1 ? "" : "s")}):");
                Console.Error.WriteLine(e.Message);
                return 1;
            }
            var report = book.Simulate(ruleSet,
                p.GetValue(from) is { } f ? CliContext.ParseDate(f, "--from") : DateOnly.MinValue,
                p.GetValue(to) is { } t ? CliContext.ParseDate(t, "--to") : DateOnly.MaxValue, horizonDays);
            if (p.GetValue(json))
            {
                CliContext.WriteJson(report);
                return 0;
            }
            Console.WriteLine(Stretch(report));
            var table = new Table().Border(TableBorder.Simple)
                .AddColumns("Rule", "Cooldown", "On the first day", "After it", "Per week", "Busiest week", "Accounts", "Held back by cooldown", "Open at the end");
            foreach (var (w, wo) in report.WithCooldown.Zip(report.WithoutCooldown))
            {
                foreach (var r in w.CooldownDays > 0 ? new[] { w, wo } : [w])
                {
                    table.AddRow(Markup.Escape(r.RuleId), Cooldown(r.CooldownDays), Num(r.OpenedFirstDay), Num(r.OpenedAfter),
                        Dec(r.PerWeek), Num(r.BusiestWeek), Num(r.Accounts), Num(r.HeldBackByCooldown), Num(r.OpenAtEnd));
                }
            }
            AnsiConsole.Write(table);
            PrintOutcomes(report);
            return 0;
        });
        return cmd;
    }

    /// <summary>The replay measured like a classifier: the inbox load, and how often an alert came before churn.</summary>
    private static void PrintOutcomes(NoiseReport report)
    {
        Console.WriteLine();
        Console.WriteLine(Judging(report));
        Console.WriteLine(Baseline(report));
        var table = new Table().Border(TableBorder.Simple).AddColumns("Rule", "Alerts per CSM a week", "Judged", "Then churned", "Precision", "Lift", "Median lead",
            "ARR covered");
        foreach (var r in report.WithCooldown)
        {
            table.AddRow(Markup.Escape(r.RuleId), Dec(r.AlertsPerOwnerWeek), Num(r.Judged), Num(r.FollowedByChurn), Pct(r.Precision), Times(r.Lift), Lead(r.MedianLeadDays),
                Covered(r.ArrCovered, r.ArrCoveredShare));
        }
        var all = report.All;
        table.AddRow("[bold]all rules[/]", Dec(all.AlertsPerOwnerWeek), Num(all.Judged), Num(all.FollowedByChurn), Pct(all.Precision), Times(all.Lift),
            Lead(all.MedianLeadDays), Covered(all.ArrCovered, all.ArrCoveredShare));
        AnsiConsole.Write(table);
        foreach (var line in OutcomeColumns(report))
        {
            Console.WriteLine(line);
        }
    }
}
