using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Deliveries;
using Microsoft.Extensions.Configuration;

namespace CustomerHealth.Web.Tests.Deliveries;

/// <summary>The weekly digest per owner, and the schedule and back-off settings behind deliveries.</summary>
public sealed class DigestTests
{
    [Fact]
    public async Task DigestDay_TheServerMailsEachOwnerTheirWeek_Once()
    {
        var owner = TestSmtp.Address("digest");
        var settings = TestSmtp.Settings();
        settings["Digest:Day"] = TimeProvider.System.GetUtcNow().DayOfWeek.ToString();
        settings["Digest:At"] = "00:00";
        settings["Deliveries:PollMilliseconds"] = "200";
        settings["PublicUrl"] = "https://health.example.com";
        using var app = new TestApp(TestEngine.Sqlite, settings);
        // The store has an open alert and a task for the owner before the server starts.
        using (var db = app.OpenStore())
        {
            var dir = Directory.CreateTempSubdirectory("chs-digest").FullName;
            var today = TimeProvider.System.Today();
            File.WriteAllText(Path.Combine(dir, "accounts.csv"), $"account_id,name,owner\nD1,Digest Co,{owner}\n");
            File.WriteAllText(Path.Combine(dir, "surveys.csv"), $"account_id,kind,score,responded_at\nD1,nps,0,{today:yyyy-MM-dd}T09:00:00Z\n");
            var importer = new Importer(db, TimeProvider.System);
            importer.ImportFile(ImportKind.Accounts, Path.Combine(dir, "accounts.csv"), new ImportOptions()).Applied.ShouldBeTrue();
            importer.ImportFile(ImportKind.Surveys, Path.Combine(dir, "surveys.csv"), new ImportOptions()).Applied.ShouldBeTrue();
            var models = new ModelVersions(db, TimeProvider.System);
            new ScoringRun(db, models).Score(today);
            var book = new AlertBook(db, models, TimeProvider.System);
            book.SetRules("rules:\n  - id: unhappy\n    when: { measure: { id: nps, below: 0 } }\n    notify: [ inbox ]\n", "rules.yaml");
            book.Evaluate(today).Opened.ShouldBe(1);
            book.CreateTask("D1", "Call the sponsor", owner, today.AddDays(-1), []);
        }
        app.KeyClient("read");

        var digest = (await TestSmtp.WaitFor(owner)).ShouldHaveSingleItem();
        digest.Header("Subject").ShouldBe("Your week in customer health: 1 open alert, 1 overdue task, 0 grade changes");
        digest.Text.ShouldContain("Open alerts:");
        digest.Text.ShouldContain("- Digest Co: unhappy (medium)");
        digest.Text.ShouldContain("Call the sponsor, due");
        digest.Text.ShouldContain("(OVERDUE)");
        digest.Html.ShouldContain("<a href=\"https://health.example.com/accounts/D1\">Digest Co</a>");
        // Later passes in the same week queue nothing more.
        await Task.Delay(1000);
        TestSmtp.To(owner).Count.ShouldBe(1);
    }

    private static DeliverySettings Settings(params (string Key, string Value)[] pairs) =>
        DeliverySettings.From(new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build());

    [Fact]
    public void DigestDue_IsTheLatestDigestMomentInTheDigestTimeZone()
    {
        var s = Settings(("Digest:Day", "Monday"), ("Digest:At", "08:00"), ("Digest:TimeZone", "Europe/Berlin"));
        // Monday 2026-11-23, 06:59 UTC is 07:59 in Berlin: last week's digest; at 07:00 UTC (08:00 there) this week's.
        s.DigestDue(new DateTimeOffset(2026, 11, 23, 6, 59, 0, TimeSpan.Zero)).ShouldBe(new DateOnly(2026, 11, 16));
        s.DigestDue(new DateTimeOffset(2026, 11, 23, 7, 0, 0, TimeSpan.Zero)).ShouldBe(new DateOnly(2026, 11, 23));
        s.DigestDue(new DateTimeOffset(2026, 11, 29, 22, 0, 0, TimeSpan.Zero)).ShouldBe(new DateOnly(2026, 11, 23));
        Settings().DigestDue(DateTimeOffset.UnixEpoch).ShouldBeNull();
    }

    [Fact]
    public void NextAttempt_DoublesFromTheBackoffUpToSixHours_ThenGivesUp()
    {
        var s = Settings(("Deliveries:BackoffSeconds", "60"), ("Deliveries:MaxAttempts", "12"));
        var now = new DateTimeOffset(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
        s.NextAttempt(1, now).ShouldBe(now.AddMinutes(1));
        s.NextAttempt(2, now).ShouldBe(now.AddMinutes(2));
        s.NextAttempt(5, now).ShouldBe(now.AddMinutes(16));
        s.NextAttempt(11, now).ShouldBe(now.AddHours(6));
        s.NextAttempt(12, now).ShouldBeNull();
    }

    [Fact]
    public void BadSettings_SayWhichSettingAndWhy()
    {
        Should.Throw<InvalidOperationException>(() => Settings(("Digest:Day", "Someday"))).Message.ShouldContain("Digest:Day");
        Should.Throw<InvalidOperationException>(() => Settings(("Smtp:Port", "smtp"))).Message.ShouldContain("Smtp:Port");
        Should.Throw<InvalidOperationException>(() => Settings(("Smtp:Tls", "maybe"))).Message.ShouldContain("Smtp:Tls");
        Should.Throw<InvalidOperationException>(() => Settings(("PublicUrl", "ftp://x"))).Message.ShouldContain("PublicUrl");
        Settings(("Smtp:Host", "mail.example.com"), ("Smtp:Tls", "true")).Smtp.ShouldBe(new SmtpSettings("mail.example.com", 25, "customer-health@localhost", null, null, true));
    }
}
