using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CustomerHealth.Web.Deliveries;

namespace CustomerHealth.Web.Tests.Deliveries;

/// <summary>
/// Deliveries made by the running server against real servers: the SMTP server `scripts/test` starts, and webhook
/// receivers on loopback ports. An unhappy survey arrives through the API, the live rescoring opens an alert, and
/// the outbox sends what the rule asks for.
/// </summary>
public abstract class DeliveryTests(TestEngine engine)
{
    private static string Today => TimeProvider.System.Today().ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private TestApp App(Dictionary<string, string?> extra)
    {
        var settings = TestSmtp.Settings();
        settings["PublicUrl"] = "https://health.example.com/";
        settings["Deliveries:PollMilliseconds"] = "200";
        settings["Deliveries:RetryDelayMilliseconds"] = "50";
        foreach (var (k, v) in extra)
        {
            settings[k] = v;
        }
        return new TestApp(engine, settings);
    }

    /// <summary>Puts the rules in force, then makes account U1 (owned by <paramref name="owner"/>) unhappy through the API.</summary>
    private static async Task Unhappy(TestApp app, string rules, string owner, string name = "Unhappy & Co <b>")
    {
        var put = await app.KeyClient("admin").PutAsync("/api/v1/alerts/rules", new StringContent(rules));
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts", JsonSerializer.Serialize(new[] { new { account_id = "U1", name, owner } }));
        await ingest.PostJson("/api/v1/ingest/surveys", $$"""[{"account_id":"U1","kind":"nps","score":0,"responded_at":"{{Today}}T09:00:00Z"}]""");
    }

    private static async Task<JsonElement> WaitForDeliveries(TestApp app, Func<JsonElement, bool> done, int seconds = 60)
    {
        var reader = app.KeyClient("read");
        var watch = Stopwatch.StartNew();
        JsonElement last = default;
        while (watch.Elapsed < TimeSpan.FromSeconds(seconds))
        {
            last = await reader.GetJson("/api/v1/deliveries");
            if (done(last))
            {
                return last;
            }
            await Task.Delay(100);
        }
        throw new ShouldAssertException($"the deliveries did not reach the expected state; last seen: {last}");
    }

    private static int Count(JsonElement list, string state) => list.GetProperty("counts").GetProperty(state).GetInt32();

    private static string Rules(string notify, string destinations = "") =>
        $"""
        rules:
          - id: unhappy
            when: {"{"} measure: {"{"} id: nps, below: 0 {"}"} {"}"}
            severity: high
            notify: [ {notify} ]
        {destinations}
        """;

    [Fact]
    public async Task AlertOpens_OwnerAndFixedAddressGetAnEmailWithTextHtmlAndTheAccountLink()
    {
        using var app = App([]);
        var owner = TestSmtp.Address("owner");
        var leads = TestSmtp.Address("leads");
        await Unhappy(app, Rules($"inbox, owner, \"email:{leads}\""), owner);

        var toOwner = (await TestSmtp.WaitFor(owner)).ShouldHaveSingleItem();
        var toLeads = (await TestSmtp.WaitFor(leads)).ShouldHaveSingleItem();
        toOwner.Header("Subject").ShouldBe("[high] Unhappy & Co <b>: NPS, 180 days is -100, below 0");
        toOwner.Header("From").ShouldContain("health@example.com");
        toOwner.Text.ShouldContain("Unhappy & Co <b> (U1) needs attention");
        toOwner.Text.ShouldContain("https://health.example.com/accounts/U1");
        // In HTML, what users typed is escaped, and the link is a link.
        toOwner.Html.ShouldContain("Unhappy &amp; Co &lt;b&gt;");
        toOwner.Html.ShouldNotContain("<b>");
        toOwner.Html.ShouldContain("<a href=\"https://health.example.com/accounts/U1\">");
        toLeads.Header("Subject").ShouldBe(toOwner.Header("Subject"));

        var list = await WaitForDeliveries(app, l => Count(l, "sent") == 3);
        (Count(list, "pending"), Count(list, "failed")).ShouldBe((0, 0));
        var deliveries = list.GetProperty("deliveries").EnumerateArray().ToList();
        deliveries.Select(d => d.GetProperty("notify").GetString()).ShouldBe(["inbox", "owner", "email:" + leads], ignoreOrder: true);
        deliveries.ShouldAllBe(d => d.GetProperty("account_id").GetString() == "U1");
        var ownerKey = deliveries.Single(d => d.GetProperty("notify").GetString() == "owner").GetProperty("idempotency_key").GetString();
        toOwner.Header("Message-ID").ShouldBe($"<{ownerKey}@customer-health>");
    }

