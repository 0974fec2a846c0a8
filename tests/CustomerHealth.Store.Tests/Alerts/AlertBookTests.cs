using CustomerHealth.Store.Models;
using CustomerHealth.Store.Alerts;
using Dapper;

namespace CustomerHealth.Store.Tests.Alerts;

public abstract class AlertBookTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 6, 1));

    public void Dispose() => store.Dispose();

    private const string Rules =
        """
        rules:
          - id: entered-red
            when: { grade_entered: red }
            cooldown: 14d
            severity: high
            task: { title: "Call {account.name}", assignee: owner, due_in: 3d, steps: [ "Read the breakdown" ] }
            auto_resolve: true
          - id: low-health
            when: { measure: { id: health, below: 50 } }
        """;

    private AlertBook Book => new(store.Db, store.Models, store.Clock);

    /// <summary>Scores a day with the given health per account (the test model scores the health metric directly).</summary>
    private AlertRunSummary Day(DateOnly day, params (string Id, double Health)[] accounts)
    {
        foreach (var (id, health) in accounts)
        {
            store.Metric(id, day, health);
        }
        store.Clock.SetDate(day);
        store.Scoring.Score(day);
        return Book.Evaluate(day);
    }

    private const string RulesWithSecrets =
        """
        rules:
          - id: entered-red
            when: { grade_entered: red }
            notify: [ "webhook:crm", "slack:team" ]
        destinations:
          crm: { kind: webhook, url: "https://crm.example.com/hook", secret: "hmac-key-123" }
          team: { kind: slack, url: "https://hooks.slack.com/services/T0/B0/SECRETPATH" }
        """;

    /// <summary>Everything the store holds as text, to look for a secret anywhere in it.</summary>
    private string EveryStoredText() =>
        string.Join("\n", store.Db.Connection.Query<string>("SELECT yaml FROM alert_rules").Concat(store.Db.Connection.Query<string>("SELECT sealed FROM secrets")));

    [Fact]
    public void SetRules_Secrets_AreKeptApartSealed_ShownAsAPlaceholder_AndUsedForDelivery()
    {
        store.Publish();
        Book.SetRules(RulesWithSecrets, "r.yaml");
        EveryStoredText().ShouldNotContain("hmac-key-123");
        EveryStoredText().ShouldNotContain("SECRETPATH");
        Book.RulesYaml()!.ShouldNotContain("hmac-key-123");
        Book.RulesYaml()!.ShouldContain($"secret: \"{Core.Alerts.RuleSecrets.Placeholder}\"");
        Book.Rules().Destinations["crm"].Secret.ShouldBe("hmac-key-123");
        Book.Rules().Destinations["team"].Url.AbsolutePath.ShouldEndWith("SECRETPATH");

        // The rules as shown, edited and set again keep the stored secrets; a new value replaces one.
        Book.SetRules(Book.RulesYaml()!.Replace("entered-red", "red-again", StringComparison.Ordinal), "r.yaml");
        Book.Rules().Rules.Single().Id.ShouldBe("red-again");
        Book.Rules().Destinations["crm"].Secret.ShouldBe("hmac-key-123");
        Book.SetRules(Book.RulesYaml()!.Replace($"secret: \"{Core.Alerts.RuleSecrets.Placeholder}\"", "secret: rotated-456", StringComparison.Ordinal), "r.yaml");
        Book.Rules().Destinations["crm"].Secret.ShouldBe("rotated-456");
        store.Db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM secrets").ShouldBe(2);
    }

    [Fact]
    public void SetRules_APlaceholderWithNoStoredSecret_IsRefusedAtItsLine()
    {
        store.Publish();
        var e = Should.Throw<Core.Alerts.AlertRulesInvalidException>(() =>
            Book.SetRules(RulesWithSecrets.Replace("hmac-key-123", Core.Alerts.RuleSecrets.Placeholder, StringComparison.Ordinal), "r.yaml"));
        e.Message.ShouldContain("r.yaml:6:");
        e.Message.ShouldContain("destination `crm`");
        Book.RulesYaml().ShouldBeNull();
    }

    [Fact]
    public void SealStoredRules_RulesStoredWithTheirSecretsInClear_AreSealedInEveryVersion()
    {
        store.Publish();
        // As a store written before secrets were kept apart holds them.
        store.Db.Connection.Execute("INSERT INTO alert_rules (yaml, set_at) VALUES (@y, '2025-01-01'), (@y, '2025-01-02')", new { y = RulesWithSecrets });
        Book.SealStoredRules().ShouldBe(2);
        EveryStoredText().ShouldNotContain("hmac-key-123");
        Book.Rules().Destinations["crm"].Secret.ShouldBe("hmac-key-123");
        Book.SealStoredRules().ShouldBe(0);
    }

    [Fact]
    public void SetRules_UnknownGradeOrMeasure_IsRefusedAndNothingIsInForce()
    {
        store.Publish();
        Should.Throw<StoreException>(() => Book.SetRules("rules:\n  - id: x\n    when: { grade_entered: purple }\n", "r.yaml")).Message.ShouldContain("purple");
        Should.Throw<StoreException>(() => Book.SetRules("rules:\n  - id: x\n    when: { measure: { id: nope, below: 1 } }\n", "r.yaml")).Message.ShouldContain("nope");
        Book.RulesYaml().ShouldBeNull();
    }

    [Fact]
    public void Evaluate_AccountEntersRed_OpensOneAlertAndItsTask_ThenUpdatesNeverDuplicates()
    {
        store.Publish();
        Book.SetRules(Rules, "rules.yaml");
        store.ImportCsv(Core.Signals.ImportKind.Accounts, "account_id,name,owner", "A,Acme,ann@example.com", "B,Beta,bob@example.com").Applied.ShouldBeTrue();
        var d1 = new DateOnly(2025, 6, 1);
        Day(d1, ("A", 60), ("B", 80)).Opened.ShouldBe(0);
        var d2 = d1.AddDays(7);
        var second = Day(d2, ("A", 20), ("B", 80));
        // A entered red (and its health is below 50): two alerts, one task.
        second.Opened.ShouldBe(2);
        second.TasksCreated.ShouldBe(1);
        var red = Book.Alerts().Single(a => a.RuleId == "entered-red");
        (red.AccountId, red.Severity, red.State, red.Grade, red.PreviousGrade).ShouldBe(("A", "high", "open", "red", "yellow"));
        red.Reason.ShouldContain("entered red");
        var task = Book.Tasks().ShouldHaveSingleItem();
        (task.Title, task.Assignee, task.DueOn, task.Steps.Single()).ShouldBe(("Call Acme", "ann@example.com", "2025-06-11", "Read the breakdown"));
        // The same day scored again: the open alerts are refreshed, not duplicated.
        var again = Book.Evaluate(d2);
        (again.Opened, again.Updated).ShouldBe((0, 2));
        Book.Alerts().Count.ShouldBe(2);
        store.Count("tasks").ShouldBe(1);
    }

    [Fact]
    public void Evaluate_ConditionClears_AutoResolvesAndTheCooldownHoldsBackANewAlert()
    {
        store.Publish();
        Book.SetRules(Rules, "rules.yaml");
        var d = new DateOnly(2025, 6, 1);
        Day(d, ("A", 60));
        Day(d.AddDays(1), ("A", 20)).Opened.ShouldBe(2);
        // Back to yellow: entered-red resolves by itself (auto_resolve); low-health has no auto_resolve and stays open.
        var recovered = Day(d.AddDays(2), ("A", 60));
        recovered.Resolved.ShouldBe(1);
        Book.Alerts().ShouldHaveSingleItem().RuleId.ShouldBe("low-health");
        Book.Alerts(includeResolved: true).Single(a => a.RuleId == "entered-red").ResolvedBy.ShouldBe("auto");
        // Red again within the 14-day cooldown: no new alert; after it, a new one.
        Day(d.AddDays(3), ("A", 20)).Suppressed.ShouldBe(1);
        Book.Alerts().Count(a => a.RuleId == "entered-red").ShouldBe(0);
        Day(d.AddDays(4), ("A", 60));
        Day(d.AddDays(17), ("A", 20)).Opened.ShouldBe(1);
        Book.Alerts().Count(a => a.RuleId == "entered-red").ShouldBe(1);
    }

    [Fact]
    public void Simulate_AFlappingAccount_CooldownHoldsBackTheSecondAlert_AndNothingIsStored()
    {
        store.Publish();
        var rules = Book.Validate("rules:\n  - id: entered-red\n    when: { grade_entered: red }\n    cooldown: 14d\n    auto_resolve: true\n", "r.yaml");
        var d = new DateOnly(2025, 6, 1);
        // A flaps yellow/red every day; B stays green. Red on days 2, 4 and 6.
        double[] a = [60, 20, 60, 20, 60, 20];
        for (var i = 0; i < a.Length; i++)
        {
            store.Metric("A", d.AddDays(i), a[i]);
            store.Metric("B", d.AddDays(i), 90);
            store.Clock.SetDate(d.AddDays(i));
            store.Scoring.Score(d.AddDays(i));
        }
        var report = Book.Simulate(rules, d, d.AddDays(5));
        (report.From, report.To, report.Days).ShouldBe(("2025-06-01", "2025-06-06", 6));
        report.Weeks.ShouldBe(1.0);
        var with = report.WithCooldown.ShouldHaveSingleItem();
        (with.CooldownDays, with.OpenedFirstDay, with.OpenedAfter, with.Accounts, with.HeldBackByCooldown, with.OpenAtEnd).ShouldBe((14, 0, 1, 1, 2, 0));
        var without = report.WithoutCooldown.ShouldHaveSingleItem();
        (without.CooldownDays, without.OpenedAfter, without.HeldBackByCooldown, without.OpenAtEnd, without.BusiestWeek).ShouldBe((0, 3, 0, 1, 3));
        store.Count("alerts").ShouldBe(0);
        Should.Throw<StoreException>(() => Book.Simulate(rules, d.AddYears(1), d.AddYears(2))).Message.ShouldContain("no scores");
    }

    [Fact]
    public void ShippedRules_AreValidForTheSaasModel()
    {
        store.Publish(ModelVersions.Builtin("saas"));
        var rules = Book.Validate(AlertBook.ShippedRules, "saas-rules.yaml");
        rules.Rules.Select(r => r.Id).ShouldBe(["entered-red", "sharp-drop", "renewal-at-risk", "detractors", "urgent-tickets", "sentiment-stale"]);
        rules.Rules.ShouldAllBe(r => r.AutoResolve && r.CooldownDays > 0);
    }

    [Fact]
    public void Act_AcknowledgeSnoozeResolve_ChangeTheOpenAlertOnly()
    {
        store.Publish();
        Book.SetRules(Rules, "rules.yaml");
        var d = new DateOnly(2025, 6, 1);
        Day(d, ("A", 60));
        Day(d.AddDays(1), ("A", 20));
        var id = Book.Alerts().Single(a => a.RuleId == "low-health").Id;
        Book.Act(id, "acknowledge", "ann").ShouldBeTrue();
        Book.Alerts().Single(a => a.Id == id).State.ShouldBe("acknowledged");
        Book.Act(id, "snooze", "ann", d.AddDays(10)).ShouldBeTrue();
        Book.Alerts().Single(a => a.Id == id).SnoozedUntil.ShouldBe("2025-06-11");
        // Still holding while snoozed: it stays snoozed.
        Day(d.AddDays(2), ("A", 20));
        Book.Alerts().Single(a => a.Id == id).State.ShouldBe("snoozed");
        Book.Act(id, "resolve", "ann").ShouldBeTrue();
        Book.Alerts().ShouldNotContain(a => a.Id == id);
        Book.Act(id, "resolve", "ann").ShouldBeFalse();
        Should.Throw<StoreException>(() => Book.Act(id, "snooze", "ann"));
    }

    [Fact]
    public void Tasks_PastTheirDueDay_AreOverdue()
    {
        store.Publish();
        Book.SetRules(Rules, "rules.yaml");
        var d = new DateOnly(2025, 6, 1);
        Day(d, ("A", 60));
        Day(d.AddDays(1), ("A", 20));
        Book.Tasks().Single().Overdue.ShouldBeFalse();
        store.Clock.SetDate(d.AddDays(10));
        Book.Tasks().Single().Overdue.ShouldBeTrue();
    }
}

public sealed class AlertBookTestsOnSqlite() : AlertBookTests(TestEngine.Sqlite);

public sealed class AlertBookTestsOnPostgres() : AlertBookTests(TestEngine.Postgres);
