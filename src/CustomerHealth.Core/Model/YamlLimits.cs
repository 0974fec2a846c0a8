using System.Globalization;
using System.Text;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CustomerHealth.Core.Model;

/// <summary>
/// The bounds every YAML file of the product (models, alert rules) is read within, far above any real file: a file
/// past them is refused with a line and column before it is built into nodes, because building deep nesting recurses
/// (and overflows the stack) and repeated aliases multiply the work of everything that walks the result.
/// </summary>
public static class YamlLimits
{
    /// <summary>The largest file read, in UTF-8 bytes; a real model is a few kilobytes.</summary>
    public const int MaxBytes = 512 * 1024;

    /// <summary>How deeply mappings and lists may nest (the root counts as one); a model needs about 8.</summary>
    public const int MaxDepth = 32;

    /// <summary>How many values a file may hold once its aliases are expanded (each alias counts as what it repeats).</summary>
    public const int MaxValues = 100_000;

    /// <summary>Measures in a model, over all its dimensions.</summary>
    public const int MaxMeasures = 500;

    /// <summary>Dimensions in a model.</summary>
    public const int MaxDimensions = 50;

    /// <summary>Grades in a model.</summary>
    public const int MaxGrades = 20;

    /// <summary>Scorecards in a model.</summary>
    public const int MaxScorecards = 100;

    /// <summary>Rules in an alert rules file.</summary>
    public const int MaxRules = 500;

    /// <summary>Destinations in an alert rules file.</summary>
    public const int MaxDestinations = 100;

    /// <summary>
    /// The first bound the text breaks, or null. The check reads the parser's events one by one (no recursion), so it
    /// is safe on any input and costs one pass; a syntax error is left for the loader to report.
    /// </summary>
    /// <param name="yaml">The model or rules file's text.</param>
    /// <param name="published">
    /// The text was accepted before (a stored model or rules file): only the nesting bound applies, the one that keeps
    /// reading it safe, so that files published before the other bounds existed stay readable.
    /// </param>
    public static ModelError? Check(string yaml, bool published = false)
    {
        // Characters never outnumber UTF-8 bytes, so a long text is refused without counting.
        if (!published && (yaml.Length > MaxBytes || Encoding.UTF8.GetByteCount(yaml) > MaxBytes))
        {
            var kb = (Encoding.UTF8.GetByteCount(yaml) + 1023) / 1024;
            return new ModelError(1, 1, string.Create(CultureInfo.InvariantCulture,
                $"the file is {kb:N0} KB; at most {MaxBytes / 1024} KB is read (a model or rules file is a few KB)"));
        }
        var parser = new Parser(new StringReader(yaml));
        var open = new Stack<Frame>();
        // What each finished anchor stands for: its values once expanded and how deep it nests.
        var anchors = new Dictionary<string, (long Values, int Height)>(StringComparer.Ordinal);
        long values = 0;
        try
        {
            while (parser.MoveNext())
            {
                var e = parser.Current!;
                switch (e)
                {
                    case MappingStart or SequenceStart:
                        values++;
                        if (open.Count + 1 > MaxDepth)
                        {
                            return At(e, $"nesting deeper than {MaxDepth} levels");
                        }
                        open.Push(new Frame(((NodeEvent)e).Anchor.IsEmpty ? null : ((NodeEvent)e).Anchor.Value, values));
                        break;
                    case MappingEnd or SequenceEnd:
                    {
                        var frame = open.Pop();
                        var height = frame.ChildHeight + 1;
                        if (frame.Anchor is not null)
                        {
                            anchors[frame.Anchor] = (values - frame.ValuesBefore + 1, height);
                        }
                        Child(open, height);
                        break;
                    }
                    case Scalar s:
                        values++;
                        if (!s.Anchor.IsEmpty)
                        {
                            anchors[s.Anchor.Value] = (1, 0);
                        }
                        break;
                    case AnchorAlias alias:
                    {
                        if (!anchors.TryGetValue(alias.Value.Value, out var target))
                        {
                            return At(e, $"the alias `*{alias.Value.Value}` refers to no anchor defined before it (an alias cannot repeat a mapping or list that contains it)");
                        }
                        if (open.Count + target.Height > MaxDepth)
                        {
                            return At(e, $"nesting deeper than {MaxDepth} levels once the alias `*{alias.Value.Value}` is expanded");
                        }
                        values += target.Values;
                        Child(open, target.Height);
                        break;
                    }
                    case DocumentEnd:
                        anchors.Clear();
                        break;
                }
                if (values > MaxValues && !published)
                {
                    return At(e, $"more than {MaxValues:N0} values once aliases are expanded; a model or rules file holds far fewer");
                }
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            // Not YAML: the loader parses again and reports the syntax error where it is.
            return null;
        }
        return null;
    }

    private static void Child(Stack<Frame> open, int height)
    {
        if (open.TryPeek(out var parent) && height > parent.ChildHeight)
        {
            parent.ChildHeight = height;
        }
    }

    private static ModelError At(ParsingEvent e, string message) =>
        new((int)Math.Min(e.Start.Line, int.MaxValue), (int)Math.Min(e.Start.Column, int.MaxValue), message);

    private sealed class Frame(string? anchor, long valuesBefore)
    {
        public string? Anchor { get; } = anchor;

        public long ValuesBefore { get; } = valuesBefore;

        public int ChildHeight { get; set; }
    }
}
