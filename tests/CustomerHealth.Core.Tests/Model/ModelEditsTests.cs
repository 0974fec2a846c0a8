using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Model;

public sealed class ModelEditsTests
{
    private static HealthModel Spec() => ModelLoader.Load(ModelLoaderTests.SpecExample);

    /// <summary>What the form writes is a model the loader takes.</summary>
    private static HealthModel Written(HealthModel model) => ModelLoader.Load(ModelWriter.Write(model), "form.yaml");

    [Fact]
    public void Weights_SetThePartsAndMeasures_AndNeverGoBelowZero()
    {
        var m = Written(ModelEdits.MeasureWeight(ModelEdits.DimensionWeight(Spec(), "adoption", 55), "adoption", "logins", -3));

        m.Dimensions[0].Weight.ShouldBe(55);
        m.Dimensions[0].Measures.Single(x => x.Id == "logins").Weight.ShouldBe(0);
    }

    [Fact]
    public void MeasureValue_AnotherSignal_GetsItsFirstAggregateAndTheOptionsItNeeds()
    {
        var surveys = Written(ModelEdits.MeasureValue(Spec(), "adoption", "logins", SignalKind.Surveys, "count", 90));
        var v = surveys.Dimensions[0].Measures.Single(x => x.Id == "logins").Value;
        (v.Signal, v.Aggregate, v.Kind, v.WindowDays, v.Events.Count).ShouldBe((SignalKind.Surveys, "count", "nps", 90, 0));

        var metric = Written(ModelEdits.MeasureValue(Spec(), "adoption", "logins", SignalKind.Metrics, "no such", null)).Dimensions[0].Measures[1].Value;
        (metric.Aggregate, metric.Metric).ShouldBe(("latest", "health"));

        // Read as of the day: no window; compares windows: needs one.
        ModelEdits.MeasureValue(Spec(), "support", "urgent_open", SignalKind.Invoices, "max_days_overdue", 30).Dimensions[1].Measures[0].Value.WindowDays.ShouldBeNull();
        Written(ModelEdits.MeasureValue(Spec(), "support", "urgent_open", SignalKind.Usage, "change", null)).Dimensions[1].Measures[0].Value.WindowDays
            .ShouldBe(ModelEdits.DefaultWindowDays);
        var touches = Written(ModelEdits.MeasureValue(Spec(), "support", "urgent_open", SignalKind.Touches, "days_since_last", null)).Dimensions[1].Measures[0].Value;
        (touches.Signal, touches.Aggregate, touches.Priorities.Count).ShouldBe((SignalKind.Touches, "days_since_last", 0));
    }

    [Fact]
    public void RangeAndLabels_AreSet_ABlankLabelIsNot()
    {
        var m = Written(ModelEdits.MeasureLabel(ModelEdits.DimensionLabel(ModelEdits.MeasureRange(Spec(), "support", "urgent_open", 5, 1), "support", " Support "), "support", "urgent_open", " "));

        m.Dimensions[1].Measures[0].Score.ShouldBe(new RangeScore(5, 1));
        m.Dimensions[1].Label.ShouldBe("Support");
        m.Dimensions[1].Measures[0].Label.ShouldBe(Spec().Dimensions[1].Measures[0].Label);
    }

    [Fact]
    public void OnePieceAtATime_ReadsTheRestFromTheModelAsItIsThen()
    {
        // Two changes made one after the other each keep what the other set (the form's events may come faster than it redraws).
        var m = ModelEdits.MeasureBest(ModelEdits.MeasureWorst(Spec(), "support", "urgent_open", 60), "support", "urgent_open", 0);
        Written(m).Dimensions[1].Measures[0].Score.ShouldBe(new RangeScore(60, 0));

        m = ModelEdits.MeasureWindow(ModelEdits.MeasureAggregate(ModelEdits.MeasureSignal(Spec(), "adoption", "logins", SignalKind.Orders), "adoption", "logins", "sum"), "adoption", "logins", 60);
        var v = Written(m).Dimensions[0].Measures.Single(x => x.Id == "logins").Value;
        (v.Signal, v.Aggregate, v.WindowDays).ShouldBe((SignalKind.Orders, "sum", 60));
        var spec = Spec();
        ModelEdits.MeasureWorst(spec, "support", "no such", 1).ShouldBeSameAs(spec);
    }

