using System.Text;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Model;

public class YamlLimitsTests
{
    /// <summary>The 80 KB body of the report: 40,000 `[` and as many `]` after `dimensions: `.</summary>
    internal static readonly string DeepFlowModel = "name: x\ndimensions: " + new string('[', 40_000) + new string(']', 40_000) + "\n";

    private static IReadOnlyList<ModelError> ErrorsOf(string yaml) =>
        Should.Throw<ModelInvalidException>(() => ModelLoader.Load(yaml)).Errors;

    /// <summary>A valid model with <paramref name="measures"/> measures spread over dimensions of at most 20.</summary>
    internal static string ModelWithMeasures(int measures, int perDimension = 20)
    {
        var text = new StringBuilder("name: Many\ngrades: [{ id: ok, min: 0, color: \"#2e7d32\" }]\ndimensions:\n");
        for (var i = 0; i < measures; i++)
        {
            if (i % perDimension == 0)
            {
                text.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - id: d{i / perDimension}\n    measures:\n");
            }
            text.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"      - {{ id: m{i}, value: {{ signal: sentiment, aggregate: latest }}, score: {{ range: {{ worst: 1, best: 5 }} }} }}\n");
        }
        return text.ToString();
    }

    [Fact]
    public void Load_FlowSequencesNested40000Deep_RefusedAtTheFirstLevelPastTheLimit()
    {
        var error = ErrorsOf(DeepFlowModel).ShouldHaveSingleItem();

        error.Message.ShouldBe($"nesting deeper than {YamlLimits.MaxDepth} levels");
        // The root mapping is the first level; `[` number 32 (column 13 + 31) opens the 33rd.
        (error.Line, error.Column).ShouldBe((2, 13 + YamlLimits.MaxDepth - 1));
    }

    [Fact]
    public void Load_FlowMappingsNested40000Deep_RefusedWithLineColumn()
    {
        var yaml = "name: x\ndimensions: " + string.Concat(Enumerable.Repeat("{a: ", 40_000)) + "1" + new string('}', 40_000) + "\n";

        var error = ErrorsOf(yaml).ShouldHaveSingleItem();

        error.Message.ShouldContain($"nesting deeper than {YamlLimits.MaxDepth} levels");
        (error.Line, error.Column).ShouldBe((2, 13 + (YamlLimits.MaxDepth - 1) * 4));
    }

    [Fact]
    public void Load_BlockMappingsNested40Deep_RefusedAtTheLineOfTheLevelPastTheLimit()
    {
        var yaml = new StringBuilder("name: x\n");
        for (var i = 0; i < 40; i++)
        {
            yaml.Append(' ', i * 2).Append("dimensions:\n");
        }
        yaml.Append(' ', 80).Append("x: 1\n");

        var error = ErrorsOf(yaml.ToString()).ShouldHaveSingleItem();

        error.Message.ShouldContain($"nesting deeper than {YamlLimits.MaxDepth} levels");
        // The mapping on line 3 is the second level, so the one on line 34 is the 33rd, at its indentation.
        (error.Line, error.Column).ShouldBe((YamlLimits.MaxDepth + 2, YamlLimits.MaxDepth * 2 + 1));
    }

    [Fact]
    public void Load_NestingAtTheLimit_IsReadAndCheckedAsUsual()
    {
        var yaml = "name: x\ndimensions: " + new string('[', YamlLimits.MaxDepth - 1) + new string(']', YamlLimits.MaxDepth - 1) + "\n";

        var errors = ErrorsOf(yaml);

        errors.ShouldNotContain(e => e.Message.Contains("nesting"));
        errors.ShouldContain(e => e.Message.Contains("a dimension must be a mapping"));
    }

    [Fact]
    public void Validate_DeepFlowSequences_ReturnsTheProblemInsteadOfThrowing()
    {
        ModelLoader.Validate(DeepFlowModel).ShouldHaveSingleItem().Message.ShouldContain("nesting deeper than");
    }

    [Fact]
    public void Load_TextOverTheSizeLimit_RefusedAtTheStart()
    {
        var yaml = ModelLoaderTests.SpecExample + "description: \"" + new string('x', YamlLimits.MaxBytes) + "\"\n";

        var error = ErrorsOf(yaml).ShouldHaveSingleItem();

        error.Message.ShouldStartWith("the file is ");
        error.Message.ShouldContain($"at most {YamlLimits.MaxBytes / 1024} KB is read");
        (error.Line, error.Column).ShouldBe((1, 1));
    }

    [Fact]
    public void Load_MultiByteTextOverTheSizeInBytes_Refused()
    {
        // Fewer characters than the limit, more bytes: the limit is on what is sent.
        var yaml = ModelLoaderTests.SpecExample + "description: \"" + new string('é', (YamlLimits.MaxBytes / 2) + 10) + "\"\n";
        yaml.Length.ShouldBeLessThan(YamlLimits.MaxBytes);

        ErrorsOf(yaml).ShouldHaveSingleItem().Message.ShouldContain("KB is read");
    }

    [Fact]
    public void Load_AsManyMeasuresAsTheLimit_Loads()
    {
        ModelLoader.Load(ModelWithMeasures(YamlLimits.MaxMeasures)).MeasureCount.ShouldBe(YamlLimits.MaxMeasures);
    }

    [Fact]
    public void Load_OneMeasureOverTheLimit_RefusedAtThatMeasure()
    {
        var yaml = ModelWithMeasures(YamlLimits.MaxMeasures + 1);

        var error = ErrorsOf(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe($"more than {YamlLimits.MaxMeasures} measures in the model; at most {YamlLimits.MaxMeasures} are read");
        var line = yaml.Split('\n').ToList().FindIndex(l => l.Contains($"id: m{YamlLimits.MaxMeasures},", StringComparison.Ordinal)) + 1;
        error.Line.ShouldBe(line);
    }

    [Fact]
    public void Load_TooManyDimensions_Refused()
    {
        var yaml = ModelWithMeasures(YamlLimits.MaxDimensions + 1, perDimension: 1);

        ErrorsOf(yaml).ShouldHaveSingleItem().Message.ShouldBe($"more than {YamlLimits.MaxDimensions} dimensions; at most {YamlLimits.MaxDimensions} are read");
    }

    [Fact]
    public void Load_TooManyGrades_Refused()
    {
        var grades = string.Join(", ", Enumerable.Range(0, YamlLimits.MaxGrades + 1).Select(i => $"{{ id: g{i}, min: {YamlLimits.MaxGrades - i} }}"));
        var yaml = ModelWithMeasures(1).Replace("[{ id: ok, min: 0, color: \"#2e7d32\" }]", "[" + grades + "]", StringComparison.Ordinal);

        ErrorsOf(yaml).ShouldHaveSingleItem().Message.ShouldBe($"more than {YamlLimits.MaxGrades} grades; at most {YamlLimits.MaxGrades} are read");
    }

    [Fact]
    public void Load_TooManyScorecards_Refused()
    {
        var yaml = new StringBuilder(ModelWithMeasures(1)).Append("scorecards:\n");
        for (var i = 0; i <= YamlLimits.MaxScorecards; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  - {{ id: s{i}, when: {{ segment: [x] }}, weights: {{ d0: 1 }} }}\n");
        }

        ErrorsOf(yaml.ToString()).ShouldHaveSingleItem().Message.ShouldBe($"more than {YamlLimits.MaxScorecards} scorecards; at most {YamlLimits.MaxScorecards} are read");
    }

    [Fact]
    public void Load_AliasesRepeatingAliases_RefusedOnceTheExpansionPassesTheLimit()
    {
        // Each level repeats the one before ten times: nine levels stand for a billion values in a few hundred bytes.
        var yaml = new StringBuilder("name: x\nl0: &l0 [a, a, a, a, a, a, a, a, a, a]\n");
        for (var i = 1; i < 9; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"l{i}: &l{i} [{string.Join(", ", Enumerable.Repeat($"*l{i - 1}", 10))}]\n");
        }
        yaml.Append("dimensions: *l8\n");

        var error = ErrorsOf(yaml.ToString()).ShouldHaveSingleItem();

        error.Message.ShouldContain($"more than {YamlLimits.MaxValues:N0} values once aliases are expanded");
        // l4 stands for 111,111 values: the count passes the limit on its line.
        error.Line.ShouldBe(6);
    }

    [Fact]
    public void Load_AliasesRepeatingDeepNesting_RefusedWhenTheExpandedNestingPassesTheLimit()
    {
        var deep = new string('[', 20) + new string(']', 20);
        var yaml = $"name: x\na: &a {deep}\nb: &b [{deep}, [[[[[[[[[[[[[[[*a]]]]]]]]]]]]]]]]\n";

        var error = ErrorsOf(yaml).ShouldHaveSingleItem();

        error.Message.ShouldBe($"nesting deeper than {YamlLimits.MaxDepth} levels once the alias `*a` is expanded");
        error.Line.ShouldBe(3);
    }

    [Fact]
    public void Load_AliasInsideWhatItNames_Refused()
    {
        var error = ErrorsOf("name: x\ndimensions: &d [ *d ]\n").ShouldHaveSingleItem();

        error.Message.ShouldContain("the alias `*d` refers to no anchor defined before it");
        (error.Line, error.Column).ShouldBe((2, 18));
    }

    [Fact]
    public void Load_AnchorsAndAliasesOfAModel_AreStillRead()
    {
        var model = ModelLoader.Load("""
            name: Shared scores
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: a
                    value: { signal: sentiment, aggregate: latest }
                    score: &fiveStars { range: { worst: 1, best: 5 } }
                  - id: b
                    value: { signal: surveys, kind: csat, aggregate: average }
                    score: *fiveStars
            """);

        model.Dimensions[0].Measures[1].Score.ShouldBeOfType<RangeScore>().Best.ShouldBe(5);
    }

    [Fact]
    public void AlertRulesLoad_DeepFlowSequences_RefusedWithLineColumn()
    {
        var yaml = "rules: " + new string('[', 40_000) + new string(']', 40_000) + "\n";

        var error = Should.Throw<AlertRulesInvalidException>(() => AlertRulesLoader.Load(yaml)).Errors.ShouldHaveSingleItem();

        error.Message.ShouldContain($"nesting deeper than {YamlLimits.MaxDepth} levels");
        (error.Line, error.Column).ShouldBe((1, 8 + YamlLimits.MaxDepth - 1));
    }

    [Fact]
    public void AlertRulesLoad_TooManyRules_Refused()
    {
        var yaml = "rules:\n" + string.Concat(Enumerable.Range(0, YamlLimits.MaxRules + 1).Select(i => $"  - {{ id: r{i}, when: {{ score_below: 40 }} }}\n"));

        var errors = Should.Throw<AlertRulesInvalidException>(() => AlertRulesLoader.Load(yaml)).Errors;

        errors.ShouldHaveSingleItem().Message.ShouldBe($"more than {YamlLimits.MaxRules} rules; at most {YamlLimits.MaxRules} are read");
    }

    [Fact]
    public void SuggestedWeightsApply_DeepText_RefusedBeforeItIsBuilt()
    {
        Should.Throw<ModelInvalidException>(() => SuggestedWeights.Apply(DeepFlowModel, new Dictionary<string, double>(), "note"))
            .Errors.ShouldHaveSingleItem().Message.ShouldContain("nesting deeper than");
    }
}
