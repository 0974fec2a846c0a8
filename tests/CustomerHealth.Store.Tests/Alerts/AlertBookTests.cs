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

    /// <summary>Scores a day with the given health per account and evaluates the rules on it.</summary>
    private AlertRunSummary Day(DateOnly day, params (string Id, double Health)[] accounts)
    {
        Score(store, day, accounts);
        return Book.Evaluate(day);
    }

    /// <summary>Scores a day of a store with the given health per account (the test model scores the health metric directly).</summary>
    private static void Score(TestStore s, DateOnly day, params (string Id, double Health)[] accounts)
    {
        foreach (var (id, health) in accounts)
        {
            s.Metric(id, day, health);
        }
        s.Clock.SetDate(day);
        s.Scoring.Score(day);
    }

    /// <summary>Every alert of a store, one line each, in a stable order: to compare two stores' alerts.</summary>
    private static List<string> StoredAlerts(TestStore s) =>
        s.Db.Connection.Query(
                """
                SELECT al.rule_id, a.account_id, al.state, al.reason, al.score, al.grade, al.previous_score, al.previous_grade, al.opened_on, al.updated_on, al.resolved_on
                FROM alerts al JOIN accounts a ON a.account_key = al.account_key ORDER BY a.account_id, al.rule_id, al.opened_on
                """)
            .Select(r => string.Join("|", ((IDictionary<string, object?>)r).Values)).ToList();

    /// <summary>Another store beside this one, both with the test model published and the rules in force.</summary>
    private TestStore BesideAnotherWithTheRules()
    {
        var other = new TestStore(engine, new DateOnly(2025, 6, 1));
        foreach (var s in new[] { store, other })
        {
            s.Publish();
            new AlertBook(s.Db, s.Models, s.Clock).SetRules(Rules, "rules.yaml");
        }
        return other;
    }

    private static List<DateOnly> Weeks(DateOnly first, int count) => Enumerable.Range(0, count).Select(i => first.AddDays(7 * i)).ToList();

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
    public void Evaluate_ScoreDropMadeByDataArriving_OpensNoAlert_ADropOfTheAccountsOwnDoes()
    {
        // The Health model: product 60% (health metric), voice 40% (NPS). A1 and A2 start at 90 on the health metric.
        store.Publish();
        Book.SetRules("rules:\n  - id: drop\n    when: { score_drop: { points: 15, days: 30 } }\n", "r.yaml");
        Day(new DateOnly(2025, 5, 1), ("A1", 90), ("A2", 90));
        // A1's first NPS arrives, 0: 90 → 54, all of it data arriving. A2's health falls to 60: 90 → 60, its own.
        store.ImportCsv(Core.Signals.ImportKind.Surveys, "account_id,kind,score,responded_at,response_id", "A1,nps,0,2025-05-20T10:00:00Z,R1").Applied.ShouldBeTrue();
        Day(new DateOnly(2025, 6, 1), ("A2", 60));

        var open = Book.Alerts().Where(a => a.RuleId == "drop").ToList();
        open.Select(a => a.AccountId).ShouldBe(["A2"]);
        // The reason names the cause the attribution gives the drop: A2's health metric, its only measure with data.
        open[0].Reason.ShouldBe("score fell 30.0 points in 30 days (from 90.0), mainly health -30.0");
    }

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
    public void ValidateDraft_ThePlaceholdersOfTheRulesAsShown_ReadAsTheStoredSecrets_AndNothingChanges()
    {
        store.Publish();
        Book.SetRules(RulesWithSecrets, "r.yaml");
        var before = EveryStoredText();
        // The Slack URL is behind a placeholder too: without the stored one it would not be a URL at all.
        var shown = Book.RulesYaml()!.Replace("entered-red", "draft-red", StringComparison.Ordinal);

        var draft = Book.ValidateDraft(shown, "draft.yaml");

        draft.Rules.Single().Id.ShouldBe("draft-red");
        draft.Destinations["crm"].Secret.ShouldBe("hmac-key-123");
        draft.Destinations["team"].Url.AbsolutePath.ShouldEndWith("SECRETPATH");
        EveryStoredText().ShouldBe(before);
        Book.Rules().Rules.Single().Id.ShouldBe("entered-red");
        var e = Should.Throw<Core.Alerts.AlertRulesInvalidException>(() => Book.ValidateDraft(shown.Replace("crm", "erp", StringComparison.Ordinal), "draft.yaml"));
        e.Message.ShouldContain("destination `erp`");
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
    public void Evaluate_ADayBeforeOpenAlertsOpened_LeavesThemAsTheyAre()
    {
        store.Publish();
        Book.SetRules(Rules, "rules.yaml");
        var d1 = new DateOnly(2025, 6, 1);
        Day(d1, ("A", 20));
        var d2 = d1.AddDays(7);
        Score(store, d2, ("A", 20));
        // Opened on the later day, then the earlier day evaluated again (as when the later snapshots are gone).
        Book.Alerts().ShouldNotBeEmpty();
        store.Db.Connection.Execute("UPDATE alerts SET opened_on = @d, updated_on = @d", new { d = "2025-06-08" });

        var earlier = Book.Evaluate(d1);

        (earlier.Opened, earlier.Updated, earlier.Resolved).ShouldBe((0, 0, 0));
        Book.Alerts().ShouldAllBe(a => a.OpenedOn == "2025-06-08" && a.UpdatedOn == "2025-06-08");
        Book.Evaluate(d2).Updated.ShouldBe(Book.Alerts().Count);
    }

    [Fact]
    public void Evaluate_DaysInOrderByOneBook_DecidesAsANewBookForEachDay()
    {
        // One book replaying the days keeps each day's snapshots for the next; another store with the same history
        // is evaluated by a new book each day. A day rescored after it was evaluated and a day left out must not be
        // read from what the book kept.
        using var other = BesideAnotherWithTheRules();
        var days = Weeks(new DateOnly(2025, 6, 1), 9);
        var rnd = new Random(5);
        void ScoreBoth(DateOnly day, string account, double health)
        {
            Score(store, day, (account, health));
            Score(other, day, (account, health));
        }
        foreach (var day in days)
        {
            foreach (var account in new[] { "A1", "A2", "A3", "A4", "A5" })
            {
                // A1 healthy until it is rescored below; A5 has no data after the third day.
                if (account != "A5" || day < days[3])
                {
                    ScoreBoth(day, account, account == "A1" ? 90 : 15 + rnd.Next(80));
                }
            }
        }
        var book = Book;
        for (var i = 0; i < days.Count; i++)
        {
            if (i == 4)
            {
                // The fourth day rescored after it was evaluated: A1 was red already, so on the fifth it enters nothing.
                ScoreBoth(days[3], "A1", 20);
                ScoreBoth(days[4], "A1", 20);
                store.Clock.SetDate(days[^1]);
                other.Clock.SetDate(days[^1]);
            }
            if (i == 6)
            {
                continue; // the next day's previous snapshots are the sixth's, not the one evaluated before
            }
            book.Evaluate(days[i]);
            new AlertBook(other.Db, other.Models, other.Clock).Evaluate(days[i]);
        }

        var replayed = StoredAlerts(store);
        replayed.ShouldBe(StoredAlerts(other));
        replayed.Count.ShouldBeGreaterThan(5);
        replayed.ShouldNotContain(r => r.StartsWith("entered-red|A1|", StringComparison.Ordinal), string.Join("\n", replayed));
    }

    [Fact]
    public void Evaluate_EachDayOnceARunHasStoredIt_DecidesAsAfterTheWholeRun()
    {
        // A run scoring the weeks in turn hands each to one book once stored, while the next is computed (as the demo
        // replays its history): the snapshots written after each evaluation are of later days, which change nothing the
        // book kept. Another store with the same data is scored whole, then evaluated by a new book each day.
        using var other = BesideAnotherWithTheRules();
        var days = Weeks(new DateOnly(2025, 6, 1), 9);
        var rnd = new Random(11);
        foreach (var day in days)
        {
            foreach (var account in new[] { "A1", "A2", "A3", "A4", "A5" })
            {
                // A5 has no data after the third day.
                if (account != "A5" || day < days[3])
                {
                    var health = 15 + rnd.Next(80);
                    store.Metric(account, day, health);
                    other.Metric(account, day, health);
                }
            }
        }
        store.Clock.SetDate(days[^1]);
        other.Clock.SetDate(days[^1]);

        var book = Book;
        var judged = new List<DateOnly>();
        store.Scoring.ScoreRange(days[0], days[^1], 7, afterDay: day =>
        {
            judged.Add(day);
            book.Evaluate(day);
        });
        other.Scoring.ScoreRange(days[0], days[^1], 7);
        foreach (var day in days)
        {
            new AlertBook(other.Db, other.Models, other.Clock).Evaluate(day);
        }

        judged.ShouldBe(days);
        var replayed = StoredAlerts(store);
        replayed.ShouldBe(StoredAlerts(other));
        replayed.ShouldContain(r => r.StartsWith("entered-red|", StringComparison.Ordinal), string.Join("\n", replayed));
        replayed.ShouldContain(r => r.Contains("|resolved|", StringComparison.Ordinal), string.Join("\n", replayed));
    }

    [Fact]
    public void Evaluate_DaysInOrderByOneBook_ReadsTheAccountsAsTheyAreThatDay()
    {
        // One book keeps the accounts' fields between days: accounts renamed or given to another owner between two days,
        // and an account new on the second, are read as they are then.
        store.Publish();
        var book = Book;
        book.SetRules(Rules, "rules.yaml");
        store.ImportCsv(Core.Signals.ImportKind.Accounts, "account_id,name,owner", "A,Acme,ann@example.com", "B,Beta,bob@example.com").Applied.ShouldBeTrue();
        var d1 = new DateOnly(2025, 6, 1);
        Score(store, d1, ("A", 60), ("B", 60));
        book.Evaluate(d1).Opened.ShouldBe(0);
        store.ImportCsv(Core.Signals.ImportKind.Accounts, "account_id,name,owner", "A,Acme Group,carl@example.com", "B,Beta,dora@example.com").Applied.ShouldBeTrue();
        var d2 = d1.AddDays(7);
        Score(store, d2, ("A", 20), ("B", 40));
        book.Evaluate(d2).TasksCreated.ShouldBe(1);
        var task = book.Tasks().ShouldHaveSingleItem();
        (task.AccountId, task.Title, task.Assignee).ShouldBe(("A", "Call Acme Group", "carl@example.com"));
        store.ImportCsv(Core.Signals.ImportKind.Accounts, "account_id,name,owner", "C,Cedar,erin@example.com").Applied.ShouldBeTrue();
        var d3 = d2.AddDays(7);
        Score(store, d3, ("A", 20), ("B", 40), ("C", 30));
        book.Evaluate(d3);
        book.Alerts().Where(a => a.RuleId == "low-health").Select(a => (a.AccountId, a.AccountName, a.Owner)).OrderBy(a => a.AccountId)
            .ShouldBe([("A", "Acme Group", "carl@example.com"), ("B", "Beta", "dora@example.com"), ("C", "Cedar", "erin@example.com")]);
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
    public void Evaluate_SameDayAgainAfterTheScoreMoved_RefreshesTheOpenAlertsWithTheNewScoreAndReason()
    {
        store.Publish();
        Book.SetRules(Rules, "rules.yaml");
        var d1 = new DateOnly(2025, 6, 1);
        Day(d1, ("A", 60));
        var d2 = d1.AddDays(7);
        Day(d2, ("A", 20)).Opened.ShouldBe(2);
        var before = Book.Alerts().Single(a => a.RuleId == "low-health");
        before.Reason.ShouldContain("20");
        // Evaluated again unchanged: the same alerts, as they were.
        Book.Evaluate(d2).Updated.ShouldBe(2);
        Book.Alerts().Single(a => a.RuleId == "low-health").ShouldBe(before);
        // Later the same day the health moves (still red, still low): the alerts take the new score and reason.
        var moved = Day(d2, ("A", 30));
        (moved.Opened, moved.Updated).ShouldBe((0, 2));
        var after = Book.Alerts().Single(a => a.RuleId == "low-health");
        (after.Id, after.Score, after.UpdatedOn).ShouldBe((before.Id, 30.0, "2025-06-08"));
        after.Reason.ShouldContain("30");
        after.Reason.ShouldNotContain("20");
        Book.Alerts().Single(a => a.RuleId == "entered-red").Score.ShouldBe(30.0);
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
    public void Simulate_AHistoryWithKnownChurns_MeasuresEachRuleAgainstChurnWithinTheHorizon()
    {
        store.Publish();
        var d0 = new DateOnly(2025, 6, 1);
        var days = Enumerable.Range(0, 8).Select(w => d0.AddDays(7 * w)).ToList();
        // Each account's health week by week (scored until it churns), its owner, ARR and churn day.
        var history = new (string Id, string? Owner, double? Arr, double[] Health, DateOnly? Churn)[]
        {
            ("A", "ann@example.com", 1000, [60, 20, 20, 20], new DateOnly(2025, 6, 25)),
            ("B", "bob@example.com", 2000, [30, 30, 30, 30, 30, 30, 30, 30], null),
            ("C", "ANN@example.com", 4000, [80, 80, 80, 80, 80, 35], new DateOnly(2025, 7, 10)),
            ("D", null, 8000, [60, 60, 35, 60, 35, 35], new DateOnly(2025, 7, 12)),
            ("E", "cy@example.com", null, [90, 90], new DateOnly(2025, 6, 10)),
            ("F", "dee@example.com", 500, [90, 90, 90, 90, 90, 90, 90, 90], null),
        };
        store.ImportCsv(Core.Signals.ImportKind.Accounts, ["account_id,name,owner,arr",
            .. history.Select(h => $"{h.Id},{h.Id} Inc,{h.Owner},{h.Arr?.ToString(System.Globalization.CultureInfo.InvariantCulture)}")]).Applied.ShouldBeTrue();
        store.ImportCsv(Core.Signals.ImportKind.Subscriptions, ["account_id,kind,occurred_on",
            .. history.Where(h => h.Churn is not null).Select(h => $"{h.Id},churned,{TestStore.Iso(h.Churn!.Value)}")]).Applied.ShouldBeTrue();
        store.ImportCsv(Core.Signals.ImportKind.Metrics, ["account_id,metric,date,value",
            .. history.SelectMany(h => h.Health.Select((v, i) => $"{h.Id},health,{TestStore.Iso(days[i])},{v}"))]).Applied.ShouldBeTrue();
        foreach (var day in days)
        {
            store.Clock.SetDate(day);
            store.Scoring.Score(day);
        }
        var rules = Book.Validate(
            "rules:\n  - id: red\n    when: { grade_entered: red }\n    cooldown: 14d\n    auto_resolve: true\n" +
            "  - id: very-low\n    when: { score_below: 25 }\n    auto_resolve: true\n", "r.yaml");

        var report = Book.Simulate(rules, d0, days[^1], horizonDays: 30);

        // The alerts, worked out by hand: red opens for B on the first day (its first score is red), A in week 1, D in
        // week 2 and C in week 5; D's return to red in week 4 comes 7 days after it cleared, inside the 14-day cooldown.
        // very-low opens for A in week 1.
        (string Id, int Week)[] red = [("B", 0), ("A", 1), ("D", 2), ("C", 5)], veryLow = [("A", 1)];
        report.WithCooldown.Select(r => r.OpenedFirstDay + r.OpenedAfter).ShouldBe([4, 1]);
        report.WithoutCooldown[0].OpenedAfter.ShouldBe(4);

        // The same figures computed here from the table: churn within 30 days after a day, judged for days whose 30 days
        // ended by the last scored day (July 20, so up to June 20: weeks 0, 1 and 2).
        const int Horizon = 30;
        var judgedUntil = days[^1].AddDays(-Horizon);
        report.JudgedUntil.ShouldBe("2025-06-20");
        var byId = history.ToDictionary(h => h.Id);
        bool Churns(string id, DateOnly day) => byId[id].Churn is { } c && c > day && c <= day.AddDays(Horizon);
        var judgedDays = history.SelectMany(h => h.Health.Select((_, i) => (h.Id, Day: days[i]))).Where(x => x.Day <= judgedUntil).ToList();
        var baseRate = judgedDays.Count(x => Churns(x.Id, x.Day)) / (double)judgedDays.Count;
        var churnedArr = judgedDays.Where(x => Churns(x.Id, x.Day)).Select(x => x.Id).Distinct().Sum(id => byId[id].Arr ?? 0);
        var owners = history.Where(h => h.Owner is not null).Select(h => h.Owner!.ToLowerInvariant()).Distinct().Count();
        (report.Owners, report.HorizonDays, report.ChurnedArr).ShouldBe((owners, Horizon, churnedArr));
        report.BaseChurnRate!.Value.ShouldBe(baseRate, 1e-12);
        (owners, baseRate, churnedArr).ShouldBe((4, 7.0 / 17, 13000.0));

        void ShouldMatch((string Id, int Week)[] openings, double? perOwnerWeek, int judged, int churned, double? precision, double? lift, double? lead,
            double arr, double? share)
        {
            var j = openings.Where(o => days[o.Week] <= judgedUntil).ToList();
            var hits = j.Where(o => Churns(o.Id, days[o.Week])).ToList();
            var leads = hits.Select(o => byId[o.Id].Churn!.Value.DayNumber - days[o.Week].DayNumber).Order().ToList();
            perOwnerWeek!.Value.ShouldBe(openings.Count(o => o.Week > 0) / (double)owners / 7, 1e-12);
            (judged, churned).ShouldBe((j.Count, hits.Count));
            precision!.Value.ShouldBe(hits.Count / (double)j.Count, 1e-12);
            lift!.Value.ShouldBe(hits.Count / (double)j.Count / baseRate, 1e-12);
            lead.ShouldBe(leads.Count % 2 == 1 ? leads[leads.Count / 2] : (leads[(leads.Count / 2) - 1] + leads[leads.Count / 2]) / 2.0);
            arr.ShouldBe(hits.Select(o => o.Id).Distinct().Sum(id => byId[id].Arr ?? 0));
            share!.Value.ShouldBe(arr / churnedArr, 1e-12);
        }
        var (r, v, all) = (report.WithCooldown[0], report.WithCooldown[1], report.All);
        ShouldMatch(red, r.AlertsPerOwnerWeek, r.Judged, r.FollowedByChurn, r.Precision, r.Lift, r.MedianLeadDays, r.ArrCovered, r.ArrCoveredShare);
        ShouldMatch(veryLow, v.AlertsPerOwnerWeek, v.Judged, v.FollowedByChurn, v.Precision, v.Lift, v.MedianLeadDays, v.ArrCovered, v.ArrCoveredShare);
        ShouldMatch([.. red, .. veryLow], all.AlertsPerOwnerWeek, all.Judged, all.FollowedByChurn, all.Precision, all.Lift, all.MedianLeadDays, all.ArrCovered,
            all.ArrCoveredShare);
        // And by hand: red judged B, A, D (A churns 17 days after its alert, D 27): precision 2/3, lift 2/3 ÷ 7/17, ARR of A and D.
        (r.Judged, r.FollowedByChurn, r.MedianLeadDays, r.ArrCovered).ShouldBe((3, 2, 22.0, 9000.0));
        r.Lift!.Value.ShouldBe(34.0 / 21, 1e-12);
        (all.Alerts, all.Judged, all.FollowedByChurn, all.MedianLeadDays).ShouldBe((5, 4, 3, 17.0));

        // A horizon reaching past the last scored day judges nothing; nothing is stored either way.
        var late = Book.Simulate(rules, d0, days[^1], horizonDays: 60);
        late.JudgedUntil.ShouldBeNull();
        late.BaseChurnRate.ShouldBeNull();
        (late.All.Judged, late.All.Precision, late.All.Alerts).ShouldBe((0, (double?)null, 5));
        store.Count("alerts").ShouldBe(0);
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
    [Fact]
    public void Holdout_HeldOutAccountsAreRecordedOnly_AndEffectComparesThemWithTheOthers()
    {
        store.Publish();
        Book.SetRules("rules:\n  - id: play\n    when: { measure: { id: health, below: 50 } }\n    holdout: 30%\n    task: { title: \"Call {account.name}\", assignee: owner }\n", "r.yaml");
        var ids = Enumerable.Range(0, 200).Select(i => $"H{i:000}").ToList();
        var held = ids.Where(id => Core.Alerts.Holdout.IsHeldOut("play", id, 0.3)).ToHashSet();
        var jan1 = new DateOnly(2025, 1, 1);

        Day(jan1, ids.Select(id => (id, 30.0)).ToArray());

        store.Count("alerts").ShouldBe(200);
        store.Scalar<long>("SELECT COUNT(*) FROM alerts WHERE held_out = 1").ShouldBe(held.Count);
        held.Count.ShouldBeInRange(40, 80);
        store.Count("tasks").ShouldBe(200 - held.Count);
        Book.Alerts().Count.ShouldBe(200 - held.Count);
        Book.Inbox().ShouldAllBe(a => !held.Contains(a.AccountId));

        // Held-out accounts: every third churns on Jan 20; the others every tenth. A month on, the treated scored 70 to 74, the held out 40.
        var churned = ids.Where((id, i) => held.Contains(id) ? i % 3 == 0 : i % 10 == 0).ToList();
        store.ImportCsv(Core.Signals.ImportKind.Subscriptions, ["account_id,kind,occurred_on", .. churned.Select(id => $"{id},churned,2025-01-20")]).Applied.ShouldBeTrue();
        var active = ids.Except(churned).ToList();
        Score(store, new DateOnly(2025, 1, 31), active.Select((id, i) => (id, held.Contains(id) ? 40.0 : 70 + i % 5)).ToArray());
        Score(store, new DateOnly(2025, 4, 5), active.Select(id => (id, 60.0)).ToArray());

        var effect = new PlayEffects(store.Db, store.Models, store.Clock).Estimate("play", 90);

        (effect.Rule, effect.Holdout, effect.HorizonDays, effect.KnownUntil).ShouldBe(("play", 0.3, 90, "2025-04-05"));
        var r = effect.Report;
        (r.Alerts, r.Treated, r.HeldOut).ShouldBe((200, 200 - held.Count, held.Count));
        r.Churn.HeldOutMean!.Value.ShouldBe(churned.Count(held.Contains) / (double)held.Count, 1e-12);
        r.Churn.TreatedMean!.Value.ShouldBe(churned.Count(id => !held.Contains(id)) / (200.0 - held.Count), 1e-12);
        r.Churn.High!.Value.ShouldBeLessThan(0);
        var at30 = r.Score[0].Estimate;
        (at30.Treated, at30.HeldOut).ShouldBe((active.Count(id => !held.Contains(id)), active.Count(held.Contains)));
        at30.HeldOutMean!.Value.ShouldBe(10, 1e-9);
        at30.Difference!.Value.ShouldBeInRange(30, 34);
        at30.Low!.Value.ShouldBeGreaterThan(29);
        // 60 days on, no account was scored in the week up to Mar 2: not known.
        r.Score[1].Estimate.Treated.ShouldBe(0);
        Should.Throw<StoreException>(() => new PlayEffects(store.Db, store.Models, store.Clock).Estimate("nope", 90)).Message
            .ShouldBe("no alert rule `nope`: `chs alerts rules show` lists the rules");
    }
}

public sealed class AlertBookTestsOnSqlite() : AlertBookTests(TestEngine.Sqlite);

public sealed class AlertBookTestsOnPostgres() : AlertBookTests(TestEngine.Postgres);
