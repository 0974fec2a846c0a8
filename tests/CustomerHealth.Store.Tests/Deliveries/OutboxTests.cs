using System.Text.Json;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Deliveries;

namespace CustomerHealth.Store.Tests.Deliveries;

public abstract class OutboxTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 1));

    public void Dispose() => store.Dispose();

    private const string Rules =
        """
        rules:
          - id: entered-red
            when: { grade_entered: red }
            severity: high
            notify: [ inbox, owner, "email:leads@example.com", "webhook:crm", "slack:cs" ]
            auto_resolve: true
        destinations:
          crm: { kind: webhook, url: "http://127.0.0.1:9/hooks", secret: "s3cret" }
          cs: { kind: slack, url: "http://127.0.0.1:9/slack" }
        """;

    private AlertBook Book => new(store.Db, store.Models, store.Clock);

    private Outbox Outbox => new(store.Db, store.Clock);

    private void Day(DateOnly day, params (string Id, double Health)[] accounts)
    {
        foreach (var (id, health) in accounts)
        {
            store.Metric(id, day, health);
        }
        store.Clock.SetDate(day);
        store.Scoring.Score(day);
        Book.Evaluate(day);
    }

    private static readonly DateOnly D = new(2025, 6, 1);

    private void RedAlert(string rules = Rules)
    {
        store.Publish();
        Book.SetRules(rules, "rules.yaml");
        store.ImportCsv(Core.Signals.ImportKind.Accounts, "account_id,name,owner", "A,Acme,ann@example.com", "B,Beta,").Applied.ShouldBeTrue();
        Day(D, ("A", 60), ("B", 60));
        Day(D.AddDays(1), ("A", 20), ("B", 20));
    }

    [Fact]
    public void Evaluate_AlertOpens_QueuesOneDeliveryPerNotifyEntryInTheSameStore()
    {
        RedAlert();
        var a = Outbox.List().Where(d => d.AccountId == "A").OrderBy(d => d.Notify, StringComparer.Ordinal).ToList();
        a.Select(d => (d.Notify, d.Channel, d.Target, d.State)).ShouldBe(
        [
            ("email:leads@example.com", "email", "leads@example.com", "pending"),
            ("inbox", "inbox", "ann@example.com", "sent"),
            ("owner", "email", "ann@example.com", "pending"),
            ("slack:cs", "slack", "cs", "pending"),
            ("webhook:crm", "webhook", "crm", "pending"),
        ]);
        a.Select(d => d.IdempotencyKey).Distinct().Count().ShouldBe(5);
        // B has no owner: the owner e-mail cannot go anywhere, and says so instead of vanishing.
        var b = Outbox.List().Single(d => d.AccountId == "B" && d.Notify == "owner");
        b.State.ShouldBe("failed");
        b.LastError!.ShouldContain("no owner e-mail address");
        Outbox.Counts().ShouldBe(new Dictionary<string, int> { ["pending"] = 7, ["sent"] = 2, ["failed"] = 1 });
    }

    [Fact]
    public void Evaluate_SameDayAgainAndTheNextDay_QueuesNothingMore()
    {
        RedAlert();
        var before = store.Count("deliveries");
        Book.Evaluate(D.AddDays(1));
        Day(D.AddDays(2), ("A", 21), ("B", 21));
        store.Count("deliveries").ShouldBe(before);
    }

    [Fact]
    public void Claim_PayloadHoldsTheAlertFacts()
    {
        RedAlert();
        var hook = Outbox.Claim(100, TimeSpan.FromMinutes(1)).Single(d => d.Notify == "webhook:crm" && d.Payload.Contains("\"A\"", StringComparison.Ordinal));
        var notice = JsonSerializer.Deserialize<AlertNotice>(hook.Payload, Outbox.Json)!;
        (notice.Rule, notice.AccountId, notice.AccountName, notice.Grade, notice.PreviousGrade, notice.Severity, notice.OpenedAt, notice.Event)
            .ShouldBe(("entered-red", "A", "Acme", "red", "yellow", "high", "2025-06-02", "opened"));
        notice.AlertId.ShouldBe(hook.AlertId!.Value);
        notice.Score.ShouldNotBeNull();
        hook.Attempts.ShouldBe(1);
    }

    [Fact]
    public void Claim_ASecondSenderGetsNothingUntilTheLeaseRunsOut()
    {
        RedAlert();
        var first = Outbox.Claim(100, TimeSpan.FromMinutes(2));
        first.Count.ShouldBe(7);
        Outbox.Claim(100, TimeSpan.FromMinutes(2)).ShouldBeEmpty();
        // The first sender sends two, then dies: after its lease the rest go to the next sender, none twice.
        Outbox.Sent(first[0].Id);
        Outbox.Sent(first[1].Id);
        store.Clock.Now += TimeSpan.FromMinutes(3);
        var second = Outbox.Claim(100, TimeSpan.FromMinutes(2));
        second.Select(d => d.Id).ShouldBe(first.Skip(2).Select(d => d.Id), ignoreOrder: true);
        second.ShouldAllBe(d => d.Attempts == 2);
    }

    [Fact]
    public void Failed_RetriesWhenToldAndGivesUpVisibly_RetryPutsItBack()
    {
        RedAlert();
        var d = Outbox.Claim(1, TimeSpan.FromMinutes(1)).Single();
        var later = store.Clock.GetUtcNow() + TimeSpan.FromMinutes(5);
        Outbox.Failed(d.Id, "connection refused", later);
        var view = Outbox.List().Single(x => x.Id == d.Id);
        (view.State, view.LastError, view.NextAttemptAt).ShouldBe(("pending", "connection refused", Outbox.Stamp(later)));
        // Not due yet.
        Outbox.Claim(100, TimeSpan.FromMinutes(1)).ShouldNotContain(x => x.Id == d.Id);
        store.Clock.Now = later;
        var again = Outbox.Claim(100, TimeSpan.FromMinutes(1)).Single(x => x.Id == d.Id);
        again.Attempts.ShouldBe(2);
        Outbox.Failed(d.Id, "HTTP 410 Gone", null);
        Outbox.List("failed").ShouldContain(x => x.Id == d.Id && x.LastError == "HTTP 410 Gone");
        Outbox.Retry(d.Id).ShouldBe(1);
        var back = Outbox.List().Single(x => x.Id == d.Id);
        (back.State, back.Attempts).ShouldBe(("pending", 0));
    }

    [Fact]
    public void Evaluate_SnoozeEndsAndTheConditionStillHolds_NotifiesAgainWithNewKeys()
    {
        RedAlert(Rules.Replace("grade_entered: red", "score_below: 40", StringComparison.Ordinal));
        var alert = Book.Alerts().Single(a => a.AccountId == "A");
        Book.Act(alert.Id, "snooze", "ann", D.AddDays(5)).ShouldBeTrue();
        var first = Outbox.List(alertId: alert.Id).Select(x => x.Id).ToHashSet();
        Day(D.AddDays(3), ("A", 20), ("B", 20));
        Outbox.List(alertId: alert.Id).Count.ShouldBe(first.Count);
        Day(D.AddDays(6), ("A", 20), ("B", 20));
        var all = Outbox.List(alertId: alert.Id);
        all.Count.ShouldBe(2 * first.Count);
        all.Select(x => x.IdempotencyKey).Distinct().Count().ShouldBe(all.Count);
        var woke = Outbox.Claim(100, TimeSpan.FromMinutes(1)).First(x => x.AlertId == alert.Id && !first.Contains(x.Id));
        JsonSerializer.Deserialize<AlertNotice>(woke.Payload, Outbox.Json)!.Event.ShouldBe("reopened");
    }

    [Fact]
    public void EnqueueDigests_OncePerOwnerAndWeek_WithAlertsTasksAndGradeChanges()
    {
        RedAlert();
        Book.CreateTask("A", "Plan the QBR", "ann@example.com", D, []);
        store.Clock.SetDate(D.AddDays(7));
        var week = D.AddDays(7);
        Outbox.EnqueueDigests(week).ShouldBe(1);
        Outbox.EnqueueDigests(week).ShouldBe(0);
        var digest = Outbox.List().Single(d => d.Kind == "digest");
        (digest.Channel, digest.Target, digest.State).ShouldBe(("email", "ann@example.com", "pending"));
        var notice = JsonSerializer.Deserialize<DigestNotice>(Outbox.Claim(100, TimeSpan.FromMinutes(1)).Single(d => d.Kind == "digest").Payload, Outbox.Json)!;
        notice.Alerts.ShouldHaveSingleItem().Rule.ShouldBe("entered-red");
        var task = notice.Tasks.ShouldHaveSingleItem();
        (task.Title, task.Overdue).ShouldBe(("Plan the QBR", true));
        var change = notice.Changes.ShouldHaveSingleItem();
        (change.AccountId, change.FromGrade, change.ToGrade).ShouldBe(("A", "yellow", "red"));
    }
}

public sealed class OutboxTestsOnSqlite() : OutboxTests(TestEngine.Sqlite);

public sealed class OutboxTestsOnPostgres() : OutboxTests(TestEngine.Postgres);
