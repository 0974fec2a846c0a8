using System.Globalization;
using CustomerHealth.Core.Model;
using YamlDotNet.RepresentationModel;

namespace CustomerHealth.Core.Backtesting;

/// <summary>
/// Turns fitted coefficients into model weights and writes them into a copy of the model's YAML: a measure whose
/// higher score goes with less churn gets weight in proportion to that effect; one that does not help gets 0.
/// </summary>
public static class SuggestedWeights
{
    /// <summary>Each measure's share of the score (they sum to 1): the negative coefficients of the measure scores, normalised.</summary>
    public static double[] FromCoefficients(IReadOnlyList<double> coefficients)
    {
        var raw = coefficients.Select(c => Math.Max(0, -c)).ToArray();
        var sum = raw.Sum();
        return sum <= 0 ? raw.Select(_ => 1.0 / raw.Length).ToArray() : raw.Select(r => r / sum).ToArray();
    }

    /// <summary>
    /// The model's YAML with measure weights set to the shares (as percentages) and each dimension's weight to the sum
    /// of its measures', so that every measure's effective weight is its share. Comments are not kept.
    /// </summary>
    public static string Apply(string yaml, IReadOnlyDictionary<string, double> shares, string note)
    {
        // The text is a published model's, but its nesting is checked again before it is built: building recurses.
        if (YamlLimits.Check(yaml, published: true) is { } tooMuch)
        {
            throw new ModelInvalidException("model.yaml", [tooMuch]);
        }
        var stream = new YamlStream();
        using (var reader = new StringReader(yaml))
        {
            stream.Load(reader);
        }
        var root = (YamlMappingNode)stream.Documents[0].RootNode;
        if (root.Children.TryGetValue(new YamlScalarNode("name"), out var name) && name is YamlScalarNode n)
        {
            n.Value += " (suggested weights)";
        }
        foreach (var dim in ((YamlSequenceNode)root.Children[new YamlScalarNode("dimensions")]).Children.OfType<YamlMappingNode>())
        {
            var measures = ((YamlSequenceNode)dim.Children[new YamlScalarNode("measures")]).Children.OfType<YamlMappingNode>().ToList();
            var weights = measures.Select(m => shares.GetValueOrDefault(((YamlScalarNode)m.Children[new YamlScalarNode("id")]).Value!) * 100).ToList();
            var total = weights.Sum();
            for (var i = 0; i < measures.Count; i++)
            {
                // A dimension none of whose measures helps keeps its measures' proportions (at no weight overall): a model needs them non-zero.
                measures[i].Children[new YamlScalarNode("weight")] = new YamlScalarNode(Format(total > 0 ? weights[i] : 1));
            }
            dim.Children[new YamlScalarNode("weight")] = new YamlScalarNode(Format(total));
        }
        using var writer = new StringWriter(CultureInfo.InvariantCulture);
        writer.WriteLine("# " + note);
        stream.Save(writer, assignAnchors: false);
        var text = writer.ToString();
        // YamlDotNet ends a saved document with an explicit end marker; a model file does not need it.
        return text.EndsWith("...\n", StringComparison.Ordinal) ? text[..^4] : text.Replace("\r\n...\r\n", "\r\n", StringComparison.Ordinal);
    }

    private static string Format(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);
}
