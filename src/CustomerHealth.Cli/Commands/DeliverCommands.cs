using System.CommandLine;
using System.Globalization;
using CustomerHealth.Store.Deliveries;
using CustomerHealth.Web.Deliveries;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>`deliver` (send what the outbox holds, once, for setups driven by cron) and `deliveries` (what was sent, what failed and why).</summary>
internal static class DeliverCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var json = Chs.Json;
        var digest = new Option<bool>("--digest") { Description = "Also queue this week's digest for every owner (once per owner and week)" };
        var retryFailed = new Option<bool>("--retry-failed") { Description = "Put the failed deliveries back in the queue first" };
        var deliver = new Command("deliver", "Send every pending delivery once (e-mail, webhooks, Slack); the server does this by itself")
        {
            json, digest, retryFailed, ServeCommand.Settings,
        };
        deliver.SetAction(async (p, cancel) =>
        {
            var settings = Settings(p.GetValue(ServeCommand.Settings));
            using var db = ctx.Open(p);
            var outbox = new Outbox(db, ctx.Clock);
            var retried = p.GetValue(retryFailed) ? outbox.Retry() : 0;
            var digests = p.GetValue(digest) ? outbox.EnqueueDigests(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(ctx.Clock.GetUtcNow(), settings.DigestZone).DateTime)) : 0;
            outbox.DueNow();
            if (settings.ConfiguredUrl is null)
            {
                // No server runs here to say its address: say which one the links use.
                Console.Error.WriteLine(settings.LinksNote);
            }
            using var sender = new DeliverySender(settings, ctx.Clock);
            var summary = await sender.SendDueAsync(db, cancel);
            if (p.GetValue(json))
            {
                CliContext.WriteJson(new { summary.Sent, summary.Retrying, summary.Failed, summary.Errors, Retried = retried, DigestsQueued = digests, Counts = outbox.Counts() });
            }
            else
            {
                Console.WriteLine($"Sent {summary.Sent}; {summary.Retrying} failed and will be tried again; {summary.Failed} failed for good."
                    + (retried > 0 ? $" {retried} failed deliveries were queued again." : "")
                    + (p.GetValue(digest) ? $" {digests} weekly digests queued." : ""));
                foreach (var e in summary.Errors)
                {
                    Console.Error.WriteLine(e);
                }
                if (summary.Retrying + summary.Failed > 0)
                {
                    Console.Error.WriteLine("See `chs deliveries --state failed`; after fixing the cause, `chs deliver --retry-failed`.");
                }
            }
            return summary.Retrying + summary.Failed > 0 ? 1 : 0;
        });
        root.Subcommands.Add(deliver);

        var listJson = Chs.Json;
        var state = new Option<string?>("--state") { Description = "Only pending, sent or failed deliveries" };
        state.AcceptOnlyFromAmong("pending", "sent", "failed");
        var alert = new Option<long?>("--alert") { Description = "Only one alert's deliveries" };
        var list = new Command("deliveries", "Deliveries of alerts and digests, newest first: where each went, its state and last error") { listJson, state, alert };
        list.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var outbox = new Outbox(db, ctx.Clock);
            var items = outbox.List(p.GetValue(state), p.GetValue(alert), 1000);
            if (p.GetValue(listJson))
            {
                CliContext.WriteJson(items);
                return 0;
            }
            var counts = outbox.Counts();
            Console.WriteLine($"{counts["pending"]} pending, {counts["sent"]} sent, {counts["failed"]} failed.");
            if (items.Count == 0)
            {
                return 0;
            }
            var t = new Table().Border(TableBorder.Simple).AddColumns("Id", "Alert", "Account", "Notify", "State", "Attempts", "Last error", "Sent / next try");
            foreach (var d in items)
            {
                t.AddRow(d.Id.ToString(CultureInfo.InvariantCulture), d.AlertId?.ToString(CultureInfo.InvariantCulture) ?? d.Kind, Markup.Escape(d.AccountId ?? d.Target),
                    Markup.Escape(d.Notify), d.State, d.Attempts.ToString(CultureInfo.InvariantCulture), Markup.Escape(d.LastError ?? ""),
                    d.State == "sent" ? d.SentAt ?? "" : d.State == "pending" ? d.NextAttemptAt : "");
            }
            AnsiConsole.Write(t);
            return 0;
        });
        root.Subcommands.Add(list);
    }

    /// <summary>The same settings the server reads: `CHS_`-prefixed environment variables, then the settings file.</summary>
    private static DeliverySettings Settings(string? file)
    {
        var builder = new ConfigurationBuilder().AddEnvironmentVariables("CHS_");
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new Store.StoreException($"{file}: no such settings file");
            }
            builder.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        try
        {
            return DeliverySettings.From(builder.Build());
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException or InvalidDataException or TimeZoneNotFoundException)
        {
            throw new Store.StoreException($"settings{(file is null ? "" : " (" + file + ")")}: {e.Message}");
        }
    }
}