    [Fact]
    public async Task AlertOpens_AccountNameWithLineBreaks_TheEmailIsSentWithAOneLineSubject()
    {
        using var app = App([]);
        var owner = TestSmtp.Address("owner");
        // Names with line breaks are refused at import now; a store written before that may still hold one.
        var put = await app.KeyClient("admin").PutAsync("/api/v1/alerts/rules", new StringContent(Rules("owner")));
        put.StatusCode.ShouldBe(HttpStatusCode.OK, await put.Content.ReadAsStringAsync());
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts", JsonSerializer.Serialize(new[] { new { account_id = "U1", name = "Broken", owner } }));
        using (var db = app.OpenStore())
        {
            Dapper.SqlMapper.Execute(db.Connection, "UPDATE accounts SET name = @name WHERE account_id = 'U1'", new { name = "Broken\r\nBcc: victim@example.com\r\nName" });
        }
        await ingest.PostJson("/api/v1/ingest/surveys", $$"""[{"account_id":"U1","kind":"nps","score":0,"responded_at":"{{Today}}T09:00:00Z"}]""");

        var mail = (await TestSmtp.WaitFor(owner)).ShouldHaveSingleItem();
        mail.Header("Subject").ShouldBe("[high] Broken Bcc: victim@example.com Name: NPS, 180 days is -100, below 0");
        mail.Header("Bcc").ShouldBeEmpty();
        var list = await WaitForDeliveries(app, l => Count(l, "sent") == 1);
        (Count(list, "pending"), Count(list, "failed")).ShouldBe((0, 0));
    }

    [Fact]
    public async Task WebhookFailsTheFirstAttempts_RetriedWithTheSameKeyBodyAndSignature_ActedOnOnce()
    {
        await using var receiver = await WebhookReceiver.Start(failFirst: 2);
        using var app = App(new() { ["Deliveries:Retries"] = "3" });
        var rules = Rules("\"webhook:crm\", \"slack:cs\"",
            $"""
            destinations:
              crm: {"{"} kind: webhook, url: "{receiver.Url}hooks/health", secret: "s3cret" {"}"}
              cs: {"{"} kind: slack, url: "{receiver.Url}slack" {"}"}
            """);
        await Unhappy(app, rules, TestSmtp.Address("owner"), "Acme");
        await WaitForDeliveries(app, l => Count(l, "sent") == 2);

        var hooks = receiver.Requests.Where(r => r.Path == "/hooks/health").ToList();
        hooks.Select(r => r.Status).ShouldBe([503, 503, 200]);
        hooks.Select(r => r.IdempotencyKey).Distinct().ShouldHaveSingleItem().ShouldNotBeNullOrEmpty();
        hooks.Select(r => r.Body).Distinct().ShouldHaveSingleItem();
        var body = hooks[0].Body;
        hooks.ShouldAllBe(r => r.Signature == DeliverySender.Signature("s3cret", Encoding.UTF8.GetBytes(body)));
        receiver.Effects.Count.ShouldBe(2);

        var json = JsonDocument.Parse(body).RootElement;
        json.EnumerateObject().Select(p => p.Name).ShouldBe(
            ["alert_id", "rule", "account_id", "account_name", "score", "grade", "previous_score", "previous_grade", "severity", "opened_at", "url", "event", "reason"]);
        (json.GetProperty("rule").GetString(), json.GetProperty("account_id").GetString(), json.GetProperty("account_name").GetString(),
            json.GetProperty("severity").GetString(), json.GetProperty("opened_at").GetString(), json.GetProperty("url").GetString())
            .ShouldBe(("unhappy", "U1", "Acme", "high", Today, "https://health.example.com/accounts/U1"));
        json.GetProperty("alert_id").GetInt64().ShouldBePositive();
        json.GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Number);

