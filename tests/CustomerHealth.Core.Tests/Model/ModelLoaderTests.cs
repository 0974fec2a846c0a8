using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Model;

public class ModelLoaderTests
{
    // The example of SPEC §4, verbatim (comments included).
    internal const string SpecExample = """
        name: SaaS default
        scale: 100                 # 0..100 (default); or `points` (§4.4)
        missing: reweight          # reweight (default) | neutral | zero
        trend_days: 30             # trend = score now - score trend_days ago
        timezone: UTC              # the day boundary for windows
        grades:                    # highest `min` first; first grade whose min <= score applies
          - { id: green,  label: Healthy,         min: 70, color: "#2e7d32" }
          - { id: yellow, label: Needs attention, min: 40, color: "#f9a825" }
          - { id: red,    label: At risk,         min: 0,  color: "#c62828" }
        dimensions:
          - id: adoption
            label: Product adoption
            weight: 40
            measures:
              - id: active_seats
                label: Active users per seat, 30 days
                weight: 60
                value: { signal: usage, aggregate: distinct_users, window: 30d, per: seats }
                score: { range: { worst: 0.1, best: 0.8 } }
              - id: logins
                weight: 40
                value: { signal: usage, event: login, aggregate: count, window: 30d }
                score: { percentile: { better: higher } }
          - id: support
            weight: 20
            measures:
              - id: urgent_open
                value: { signal: tickets, aggregate: open_count, where: { priority: [high, urgent] } }
                score: { range: { worst: 3, best: 0 } }
        scorecards:                # optional variants; first match wins, else the base model (id `default`);
                                   # `weights` overrides what it names, the rest keeps the base model's weights
          - id: onboarding
            when: { lifecycle_stage: [onboarding] }
            weights: { adoption: 70, support: 30, "adoption.logins": 20 }
        """;

    private static IReadOnlyList<ModelError> ErrorsOf(string yaml) =>
        Should.Throw<ModelInvalidException>(() => ModelLoader.Load(yaml)).Errors;

    [Fact]
    public void Load_SpecExample_ReadsTopLevelSettings()
    {
        var model = ModelLoader.Load(SpecExample);

        model.Name.ShouldBe("SaaS default");
        model.Scale.ShouldBe(ScaleKind.Percent);
        model.Missing.ShouldBe(MissingPolicy.Reweight);
        model.TrendDays.ShouldBe(30);
        model.Timezone.ShouldBe("UTC");
        model.MaxScore.ShouldBe(100);
        model.MeasureCount.ShouldBe(3);
    }

    [Fact]
    public void Load_SpecExample_ReadsGradesInOrder()
    {
        var model = ModelLoader.Load(SpecExample);

        model.Grades.Select(g => g.Id).ShouldBe(["green", "yellow", "red"]);
        model.Grades[0].ShouldBe(new Grade("green", "Healthy", 70, "#2e7d32"));
        model.Grades[1].ShouldBe(new Grade("yellow", "Needs attention", 40, "#f9a825"));
        model.Grades[2].ShouldBe(new Grade("red", "At risk", 0, "#c62828"));
    }

    [Fact]
    public void Load_SpecExample_ReadsDimensionsAndMeasures()
    {
        var model = ModelLoader.Load(SpecExample);

        model.Dimensions.Select(d => d.Id).ShouldBe(["adoption", "support"]);
        var adoption = model.Dimensions[0];
        adoption.Label.ShouldBe("Product adoption");
        adoption.Weight.ShouldBe(40);
        adoption.Measures.Select(m => m.Id).ShouldBe(["active_seats", "logins"]);

        var seats = adoption.Measures[0];
        seats.Label.ShouldBe("Active users per seat, 30 days");
        seats.Weight.ShouldBe(60);
        seats.Value.Signal.ShouldBe(SignalKind.Usage);
        seats.Value.Aggregate.ShouldBe("distinct_users");
        seats.Value.WindowDays.ShouldBe(30);
        seats.Value.PerSeats.ShouldBeTrue();
        seats.Score.ShouldBe(new RangeScore(0.1, 0.8));

        var logins = adoption.Measures[1];
        logins.Label.ShouldBe("logins"); // no label: the id
        logins.Weight.ShouldBe(40);
        logins.Value.Events.ShouldBe(["login"]);
        logins.Value.Aggregate.ShouldBe("count");
        logins.Value.PerSeats.ShouldBeFalse();
        logins.Score.ShouldBe(new PercentileScore(true));

        var support = model.Dimensions[1];
        support.Label.ShouldBe("support");
        support.Weight.ShouldBe(20);
        var urgent = support.Measures.ShouldHaveSingleItem();
        urgent.Id.ShouldBe("urgent_open");
        urgent.Weight.ShouldBe(1); // default weight
        urgent.Value.Signal.ShouldBe(SignalKind.Tickets);
        urgent.Value.Aggregate.ShouldBe("open_count");
        urgent.Value.WindowDays.ShouldBeNull();
        urgent.Value.Priorities.ShouldBe(["high", "urgent"]);
        urgent.Score.ShouldBe(new RangeScore(3, 0));
        urgent.Missing.ShouldBeNull();
        urgent.ValidForDays.ShouldBeNull();
    }

