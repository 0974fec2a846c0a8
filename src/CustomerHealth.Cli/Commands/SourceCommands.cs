using System.CommandLine;
using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Reading;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>`sources`: data health, the figures of the dashboard's Sources page.</summary>
internal static class SourceCommands
{
    // How many quiet accounts a terminal lists per source (`--json` gives the first 100, and the count of all).
    private const int ListedOnTerminal = 10;

    public static void Add(RootCommand root, CliContext ctx) => root.Subcommands.Add(Sources(ctx));

    private static Command Sources(CliContext ctx)
    {
        var quietDays = new Option<int>("--quiet-days")
        {
            Description = $"A source or an account is quiet after at least this many days without a signal, and three times its usual gap (default {SourceHealth.DefaultQuietDays})",
            DefaultValueFactory = _ => SourceHealth.DefaultQuietDays,
        };
        var json = Chs.Json;
        var cmd = new Command("sources", "Data health: which signal kinds arrive, how many accounts send them, and where they went quiet") { quietDays, json };
        cmd.SetAction(p =>
        {
            var days = p.GetValue(quietDays);
            if (days is < 1 or > 365)
            {
                throw new UsageException($"--quiet-days must be between 1 and 365, got {days}");
            }
            using var db = ctx.Open(p);
            var report = new SourceReader(db, ctx.Models(db), ctx.Clock).Read(days);
            if (p.GetValue(json))
            {
                CliContext.WriteJson(report);
                return 0;
            }
            Write(report);
            return 0;
        });
        return cmd;
    }

    private static void Write(SourcesReport r)
    {
        Console.WriteLine($"Sources as of {r.AsOf}: {r.ActiveAccounts.ToString("N0", CultureInfo.InvariantCulture)} active accounts, the last {r.LookbackDays} days; quiet after {r.QuietDays} days without a signal (and three usual gaps).");
        var t = new Table().Border(TableBorder.Simple);
        foreach (var c in new[] { "Source", "State", "Accounts", "Coverage", "Newest signal", "Last arrived", "Quiet accounts" })
        {
            t.AddColumn(c);
        }
        foreach (var s in r.Sources)
        {
            t.AddRow(s.Kind, State(s), s.Accounts.ToString("N0", CultureInfo.InvariantCulture), Percent(s.Coverage),
                s.LastSignalOn is null ? "—" : $"{s.LastSignalOn} ({s.DaysSinceLast} d ago)", Markup.Escape(s.LastReceivedAt ?? "not recorded"),
                s.QuietAccounts.ToString("N0", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(t);
        foreach (var m in r.Measures.Where(m => m.LowCoverage))
        {
            Console.WriteLine($"Measure {m.Dimension}.{m.Measure} ({m.Label}) reads {m.Source}, which covers only {Percent(m.Coverage ?? 0)} of the active accounts: the others score without it.");
        }
        foreach (var s in r.Sources.Where(s => s.QuietAccounts > 0))
        {
            Console.WriteLine();
            Console.WriteLine($"{s.Kind}: {s.QuietAccounts.ToString("N0", CultureInfo.InvariantCulture)} accounts went quiet{(s.QuietAccounts > ListedOnTerminal ? $" (the {ListedOnTerminal} with the largest ARR)" : "")}:");
            foreach (var q in s.Quiet.Take(ListedOnTerminal))
            {
                Console.WriteLine($"  {q.AccountId}  {q.Name}  last {q.LastSignalOn}, {q.DaysQuiet} days ago{(q.UsualGapDays is { } g ? $" (usually {SourceHealth.Rhythm(g)})" : "")}");
            }
        }
    }

    private static string State(SourceHealthRow s) => s.Status switch
    {
        "quiet" => $"quiet: nothing from any account for {s.DaysSinceLast} days",
        "none" => "no data",
        _ => "flowing",
    };

    private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}
