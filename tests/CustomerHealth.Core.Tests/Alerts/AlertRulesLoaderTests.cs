using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Alerts;

public class AlertRulesLoaderTests
{
    // The example of SPEC §8, verbatim (comments included).
    internal const string SpecExample = """
        rules:
          - id: entered-red
            when: { grade_entered: red }          # or score_below: 40 | score_drop: { points: 15, days: 30 }
                                                  # | measure: { id: nps, below: 0 } | renewal_within: { days: 90, grades: [red, yellow] }
                                                  # | stale: { measure: csm }
            scope: { segments: [Enterprise, Mid-Market] }   # optional; also owners, lifecycle_stages
            cooldown: 14d
            severity: high                        # low | medium | high
            notify: [ inbox, owner, "email:cs-leads@example.com", "webhook:crm", "slack:cs-alerts" ]
            task: { title: "Call {account.name}", assignee: owner, due_in: 3d, steps: [ "Read the breakdown", "Call the sponsor" ] }
            auto_resolve: true
        destinations:
          crm: { kind: webhook, url: "https://crm.example.com/hooks/health", secret: "..." }
          cs-alerts: { kind: slack, url: "https://hooks.slack.com/services/..." }
        """;

    private static ModelError SingleError(string yaml)
    {
        var errors = Should.Throw<AlertRulesInvalidException>(() => AlertRulesLoader.Load(yaml)).Errors;
        return errors.ShouldHaveSingleItem();
    }

    private static void ShouldBeAt(ModelError error, int line, int column, string message)
    {
        error.Message.ShouldContain(message);
        (error.Line, error.Column).ShouldBe((line, column), error.Message);
    }

    private static AlertRule OnlyRule(string when) =>
        AlertRulesLoader.Load($"rules:\n  - id: r\n    when: {when}\n").Rules.ShouldHaveSingleItem();

    [Fact]
    public void Load_SpecExample_ReadsTheRule()
    {
        var rule = AlertRulesLoader.Load(SpecExample).Rules.ShouldHaveSingleItem();

        rule.Id.ShouldBe("entered-red");
        rule.When.ShouldBe(new GradeEntered("red"));
        rule.Scope.Segments.ShouldBe(["Enterprise", "Mid-Market"]);
        rule.Scope.Owners.ShouldBeEmpty();
        rule.Scope.LifecycleStages.ShouldBeEmpty();
        rule.CooldownDays.ShouldBe(14);
        rule.Severity.ShouldBe(Severity.High);
        rule.AutoResolve.ShouldBeTrue();
    }

    [Fact]
    public void Load_Holdout_APercentageUpToHalf_ElseRefusedWhereItIs()
    {
        AlertRulesLoader.Load("rules:\n  - id: r\n    when: { score_below: 40 }\n    holdout: 10%\n").Rules[0].Holdout.ShouldBe(0.1, 1e-12);
        AlertRulesLoader.Load(SpecExample).Rules[0].Holdout.ShouldBe(0);
        foreach (var bad in new[] { "0.1", "60%", "-5%", "ten%", "NaN%", "[10%]" })
        {
            ShouldBeAt(SingleError($"rules:\n  - id: r\n    when: {{ score_below: 40 }}\n    holdout: {bad}\n"), 4, 14,
                "`holdout` must be a percentage from 0% to 50% of the alerted accounts, such as `10%`");
        }
    }

    [Fact]
    public void Load_SpecExample_ReadsNotifyTargetsInOrder()
    {
        var rule = AlertRulesLoader.Load(SpecExample).Rules[0];

        rule.Notify.ShouldBe([
            NotifyTarget.Inbox,
            NotifyTarget.Owner,
            new NotifyTarget(NotifyKind.Email, "cs-leads@example.com"),
            new NotifyTarget(NotifyKind.Webhook, "crm"),
            new NotifyTarget(NotifyKind.Slack, "cs-alerts"),
        ]);
        rule.Notify.Select(n => n.ToString()).ShouldBe(["inbox", "owner", "email:cs-leads@example.com", "webhook:crm", "slack:cs-alerts"]);
    }

