using System.CommandLine;
using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Pushdown;
using CustomerHealth.Store.Reading;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>`sources`: data health, the figures of the dashboard's Sources page; `sources add|list|test|remove`: sources computed in an external engine.</summary>
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
        AddExternal(cmd, ctx);
        return cmd;
    }

    /// <summary>`sources add|list|test|remove`: signal kinds whose measures an external SQL engine computes (pushdown).</summary>
    private static void AddExternal(Command sources, CliContext ctx)
    {
        var name = new Argument<string>("NAME") { Description = "The source's name (letters, digits, - and _)" };
        var kind = new Option<string>("--kind") { Description = "The signal kind it computes the measures of (usage, tickets, invoices, orders, surveys or metrics)", DefaultValueFactory = _ => "usage" };
        var engine = new Option<string>("--engine") { Description = "The engine: postgres, clickhouse or duckdb", Required = true };
        var connection = new Option<string?>("--connection") { Description = "The engine's connection string (PostgreSQL, ClickHouse), or a DuckDB database file (none: DuckDB in memory, for --files); kept sealed, never shown" };
        var table = new Option<string?>("--table") { Description = "The table or view to read (optionally schema.table)" };
        var query = new Option<string?>("--query") { Description = "A SELECT giving the kind's columns, instead of a table" };
        var files = new Option<string?>("--files") { Description = "DuckDB: Parquet, CSV or JSON files to read (a path; * and ** patterns allowed)" };
        var columns = new Option<string[]>("--columns") { Description = "FIELD=COLUMN pairs where the source's column names differ (FIELD= for a field it does not have)", AllowMultipleArgumentsPerToken = true };
        var schedule = new Option<string?>("--schedule") { Description = "A cron expression (five fields, UTC) at which `chs serve` scores again with the source, such as \"0 * * * *\" for every hour" };
        var json = Chs.Json;
        var add = new Command("add", "Add a source: the kind's measures are computed by SQL in that engine, where the data lives") { name, kind, engine, connection, table, query, files, columns, schedule, json };
        add.SetAction(p =>
        {
            var given = new[] { (RelationType.Table, p.GetValue(table)), (RelationType.Query, p.GetValue(query)), (RelationType.Files, p.GetValue(files)) }
                .Where(g => g.Item2 is not null).ToList();
            if (given.Count != 1)
            {
                throw new UsageException("give one of --table, --query or --files: what the engine reads");
            }
            var mapped = ExternalSources.ParseColumns(p.GetValue(columns) ?? [], out var bad)
                ?? throw new UsageException($"--columns: `{bad}` is not FIELD=COLUMN (such as occurred_at=ts)");
            using var db = ctx.Open(p);
            var source = new ExternalSources(db, ctx.Clock).Add(p.GetValue(name)!, p.GetValue(kind)!, p.GetValue(engine)!, p.GetValue(connection) ?? "",
                given[0].Item1, given[0].Item2!, mapped, Environment.UserName, p.GetValue(schedule));
            if (p.GetValue(json))
            {
                CliContext.WriteJson(Shown(source));
                return 0;
            }
            Console.WriteLine($"Added the source `{source.Name}`: the {source.KindName} measures are now computed in {source.EngineName}, from {source.Reads}.");
            if (source.Schedule is not null)
            {
                Console.WriteLine($"`chs serve` scores again with it at `{source.Schedule}` (UTC), first at {ExternalSources.NextRun(source):yyyy-MM-dd HH:mm} UTC.");
            }
            Console.WriteLine($"Check it before the next scoring run: chs sources test {source.Name}");
            return 0;
        });
        sources.Subcommands.Add(add);

        var listJson = Chs.Json;
        var list = new Command("list", "The sources computed in an external engine (their connections are never shown)") { listJson };
        list.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var all = new ExternalSources(db, ctx.Clock).List();
            if (p.GetValue(listJson))
            {
                CliContext.WriteJson(all.Select(Shown));
                return 0;
            }
            if (all.Count == 0)
            {
                Console.WriteLine("No source is computed in an external engine: every measure reads imported signals. Add one with `chs sources add NAME --engine ...`.");
                return 0;
            }
            var t = new Table().Border(TableBorder.Simple).AddColumns("Source", "Kind", "Engine", "Reads", "Scored again", "Last read");
            foreach (var s in all)
            {
                t.AddRow(Markup.Escape(s.Name), s.KindName, s.EngineName, Markup.Escape(s.Reads),
                    Markup.Escape(s.Schedule is null ? "daily rescore" : $"{s.Schedule} (UTC)"),
                    Markup.Escape(s.CheckedAt is null ? "never" : s.LastError is null ? $"{s.CheckedAt}: worked" : $"{s.CheckedAt}: {s.LastError}"));
            }
            AnsiConsole.Write(t);
            return 0;
        });
        sources.Subcommands.Add(list);

        var testName = new Argument<string>("NAME") { Description = "The source's name" };
        var testJson = Chs.Json;
        var test = new Command("test", "Read a source as scoring will: its connection, columns and account ids") { testName, testJson };
        test.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var check = new ExternalSources(db, ctx.Clock).Test(p.GetValue(testName)!);
            if (p.GetValue(testJson))
            {
                CliContext.WriteJson(check);
                return 0;
            }
            Console.WriteLine($"Source `{check.Name}` ({check.Engine}) works: {check.Rows.ToString("N0", CultureInfo.InvariantCulture)} {check.Kind} rows of " +
                $"{check.Accounts.ToString("N0", CultureInfo.InvariantCulture)} of the store's {check.StoreAccounts.ToString("N0", CultureInfo.InvariantCulture)} accounts, " +
                $"from {check.FirstDay ?? "—"} to {check.LastDay ?? "—"}.");
            return 0;
        });
        sources.Subcommands.Add(test);

        var removeName = new Argument<string>("NAME") { Description = "The source's name" };
        var remove = new Command("remove", "Remove a source: its kind's measures read imported signals again") { removeName };
        remove.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var n = p.GetValue(removeName)!;
            if (!new ExternalSources(db, ctx.Clock).Remove(n))
            {
                throw new StoreException($"no source `{n}` in this store: `chs sources list` shows them");
            }
            Console.WriteLine($"Removed the source `{n}`: its measures read imported signals from the next scoring run.");
            return 0;
        });
        sources.Subcommands.Add(remove);
    }

    // What JSON shows of a source: everything but the connection.
    private static object Shown(ExternalSource s) => new
    {
        s.Name, Kind = s.KindName, Engine = s.EngineName, RelationType = s.RelationType.ToString().ToLowerInvariant(), s.Relation, s.Columns,
        s.CreatedAt, s.CreatedBy, s.CheckedAt, s.LastError, s.Schedule, s.LastRunAt,
    };

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
        "external" => $"computed in {s.ComputedIn}",
        _ => "flowing",
    };

    private static string Percent(double share) => (share * 100).ToString("0", CultureInfo.InvariantCulture) + "%";
}
