using System.Globalization;
using System.Text;
using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Model;

/// <summary>
/// A model written back as YAML (SPEC §4), the file a form edits: loading what it writes gives the same model (the
/// same <see cref="ModelLoader.VersionId(HealthModel)"/>). Settings at their defaults are left out; comments and the
/// layout of the file the model came from are not kept.
/// </summary>
public static class ModelWriter
{
    public static string Write(HealthModel model)
    {
        var y = new StringBuilder();
        y.Append("name: ").Append(Text(model.Name)).Append('\n');
        if (model.Scale == ScaleKind.Points)
        {
            y.Append("scale: points\n");
        }
        if (model.Missing != MissingPolicy.Reweight)
        {
            y.Append("missing: ").Append(Name(model.Missing)).Append('\n');
        }
        if (model.TrendDays != 30)
        {
            y.Append("trend_days: ").Append(Num(model.TrendDays)).Append('\n');
        }
        if (model.MinCoverage is { } coverage)
        {
            y.Append("min_coverage: ").Append(Num(coverage)).Append('\n');
        }
        if (model.Timezone != "UTC")
        {
            y.Append("timezone: ").Append(Text(model.Timezone)).Append('\n');
        }
        if (model.Hierarchy == HierarchyMode.Children)
        {
            y.Append("hierarchy: children\n");
        }
        y.Append("grades:\n");
        foreach (var g in model.Grades)
        {
            y.Append("  - { id: ").Append(Text(g.Id)).Append(", label: ").Append(Text(g.Label)).Append(", min: ").Append(Num(g.Min));
            if (g.Color.Length > 0)
            {
                y.Append(", color: ").Append(Text(g.Color));
            }
            y.Append(" }\n");
        }
        y.Append("dimensions:\n");
        foreach (var d in model.Dimensions)
        {
            y.Append("  - id: ").Append(Text(d.Id)).Append('\n');
            y.Append("    label: ").Append(Text(d.Label)).Append('\n');
            if (model.Scale != ScaleKind.Points)
            {
                y.Append("    weight: ").Append(Num(d.Weight)).Append('\n');
            }
            y.Append("    measures:\n");
            foreach (var m in d.Measures)
            {
                WriteMeasure(y, model, m);
            }
        }
        if (model.Scorecards.Count > 0)
        {
            y.Append("scorecards:\n");
            foreach (var c in model.Scorecards)
            {
                y.Append("  - id: ").Append(Text(c.Id)).Append('\n');
                y.Append("    when: { ").AppendJoin(", ", c.When.Select(w => $"{Text(w.Key)}: [{string.Join(", ", w.Value.Select(Text))}]")).Append(" }\n");
                y.Append("    weights: { ").AppendJoin(", ", c.Weights.Select(w => $"{Text(w.Key)}: {Num(w.Value)}")).Append(" }\n");
            }
        }
        return y.ToString();
    }

    private static void WriteMeasure(StringBuilder y, HealthModel model, Measure m)
    {
        y.Append("      - id: ").Append(Text(m.Id)).Append('\n');
        y.Append("        label: ").Append(Text(m.Label)).Append('\n');
        y.Append(model.Scale == ScaleKind.Points ? "        points: " : "        weight: ").Append(Num(model.Scale == ScaleKind.Points ? m.Points : m.Weight)).Append('\n');
        y.Append("        value: { ").AppendJoin(", ", Value(m.Value)).Append(" }\n");
        y.Append("        score: ").Append(Score(m.Score)).Append('\n');
        if (m.Missing is { } missing)
        {
            y.Append("        missing: ").Append(Name(missing)).Append('\n');
        }
        if (m.ValidForDays is { } valid)
        {
            y.Append("        valid_for: ").Append(Num(valid)).Append("d\n");
        }
    }

    private static IEnumerable<string> Value(ValueSpec v)
    {
        yield return "signal: " + v.Signal.ToString().ToLowerInvariant();
        if (AggregateCatalog.DefaultFor(v.Signal)?.Name != v.Aggregate)
        {
            yield return "aggregate: " + Text(v.Aggregate);
        }
        if (v.Events.Count > 0)
        {
            yield return $"events: [{string.Join(", ", v.Events.Select(Text))}]";
        }
        if (v.WindowDays is { } window)
        {
            yield return $"window: {Num(window)}d";
        }
        if (v.PerSeats)
        {
            yield return "per: seats";
        }
        if (v.Kind is { } kind)
        {
            yield return "kind: " + Text(kind);
        }
        if (v.Metric is { } metric)
        {
            yield return "metric: " + Text(metric);
        }
        if (v.Field is { } field)
        {
            yield return "field: " + Text(field);
        }
        if (v.Priorities.Count > 0)
        {
            yield return $"where: {{ priority: [{string.Join(", ", v.Priorities.Select(Text))}] }}";
        }
        if (v.Default is { } dflt)
        {
            yield return "default: " + Num(dflt);
        }
    }

    private static string Score(ScoreSpec score) => score switch
    {
        RangeScore r => $"{{ range: {{ worst: {Num(r.Worst)}, best: {Num(r.Best)} }} }}",
        BandsScore b => "{ bands: [" + string.Join(", ", b.Bands.Select(x => x.Below is { } below ? $"{{ below: {Num(below)}, score: {Num(x.Score)} }}" : $"{{ score: {Num(x.Score)} }}")) + "] }",
        PercentileScore p => $"{{ percentile: {{ better: {(p.HigherIsBetter ? "higher" : "lower")} }} }}",
        MapScore m => "{ map: { " + string.Join(", ", m.Map.Select(e => $"{Text(e.Key)}: {Num(e.Value)}")) + " } }",
        _ => throw new ArgumentOutOfRangeException(nameof(score)),
    };

    private static string Name(MissingPolicy p) => p.ToString().ToLowerInvariant();

    private static string Num(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Num(int v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>A string as YAML: bare when it cannot be read as anything else, else double-quoted with escapes.</summary>
    private static string Text(string s)
    {
        if (s.Length > 0 && IsBare(s))
        {
            return s;
        }
        var q = new StringBuilder("\"");
        foreach (var c in s)
        {
            q.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\t' => "\\t",
                '\r' => "\\r",
                _ when char.IsControl(c) => $"\\u{(int)c:X4}",
                _ => c.ToString(),
            });
        }
        return q.Append('"').ToString();
    }

    private static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase) { "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~" };

    // Letters, digits and `_ - . / + @ #` not starting with a digit, sign, dot or `#`, and not a word YAML reads as a boolean or null.
    private static bool IsBare(string s) =>
        char.IsAsciiLetter(s[0]) && s.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or '@') && !Reserved.Contains(s);
}