    [Fact]
    public void AddMoveAndRemove_KeepAModelTheLoaderTakes()
    {
        var m = ModelEdits.AddDimension(Spec());
        m = ModelEdits.AddMeasure(m, "part_1");
        m = Written(ModelEdits.MoveDimension(m, "part_1", -1));
        m.Dimensions.Select(d => d.Id).ShouldBe(["adoption", "part_1", "support"]);
        m.Dimensions[1].Measures.Select(x => x.Id).ShouldBe(["measure", "measure_1"]);
        ModelEdits.MoveDimension(m, "adoption", -1).Dimensions[0].Id.ShouldBe("adoption");
        Written(ModelEdits.MoveMeasure(m, "adoption", "logins", -1)).Dimensions[0].Measures[0].Id.ShouldBe("logins");

        // The spec's scorecard weighs `adoption`; removing it takes the weight out too.
        var removed = Written(ModelEdits.RemoveDimension(m, "adoption"));
        removed.Dimensions.Select(d => d.Id).ShouldBe(["part_1", "support"]);
        removed.Scorecards.ShouldAllBe(c => c.Weights.Keys.All(k => !k.StartsWith("adoption", StringComparison.Ordinal)));
        // The last measure of a part and the last part stay.
        ModelEdits.RemoveMeasure(removed, "support", "urgent_open").ShouldBeSameAs(removed);
        var one = ModelEdits.RemoveDimension(removed, "part_1");
        ModelEdits.RemoveDimension(one, "support").ShouldBeSameAs(one);
        Written(ModelEdits.RemoveMeasure(removed, "part_1", "measure")).Dimensions[0].Measures.Select(x => x.Id).ShouldBe(["measure_1"]);
    }

    [Fact]
    public void Options_FiltersAndDefault_AreSetAndWrittenBack()
    {
        var m = ModelEdits.MeasureEvents(Spec(), "adoption", "logins", " login, export ,login,");
        m = ModelEdits.MeasurePriorities(m, "support", "urgent_open", "urgent");
        m = ModelEdits.MeasurePerSeats(m, "adoption", "active_seats", false);
        m = ModelEdits.MeasureDefault(m, "support", "urgent_open", 0);
        var w = Written(m);
        w.Dimensions[0].Measures.Single(x => x.Id == "logins").Value.Events.ShouldBe(["login", "export"]);
        w.Dimensions[0].Measures.Single(x => x.Id == "active_seats").Value.PerSeats.ShouldBeFalse();
        (w.Dimensions[1].Measures[0].Value.Priorities.Single(), w.Dimensions[1].Measures[0].Value.Default).ShouldBe(("urgent", 0d));
        // Every event again, every priority again, no default.
        var back = Written(ModelEdits.MeasureDefault(ModelEdits.MeasurePriorities(ModelEdits.MeasureEvents(w, "adoption", "logins", " "), "support", "urgent_open", ""), "support", "urgent_open", null));
        back.Dimensions[0].Measures.Single(x => x.Id == "logins").Value.Events.ShouldBeEmpty();
        (back.Dimensions[1].Measures[0].Value.Priorities.Count, back.Dimensions[1].Measures[0].Value.Default).ShouldBe((0, (double?)null));

        var surveys = ModelEdits.MeasureValue(Spec(), "support", "urgent_open", SignalKind.Surveys, "average", 90);
        Written(ModelEdits.MeasureKind(surveys, "support", "urgent_open", " CSAT ")).Dimensions[1].Measures[0].Value.Kind.ShouldBe("csat");
        ModelEdits.MeasureKind(surveys, "support", "urgent_open", " ").ShouldBeSameAs(surveys);
        var metric = ModelEdits.MeasureValue(Spec(), "support", "urgent_open", SignalKind.Metrics, "latest", null);
        Written(ModelEdits.MeasureMetric(metric, "support", "urgent_open", "seats_used")).Dimensions[1].Measures[0].Value.Metric.ShouldBe("seats_used");
        var field = ModelEdits.MeasureValue(Spec(), "support", "urgent_open", SignalKind.Account, "value", null);
        Written(ModelEdits.MeasureField(field, "support", "urgent_open", "seats")).Dimensions[1].Measures[0].Value.Field.ShouldBe("seats");
    }

