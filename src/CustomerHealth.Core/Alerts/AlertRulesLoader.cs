using System.Globalization;
using System.Net.Mail;
using System.Text.RegularExpressions;
using CustomerHealth.Core.Model;
using YamlDotNet.RepresentationModel;

namespace CustomerHealth.Core.Alerts;

/// <summary>Raised when a rules file is refused; carries every problem found, each at its line and column.</summary>
public sealed class AlertRulesInvalidException(string file, IReadOnlyList<ModelError> errors)
    : Exception(string.Join(Environment.NewLine, errors.Select(e => e.Format(file))))
{
    public string File { get; } = file;
    public IReadOnlyList<ModelError> Errors { get; } = errors;
}

/// <summary>
/// Reads the alert rules file of SPEC §8, checking every key and value and reporting each problem with its line
/// and column, the way <see cref="ModelLoader"/> does for models, so a refused file can be fixed in one pass.
/// </summary>
public static partial class AlertRulesLoader
{
    private static readonly string[] ConditionKeys = ["grade_entered", "score_below", "score_drop", "measure", "renewal_within", "stale"];

    /// <summary>Parses and validates; throws <see cref="AlertRulesInvalidException"/> listing every problem.</summary>
    public static AlertRuleSet Load(string yaml, string file = "rules.yaml")
    {
        var reader = new Reader();
        var set = reader.Read(yaml);
        if (reader.Errors.Count > 0 || set is null)
        {
            throw new AlertRulesInvalidException(file, Sorted(reader.Errors));
        }
        return set;
    }

    /// <summary>Reads back a rules file put in force before: the bounds on size and counts are not applied again.</summary>
    public static AlertRuleSet LoadPublished(string yaml, string file = "rules.yaml")
    {
        var reader = new Reader(published: true);
        var set = reader.Read(yaml);
        if (reader.Errors.Count > 0 || set is null)
        {
            throw new AlertRulesInvalidException(file, Sorted(reader.Errors));
        }
        return set;
    }

    /// <summary>Like <see cref="Load"/>, returning the problems instead of throwing.</summary>
    public static IReadOnlyList<ModelError> Validate(string yaml)
    {
        var reader = new Reader();
        reader.Read(yaml);
        return Sorted(reader.Errors);
    }

    private static List<ModelError> Sorted(List<ModelError> errors) => errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();

    [GeneratedRegex(@"\{[^{}]*\}")]
    private static partial Regex PlaceholderPattern();

    private sealed class Reader(bool published = false) : YamlReading(published)
    {
        public AlertRuleSet? Read(string yaml)
        {
            if (Root(yaml, "the rules file must be a mapping with `rules` (and optionally `destinations`)") is not { } root)
            {
                return null;
            }
            var keys = Keys(root, "rules", "destinations");
            // Destinations first: `notify` entries are checked against them.
            var destinations = ReadDestinations(keys);
            var rules = ReadRules(keys, root, destinations);
            return Errors.Count > 0 ? null : new AlertRuleSet(rules, destinations);
        }

        private Dictionary<string, Destination> ReadDestinations(Dictionary<string, YamlNode> keys)
        {
            var result = new Dictionary<string, Destination>(StringComparer.Ordinal);
            if (!keys.TryGetValue("destinations", out var node))
            {
                return result;
            }
            if (node is not YamlMappingNode map)
            {
                Error(node, "`destinations` must be a mapping of names to `{ kind, url, secret }`");
                return result;
            }
            if (map.Children.Count > YamlLimits.MaxDestinations && !Published)
            {
                Error(map.Children.ElementAt(YamlLimits.MaxDestinations).Key, $"more than {YamlLimits.MaxDestinations} destinations; at most {YamlLimits.MaxDestinations} are read");
                return result;
            }
            foreach (var (nameNode, body) in map.Children)
            {
                var name = Scalar(nameNode);
                if (name.Length == 0 || name.Contains(':', StringComparison.Ordinal) || name.Any(char.IsWhiteSpace))
                {
                    Error(nameNode, "a destination name must be a non-empty word without spaces or `:`");
                    continue;
                }
                if (body is not YamlMappingNode d)
                {
                    Error(body, $"destination `{name}` must be a mapping such as `{{ kind: webhook, url: \"https://...\" }}`");
                    continue;
                }
                var k = Keys(d, "kind", "url", "secret");
                var kindText = Str(k, "kind", d, required: true);
                DestinationKind? kind = kindText switch
                {
                    null => null,
                    "webhook" => DestinationKind.Webhook,
                    "slack" => DestinationKind.Slack,
                    _ => null,
                };
                if (kindText is not null && kind is null)
                {
                    Error(k["kind"], "`kind` must be `webhook` or `slack`");
                }
                var urlText = Str(k, "url", d, required: true);
                Uri? url = null;
                if (urlText is not null)
                {
                    if (Uri.TryCreate(urlText, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps))
                    {
                        url = u;
                    }
                    else
                    {
                        Error(k["url"], $"`url` must be an absolute http or https address, not `{urlText}`");
                    }
                }
                var secret = Str(k, "secret", d, required: false);
                if (!result.ContainsKey(name) && kind is { } kd && url is not null)
                {
                    result[name] = new Destination(kd, url, secret);
                }
                else if (result.ContainsKey(name))
                {
                    Error(nameNode, $"destination `{name}` is defined twice");
                }
            }
            return result;
        }