    [Fact]
    public void Load_SpecExample_ReadsTheTask()
    {
        var task = AlertRulesLoader.Load(SpecExample).Rules[0].Task.ShouldNotBeNull();

        task.TitleTemplate.ShouldBe("Call {account.name}");
        task.AssignsOwner.ShouldBeTrue();
        task.AssigneeEmail.ShouldBeNull();
        task.DueInDays.ShouldBe(3);
        task.Steps.ShouldBe(["Read the breakdown", "Call the sponsor"]);
    }

    [Fact]
    public void Load_SpecExample_ReadsDestinations()
    {
        var set = AlertRulesLoader.Load(SpecExample);

        set.Destinations.Keys.Order().ShouldBe(["crm", "cs-alerts"]);
        set.Destinations["crm"].ShouldBe(new Destination(DestinationKind.Webhook, new Uri("https://crm.example.com/hooks/health"), "..."));
        set.Destinations["cs-alerts"].ShouldBe(new Destination(DestinationKind.Slack, new Uri("https://hooks.slack.com/services/...")));
        set.Destinations["crm"].ToString().ShouldBe("Webhook https://crm.example.com/hooks/health (signed)");
    }

    [Fact]
    public void Load_MinimalRule_UsesDefaults()
    {
        var rule = OnlyRule("{ score_below: 40 }");

        rule.Scope.IsEveryone.ShouldBeTrue();
        rule.CooldownDays.ShouldBe(0);
        rule.Severity.ShouldBe(Severity.Medium);
        rule.Notify.ShouldBe([NotifyTarget.Inbox]);
        rule.Task.ShouldBeNull();
        rule.AutoResolve.ShouldBeFalse();
    }

    [Fact]
    public void Load_EveryConditionKind_BuildsItsRecord()
    {
        OnlyRule("{ score_below: 40 }").When.ShouldBe(new ScoreBelow(40));
        OnlyRule("{ score_drop: { points: 15, days: 30 } }").When.ShouldBe(new ScoreDrop(15, 30));
        OnlyRule("{ score_drop: { points: 15, days: 4w } }").When.ShouldBe(new ScoreDrop(15, 28));
        OnlyRule("{ measure: { id: nps, below: 0 } }").When.ShouldBe(new MeasureBelow("nps", 0));
        OnlyRule("{ measure: { id: urgent_open, above: 2.5 } }").When.ShouldBe(new MeasureAbove("urgent_open", 2.5));
        OnlyRule("{ stale: { measure: csm } }").When.ShouldBe(new Stale("csm"));
        var renewal = OnlyRule("{ renewal_within: { days: 90, grades: [red, yellow] } }").When.ShouldBeOfType<RenewalWithin>();
        renewal.Days.ShouldBe(90);
        renewal.Grades.ShouldBe(["red", "yellow"]);
        OnlyRule("{ renewal_within: { days: 60d } }").When.ShouldBeOfType<RenewalWithin>().Grades.ShouldBeEmpty();
    }

    [Fact]
    public void Load_ScopeWithAllLists_ReadsThem()
    {
        var rule = AlertRulesLoader.Load("""
            rules:
              - id: r
                when: { score_below: 40 }
                scope: { segments: SMB, owners: [ana@example.com], lifecycle_stages: [onboarding, adoption] }
            """).Rules[0];

        rule.Scope.Segments.ShouldBe(["SMB"]);
        rule.Scope.Owners.ShouldBe(["ana@example.com"]);
        rule.Scope.LifecycleStages.ShouldBe(["onboarding", "adoption"]);
    }

    [Fact]
    public void Load_TaskAssignedToAnAddress_KeepsTheAddress()
    {
        var task = AlertRulesLoader.Load("""
            rules:
              - id: r
                when: { score_below: 40 }
                task: { title: "Review {account.id}", assignee: lead@example.com }
            """).Rules[0].Task.ShouldNotBeNull();

        task.AssigneeEmail.ShouldBe("lead@example.com");
        task.AssignsOwner.ShouldBeFalse();
        task.DueInDays.ShouldBeNull();
        task.Steps.ShouldBeEmpty();
    }

    [Fact]
    public void Load_EmptyRuleList_IsAccepted()
    {
        AlertRulesLoader.Load("rules: []").Rules.ShouldBeEmpty();
    }

    [Fact]
    public void Load_UnknownRuleKey_ReportsLineColumnAndAllowedKeys()
    {
        var error = SingleError("""
            rules:
              - id: r
                when: { score_below: 40 }
                severty: high
            """);

        ShouldBeAt(error, 4, 5, "unknown key `severty`");
        error.Message.ShouldContain("severity");
    }