    [Fact]
    public void Curves_ChangeKind_CarryingTheDirectionOver_AndEveryKindIsWrittenBack()
    {
        // urgent_open: worst 3, best 0 (fewer is better).
        var bands = Written(ModelEdits.MeasureCurve(Spec(), "support", "urgent_open", CurveKind.Bands));
        bands.Dimensions[1].Measures[0].Score.ShouldBeOfType<BandsScore>().Bands.ShouldBe([new Band(0, 100), new Band(1.5, 50), new Band(null, 0)]);
        Written(ModelEdits.MeasureCurve(bands, "support", "urgent_open", CurveKind.Range)).Dimensions[1].Measures[0].Score.ShouldBe(new RangeScore(1.5, 0));
        Written(ModelEdits.MeasureCurve(Spec(), "support", "urgent_open", CurveKind.Percentile)).Dimensions[1].Measures[0].Score.ShouldBe(new PercentileScore(false));
        var map = Written(ModelEdits.MeasureCurve(Spec(), "support", "urgent_open", CurveKind.Map, ["0", "1", "2"]));
        map.Dimensions[1].Measures[0].Score.ShouldBeOfType<MapScore>().Map.ShouldBe(new Dictionary<string, double> { ["0"] = 100, ["1"] = 50, ["2"] = 0 });
        Written(ModelEdits.MeasureCurve(Spec(), "support", "urgent_open", CurveKind.Map)).Dimensions[1].Measures[0].Score.ShouldBeOfType<MapScore>().Map.Count.ShouldBe(2);
        // The same kind changes nothing.
        var spec = Spec();
        ModelEdits.MeasureCurve(spec, "support", "urgent_open", CurveKind.Range).Dimensions[1].Measures[0].ShouldBeSameAs(spec.Dimensions[1].Measures[0]);
        Written(ModelEdits.MeasurePercentile(spec, "adoption", "logins", false)).Dimensions[0].Measures[1].Score.ShouldBe(new PercentileScore(false));
    }

    [Fact]
    public void Bands_AreAddedSetAndRemoved_TheLastStaysOpen()
    {
        var m = ModelEdits.MeasureCurve(Spec(), "adoption", "active_seats", CurveKind.Bands);
        BandsOf(m).Count.ShouldBe(3);
        m = ModelEdits.AddBand(m, "adoption", "active_seats");
        var added = BandsOf(Written(m));
        added.Count.ShouldBe(4);
        added[2].Below.ShouldBe(added[1].Below + 1);
        added[3].Below.ShouldBeNull();
        m = ModelEdits.BandScore(ModelEdits.BandBelow(m, "adoption", "active_seats", 0, 0.2), "adoption", "active_seats", 1, 140);
        (BandsOf(Written(m))[0].Below, BandsOf(m)[1].Score).ShouldBe((0.2, 100d));
        // The open band has no end to set.
        BandsOf(ModelEdits.BandBelow(m, "adoption", "active_seats", 3, 9))[3].Below.ShouldBeNull();
        m = ModelEdits.RemoveBand(m, "adoption", "active_seats", 3);
        var removed = BandsOf(Written(m));
        (removed.Count, removed[^1].Below).ShouldBe((3, (double?)null));
        m = ModelEdits.RemoveBand(ModelEdits.RemoveBand(m, "adoption", "active_seats", 0), "adoption", "active_seats", 0);
        BandsOf(Written(m)).ShouldHaveSingleItem().Below.ShouldBeNull();
        BandsOf(ModelEdits.RemoveBand(m, "adoption", "active_seats", 0)).ShouldHaveSingleItem();
    }

    [Fact]
    public void Maps_ValuesAreRenamedScoredAddedAndRemoved()
    {
        var m = ModelEdits.MeasureCurve(Spec(), "support", "urgent_open", CurveKind.Map, ["gold", "silver"]);
        m = ModelEdits.MapValueScore(ModelEdits.MapValueName(m, "support", "urgent_open", "gold", " platinum "), "support", "urgent_open", "silver", 70);
        m = ModelEdits.AddMapValue(m, "support", "urgent_open");
        var map = Written(m).Dimensions[1].Measures[0].Score.ShouldBeOfType<MapScore>().Map;
        map.Keys.ShouldBe(["platinum", "silver", "value_1"]);
        (map["silver"], map["value_1"]).ShouldBe((70d, 50d));
        ModelEdits.MapValueName(m, "support", "urgent_open", "silver", "platinum").ShouldBeSameAs(m);
        m = ModelEdits.RemoveMapValue(ModelEdits.RemoveMapValue(m, "support", "urgent_open", "platinum"), "support", "urgent_open", "silver");
        var one = Written(m);
        one.Dimensions[1].Measures[0].Score.ShouldBeOfType<MapScore>().Map.Keys.ShouldBe(["value_1"]);
        ModelEdits.RemoveMapValue(one, "support", "urgent_open", "value_1").Dimensions[1].Measures[0].Score.ShouldBeOfType<MapScore>().Map.Count.ShouldBe(1);
    }