    [Fact]
    public void Load_SpecExample_ReadsScorecard()
    {
        var model = ModelLoader.Load(SpecExample);

        var card = model.Scorecards.ShouldHaveSingleItem();
        card.Id.ShouldBe("onboarding");
        card.When.Keys.ShouldBe(["lifecycle_stage"]);
        card.When["lifecycle_stage"].ShouldBe(["onboarding"]);
        card.Weights.Count.ShouldBe(3);
        card.Weights["adoption"].ShouldBe(70);
        card.Weights["support"].ShouldBe(30);
        card.Weights["adoption.logins"].ShouldBe(20);
    }

    [Theory]
    [InlineData(85, "green")]
    [InlineData(70, "green")]
    [InlineData(69.99, "yellow")]
    [InlineData(40, "yellow")]
    [InlineData(12, "red")]
    [InlineData(0, "red")]
    public void GradeFor_SpecExampleGrades_FirstGradeWhoseMinIsAtMostTheScore(double score, string grade)
    {
        ModelLoader.Load(SpecExample).GradeFor(score).Id.ShouldBe(grade);
    }

    [Fact]
    public void Validate_SpecExample_HasNoErrors()
    {
        ModelLoader.Validate(SpecExample).ShouldBeEmpty();
    }

    [Fact]
    public void Load_MinimalModel_AppliesDefaults()
    {
        var model = ModelLoader.Load("""
            name: Minimal
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: sentiment, aggregate: latest }
                    score: { map: { "1": 0, "3": 50, "5": 100 } }
            """);

        model.Scale.ShouldBe(ScaleKind.Percent);
        model.Missing.ShouldBe(MissingPolicy.Reweight);
        model.TrendDays.ShouldBe(30);
        model.Timezone.ShouldBe("UTC");
        model.Scorecards.ShouldBeEmpty();
        model.Grades[0].Label.ShouldBe("ok");
        model.Dimensions[0].Weight.ShouldBe(1);
        var score = model.Dimensions[0].Measures[0].Score.ShouldBeOfType<MapScore>();
        score.Map["3"].ShouldBe(50);
    }

    [Fact]
    public void Load_AllValueOptions_AreRead()
    {
        var model = ModelLoader.Load("""
            name: Options
            missing: neutral
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: a
                    missing: zero
                    valid_for: 60d
                    value: { signal: usage, events: [login, export], aggregate: change, window: 4w, default: 0 }
                    score: { bands: [ { below: 0, score: 0 }, { below: 0.5, score: 60 }, { score: 100 } ] }
                  - id: b
                    value: { signal: surveys, kind: csat, aggregate: positive_share, window: 90d }
                    score: { percentile: { better: lower } }
                  - id: c
                    value: { signal: metrics, metric: mrr, aggregate: latest }
                    score: { range: { worst: 0, best: 1000 } }
                  - id: e
                    value: { signal: account, field: tier }
                    score: { map: { gold: 100, silver: 60 } }
            """);

        var ms = model.Dimensions[0].Measures;
        model.Missing.ShouldBe(MissingPolicy.Neutral);
        ms[0].Missing.ShouldBe(MissingPolicy.Zero);
        ms[0].ValidForDays.ShouldBe(60);
        ms[0].Value.Events.ShouldBe(["login", "export"]);
        ms[0].Value.WindowDays.ShouldBe(28); // 4w = 28 days
        ms[0].Value.Default.ShouldBe(0);
        ms[0].Score.ShouldBeOfType<BandsScore>().Bands.ShouldBe([new Band(0, 0), new Band(0.5, 60), new Band(null, 100)]);
        ms[1].Value.Kind.ShouldBe("csat");
        ms[1].Score.ShouldBe(new PercentileScore(false));
        ms[2].Value.Metric.ShouldBe("mrr");
        ms[3].Value.Signal.ShouldBe(SignalKind.Account);
        ms[3].Value.Aggregate.ShouldBe("value");
        ms[3].Value.Field.ShouldBe("tier");
    }

