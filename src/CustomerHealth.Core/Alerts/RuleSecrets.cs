using System.Text;
using CustomerHealth.Core.Model;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace CustomerHealth.Core.Alerts;

/// <summary>
/// The secrets in an alert rules file — each destination's `secret`, and a Slack destination's `url` (the URL is the
/// credential) — and the placeholder that stands for them wherever the rules are stored or shown. A file given with
/// the placeholder keeps the secret already stored for that destination, so the rules can be shown, edited and set
/// again without ever writing the secret out.
/// </summary>
public static class RuleSecrets
{
    public const string Placeholder = "******";

    /// <summary>One secret value in a file: where it is and what it belongs to (`NAME.secret`, `NAME.url`).</summary>
    private sealed record Span(string Name, int Start, int End, int Line, int Column, string Value);

    /// <summary>The file with every secret replaced by the placeholder, and the secrets it gave (placeholders excluded).</summary>
    public static (string Yaml, IReadOnlyDictionary<string, string> Secrets) Seal(string yaml)
    {
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        var text = Replace(yaml, span =>
        {
            if (span.Value != Placeholder)
            {
                secrets[span.Name] = span.Value;
            }
            return Quoted(Placeholder);
        });
        return (text, secrets);
    }

    /// <summary>
    /// The file with each placeholder replaced by the stored secret it stands for; a placeholder with nothing stored
    /// behind it is a problem at its line and column.
    /// </summary>
    public static (string Yaml, IReadOnlyList<ModelError> Errors) Unseal(string yaml, Func<string, string?> stored)
    {
        var errors = new List<ModelError>();
        var text = Replace(yaml, span =>
        {
            if (span.Value != Placeholder)
            {
                return null;
            }
            if (stored(span.Name) is { } value)
            {
                return Quoted(value);
            }
            var (destination, field) = (span.Name[..span.Name.LastIndexOf('.')], span.Name[(span.Name.LastIndexOf('.') + 1)..]);
            errors.Add(new ModelError(span.Line, span.Column,
                $"`{Placeholder}` stands for the stored {field} of destination `{destination}`, but none is stored: write the {field} out in full"));
            return null;
        });
        return (text, errors);
    }

    private static string Replace(string yaml, Func<Span, string?> with)
    {
        var spans = Find(yaml);
        if (spans.Count == 0)
        {
            return yaml;
        }
        var text = new StringBuilder(yaml);
        foreach (var span in spans.OrderByDescending(s => s.Start))
        {
            if (with(span) is { } replacement)
            {
                // A block scalar's span runs to the next line; its line break stays.
                var end = span.End;
                while (end > span.Start && yaml[end - 1] is '\n' or '\r')
                {
                    end--;
                }
                text.Remove(span.Start, end - span.Start).Insert(span.Start, replacement);
            }
        }
        return text.ToString();
    }

    /// <summary>A YAML double-quoted scalar with the value's escapes.</summary>
    private static string Quoted(string value)
    {
        var q = new StringBuilder("\"");
        foreach (var c in value)
        {
            q.Append(c switch
            {
                '"' => "\\\"",
                '\\' => "\\\\",
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        return q.Append('"').ToString();
    }

    private sealed class Frame(bool mapping)
    {
        public bool Mapping { get; } = mapping;
        public bool ExpectKey { get; set; } = true;
        public string? Key { get; set; }
        public Dictionary<string, (Scalar Node, string Value)> Fields { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>
    /// The secret values of the first document, found by walking the parser's events (no recursion, so a deeply
    /// nested file cannot exhaust the stack here; the loader refuses it with its own message). A file that is not
    /// valid YAML has none: the loader says what is wrong with it.
    /// </summary>
    private static List<Span> Find(string yaml)
    {
        var found = new List<Span>();
        var frames = new List<Frame>();
        try
        {
            var parser = new Parser(new StringReader(yaml));
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case DocumentEnd:
                        return found;
                    case MappingStart or SequenceStart:
                        Value(frames, null);
                        if (frames.Count >= 64)
                        {
                            return [];
                        }
                        frames.Add(new Frame(parser.Current is MappingStart));
                        break;
                    case MappingEnd or SequenceEnd:
                        // A destination's mapping closes: its url is secret when it is a Slack hook, its secret always.
                        if (frames.Count == 3 && frames[0].Key == "destinations" && frames[1].Mapping && frames[1].Key is { } name && frames[2].Mapping)
                        {
                            var fields = frames[2].Fields;
                            var slack = fields.TryGetValue("kind", out var kind) && kind.Value == "slack";
                            foreach (var field in slack ? new[] { "url", "secret" } : ["secret"])
                            {
                                if (fields.TryGetValue(field, out var f))
                                {
                                    found.Add(new Span($"{name}.{field}", (int)f.Node.Start.Index, (int)f.Node.End.Index, (int)f.Node.Start.Line, (int)f.Node.Start.Column, f.Value));
                                }
                            }
                        }
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case Scalar s:
                        Value(frames, s);
                        break;
                    case AnchorAlias:
                        Value(frames, null);
                        break;
                }
            }
        }
        catch (YamlException)
        {
            return [];
        }
        return found;
    }

    /// <summary>Takes a node into the innermost mapping: as its next key, or as the value of the key before.</summary>
    private static void Value(List<Frame> frames, Scalar? scalar)
    {
        if (frames.Count == 0 || !frames[^1].Mapping)
        {
            return;
        }
        var frame = frames[^1];
        if (frame.ExpectKey)
        {
            frame.Key = scalar?.Value;
            frame.ExpectKey = false;
            return;
        }
        if (frames.Count == 3 && scalar is not null && frame.Key is { } key)
        {
            frame.Fields[key] = (scalar, scalar.Value);
        }
        frame.ExpectKey = true;
    }
}