    [Fact]
    public void Load_UnknownTopLevelKey_IsReported()
    {
        ShouldBeAt(SingleError("rules: []\ndestination: {}\n"), 2, 1, "unknown key `destination`");
    }

    [Fact]
    public void Load_TwoConditionsInWhen_ReportsTheWhenMapping()
    {
        var error = SingleError("""
            rules:
              - id: r
                when: { grade_entered: red, score_below: 40 }
            """);

        ShouldBeAt(error, 3, 11, "exactly one condition");
        error.Message.ShouldContain("found grade_entered, score_below");
    }

    [Fact]
    public void Load_EmptyWhen_IsReported()
    {
        ShouldBeAt(SingleError("rules:\n  - id: r\n    when: {}\n"), 3, 11, "exactly one condition");
    }

    [Fact]
    public void Load_MissingWhen_IsReportedAtTheRule()
    {
        ShouldBeAt(SingleError("rules:\n  - id: r\n    severity: low\n"), 2, 5, "rule `r` has no `when`");
    }

    [Fact]
    public void Load_UnknownCondition_ReportsItsKey()
    {
        ShouldBeAt(SingleError("rules:\n  - id: r\n    when: { score_above: 40 }\n"), 3, 13, "unknown condition `score_above`");
    }

    [Fact]
    public void Load_BadSeverity_ReportsTheValue()
    {
        ShouldBeAt(SingleError("rules:\n  - id: r\n    when: { score_below: 40 }\n    severity: critical\n"), 4, 15, "`severity` must be `low`, `medium` or `high`");
    }

    [Fact]
    public void Load_DuplicateRuleIds_ReportsTheSecondId()
    {
        var error = SingleError("""
            rules:
              - id: r
                when: { score_below: 40 }
              - id: r
                when: { score_below: 30 }
            """);

        ShouldBeAt(error, 4, 9, "rule `r` is defined twice");
    }

    [Fact]
    public void Load_UnknownDestination_ReportsTheNotifyEntry()
    {
        var error = SingleError("""
            rules:
              - id: r
                when: { score_below: 40 }
                notify: [ inbox, "webhook:erp" ]
            destinations:
              crm: { kind: webhook, url: "https://crm.example.com/hook" }
            """);

        ShouldBeAt(error, 4, 22, "unknown destination `erp`");
        error.Message.ShouldContain("crm");
    }

    [Fact]
    public void Load_SlackTargetNamingAWebhook_SaysWhichPrefixToUse()
    {
        var error = SingleError("""
            rules:
              - id: r
                when: { score_below: 40 }
                notify: [ "slack:crm" ]
            destinations:
              crm: { kind: webhook, url: "https://crm.example.com/hook" }
            """);

        ShouldBeAt(error, 4, 15, "write `webhook:crm`");
    }

    [Fact]
    public void Load_BadNotifyEntries_AreEachReported()
    {
        var errors = Should.Throw<AlertRulesInvalidException>(() => AlertRulesLoader.Load("""
            rules:
              - id: r
                when: { score_below: 40 }
                notify: [ pager, "email:not-an-address", inbox, inbox ]
            """)).Errors;

        errors.Count.ShouldBe(3);
        ShouldBeAt(errors[0], 4, 15, "unknown notify target `pager`");
        ShouldBeAt(errors[1], 4, 22, "is not an e-mail address");
        ShouldBeAt(errors[2], 4, 53, "`inbox` is listed twice");
    }

    [Theory]
    [InlineData("{ score_below: -5 }", 3, 26, "`score_below` must be a number above 0")]
    [InlineData("{ score_drop: { points: -15, days: 30 } }", 3, 35, "`points` must be above 0")]
    [InlineData("{ score_drop: { points: 15, days: -30 } }", 3, 45, "`days` must be a positive number of days")]
    [InlineData("{ score_drop: { points: 15 } }", 3, 25, "missing `days`")]
    [InlineData("{ renewal_within: { days: 0 } }", 3, 37, "`days` must be a positive number of days")]
    [InlineData("{ measure: { id: nps } }", 3, 22, "exactly one of `below` or `above`")]
    [InlineData("{ measure: { id: nps, below: 0, above: 5 } }", 3, 22, "exactly one of `below` or `above`")]
    [InlineData("{ measure: { id: nps, below: low } }", 3, 40, "`below` must be a number")]
    [InlineData("{ stale: csm }", 3, 20, "`stale` must be `{ measure: csm }`")]
    [InlineData("{ grade_entered: [red] }", 3, 28, "`grade_entered` must be a non-empty text")]
    public void Load_BadConditionValue_ReportsTheValue(string when, int line, int column, string message)
    {
        ShouldBeAt(SingleError($"rules:\n  - id: r\n    when: {when}\n"), line, column, message);
    }