    [Fact]
    public void Grades_AreAddedSetAndRemoved_TheLowestAlwaysFromZero()
    {
        var m = Written(ModelEdits.AddGrade(Spec()));
        m.Grades.Select(g => (g.Id, g.Min)).ShouldBe([("green", 70), ("yellow", 40), ("grade_1", 20), ("red", 0)]);
        m = Written(ModelEdits.GradeColor(ModelEdits.GradeMin(ModelEdits.GradeLabel(m, "grade_1", " Watch "), "grade_1", 25), "grade_1", "#ABCDEF"));
        m.Grades[2].ShouldBe(new Grade("grade_1", "Watch", 25, "#abcdef"));
        ModelEdits.GradeColor(m, "grade_1", "red; background:url(x)").ShouldBeSameAs(m);
        m = Written(ModelEdits.RemoveGrade(m, "red"));
        m.Grades.Select(g => (g.Id, g.Min)).ShouldBe([("green", 70), ("yellow", 40), ("grade_1", 0)]);
        var one = ModelEdits.RemoveGrade(ModelEdits.RemoveGrade(m, "green"), "yellow");
        Written(one).Grades.ShouldHaveSingleItem().Min.ShouldBe(0);
        ModelEdits.RemoveGrade(one, "grade_1").ShouldBeSameAs(one);
        // A grade put above the one before is refused by the loader, with where and why.
        Should.Throw<ModelInvalidException>(() => Written(ModelEdits.GradeMin(Spec(), "yellow", 80))).Errors[0].Message.ShouldContain("highest `min` first");
    }

    [Fact]
    public void Scorecards_AreAddedNamedConditionedWeighedMovedAndRemoved()
    {
        var m = Written(ModelEdits.AddScorecard(Spec()));
        m.Scorecards.Select(c => c.Id).ShouldBe(["onboarding", "scorecard_1"]);
        m = ModelEdits.ScorecardName(m, "scorecard_1", " enterprise ");
        m = ModelEdits.ScorecardCondition(m, "enterprise", "lifecycle_stage", "segment", "Enterprise, Strategic");
        m = ModelEdits.ScorecardWeight(ModelEdits.ScorecardWeight(m, "enterprise", "support", 60), "enterprise", "adoption.logins", -5);
        m = Written(ModelEdits.MoveScorecard(m, "enterprise", -1));
        var card = m.Scorecards[0];
        card.Id.ShouldBe("enterprise");
        card.When.Keys.ShouldBe(["segment"]);
        card.When["segment"].ShouldBe(["Enterprise", "Strategic"]);
        card.Weights.ShouldBe(new Dictionary<string, double> { ["support"] = 60, ["adoption.logins"] = 0 });
        // Back to the base model's weight; a second condition, then emptied (removed); the last condition keeps its values.
        m = ModelEdits.ScorecardWeight(m, "enterprise", "adoption.logins", null);
        m = ModelEdits.AddScorecardCondition(m, "enterprise");
        m.Scorecards[0].When.Keys.ShouldBe(["segment", "field_1"]);
        m = Written(ModelEdits.ScorecardCondition(m, "enterprise", "field_1", "field_1", " "));
        m.Scorecards[0].When.Keys.ShouldBe(["segment"]);
        Written(ModelEdits.ScorecardCondition(m, "enterprise", "segment", "segment", "")).Scorecards[0].When["segment"].ShouldBe(["Enterprise", "Strategic"]);
        m.Scorecards[0].Weights.Keys.ShouldBe(["support"]);
        // Names already taken, blank or `default` are not.
        ModelEdits.ScorecardName(m, "enterprise", "onboarding").ShouldBeSameAs(m);
        ModelEdits.ScorecardName(m, "enterprise", "default").ShouldBeSameAs(m);
        Written(ModelEdits.RemoveScorecard(m, "onboarding")).Scorecards.ShouldHaveSingleItem().Id.ShouldBe("enterprise");
    }

    private static IReadOnlyList<Band> BandsOf(HealthModel m) => m.Dimensions[0].Measures[0].Score.ShouldBeOfType<BandsScore>().Bands;
}
