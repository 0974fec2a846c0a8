using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace CustomerHealth.Core.Model;

/// <summary>
/// What the YAML files of the product (models, alert rules) are read with: every problem is collected with its
/// line and column instead of stopping at the first, so a user fixes a file in one go.
/// </summary>
/// <param name="published">
/// The text was accepted before (it is read back from the store): the bounds on size and counts, and checks added
/// since, are not applied again, so an upgrade never makes a stored file unreadable. The nesting bound stays.
/// </param>
internal class YamlReading(bool published)
{
    public List<ModelError> Errors { get; } = [];

    protected bool Published { get; } = published;

    protected void Error(YamlNode node, string message) => Errors.Add(new ModelError((int)node.Start.Line, (int)node.Start.Column, message));

    /// <summary>The document's root mapping, or null (with the error) when the text is not YAML or not a mapping.</summary>
    protected YamlMappingNode? Root(string yaml, string notAMapping)
    {
        if (YamlLimits.Check(yaml, Published) is { } tooMuch)
        {
            Errors.Add(tooMuch);
            return null;
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            Errors.Add(new ModelError((int)e.Start.Line, (int)e.Start.Column, "not valid YAML: " + e.Message));
            return null;
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet reports some broken structures this way, without a position.
            Errors.Add(new ModelError(1, 1, "not valid YAML: " + e.Message));
            return null;
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            Errors.Add(new ModelError(1, 1, notAMapping));
            return null;
        }
        return root;
    }

    protected Dictionary<string, YamlNode> Keys(YamlMappingNode map, params string[] allowed)
    {
        var result = new Dictionary<string, YamlNode>();
        foreach (var (kn, vn) in map.Children)
        {
            var key = Scalar(kn);
            if (!allowed.Contains(key))
            {
                Error(kn, $"unknown key `{key}`; expected one of: {string.Join(", ", allowed)}");
                continue;
            }
            if (!result.TryAdd(key, vn))
            {
                Error(kn, $"`{key}` is given twice");
            }
        }
        return result;
    }

    protected string? Str(Dictionary<string, YamlNode> keys, string key, YamlNode owner, bool required)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            if (required)
            {
                Error(owner, $"missing `{key}`");
            }
            return null;
        }
        if (node is not YamlScalarNode s || string.IsNullOrWhiteSpace(s.Value))
        {
            Error(node, $"`{key}` must be a non-empty text");
            return null;
        }
        return s.Value;
    }

    protected double? Num(Dictionary<string, YamlNode> keys, string key, YamlNode owner, bool required)
    {
        if (!keys.TryGetValue(key, out var node))
        {
            if (required)
            {
                Error(owner, $"missing `{key}`");
            }
            return null;
        }
        var n = NumOf(node);
        if (n is null)
        {
            Error(node, $"`{key}` must be a number");
        }
        return n;
    }

    protected static double? NumOf(YamlNode node) =>
        node is YamlScalarNode { Value: { } v } && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) ? d : null;

    /// <summary>Refuses a list longer than <paramref name="max"/>, at its first item past the bound; true when within.</summary>
    protected bool AtMost(YamlSequenceNode list, int max, string what)
    {
        if (list.Children.Count <= max || Published)
        {
            return true;
        }
        Error(list.Children[max], $"more than {max} {what}; at most {max} are read");
        return false;
    }

    /// <summary>User text quoted in a message, cut short: a message names the value, it does not repeat a page of it.</summary>
    protected static string Shown(string text) => text.Length <= 40 ? text : text[..40] + "…";

    protected static string Scalar(YamlNode node) => node is YamlScalarNode s ? s.Value ?? "" : "";
}