    [Theory]
    [InlineData("cooldown: -14d", 4, 15, "`cooldown` must be a number of days")]
    [InlineData("cooldown: two weeks", 4, 15, "`cooldown` must be a number of days")]
    [InlineData("auto_resolve: sometimes", 4, 19, "`auto_resolve` must be `true` or `false`")]
    [InlineData("scope: { regions: [EU] }", 4, 14, "unknown key `regions`")]
    [InlineData("task: { title: \"Call {account.nmae}\" }", 4, 20, "unknown placeholder `{account.nmae}`")]
    [InlineData("task: { title: Call, assignee: someone }", 4, 36, "`assignee` must be `owner` or an e-mail address")]
    [InlineData("task: { title: Call, due_in: 0d }", 4, 34, "`due_in` must be a positive number of days")]
    [InlineData("task: { assignee: owner }", 4, 11, "missing `title`")]
    public void Load_BadRuleSetting_ReportsTheValue(string setting, int line, int column, string message)
    {
        ShouldBeAt(SingleError($"rules:\n  - id: r\n    when: {{ score_below: 40 }}\n    {setting}\n"), line, column, message);
    }

    [Theory]
    [InlineData("crm: { kind: email, url: \"https://x.example.com\" }", 2, 16, "`kind` must be `webhook` or `slack`")]
    [InlineData("crm: { kind: webhook, url: \"ftp://x.example.com\" }", 2, 30, "absolute http or https address")]
    [InlineData("crm: { kind: webhook, url: \"/hooks/health\" }", 2, 30, "absolute http or https address")]
    [InlineData("crm: { kind: webhook }", 2, 8, "missing `url`")]
    [InlineData("crm: { kind: webhook, url: \"https://x.example.com\", token: abc }", 2, 55, "unknown key `token`")]
    public void Load_BadDestination_ReportsTheValue(string destination, int line, int column, string message)
    {
        ShouldBeAt(SingleError($"destinations:\n  {destination}\nrules: []\n"), line, column, message);
    }

    [Fact]
    public void Load_SeveralProblems_ReportsEveryOneInFileOrder()
    {
        var ex = Should.Throw<AlertRulesInvalidException>(() => AlertRulesLoader.Load("""
            rules:
              - id: a
                when: { score_below: 40 }
                severity: urgent
              - id: a
                when: { grade_entered: red, score_below: 40 }
                notify: [ "slack:nowhere" ]
            """, "team.yaml"));

        ex.Errors.Select(e => (e.Line, e.Column)).ShouldBe([(4, 15), (5, 9), (6, 11), (7, 15)]);
        ex.File.ShouldBe("team.yaml");
        ex.Message.ShouldStartWith("team.yaml:4:15: `severity` must be");
    }

    [Fact]
    public void Load_NotYaml_ReportsAPosition()
    {
        var error = SingleError("rules: [ { id: r\n");

        error.Message.ShouldStartWith("not valid YAML");
        error.Line.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Load_NotAMapping_AsksForRules()
    {
        ShouldBeAt(SingleError("- id: r\n"), 1, 1, "must be a mapping with `rules`");
    }

    [Fact]
    public void Validate_BrokenFile_ReturnsTheErrorsWithoutThrowing()
    {
        var errors = AlertRulesLoader.Validate("rules:\n  - id: r\n    when: { score_below: 40 }\n    cooldown: soon\n    severity: huge\n");

        errors.Select(e => e.Line).ShouldBe([4, 5]);
    }

    [Fact]
    public void Validate_SpecExample_ReturnsNoErrors()
    {
        AlertRulesLoader.Validate(SpecExample).ShouldBeEmpty();
    }
}
