using System.CommandLine;
using System.Globalization;
using CustomerHealth.Cli.Demo;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>
/// `demo`: generates a realistic portfolio as import files, imports them through the same path as a user's files,
/// scores a weekly history and prints the portfolio and the accounts at risk.
/// </summary>
internal static class DemoCommand
{
    private const int MaxAccounts = 1_000_000;
    private const int MaxMonths = 120;

    public static void Add(RootCommand root, CliContext ctx)
    {
        var accounts = new Option<int>("--accounts") { Description = "How many accounts", DefaultValueFactory = _ => 2000 };
        var months = new Option<int>("--months") { Description = "How many months of history", DefaultValueFactory = _ => 18 };
        var seed = new Option<int>("--seed") { Description = "Seed of the generator (the same seed gives the same portfolio)", DefaultValueFactory = _ => 42 };
        var keep = new Option<string?>("--keep-files") { Description = "Also keep the generated import files in this folder" };
        var to = new Option<string?>("--to") { Description = "The last day of the history (YYYY-MM-DD; default today): the same seed and day give the same portfolio" };
        var noServe = new Option<bool>("--no-serve") { Description = "Only build the demo store; do not start the web app" };
        var cmd = new Command("demo", "Create a demo store with a realistic portfolio and its history (default file chs-demo.db), then serve it")
        {
            accounts, months, seed, to, keep, noServe, ServeCommand.Urls,
        };
        cmd.SetAction(p =>
        {
            var n = p.GetValue(accounts);
            var m = p.GetValue(months);
            if (n < 1 || m < 1)
            {
                throw new UsageException("--accounts and --months must be at least 1");
            }
            // A demo is for looking around: beyond these it would run for hours and fill the disk.
            if (n > MaxAccounts || m > MaxMonths)
            {
                throw new UsageException($"--accounts must be at most {MaxAccounts:N0} and --months at most {MaxMonths}");
            }
            var end = p.GetValue(to) is { } t ? CliContext.ParseDate(t, "--to") : ctx.Today;
            if (end < new DateOnly(2000, 1, 1))
            {
                throw new UsageException($"--to: {end:yyyy-MM-dd} is before 2000-01-01: the demo's history ends in this century");
            }
            if (end > ctx.Today)
            {
                throw new UsageException($"--to: {end:yyyy-MM-dd} is after today ({ctx.Today:yyyy-MM-dd}): the demo's history ends today at the latest");
            }
            // Only --db names another store: CHS_DB is where a user's (or the team's) real store is, and the demo
            // never pours its made-up portfolio into that.
            var given = p.GetValue(Chs.Db) is { Length: > 0 } ? p.GetValue(Chs.Db)! : null;
            var path = given ?? "chs-demo.db";
            // Every line below names the store; a PostgreSQL connection's password never appears.
            var shown = Secrets.Redact(path);
            var chs = HowToRun();
            if (File.Exists(path))
            {
                if (given is not null)
                {
                    throw new StoreException($"{shown} already exists: the demo builds a new store; remove it or choose another --db");
                }
                StoreDb.Remove(path);
            }
            string? signIn = null;
            var dir = p.GetValue(keep) ?? Path.Combine(Path.GetTempPath(), "chs-demo-" + Guid.NewGuid().ToString("N")[..8]);
            Directory.CreateDirectory(dir);
            try
            {
                Console.WriteLine($"Generating {n:N0} accounts with {m} months of history ending {end:yyyy-MM-dd}...");
                var files = DemoPortfolio.Write(dir, n, m, end, p.GetValue(seed));
                using var db = StoreDb.Open(path);
                if (db.HoldsAccounts)
                {
                    throw new StoreException($"{shown} already holds accounts: the demo builds a new store; give --db an empty database");
                }
                var models = new ModelVersions(db, ctx.Clock);
                models.Publish(ModelVersions.Builtin("saas"), "saas.yaml", "default SaaS model");
                Console.WriteLine($"Importing {files.UsageEvents:N0} usage rows and the other signals into {shown}...");
                var results = CliContext.WithProgress("Importing", pr => new Importer(db, ctx.Clock).ImportDirectory(dir, new ImportOptions(Progress: pr)));
                foreach (var r in results)
                {
                    Console.WriteLine($"  {r.Kind,-14} {r.Rows,10:N0} rows");
                }
                var start = end.AddMonths(-m);
                var run = new ScoringRun(db, models);
                Console.WriteLine($"Scoring every week from {start:yyyy-MM-dd} to {end:yyyy-MM-dd}...");
                var days = new List<DateOnly>();
                for (var d = end; d >= start; d = d.AddDays(-7))
                {
                    days.Add(d);
                }
                days.Reverse();
                // The shipped alert rules, replayed over the history so that the demo has alerts past and present: each
                // week judged once scored, while the next is computed; tasks only from the last day, and no deliveries
                // (the demo's owners have no real mailboxes).
                var alerts = new Store.Alerts.AlertBook(db, models, ctx.Clock);
                alerts.SetRules(Store.Alerts.AlertBook.ShippedRules, "saas-rules.yaml");
                CliContext.WithProgress("Scoring history", pr => run.ScoreRange(days[0], end, 7, null, pr,
                    afterDay: day => alerts.Evaluate(day, day == end ? Store.Alerts.AlertEffects.Tasks : Store.Alerts.AlertEffects.None)));
                Summary(db, models);
                if (end.AddDays(-90) >= start.AddDays(90))
                {
                    // A backtest on the demo's own history: how well the score predicted churn, and the calibration
                    // that gives each account its churn probability.
                    var current = models.RequireCurrent();
                    var (report, calibration) = new Store.Backtesting.Backtest(db).RunWithCalibration(
                        current.Model, current.VersionId, new Store.Backtesting.BacktestOptions(start.AddDays(90), end.AddDays(-90), 30, 90));
                    calibration?.Save(db);
                    Console.WriteLine();
                    Console.WriteLine($"Backtest on this history ({(report.Dates.Count == 1 ? "1 date" : $"{report.Dates.Count} monthly dates")}, churn within 90 days): AUC {report.Auc?.ToString("0.000", CultureInfo.InvariantCulture) ?? "—"}, " +
                        $"the lowest-scored tenth churned {report.LiftTopDecile?.ToString("0.0", CultureInfo.InvariantCulture) ?? "—"}× as often as average. " +
                        $"Details: {chs} --db {shown} backtest --from {start.AddDays(90):yyyy-MM-dd} --to {end.AddDays(-90):yyyy-MM-dd}");
                }
                PlayEffect(db, models, ctx.Clock, files, end, chs, shown);
                // Hints that run as printed, where the user stands: `chs` once it is a command, else the program's own path.
                var lowest = new AccountReader(db, models).List(new AccountQuery(Sort: "score", Limit: 1)).FirstOrDefault()?.AccountId;
                Console.WriteLine();
                Console.WriteLine($"The demo store is {shown}. Try:");
                Console.WriteLine($"  {chs} --db {shown} accounts --grade red --sort score");
                if (lowest is not null)
                {
                    Console.WriteLine($"  {chs} --db {shown} show {lowest}");
                }
                Console.WriteLine($"  {chs} --db {shown} alerts");
                if (!p.GetValue(noServe))
                {
                    var (email, password) = AccessCommands.AddUser(db, ctx.Clock, "admin@demo.example", Store.Access.Roles.Admin, null);
                    signIn = $"Sign in as {email} with the password {password}";
                }
            }
            finally
            {
                if (p.GetValue(keep) is null)
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
            if (signIn is not null)
            {
                Console.WriteLine();
                ServeCommand.Run(path, p.GetValue(ServeCommand.Urls)!, null, signIn);
            }
            return 0;
        });
        root.Subcommands.Add(cmd);
    }

    /// <summary>
    /// Did the calls help? The demo's team calls when an account's health falls low (a completed call lifts it: the
    /// planted effect), holding out the accounts in `entered-red`'s hold-out; the true effect on churn within 90 days
    /// after the rule's alerts, from both histories of every account, beside what `chs alerts effect` estimates.
    /// </summary>
    private static void PlayEffect(StoreDb db, ModelVersions models, TimeProvider clock, DemoFiles files, DateOnly end, string chs, string shown)
    {
        var effects = new Store.Alerts.PlayEffects(db, models, clock);
        var (alerts, with, without) = DemoPortfolio.TrueEffect(
            effects.Opened(DemoPortfolio.PlayRule).Select(a => (a.AccountId, a.Opened)), files.Plays, 90, end);
        if (alerts == 0)
        {
            return;
        }
        var churn = effects.Estimate(DemoPortfolio.PlayRule, 90).Report.Churn;
        string Points(double? v) => v is { } x ? (x * 100).ToString("+0.0;−0.0;0.0", CultureInfo.InvariantCulture) : "—";
        Console.WriteLine();
        Console.WriteLine($"Did the calls help? In this demo a completed call lifts an account's health (the planted effect); `{DemoPortfolio.PlayRule}` holds out " +
            $"{DemoPortfolio.PlayHoldout * 100:0}% of the accounts it alerts. On its {alerts:N0} alerts whose 90 days have passed, churn within 90 days is truly " +
            $"{(with * 100).ToString("0.0", CultureInfo.InvariantCulture)}% with the call and {(without * 100).ToString("0.0", CultureInfo.InvariantCulture)}% without " +
            $"({Points(with - without)} points); estimated from the held-out accounts: {Points(churn.Difference)} points" +
            (churn.Low is { } low && churn.High is { } high ? $" (95% interval {Points(low)} to {Points(high)})" : "") +
            $". Details: {chs} --db {shown} alerts effect {DemoPortfolio.PlayRule}");
    }

    private static void Summary(StoreDb db, ModelVersions models)
    {
        var rows = new AccountReader(db, models).List(new AccountQuery());
        var scored = rows.Where(r => r.Score is not null && r.Status != "churned").ToList();
        var model = models.RequireCurrent().Model;
        Console.WriteLine();
        Console.WriteLine($"Portfolio: {scored.Count:N0} active accounts scored, average score {scored.Average(r => r.Score!.Value).ToString("0.0", CultureInfo.InvariantCulture)}.");
        var t = new Table().Border(TableBorder.Simple).AddColumns("Grade", "Accounts", "ARR");
        foreach (var g in model.Grades)
        {
            var inGrade = scored.Where(r => r.Grade == g.Id).ToList();
            t.AddRow($"[{g.SafeColor}]{Markup.Escape(g.Label)}[/] ({g.Id})", inGrade.Count.ToString("N0", CultureInfo.InvariantCulture),
                inGrade.Sum(r => r.Arr ?? 0).ToString("N0", CultureInfo.InvariantCulture));
        }
        AnsiConsole.Write(t);
        var lowest = model.Grades[^1].Id;
        var atRisk = scored.Where(r => r.Grade == lowest).OrderByDescending(r => (r.Arr ?? 0) * (100 - r.Score!.Value)).Take(10).ToList();
        Console.WriteLine($"At risk: the {atRisk.Count} {lowest} accounts with the most at stake (ARR weighted by how low the score is):");
        Output.Tables.Accounts(atRisk);
    }

    /// <summary>
    /// How the user runs this program from where they stand: `chs` when that name on the PATH is this program, else
    /// its path (relative to the current folder when shorter), so that `dotnet run` users get hints that work too.
    /// </summary>
    internal static string HowToRun()
    {
        var exe = Environment.ProcessPath;
        if (exe is null || !Path.GetFileNameWithoutExtension(exe).Equals("chs", StringComparison.OrdinalIgnoreCase))
        {
            // Started as `dotnet chs.dll`.
            return "dotnet " + Shortest(typeof(DemoCommand).Assembly.Location);
        }
        var onPath = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, Path.GetFileName(exe))).FirstOrDefault(File.Exists);
        return onPath is not null && Same(onPath, exe) ? "chs" : Shortest(exe);
    }

    private static bool Same(string a, string b) =>
        string.Equals(Path.GetFullPath(new FileInfo(a).ResolveLinkTarget(true)?.FullName ?? a), Path.GetFullPath(new FileInfo(b).ResolveLinkTarget(true)?.FullName ?? b), StringComparison.Ordinal);

    private static string Shortest(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        var shown = relative.Length < path.Length ? relative : path;
        // A path in the current folder needs `./` to run as a command; one with spaces needs quotes.
        shown = shown.Contains(Path.DirectorySeparatorChar, StringComparison.Ordinal) || Path.IsPathRooted(shown) ? shown : "." + Path.DirectorySeparatorChar + shown;
        return shown.Contains(' ', StringComparison.Ordinal) ? $"'{shown}'" : shown;
    }
}
