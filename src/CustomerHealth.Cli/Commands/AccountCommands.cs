using System.CommandLine;
using System.Text;
using CustomerHealth.Cli.Commands.Output;
using CustomerHealth.Store;
using CustomerHealth.Store.Reading;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Cli.Commands;

/// <summary>`accounts`, `show`, `explain`, `history`, `override` and `export scores`.</summary>
internal static class AccountCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        root.Subcommands.Add(Accounts(ctx));
        root.Subcommands.Add(Show(ctx));
        root.Subcommands.Add(Explain(ctx));
        root.Subcommands.Add(History(ctx));
        root.Subcommands.Add(Override(ctx));
        root.Subcommands.Add(Export(ctx));
    }

    private static Command Accounts(CliContext ctx)
    {
        var grade = new Option<string?>("--grade") { Description = "Only accounts of this grade (e.g. red)" };
        var segment = new Option<string?>("--segment");
        var owner = new Option<string?>("--owner") { Description = "Only accounts of this CSM (e-mail)" };
        var sort = new Option<string?>("--sort") { Description = "score (worst first), -score, arr, -arr, trend, -trend, name" };
        var limit = new Option<int?>("--limit") { Description = "At most this many accounts" };
        var churned = new Option<bool>("--include-churned") { Description = "Also list churned accounts (with their last score, frozen at churn)" };
        var json = Chs.Json;
        var cmd = new Command("accounts", "List active accounts with their current score, grade and trend") { grade, segment, owner, sort, limit, churned, json };
        cmd.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var rows = new AccountReader(db, ctx.Models(db)).List(new AccountQuery(p.GetValue(grade), p.GetValue(segment), p.GetValue(owner), p.GetValue(sort),
                p.GetValue(limit) is { } n and < 1 ? throw new UsageException($"--limit must be 1 or more, got {n}") : p.GetValue(limit) ?? int.MaxValue, IncludeChurned: p.GetValue(churned)));
            if (p.GetValue(json))
            {
                CliContext.WriteJson(rows.Select(r => new { r.AccountId, r.Name, r.Segment, r.Owner, r.Arr, r.Score, r.Grade, r.Trend, r.Direction, r.ScoredOn, r.Status, r.ChurnProbability, r.Coverage, r.ChurnInterval, r.ChurnDrivers, r.ChurnPredictor }));
                return 0;
            }
            Tables.Accounts(rows);
            return 0;
        });
        return cmd;
    }

    private static Command Show(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT") { Description = "The account_id" };
        var asOf = new Option<string?>("--as-of") { Description = "The score as of this day (YYYY-MM-DD)" };
        var json = Chs.Json;
        var cmd = new Command("show", "An account's profile, score, grade, trend and full explanation") { account, asOf, json };
        cmd.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var day = p.GetValue(asOf) is { } a ? CliContext.ParseDate(a, "--as-of") : (DateOnly?)null;
            var detail = new AccountReader(db, ctx.Models(db)).Show(p.GetValue(account)!, day)
                ?? throw new StoreException($"no account `{p.GetValue(account)}`");
            if (p.GetValue(json))
            {
                CliContext.WriteJson(detail);
                return 0;
            }
            Tables.Detail(detail);
            return 0;
        });
        return cmd;
    }

    private static Command Explain(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var from = new Option<string>("--from") { Required = true, Description = "The earlier day" };
        var to = new Option<string>("--to") { Required = true, Description = "The later day" };
        var json = Chs.Json;
        var cmd = new Command("explain", "What changed in an account's score between two days, and why") { account, from, to, json };
        cmd.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var change = new AccountReader(db, ctx.Models(db)).Explain(p.GetValue(account)!, CliContext.ParseDate(p.GetValue(from)!, "--from"),
                CliContext.ParseDate(p.GetValue(to)!, "--to"))!;
            if (p.GetValue(json))
            {
                CliContext.WriteJson(change);
                return 0;
            }
            Tables.Change(change);
            return 0;
        });
        return cmd;
    }

    private static Command History(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var json = Chs.Json;
        var cmd = new Command("history", "An account's score over time") { account, json };
        cmd.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var history = new AccountReader(db, ctx.Models(db)).History(p.GetValue(account)!) ?? throw new StoreException($"no account `{p.GetValue(account)}`");
            if (p.GetValue(json))
            {
                CliContext.WriteJson(history);
                return 0;
            }
            foreach (var h in history)
            {
                var bar = h.Score is { } s ? new string('█', (int)Math.Round(Math.Clamp(s, 0, 100) / 5)) : "";
                Console.WriteLine($"{h.AsOf}  {CliContext.Num(h.Score),5}  {h.Grade ?? "unscored",-8} {bar}{(h.ModelChanged ? $"   ← model {h.ModelVersion}" : "")}{(h.OverrideReason is null ? "" : "   (override: " + h.OverrideReason + ")")}");
            }
            return 0;
        });
        return cmd;
    }

    private static Command Override(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var score = new Option<double?>("--score") { Description = "The score to show instead of the computed one" };
        var grade = new Option<string?>("--grade") { Description = "The grade to show instead of the computed one" };
        var reason = new Option<string>("--reason") { Required = true, Description = "Why (shown with the score)" };
        var until = new Option<string>("--until") { Required = true, Description = "Last day of the override (YYYY-MM-DD)" };
        var cmd = new Command("override", "Override an account's score or grade until a day, with a reason") { account, score, grade, reason, until };
        cmd.SetAction(p =>
        {
            if (p.GetValue(score) is null == p.GetValue(grade) is null)
            {
                throw new UsageException("give exactly one of --score N or --grade G");
            }
            using var db = ctx.Open(p);
            new OverrideBook(db, ctx.Models(db), ctx.Clock).Add(p.GetValue(account)!, p.GetValue(score), p.GetValue(grade), p.GetValue(reason)!,
                CliContext.ParseDate(p.GetValue(until)!, "--until"));
            Console.WriteLine($"Overridden {p.GetValue(account)} until {p.GetValue(until)}; the computed score stays visible beside it.");
            return 0;
        });
        return cmd;
    }

    private static Command Export(CliContext ctx)
    {
        var export = new Command("export", "Export data for other tools");
        var file = new Argument<string>("FILE");
        var scores = new Command("scores", "Current scores as CSV, for a CRM") { file };
        scores.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var rows = new AccountReader(db, ctx.Models(db)).List(new AccountQuery(IncludeChurned: true));
            var sb = new StringBuilder("account_id,name,segment,owner,arr,score,grade,trend,direction,scored_on,status\n");
            foreach (var r in rows)
            {
                sb.AppendJoin(',', [
                    CsvCells.Text(r.AccountId), CsvCells.Text(r.Name), CsvCells.Text(r.Segment), CsvCells.Text(r.Owner), CsvCells.Number(r.Arr),
                    CsvCells.Number(r.Score), CsvCells.Text(r.Grade), CsvCells.Number(r.Trend), CsvCells.Text(r.Direction), CsvCells.Text(r.ScoredOn),
                    CsvCells.Text(r.Status)]).Append('\n');
            }
            File.WriteAllText(p.GetValue(file)!, sb.ToString(), new UTF8Encoding(false));
            Console.WriteLine($"Wrote {rows.Count} accounts to {p.GetValue(file)}.");
            return 0;
        });
        export.Subcommands.Add(scores);
        return export;
    }
}
