using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Model;

public class GradeColorTests
{
    private const string Css = "red;position:fixed;top:0;left:0;width:100vw;height:100vh";

    private static string WithColor(string color) => $$"""
        name: Colors
        grades:
          - { id: good, min: 50, color: "#2e7d32" }
          - { id: bad, min: 0, color: "{{color}}" }
        dimensions:
          - id: d
            measures:
              - id: m
                value: { signal: sentiment, aggregate: latest }
                score: { range: { worst: 1, best: 5 } }
        """;

    [Fact]
    public void Load_ColorCarryingCss_RefusedAtTheColorWithLineAndColumn()
    {
        var yaml = WithColor(Css);

        var error = Should.Throw<ModelInvalidException>(() => ModelLoader.Load(yaml)).Errors.ShouldHaveSingleItem();

        error.Message.ShouldStartWith("`color` must be `#rgb` or `#rrggbb`");
        error.Message.ShouldContain("not `red;position:fixed;top:0;left:0;width:10…`");
        (error.Line, error.Column).ShouldBe((4, yaml.Split('\n')[3].IndexOf("\"red", StringComparison.Ordinal) + 1));
    }

    [Theory]
    [InlineData("red")]
    [InlineData("#12345")]
    [InlineData("#1234567")]
    [InlineData("#ggg")]
    [InlineData("2e7d32")]
    [InlineData("#2e7d32;")]
    [InlineData("rgb(0,0,0)")]
    [InlineData("#2e7d32\\n")]
    public void Load_TextThatIsNotAHexColor_Refused(string color)
    {
        Should.Throw<ModelInvalidException>(() => ModelLoader.Load(WithColor(color)))
            .Errors.ShouldHaveSingleItem().Message.ShouldStartWith("`color` must be `#rgb` or `#rrggbb`");
    }

    [Theory]
    [InlineData("#abc")]
    [InlineData("#A1B2C3")]
    [InlineData("#2e7d32")]
    public void Load_ShortAndLongHexColors_AreKeptAsWritten(string color)
    {
        var grade = ModelLoader.Load(WithColor(color)).Grades[1];

        grade.Color.ShouldBe(color);
        grade.SafeColor.ShouldBe(color);
    }

    [Fact]
    public void Load_GradeWithoutColor_GetsTheDefaultGrey()
    {
        var model = ModelLoader.Load(WithColor("#abc").Replace(", color: \"#abc\"", "", StringComparison.Ordinal));

        model.Grades[1].Color.ShouldBe("#888888");
    }

    [Fact]
    public void LoadPublished_ColorPublishedBeforeColorsWereChecked_LoadsWithTheNeutralColorToShow()
    {
        var grade = ModelLoader.LoadPublished(WithColor(Css), "v1").Grades[1];

        grade.Color.ShouldBe(Css);
        grade.SafeColor.ShouldBe(Grade.NeutralColor);
    }

    [Fact]
    public void LoadPublished_MoreMeasuresThanTheLimit_StillLoads()
    {
        // A model published before the limits existed stays readable: the store is never left without a model.
        var yaml = YamlLimitsTests.ModelWithMeasures(YamlLimits.MaxMeasures + 1);

        ModelLoader.LoadPublished(yaml, "v1").MeasureCount.ShouldBe(YamlLimits.MaxMeasures + 1);
    }

    [Fact]
    public void LoadPublished_DeepNesting_StillRefused()
    {
        Should.Throw<ModelInvalidException>(() => ModelLoader.LoadPublished(YamlLimitsTests.DeepFlowModel, "v1"))
            .Errors.ShouldHaveSingleItem().Message.ShouldContain("nesting deeper than");
    }
}
