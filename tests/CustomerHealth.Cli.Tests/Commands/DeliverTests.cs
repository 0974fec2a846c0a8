using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>
/// The outbox as a user meets it: `chs score` opens alerts and queues their deliveries, `chs deliver` sends them
/// (cron setups), `chs serve` sends them by itself and, killed with deliveries in flight and started again, makes
/// each delivery exactly once as the receiver sees it.
/// </summary>
public abstract partial class DeliverTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    private static string Today => TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A store with <paramref name="accounts"/> unhappy accounts and a rule that notifies as told; `chs score` opens their alerts.</summary>
    private void UnhappyPortfolio(int accounts, string notify, string destinations)
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var a = new StringBuilder("account_id,name,owner\n");
        var s = new StringBuilder("account_id,kind,score,responded_at\n");
        for (var i = 0; i < accounts; i++)
        {
            a.Append(CultureInfo.InvariantCulture, $"A{i:00},Account {i},{Owner}\n");
            s.Append(CultureInfo.InvariantCulture, $"A{i:00},nps,0,{Today}T09:00:00Z\n");
        }
        chs.Run("import", "accounts", chs.Write("accounts.csv", a.ToString())).ExitCode.ShouldBe(0);
        chs.Run("import", "surveys", chs.Write("surveys.csv", s.ToString())).ExitCode.ShouldBe(0);
        var rules = chs.Write("rules.yaml",
            $"""
            rules:
              - id: unhappy
                when: {"{"} measure: {"{"} id: nps, below: 0 {"}"} {"}"}
                severity: high
                notify: [ {notify} ]
            {destinations}
            """);
        var set = chs.Run("alerts", "rules", "set", rules);
        set.ExitCode.ShouldBe(0, set.ToString());
        var score = chs.Run("score");
        score.ExitCode.ShouldBe(0, score.ToString());
    }

    private readonly string Owner = TestSmtp.Address("owner");

    private static Dictionary<string, string> SmtpEnv() => new()
    {
        ["CHS_Smtp__Host"] = TestSmtp.Server.Host,
        ["CHS_Smtp__Port"] = TestSmtp.Server.Port.ToString(CultureInfo.InvariantCulture),
        ["CHS_Smtp__From"] = "health@example.com",
        ["CHS_Deliveries__RetryDelayMilliseconds"] = "50",
    };

    [Fact]
    public async Task Deliver_SendsWhatScoreQueued_FailuresShownAndRetriedAfterTheFix()
    {
        await using var receiver = await WebhookReceiver.Start();
        UnhappyPortfolio(3, "owner, \"webhook:crm\"", $"destinations:\n  crm: {{ kind: webhook, url: \"{receiver.Url}hooks\", secret: \"k\" }}");
        chs.Count("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'").ShouldBe(6);

        var sent = chs.RunWithEnv(SmtpEnv(), "deliver", "--json");
        sent.ExitCode.ShouldBe(0, sent.ToString());
        (sent.Json.GetProperty("sent").GetInt32(), sent.Json.GetProperty("failed").GetInt32()).ShouldBe((6, 0));
        (await TestSmtp.WaitFor(Owner, 3)).Count.ShouldBe(3);
        receiver.Effects.Count.ShouldBe(3);
        // Nothing left: a second run sends nothing again.
        chs.RunWithEnv(SmtpEnv(), "deliver", "--json").Json.GetProperty("sent").GetInt32().ShouldBe(0);
        receiver.Requests.Count.ShouldBe(3);

        // A settings file pointing at an SMTP server that is not there: failures are counted, shown, and kept.
        var dead = chs.Write("settings.json", """{ "Smtp": { "Host": "127.0.0.1", "Port": 9, "From": "health@example.com" }, "Deliveries": { "Retries": 0, "MaxAttempts": 1 } }""");
        // A new unhappy account: its alert's e-mail meets the dead server and fails for good; its webhook goes out.
        chs.Run("import", "accounts", chs.Write("more.csv", $"account_id,name,owner\nA99,Late,{Owner}\n")).ExitCode.ShouldBe(0);
        chs.Run("import", "surveys", chs.Write("more-surveys.csv", $"account_id,kind,score,responded_at\nA99,nps,0,{Today}T09:00:00Z\n")).ExitCode.ShouldBe(0);
        chs.Run("score").ExitCode.ShouldBe(0);
        var failed = chs.Run("deliver", "--settings", dead);
        failed.ExitCode.ShouldBe(1, failed.ToString());
        failed.Out.ShouldContain("Sent 1; 0 failed and will be tried again; 1 failed for good.");
        failed.Err.ShouldContain("SMTP");
        var listed = chs.Run("deliveries", "--state", "failed", "--json");
        listed.ExitCode.ShouldBe(0);
        var row = listed.Json.EnumerateArray().ShouldHaveSingleItem();
        row.GetProperty("last_error").GetString()!.ShouldContain("SMTP");
        chs.Run("deliveries", "--state", "lost").ExitCode.ShouldBe(2);

        var again = chs.RunWithEnv(SmtpEnv(), "deliver", "--retry-failed", "--json");
        again.ExitCode.ShouldBe(0, again.ToString());
        again.Json.GetProperty("retried").GetInt32().ShouldBe(1);
        again.Json.GetProperty("sent").GetInt32().ShouldBe(1);
        (await TestSmtp.WaitFor(Owner, 4)).Count.ShouldBe(4);
    }

    [Fact]
    public async Task Serve_KilledWithDeliveriesInFlight_RestartedItMakesEachDeliveryExactlyOnce()
    {
        const int accounts = 24;
        await using var receiver = await WebhookReceiver.Start();
        // Slow answers keep deliveries in flight when the server dies.
        receiver.Delay = TimeSpan.FromMilliseconds(250);
        UnhappyPortfolio(accounts, "\"webhook:crm\"", $"destinations:\n  crm: {{ kind: webhook, url: \"{receiver.Url}hooks\", secret: \"k\" }}");
        chs.Count("SELECT COUNT(*) FROM deliveries WHERE state = 'pending'").ShouldBe(accounts);
        var env = new Dictionary<string, string>
        {
            ["CHS_Deliveries__LeaseSeconds"] = "2",
            ["CHS_Deliveries__PollMilliseconds"] = "200",
        };

        using (var first = chs.Start(env, "serve", "--urls", "http://127.0.0.1:0"))
        {
            try
            {
                await ChsRunner.ServedAddress(first);
                var watch = Stopwatch.StartNew();
                while (receiver.Requests.Count < 5 && watch.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(20);
                }
                receiver.Requests.Count.ShouldBeGreaterThanOrEqualTo(5);
            }
            finally
            {
                first.Kill(entireProcessTree: true);
                await first.WaitForExitAsync();
            }
        }
        var afterCrash = chs.Count("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'");
        afterCrash.ShouldBeLessThan(accounts, "the server was killed before it had sent everything");

        using (var second = chs.Start(env, "serve", "--urls", "http://127.0.0.1:0"))
        {
            try
            {
                await ChsRunner.ServedAddress(second);
                var watch = Stopwatch.StartNew();
                while (chs.Count("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'") < accounts && watch.Elapsed < TimeSpan.FromSeconds(90))
                {
                    await Task.Delay(100);
                }
            }
            finally
            {
                second.Kill(entireProcessTree: true);
                await second.WaitForExitAsync();
            }
        }
        chs.Count("SELECT COUNT(*) FROM deliveries WHERE state = 'sent'").ShouldBe(accounts);
        // Every alert reached the receiver, and each acted on once: a request cut off by the crash came again with
        // the same key (at least once on the wire, once in effect).
        var requests = receiver.Requests.ToList();
        requests.Select(r => r.IdempotencyKey).Distinct().Count().ShouldBe(accounts);
        receiver.Effects.Count.ShouldBe(accounts);
        requests.Count.ShouldBeLessThanOrEqualTo(accounts + 2, "only deliveries in flight at the crash may come twice");
        var alertIds = receiver.Effects.Values.Select(b => JsonDocument.Parse(b).RootElement.GetProperty("alert_id").GetInt64()).ToHashSet();
        alertIds.Count.ShouldBe(accounts);
    }

    [Fact]
    public async Task Serve_PublicUrlUnset_LinksInMailAndWebhooksUseTheAddressServedAndStartSaysSo()
    {
        await using var receiver = await WebhookReceiver.Start();
        UnhappyPortfolio(1, "owner, \"webhook:crm\"", $"destinations:\n  crm: {{ kind: webhook, url: \"{receiver.Url}hooks\", secret: \"k\" }}");
        using var server = chs.Start(SmtpEnv(), "serve", "--urls", "http://127.0.0.1:0");
        try
        {
            var address = (await ChsRunner.ServedAddress(server)).GetLeftPart(UriPartial.Authority);
            address.ShouldNotEndWith(":5000");
            // After the address, the start says where links point (a job may log in between).
            (await ChsRunner.PrintedLine(server, "Links in e-mails")).ShouldContain($"Links in e-mails and webhooks point to {address}/ (the address served): set PublicUrl");

            var mail = (await TestSmtp.WaitFor(Owner)).ShouldHaveSingleItem();
            mail.Text.ShouldContain($"{address}/accounts/A00");
            var watch = Stopwatch.StartNew();
            while (receiver.Effects.IsEmpty && watch.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(100);
            }
            JsonDocument.Parse(receiver.Effects.Values.ShouldHaveSingleItem()).RootElement.GetProperty("url").GetString().ShouldBe($"{address}/accounts/A00");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public void Deliver_PublicUrlUnset_SaysWhichAddressTheLinksUse()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var r = chs.RunWithEnv(SmtpEnv(), "deliver");
        r.ExitCode.ShouldBe(0, r.ToString());
        r.Err.ShouldContain("Links in e-mails and webhooks point to http://127.0.0.1:5000/ (a default): set PublicUrl");
        var set = chs.RunWithEnv(new Dictionary<string, string>(SmtpEnv()) { ["CHS_PublicUrl"] = "https://health.example.com" }, "deliver");
        set.Err.ShouldNotContain("Links in");
    }
}

public sealed class DeliverTestsOnSqlite() : DeliverTests(TestEngine.Sqlite);

public sealed class DeliverTestsOnPostgres() : DeliverTests(TestEngine.Postgres);