    [Fact]
    public void Load_UnknownKey_ReportsLineColumnAndAllowedKeys()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: d
                colour: red
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count, window: 30d }
                    score: { range: { worst: 0, best: 10 } }
            """;
        // line 6 is "    colour: red": the key starts at column 5.
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(6);
        error.Column.ShouldBe(5);
        error.Message.ShouldContain("unknown key `colour`");
        error.Message.ShouldContain("measures");
    }

    [Fact]
    public void Load_UnknownAggregateForSignal_ReportsTheAggregateAndTheAllowedOnes()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: surveys, kind: nps, aggregate: sum }
                    score: { range: { worst: 0, best: 10 } }
            """;
        // line 8: "        value: { signal: surveys, kind: nps, aggregate: sum }"
        // 8 spaces + "value: { signal: surveys, kind: nps, aggregate: " is 8 + 48 = 56 chars, so `sum` is at column 57.
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(8);
        error.Column.ShouldBe(57);
        error.Message.ShouldContain("unknown aggregate `sum` for signal `surveys`");
        error.Message.ShouldContain("positive_share");
    }

    [Fact]
    public void Load_AggregateOfAnotherSignal_IsRefused()
    {
        // `open_count` exists, but for tickets, not for usage.
        var errors = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: open_count }
                    score: { range: { worst: 0, best: 10 } }
            """);
        errors.ShouldHaveSingleItem().Message.ShouldContain("unknown aggregate `open_count` for signal `usage`");
    }

    private static string OneMeasure(string value) => $$"""
        name: M
        grades: [{ id: ok, min: 0 }]
        dimensions:
          - id: d
            measures:
              - id: m
                value: {{value}}
                score: { range: { worst: 0, best: 10 } }
        """;

    [Theory]
    [InlineData("{ signal: metrics, metric: mrr, aggregate: median, window: 90d }")]
    [InlineData("{ signal: metrics, metric: mrr, aggregate: median }")]
    [InlineData("{ signal: orders, aggregate: median, window: 365d }")]
    public void Load_MedianOfMetricsOrOrders_IsAccepted(string value)
    {
        var measure = ModelLoader.Load(OneMeasure(value)).Dimensions[0].Measures[0];

        measure.Value.Aggregate.ShouldBe("median");
    }

    [Theory]
    [InlineData("{ signal: usage, aggregate: median }", "usage", "count, sum, active_days, distinct_users, distinct_events, change, days_since_last")]
    [InlineData("{ signal: surveys, kind: csat, aggregate: median }", "surveys", "nps, average, latest, count, positive_share")]
    [InlineData("{ signal: tickets, aggregate: median }", "tickets", "count, open_count, escalated_count, avg_resolution_hours, avg_first_response_hours, satisfaction")]
    [InlineData("{ signal: invoices, aggregate: median }", "invoices", "max_days_overdue, overdue_amount, failed_count, on_time_ratio")]
    [InlineData("{ signal: subscriptions, aggregate: median }", "subscriptions", "days_to_renewal, tenure_days, arr_change")]
    [InlineData("{ signal: sentiment, aggregate: median }", "sentiment", "latest")]
    [InlineData("{ signal: account, field: arr, aggregate: median }", "account", "value")]
    public void Load_MedianOfAnotherSignal_IsRefusedWithTheKindsAggregates(string value, string signal, string allowed)
    {
        var error = ModelLoader.Validate(OneMeasure(value)).ShouldHaveSingleItem();

        error.Line.ShouldBe(7);
        error.Message.ShouldBe($"unknown aggregate `median` for signal `{signal}`; one of: {allowed}");
    }

    [Theory]
    [InlineData("{ signal: orders, aggregate: mode }", "orders", "count, sum, average, median, return_rate, days_since_last, p_alive")]
    [InlineData("{ signal: metrics, metric: mrr, aggregate: mode }", "metrics", "latest, average, median, sum, min, max, change")]
    public void Load_UnknownAggregateOfOrdersOrMetrics_ListsTheMedian(string value, string signal, string allowed)
    {
        ModelLoader.Validate(OneMeasure(value)).ShouldHaveSingleItem().Message
            .ShouldBe($"unknown aggregate `mode` for signal `{signal}`; one of: {allowed}");
    }

    [Fact]
    public void Load_AllMeasureWeightsZero_IsRefused()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: d
                measures:
                  - id: a
                    weight: 0
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
                  - id: b
                    weight: 0
                    value: { signal: usage, aggregate: sum }
                    score: { range: { worst: 0, best: 10 } }
            """;
        // Reported at the `measures` list, whose first "-" is line 7, column 7.
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(7);
        error.Message.ShouldContain("all zero");
        error.Message.ShouldContain("`d`");
    }

    [Fact]
    public void Load_AllDimensionWeightsZero_IsRefused()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: a
                weight: 0
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
              - id: b
                weight: 0
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            """;
        // Reported at the `dimensions` list: its first "-" is line 5, column 3.
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(5);
        error.Column.ShouldBe(3);
        error.Message.ShouldBe("the dimension weights are all zero");
    }

    [Fact]
    public void Load_SomeWeightsZero_IsAccepted()
    {
        var model = ModelLoader.Load("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: a
                weight: 0
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
              - id: b
                measures:
                  - id: m
                    weight: 0
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
                  - id: n
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            """);
        model.Dimensions[0].Weight.ShouldBe(0);
        model.Dimensions[1].Measures[0].Weight.ShouldBe(0);
    }

    [Fact]
    public void Load_BandsOutOfOrder_ReportsTheOffendingBand()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score:
                      bands:
                        - { below: 10, score: 0 }
                        - { below: 5, score: 50 }
                        - { score: 100 }
            """;
        // line 12: 12 spaces, "- ", so the band mapping starts at column 15.
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(12);
        error.Column.ShouldBe(15);
        error.Message.ShouldContain("bands overlap or are out of order");
        error.Message.ShouldContain("`below: 5`");
    }

    [Fact]
    public void Load_BandsWithEqualBelow_AreRefusedAsOverlapping()
    {
        var errors = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { bands: [ { below: 10, score: 0 }, { below: 10, score: 50 }, { score: 100 } ] }
            """);
        var error = errors.ShouldHaveSingleItem();
        error.Line.ShouldBe(8);
        error.Message.ShouldContain("overlap");
    }

    [Fact]
    public void Load_BandsWithoutCatchAll_ReportsTheLastBand()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score:
                      bands:
                        - { below: 10, score: 0 }
                        - { below: 20, score: 100 }
            """;
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(12);
        error.Column.ShouldBe(15);
        error.Message.ShouldContain("values of 20 and above get no score");
        error.Message.ShouldContain("without `below`");
    }

    [Fact]
    public void Load_CatchAllBandNotLast_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score:
                      bands:
                        - { score: 0 }
                        - { score: 100 }
            """).ShouldHaveSingleItem();
        error.Line.ShouldBe(10);
        error.Message.ShouldContain("only the last band may leave out `below`");
    }

    [Fact]
    public void Load_ScorecardNamingMissingDimension_ReportsTheName()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: adoption
                measures:
                  - id: logins
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            scorecards:
              - id: ent
                when: { segment: [Enterprise] }
                weights: { adoption: 50, support: 50 }
            """;
        // line 13: "    weights: { adoption: 50, support: 50 }": `support` starts at column 30.
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(13);
        error.Column.ShouldBe(30);
        error.Message.ShouldBe("scorecard `ent` names dimension `support`, which the model does not have");
    }

    [Fact]
    public void Load_ScorecardNamingMissingMeasure_ReportsTheName()
    {
        const string yaml = """
            name: M
            grades:
              - { id: ok, min: 0 }
            dimensions:
              - id: adoption
                measures:
                  - id: logins
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            scorecards:
              - id: ent
                when: { segment: [Enterprise] }
                weights:
                  "adoption.exports": 5
            """;
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(14);
        error.Column.ShouldBe(7);
        error.Message.ShouldBe("scorecard `ent` names measure `adoption.exports`, which the model does not have");
    }

    [Fact]
    public void Load_GradesLeavingAGap_ReportsTheLastGrade()
    {
        const string yaml = """
            name: M
            grades:
              - { id: green, min: 70 }
              - { id: red, min: 30 }
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            """;
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(4);
        error.Column.ShouldBe(5);
        error.Message.ShouldContain("grades leave a gap");
        error.Message.ShouldContain("below 30");
    }

    [Fact]
    public void Load_GradesOutOfOrder_ReportsTheMinThatIsNotBelowThePrevious()
    {
        const string yaml = """
            name: M
            grades:
              - { id: red, min: 0 }
              - { id: green, min: 70 }
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            """;
        // line 4: "  - { id: green, min: 70 }": the value 70 is at column 23. The last grade (min 70) also leaves a gap
        // below 70, reported at the grade itself (column 5): two errors, sorted by column.
        var errors = ErrorsOf(yaml);
        errors.Count.ShouldBe(2);
        errors[0].ShouldBe(new ModelError(4, 5, errors[0].Message));
        errors[0].Message.ShouldContain("gap");
        errors[1].Line.ShouldBe(4);
        errors[1].Column.ShouldBe(23);
        errors[1].Message.ShouldBe("grades must be listed highest `min` first: 70 is not below 0");
    }

    [Fact]
    public void Load_SeveralProblems_ReportsEveryOneSortedByPosition()
    {
        const string yaml = """
            name: M
            grades:
              - { id: green, min: 70 }
              - { id: red, min: 10 }
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: orders, aggregate: mode }
                    score: { range: { worst: 0, best: 10 }, colour: red }
            scorecards:
              - id: x
                when: { segment: [A] }
                weights: { nope: 1 }
            """;
        var ex = Should.Throw<ModelInvalidException>(() => ModelLoader.Load(yaml, "health.yaml"));

        ex.File.ShouldBe("health.yaml");
        ex.Errors.Select(e => (e.Line, e.Column)).ShouldBe(new[] { (4, 5), (9, 45), (10, 16), (14, 16) });
        ex.Errors[0].Message.ShouldContain("gap");
        ex.Errors[1].Message.ShouldContain("unknown aggregate `mode` for signal `orders`");
        ex.Errors[2].Message.ShouldContain("exactly one of");
        ex.Errors[3].Message.ShouldContain("dimension `nope`");
        // The exception message lists every error as file:line:column: message.
        ex.Message.ShouldContain("health.yaml:9:45: unknown aggregate `mode`");
        ex.Message.ShouldContain("health.yaml:14:16: scorecard `x` names dimension `nope`");
        ex.Message.Split(Environment.NewLine).Length.ShouldBe(4);
    }

    [Fact]
    public void Validate_InvalidModel_ReturnsTheSameErrorsAsLoad()
    {
        const string yaml = """
            name: M
            grades: [{ id: ok, min: 5 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: tickets, aggregate: nps }
                    score: { range: { worst: 0, best: 10 } }
            """;
        ModelLoader.Validate(yaml).ShouldBe(ErrorsOf(yaml));
        ModelLoader.Validate(yaml).Count.ShouldBe(2);
    }

    [Fact]
    public void Load_NotYaml_ReportsASyntaxErrorWithItsPosition()
    {
        // "a: b: c": the second ':' (line 1, column 5) makes an invalid mapping.
        var error = ErrorsOf("a: b: c\n").ShouldHaveSingleItem();
        error.Line.ShouldBe(1);
        error.Column.ShouldBe(5);
        error.Message.ShouldStartWith("not valid YAML");
    }

    [Fact]
    public void Load_UnclosedQuote_ReportsASyntaxError()
    {
        var error = ErrorsOf("name: \"unterminated\n").ShouldHaveSingleItem();
        error.Line.ShouldBe(1);
        error.Column.ShouldBe(7);
        error.Message.ShouldContain("quoted scalar");
    }

    [Fact]
    public void Load_UnclosedFlowSequenceFollowedByAMapping_IsRefusedNotCrashed()
    {
        // SPEC §4: an invalid model is refused with its problems as file:line:column: message. YamlDotNet raises an
        // InvalidOperationException (not a YamlException) for this input; the loader must still refuse it properly.
        var error = ErrorsOf("name: [unclosed\ngrades: x\n").ShouldHaveSingleItem();
        error.Message.ShouldStartWith("not valid YAML");
        error.Line.ShouldBeGreaterThan(0);
        error.Column.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Load_MissingRequiredSections_AreReported()
    {
        var errors = ErrorsOf("description: nothing else\n");
        errors.Select(e => e.Message).ShouldBe(
            new[] { "missing `name`", "missing `grades`: list the grades, highest `min` first, the last with `min: 0`", "missing `dimensions`" },
            ignoreOrder: true);
        errors.ShouldAllBe(e => e.Line == 1 && e.Column == 1);
    }

    [Fact]
    public void Load_WindowNotInDays_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count, window: 30 }
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Line.ShouldBe(7);
        error.Message.ShouldContain("`window` must be a number of days");
    }

    [Fact]
    public void Load_ChangeWithoutWindow_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: change }
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Message.ShouldContain("give a `window`");
    }

    [Fact]
    public void Load_SurveyWithoutKind_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: surveys, aggregate: average }
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(16);
        error.Message.ShouldBe("missing `kind`");
    }

    [Fact]
    public void Load_OptionOfAnotherSignal_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: orders, aggregate: count, event: login }
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Message.ShouldBe("`event` does not apply to signal `orders`");
    }

    [Theory]
    [InlineData("{ signal: usage, aggregate: change, window: 30d, per: seats }", "`per` does not apply to aggregate `change`")]
    [InlineData("{ signal: usage, aggregate: days_since_last, per: seats }", "`per` does not apply to aggregate `days_since_last`")]
    [InlineData("{ signal: 0, aggregate: count, window: 30d }", "unknown signal `0`; one of: ")]
    [InlineData("{ signal: account, field: arr, window: 30d }", "`window` does not apply to signal `account`: it is read as of the day")]
    [InlineData("{ signal: subscriptions, aggregate: tenure_days, window: 90d }", "`window` does not apply to aggregate `tenure_days`: it is read as of the day")]
    [InlineData("{ signal: subscriptions, aggregate: days_to_renewal, window: 90d }", "`window` does not apply to aggregate `days_to_renewal`: it is read as of the day")]
    [InlineData("{ signal: tickets, aggregate: open_count, window: 30d }", "`window` does not apply to aggregate `open_count`: it is read as of the day")]
    [InlineData("{ signal: invoices, aggregate: max_days_overdue, window: 90d }", "`window` does not apply to aggregate `max_days_overdue`: it is read as of the day")]
    [InlineData("{ signal: invoices, aggregate: overdue_amount, window: 90d }", "`window` does not apply to aggregate `overdue_amount`: it is read as of the day")]
    [InlineData("{ signal: 1, aggregate: count, window: 30d }", "unknown signal `1`; one of: ")]
    public void Load_AnOptionThatWouldBeIgnoredOrASignalByNumber_IsRefused(string value, string message)
    {
        var error = ModelLoader.Validate($$"""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: {{value}}
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Message.ShouldStartWith(message);
        error.Line.ShouldBe(7);
    }

    [Fact]
    public void LoadPublished_AModelPublishedBeforeTheseChecks_KeepsLoadingAsItWasRead()
    {
        var yaml = """
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: change
                    value: { signal: usage, aggregate: change, window: 30d, per: seats }
                    score: { range: { worst: -1, best: 1 } }
                  - id: tenure
                    value: { signal: subscriptions, aggregate: tenure_days, window: 90d }
                    score: { range: { worst: 0, best: 365 } }
                  - id: arr
                    value: { signal: account, field: arr, window: 30d }
                    score: { range: { worst: 0, best: 100000 } }
                  - id: logins
                    value: { signal: 0, aggregate: count, window: 30d }
                    score: { range: { worst: 0, best: 10 } }
                  - id: open_tickets
                    value: { signal: tickets, aggregate: open_count, window: 30d }
                    score: { range: { worst: 5, best: 0 } }
            """;
        ModelLoader.Validate(yaml).Count.ShouldBe(5);

        var model = ModelLoader.LoadPublished(yaml, "v1");

        model.Dimensions[0].Measures.Select(m => m.Value.Signal).ShouldBe([SignalKind.Usage, SignalKind.Subscriptions, SignalKind.Account, SignalKind.Usage, SignalKind.Tickets]);
    }

    [Fact]
    public void Load_PerSeatsOnACount_IsAccepted() =>
        ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: distinct_users, window: 30d, per: seats }
                    score: { range: { worst: 0, best: 1 } }
            """).ShouldBeEmpty();

    [Fact]
    public void Load_UnknownTicketPriority_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: tickets, aggregate: count, where: { priority: [high, critical] } }
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Message.ShouldContain("unknown ticket priority `critical`");
    }

    [Fact]
    public void Load_RangeWithEqualEnds_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 5, best: 5 } }
            """).ShouldHaveSingleItem();
        error.Message.ShouldContain("`worst` and `best` must differ");
    }

    [Fact]
    public void Load_UnknownTimezoneAndMissingPolicy_AreRefused()
    {
        const string yaml = """
            name: M
            timezone: Mars/Olympus
            missing: ignore
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            """;
        var errors = ErrorsOf(yaml);
        errors.Count.ShouldBe(2);
        errors[0].ShouldBe(new ModelError(2, 11, "unknown timezone `Mars/Olympus` (use an IANA name such as `Europe/Paris` or `UTC`)"));
        errors[1].ShouldBe(new ModelError(3, 10, "`missing` must be `reweight`, `neutral` or `zero`"));
    }

    private const string PointsModel = """
        name: Points
        scale: points
        grades:
          - { id: great, min: 100 }
          - { id: ok, min: 50 }
          - { id: poor, min: 0 }
        dimensions:
          - id: a
            measures:
              - id: m1
                points: 40
                value: { signal: usage, aggregate: count, window: 30d }
                score: { range: { worst: 0, best: 100 } }
              - id: m2
                points: 20
                value: { signal: usage, aggregate: active_days, window: 30d }
                score: { range: { worst: 0, best: 20 } }
          - id: b
            measures:
              - id: m3
                points: 60
                value: { signal: tickets, aggregate: open_count }
                score: { range: { worst: 5, best: 0 } }
        """;

    [Fact]
    public void Load_PointsMode_ReadsPointsPerMeasure()
    {
        var model = ModelLoader.Load(PointsModel);

        model.Scale.ShouldBe(ScaleKind.Points);
        model.AllMeasures().Select(x => x.Measure.Points).ShouldBe([40.0, 20.0, 60.0]);
        model.MaxScore.ShouldBe(120); // 40 + 20 + 60
        model.GradeFor(110).Id.ShouldBe("great"); // grades use points
        model.GradeFor(99).Id.ShouldBe("ok");
    }

    [Fact]
    public void Load_PointsModeWithWeights_IsRefused()
    {
        var yaml = PointsModel.Replace("    measures:\n      - id: m3", "    weight: 5\n    measures:\n      - id: m3", StringComparison.Ordinal)
            .Replace("        points: 20\n", "        weight: 20\n", StringComparison.Ordinal);
        var errors = ErrorsOf(yaml);
        // m2 gives `weight` instead of `points` (line 15: the missing points at the measure, the weight at its key's value)
        // and dimension b gives a `weight`.
        errors.Select(e => e.Message).ShouldContain("missing `points`");
        errors.Select(e => e.Message).ShouldContain("with `scale: points` a measure gives `points`, not `weight`");
        errors.Select(e => e.Message).ShouldContain("with `scale: points` dimensions have no `weight`: give each measure `points`");
        errors.Count.ShouldBe(3);
    }

    [Fact]
    public void Load_PointsWithoutPointsScale_IsRefused()
    {
        var error = ModelLoader.Validate("""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    points: 10
                    value: { signal: usage, aggregate: count }
                    score: { range: { worst: 0, best: 10 } }
            """).ShouldHaveSingleItem();
        error.Line.ShouldBe(7);
        error.Column.ShouldBe(17);
        error.Message.ShouldContain("`points` needs `scale: points`");
    }

    [Fact]
    public void Load_PointsAllZero_IsRefused()
    {
        var yaml = PointsModel.Replace("points: 40", "points: 0", StringComparison.Ordinal)
            .Replace("points: 20", "points: 0", StringComparison.Ordinal)
            .Replace("points: 60", "points: 0", StringComparison.Ordinal);
        var error = ErrorsOf(yaml).ShouldHaveSingleItem();
        error.Line.ShouldBe(8); // the `dimensions` list
        error.Message.ShouldBe("the points of the measures are all zero");
    }

    [Fact]
    public void VersionId_SameText_IsStable()
    {
        var a = ModelLoader.VersionId(SpecExample);
        var b = ModelLoader.VersionId(new string(SpecExample.ToCharArray()));

        a.ShouldBe(b);
        a.Length.ShouldBe(12);
        a.ShouldAllBe(c => "0123456789abcdef".Contains(c));
    }

    [Fact]
    public void VersionId_LineEndingsAndTrailingSpace_DoNotChangeIt()
    {
        var lf = SpecExample.Replace("\r\n", "\n", StringComparison.Ordinal);
        ModelLoader.VersionId(lf.Replace("\n", "\r\n", StringComparison.Ordinal)).ShouldBe(ModelLoader.VersionId(lf));
        ModelLoader.VersionId(lf + "\n\n").ShouldBe(ModelLoader.VersionId(lf));
    }

    [Fact]
    public void VersionId_CommentsKeyOrderQuotingAndLayout_DoNotChangeIt()
    {
        var same = "# version f83ef75f5667, published 2026-11-01 09:00 UTC: default\n" + SpecExample
            .Replace("{ id: green,  label: Healthy,         min: 70, color: \"#2e7d32\" }", "{ color: '#2e7d32', min: 70.0, label: \"Healthy\", id: green }", StringComparison.Ordinal)
            .Replace("weights: { adoption: 70, support: 30, \"adoption.logins\": 20 }", "weights: { \"adoption.logins\": 20, support: 30, adoption: 70 }", StringComparison.Ordinal)
            .Replace("                 # 0..100 (default); or `points` (§4.4)", "", StringComparison.Ordinal)
            .Replace("timezone: UTC", "timezone: \"UTC\"   # moved comment", StringComparison.Ordinal);
        same.ShouldNotBe(SpecExample);
        same.ShouldContain("color: '#2e7d32'");
        ModelLoader.VersionId(same).ShouldBe(ModelLoader.VersionId(SpecExample));
        ModelLoader.VersionId(ModelLoader.Load(same)).ShouldBe(ModelLoader.VersionId(SpecExample));
    }

    [Fact]
    public void VersionId_ScoreKindOrAScorecardWeightChanged_Differs()
    {
        var ids = new[]
        {
            SpecExample,
            SpecExample.Replace("score: { range: { worst: 3, best: 0 } }", "score: { range: { worst: 4, best: 0 } }", StringComparison.Ordinal),
            SpecExample.Replace("score: { percentile: { better: higher } }", "score: { percentile: { better: lower } }", StringComparison.Ordinal),
            SpecExample.Replace("\"adoption.logins\": 20", "\"adoption.logins\": 25", StringComparison.Ordinal),
            SpecExample.Replace("label: Product adoption", "label: Adoption", StringComparison.Ordinal),
        }.Select(ModelLoader.VersionId).ToList();
        ids.Distinct().Count().ShouldBe(ids.Count);
    }

    [Fact]
    public void VersionId_DifferentText_Differs()
    {
        var changed = SpecExample.Replace("weight: 40\n    measures", "weight: 45\n    measures", StringComparison.Ordinal);
        changed.ShouldNotBe(SpecExample);
        ModelLoader.VersionId(changed).ShouldNotBe(ModelLoader.VersionId(SpecExample));
        ModelLoader.VersionId("name: a").ShouldNotBe(ModelLoader.VersionId("name: b"));
    }
}