        var slack = receiver.Requests.Where(r => r.Path == "/slack").ToList();
        slack.Count.ShouldBe(3);
        slack.ShouldAllBe(r => r.Signature == null);
        var text = JsonDocument.Parse(slack[^1].Body).RootElement.GetProperty("text").GetString()!;
        text.ShouldContain("*Acme*");
        text.ShouldContain("<https://health.example.com/accounts/U1|Open the account>");
    }

    [Fact]
    public async Task SlackHookRefuses_TheVisibleErrorNamesTheDestination_NotItsSecretUrl()
    {
        await using var receiver = await WebhookReceiver.Start(failFirst: 100);
        using var app = App(new() { ["Deliveries:Retries"] = "0", ["Deliveries:MaxAttempts"] = "1" });
        await Unhappy(app, Rules("\"slack:team\"", $"destinations:\n  team: {{ kind: slack, url: \"{receiver.Url}services/T0/B0/SECRETPATH\" }}"), TestSmtp.Address("owner"));

        var failed = await WaitForDeliveries(app, l => Count(l, "failed") == 1);
        var error = failed.GetProperty("deliveries").EnumerateArray().Single().GetProperty("last_error").GetString()!;
        error.ShouldContain("destination `team` (127.0.0.1) answered HTTP 503");
        error.ShouldNotContain("SECRETPATH");
        (await app.KeyClient("read").GetStringAsync("/api/v1/alerts/rules")).ShouldNotContain("SECRETPATH");
    }

    [Fact]
    public async Task WebhookUnreachable_BacksOffThenFailsVisibly_RetryAfterTheFixDelivers()
    {
        var closed = ClosedPort();
        using var app = App(new() { ["Deliveries:Retries"] = "0", ["Deliveries:MaxAttempts"] = "2", ["Deliveries:BackoffSeconds"] = "1" });
        await Unhappy(app, Rules("\"webhook:crm\"", $"destinations:\n  crm: {{ kind: webhook, url: \"http://127.0.0.1:{closed}/hooks\" }}"), TestSmtp.Address("owner"));

        var failed = await WaitForDeliveries(app, l => Count(l, "failed") == 1);
        var d = failed.GetProperty("deliveries").EnumerateArray().Single();
        d.GetProperty("attempts").GetInt32().ShouldBe(2);
        d.GetProperty("last_error").GetString()!.ShouldContain("refused", Case.Insensitive);
        var onlyFailed = await app.KeyClient("read").GetJson("/api/v1/deliveries?state=failed");
        onlyFailed.GetProperty("deliveries").GetArrayLength().ShouldBe(1);
        (await app.KeyClient("read").GetAsync("/api/v1/deliveries?state=lost")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // The receiver comes up at a new address and the rules are corrected: a retry sends the same delivery there.
        await using var receiver = await WebhookReceiver.Start();
        var put = await app.KeyClient("admin").PutAsync("/api/v1/alerts/rules",
            new StringContent(Rules("\"webhook:crm\"", $"destinations:\n  crm: {{ kind: webhook, url: \"{receiver.Url}hooks\" }}")));
        put.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.KeyClient("read").PostAsync($"/api/v1/deliveries/{d.GetProperty("id").GetInt64()}/retry", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var retried = await app.KeyClient("admin").PostJson($"/api/v1/deliveries/{d.GetProperty("id").GetInt64()}/retry", "");
        retried.GetProperty("retried").GetInt32().ShouldBe(1);
        await WaitForDeliveries(app, l => Count(l, "sent") == 1);
        receiver.Requests.ShouldHaveSingleItem().IdempotencyKey.ShouldBe(d.GetProperty("idempotency_key").GetString());
    }

    [Fact]
    public async Task EmailNotSetUp_FailsAtOnceSayingWhatToSet()
    {
        using var app = App(new() { ["Smtp:Host"] = "" });
        await Unhappy(app, Rules("owner"), TestSmtp.Address("owner"));
        var list = await WaitForDeliveries(app, l => Count(l, "failed") == 1);
        var d = list.GetProperty("deliveries").EnumerateArray().Single();
        d.GetProperty("last_error").GetString()!.ShouldContain("CHS_Smtp__Host");
        d.GetProperty("attempts").GetInt32().ShouldBe(1);
    }

    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}

public sealed class DeliveryTestsOnSqlite() : DeliveryTests(TestEngine.Sqlite);

public sealed class DeliveryTestsOnPostgres() : DeliveryTests(TestEngine.Postgres);