        private List<AlertRule> ReadRules(Dictionary<string, YamlNode> keys, YamlNode root, Dictionary<string, Destination> destinations)
        {
            var rules = new List<AlertRule>();
            if (!keys.TryGetValue("rules", out var node))
            {
                Error(root, "missing `rules`: list the alert rules (an empty list `[]` turns every alert off)");
                return rules;
            }
            if (node is not YamlSequenceNode seq)
            {
                Error(node, "`rules` must be a list");
                return rules;
            }
            if (!AtMost(seq, YamlLimits.MaxRules, "rules"))
            {
                return rules;
            }
            var ids = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in seq)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, "a rule must be a mapping with at least `id` and `when`");
                    continue;
                }
                // Checked here, not in ReadRule, so a duplicate is reported even when either rule has other problems.
                var idNode = map.Children.FirstOrDefault(p => Scalar(p.Key) == "id").Value;
                if (idNode is YamlScalarNode { Value: { Length: > 0 } id } && !ids.Add(id))
                {
                    Error(idNode, $"rule `{id}` is defined twice");
                }
                if (ReadRule(map, destinations) is { } rule)
                {
                    rules.Add(rule);
                }
            }
            return rules;
        }

        private AlertRule? ReadRule(YamlMappingNode map, Dictionary<string, Destination> destinations)
        {
            var k = Keys(map, "id", "when", "scope", "cooldown", "severity", "notify", "task", "auto_resolve", "holdout");
            var before = Errors.Count;
            var id = Str(k, "id", map, required: true);
            Condition? when = null;
            if (k.TryGetValue("when", out var whenNode))
            {
                when = ReadCondition(whenNode);
            }
            else
            {
                Error(map, $"rule `{id}` has no `when`");
            }
            var scope = k.TryGetValue("scope", out var scopeNode) ? ReadScope(scopeNode) : RuleScope.Everyone;
            var cooldown = 0;
            if (k.TryGetValue("cooldown", out var cd))
            {
                cooldown = Days(cd, "cooldown", allowZero: true) ?? 0;
            }
            var severity = Severity.Medium;
            if (k.TryGetValue("severity", out var sev))
            {
                switch (Scalar(sev))
                {
                    case "low": severity = Severity.Low; break;
                    case "medium": severity = Severity.Medium; break;
                    case "high": severity = Severity.High; break;
                    default: Error(sev, "`severity` must be `low`, `medium` or `high`"); break;
                }
            }
            var notify = k.TryGetValue("notify", out var nNode) ? ReadNotify(nNode, destinations) : [NotifyTarget.Inbox];
            var task = k.TryGetValue("task", out var tNode) ? ReadTask(tNode) : null;
            var autoResolve = false;
            if (k.TryGetValue("auto_resolve", out var ar))
            {
                switch (Scalar(ar).ToLowerInvariant())
                {
                    case "true": autoResolve = true; break;
                    case "false": break;
                    default: Error(ar, "`auto_resolve` must be `true` or `false`"); break;
                }
            }
            var holdout = 0.0;
            if (k.TryGetValue("holdout", out var ho))
            {
                var text = Scalar(ho).Trim();
                if (text.EndsWith('%') && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) &&
                    percent >= 0 && percent <= AlertRule.MaxHoldout * 100)
                {
                    holdout = percent / 100;
                }
                else
                {
                    Error(ho, $"`holdout` must be a percentage from 0% to {AlertRule.MaxHoldout * 100:0}% of the alerted accounts, such as `10%`; found `{text}`");
                }
            }
            if (Errors.Count > before || id is null || when is null)
            {
                return null;
            }
            return new AlertRule(id, when, scope, cooldown, severity, notify, task, autoResolve, holdout);
        }

        private Condition? ReadCondition(YamlNode node)
        {
            if (node is not YamlMappingNode map || map.Children.Count != 1)
            {
                var found = node is YamlMappingNode m && m.Children.Count > 1
                    ? $"; found {string.Join(", ", m.Children.Keys.Select(Scalar))}"
                    : "";
                Error(node, $"`when` must have exactly one condition, one of: {string.Join(", ", ConditionKeys)}{found}");
                return null;
            }
            var (keyNode, body) = map.Children.First();
            var key = Scalar(keyNode);
            switch (key)
            {
                case "grade_entered":
                {
                    var grade = Text(body, "grade_entered");
                    return grade is null ? null : new GradeEntered(grade);
                }
                case "score_below":
                {
                    var v = NumOf(body);
                    if (v is null or <= 0)
                    {
                        Error(body, "`score_below` must be a number above 0, such as `40`");
                        return null;
                    }
                    return new ScoreBelow(v.Value);
                }
                case "score_drop":
                {
                    if (body is not YamlMappingNode sd)
                    {
                        Error(body, "`score_drop` must be `{ points: 15, days: 30 }`");
                        return null;
                    }
                    var k = Keys(sd, "points", "days");
                    var points = Num(k, "points", sd, required: true);
                    if (points is <= 0 && k.TryGetValue("points", out var pn))
                    {
                        Error(pn, "`points` must be above 0");
                        points = null;
                    }
                    int? days = null;
                    if (k.TryGetValue("days", out var dn))
                    {
                        days = Days(dn, "days", allowZero: false);
                    }
                    else
                    {
                        Error(sd, "missing `days`");
                    }
                    return points is { } p && days is { } d ? new ScoreDrop(p, d) : null;
                }
                case "measure":
                {
                    if (body is not YamlMappingNode mm)
                    {
                        Error(body, "`measure` must be `{ id: nps, below: 0 }` or `{ id: ..., above: ... }`");
                        return null;
                    }
                    var k = Keys(mm, "id", "below", "above");
                    var id = Str(k, "id", mm, required: true);
                    var below = Num(k, "below", mm, required: false);
                    var above = Num(k, "above", mm, required: false);
                    if (k.ContainsKey("below") == k.ContainsKey("above"))
                    {
                        Error(mm, "`measure` needs exactly one of `below` or `above`");
                        return null;
                    }
                    if (id is null)
                    {
                        return null;
                    }
                    return below is { } b ? new MeasureBelow(id, b) : above is { } a ? new MeasureAbove(id, a) : null;
                }
                case "renewal_within":
                {
                    if (body is not YamlMappingNode rm)
                    {
                        Error(body, "`renewal_within` must be `{ days: 90, grades: [red, yellow] }`");
                        return null;
                    }
                    var k = Keys(rm, "days", "grades");
                    int? days = null;
                    if (k.TryGetValue("days", out var dn))
                    {
                        days = Days(dn, "days", allowZero: false);
                    }
                    else
                    {
                        Error(rm, "missing `days`");
                    }
                    var grades = k.TryGetValue("grades", out var gn) ? TextList(gn, "grades") : [];
                    return days is { } d ? new RenewalWithin(d, grades) : null;
                }
                case "stale":
                {
                    if (body is not YamlMappingNode st)
                    {
                        Error(body, "`stale` must be `{ measure: csm }`");
                        return null;
                    }
                    var k = Keys(st, "measure");
                    var measure = Str(k, "measure", st, required: true);
                    return measure is null ? null : new Stale(measure);
                }
                default:
                    Error(keyNode, $"unknown condition `{key}`; one of: {string.Join(", ", ConditionKeys)}");
                    return null;
            }
        }

        private RuleScope ReadScope(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "`scope` must be a mapping such as `{ segments: [Enterprise] }`");
                return RuleScope.Everyone;
            }
            var k = Keys(map, "segments", "owners", "lifecycle_stages");
            var segments = k.TryGetValue("segments", out var s) ? TextList(s, "segments") : [];
            var owners = k.TryGetValue("owners", out var o) ? TextList(o, "owners") : [];
            var stages = k.TryGetValue("lifecycle_stages", out var l) ? TextList(l, "lifecycle_stages") : [];
            return new RuleScope(segments, owners, stages);
        }

        private List<NotifyTarget> ReadNotify(YamlNode node, Dictionary<string, Destination> destinations)
        {
            var targets = new List<NotifyTarget>();
            var items = node is YamlSequenceNode seq ? seq.Children.ToList() : [node];
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in items)
            {
                var text = item is YamlScalarNode sc ? sc.Value?.Trim() ?? "" : "";
                var target = ReadTarget(item, text, destinations);
                if (target is null)
                {
                    continue;
                }
                if (!seen.Add(target.ToString()))
                {
                    Error(item, $"`{text}` is listed twice");
                    continue;
                }
                targets.Add(target);
            }
            return targets;
        }

        private NotifyTarget? ReadTarget(YamlNode item, string text, Dictionary<string, Destination> destinations)
        {
            const string Expected = "one of `inbox`, `owner`, `email:ADDRESS`, `webhook:NAME`, `slack:NAME`";
            if (text == "inbox")
            {
                return NotifyTarget.Inbox;
            }
            if (text == "owner")
            {
                return NotifyTarget.Owner;
            }
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                Error(item, $"unknown notify target `{text}`; {Expected}");
                return null;
            }
            var (prefix, rest) = (text[..colon], text[(colon + 1)..].Trim());
            switch (prefix)
            {
                case "email":
                    if (!IsEmail(rest))
                    {
                        Error(item, $"`{rest}` is not an e-mail address");
                        return null;
                    }
                    return new NotifyTarget(NotifyKind.Email, rest);
                case "webhook":
                case "slack":
                {
                    var kind = prefix == "webhook" ? DestinationKind.Webhook : DestinationKind.Slack;
                    if (!destinations.TryGetValue(rest, out var d))
                    {
                        var known = destinations.Count == 0 ? "no destinations are defined" : "defined: " + string.Join(", ", destinations.Keys);
                        Error(item, $"unknown destination `{rest}`; add it under `destinations` ({known})");
                        return null;
                    }
                    if (d.Kind != kind)
                    {
                        Error(item, $"destination `{rest}` is a {d.Kind.ToString().ToLowerInvariant()} destination; write `{d.Kind.ToString().ToLowerInvariant()}:{rest}`");
                        return null;
                    }
                    return new NotifyTarget(kind == DestinationKind.Webhook ? NotifyKind.Webhook : NotifyKind.Slack, rest);
                }
                default:
                    Error(item, $"unknown notify target `{text}`; {Expected}");
                    return null;
            }
        }

        private TaskTemplate? ReadTask(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "`task` must be a mapping such as `{ title: \"Call {account.name}\", assignee: owner, due_in: 3d }`");
                return null;
            }
            var k = Keys(map, "title", "assignee", "due_in", "steps");
            var title = Str(k, "title", map, required: true);
            if (title is not null)
            {
                foreach (Match m in PlaceholderPattern().Matches(title))
                {
                    if (!TaskTemplate.Placeholders.Contains(m.Value))
                    {
                        Error(k["title"], $"unknown placeholder `{m.Value}` in `title`; one of: {string.Join(", ", TaskTemplate.Placeholders)}");
                    }
                }
            }
            string? assignee = null;
            var assigneeText = Str(k, "assignee", map, required: false);
            if (assigneeText is not null and not "owner")
            {
                if (IsEmail(assigneeText))
                {
                    assignee = assigneeText;
                }
                else
                {
                    Error(k["assignee"], "`assignee` must be `owner` or an e-mail address");
                }
            }
            int? due = null;
            if (k.TryGetValue("due_in", out var dn))
            {
                due = Days(dn, "due_in", allowZero: false);
            }
            var steps = k.TryGetValue("steps", out var sn) ? TextList(sn, "steps") : [];
            return title is null ? null : new TaskTemplate(title, assignee, due, steps);
        }

        // A number of days as `14d`, `2w` (ModelLoader's period syntax) or a bare whole number such as `30`.
        private int? Days(YamlNode node, string key, bool allowZero)
        {
            var text = Scalar(node).Trim();
            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && (n > 0 || allowZero))
            {
                return n;
            }
            if (allowZero && text == "0d")
            {
                return 0;
            }
            if (ModelLoader.TryParseDays(text, out var days))
            {
                return days;
            }
            Error(node, $"`{key}` must be a {(allowZero ? "" : "positive ")}number of days such as `14d`");
            return null;
        }

        private List<string> TextList(YamlNode node, string key)
        {
            var items = node is YamlSequenceNode seq ? seq.Children.ToList() : [node];
            var result = new List<string>();
            foreach (var item in items)
            {
                if (item is not YamlScalarNode { Value: { } v } || string.IsNullOrWhiteSpace(v))
                {
                    Error(item, $"each entry of `{key}` must be a non-empty text");
                    continue;
                }
                result.Add(v);
            }
            return result;
        }

        private string? Text(YamlNode node, string key)
        {
            if (node is not YamlScalarNode s || string.IsNullOrWhiteSpace(s.Value))
            {
                Error(node, $"`{key}` must be a non-empty text");
                return null;
            }
            return s.Value;
        }

        private static bool IsEmail(string text) =>
            MailAddress.TryCreate(text, out var address) && address.Address == text && !text.Contains(' ', StringComparison.Ordinal);

    }
}
