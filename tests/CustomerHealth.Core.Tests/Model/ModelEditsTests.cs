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
}
