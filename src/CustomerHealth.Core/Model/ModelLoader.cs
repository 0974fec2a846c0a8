using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using CustomerHealth.Core.Measures;
using YamlDotNet.RepresentationModel;

namespace CustomerHealth.Core.Model;

/// <summary>
/// Reads a health model from YAML, checking every key and value and reporting each problem with its line and
/// column, so that a refused model can be fixed in one pass.
/// </summary>
public static class ModelLoader
{
    /// <summary>Parses and validates; throws <see cref="ModelInvalidException"/> listing every problem.</summary>
    public static HealthModel Load(string yaml, string file = "model.yaml")
    {
        var reader = new Reader();
        var model = reader.Read(yaml);
        if (reader.Errors.Count > 0 || model is null)
        {
            throw new ModelInvalidException(file, reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
        return model;
    }

    /// <summary>
    /// Reads back a model that was accepted when it was published: the bounds on size and counts and the checks added
    /// since (grade colors) are not applied again, so that an upgrade never leaves the store without a readable model.
    /// </summary>
    public static HealthModel LoadPublished(string yaml, string file)
    {
        var reader = new Reader(published: true);
        var model = reader.Read(yaml);
        if (reader.Errors.Count > 0 || model is null)
        {
            throw new ModelInvalidException(file, reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList());
        }
        return model;
    }

    /// <summary>Like <see cref="Load"/>, returning the problems instead of throwing.</summary>
    public static IReadOnlyList<ModelError> Validate(string yaml)
    {
        var reader = new Reader();
        reader.Read(yaml);
        return reader.Errors.OrderBy(e => e.Line).ThenBy(e => e.Column).ToList();
    }

    /// <summary>
    /// The version id of a model's text: the id of its meaning (<see cref="VersionId(HealthModel)"/>) when it is a valid
    /// model; text that is not gets an id of the text itself, which no published version can have.
    /// </summary>
    public static string VersionId(string yaml)
    {
        try
        {
            return VersionId(Load(yaml));
        }
        catch (ModelInvalidException)
        {
            return Hash(yaml.Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd() + "\n");
        }
    }

    /// <summary>
    /// A meaning-derived version id: the hash of a canonical form of the loaded model (every value, with object keys and
    /// map keys sorted), so comments, key order, quoting and layout do not change it, and any change that scores
    /// differently does. Versions published before this rule keep the ids they were stored with.
    /// </summary>
    public static string VersionId(HealthModel model)
    {
        var node = JsonSerializer.SerializeToNode(model, CanonicalOptions)!;
        return Hash(Canonical(node)!.ToJsonString(CanonicalOptions));
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];

    /// <summary>The node with every object's properties in ordinal order (map keys of the model included).</summary>
    private static JsonNode? Canonical(JsonNode? node) => node switch
    {
        JsonObject o => new JsonObject(o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => KeyValuePair.Create(p.Key, Canonical(p.Value)))),
        JsonArray a => new JsonArray(a.Select(Canonical).ToArray()),
        _ => node?.DeepClone(),
    };

    private static readonly JsonSerializerOptions CanonicalOptions = new()
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = new DefaultJsonTypeInfoResolver
        {
            Modifiers =
            {
                // A measure's score is one of these: its kind is part of the meaning (an unknown kind fails loudly).
                info =>
                {
                    if (info.Type == typeof(ScoreSpec))
                    {
                        info.PolymorphismOptions = new JsonPolymorphismOptions
                        {
                            TypeDiscriminatorPropertyName = "$score",
                            UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization,
                            DerivedTypes =
                            {
                                new JsonDerivedType(typeof(RangeScore), "range"),
                                new JsonDerivedType(typeof(BandsScore), "bands"),
                                new JsonDerivedType(typeof(PercentileScore), "percentile"),
                                new JsonDerivedType(typeof(MapScore), "map"),
                            },
                        };
                    }
                },
            },
        },
    };

    /// <summary>Parses a period such as `30d` or `4w` into days.</summary>
    public static bool TryParseDays(string text, out int days)
    {
        days = 0;
        text = text.Trim();
        if (text.Length < 2)
        {
            return false;
        }
        var unit = text[^1];
        if (!int.TryParse(text[..^1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }
        days = unit switch { 'd' => n, 'w' => n * 7, _ => -1 };
        return days > 0;
    }

    private sealed class Reader(bool published = false) : YamlReading(published)
    {
        public HealthModel? Read(string yaml)
        {
            if (Root(yaml, "the model must be a mapping with at least `name`, `grades` and `dimensions`") is not { } root)
            {
                return null;
            }
            var keys = Keys(root, "name", "description", "scale", "missing", "trend_days", "min_coverage", "timezone", "hierarchy", "grades", "dimensions", "scorecards");

            var name = Str(keys, "name", root, required: true) ?? "";
            var scale = ScaleKind.Percent;
            if (keys.TryGetValue("scale", out var scaleNode))
            {
                var s = Scalar(scaleNode);
                if (s == "points")
                {
                    scale = ScaleKind.Points;
                }
                else if (s != "100")
                {
                    Error(scaleNode, "`scale` must be 100 or `points`");
                }
            }
            var missing = Missing(keys, "missing") ?? MissingPolicy.Reweight;
            var trendDays = (int)(Num(keys, "trend_days", root, required: false) ?? 30);
            if (keys.TryGetValue("trend_days", out var td) && trendDays <= 0)
            {
                Error(td, "`trend_days` must be a positive number of days");
            }
            var minCoverage = Num(keys, "min_coverage", root, required: false);
            if (keys.TryGetValue("min_coverage", out var mc) && minCoverage is not (>= 0 and <= 1))
            {
                Error(mc, "`min_coverage` must be a share between 0 and 1 (0.5: half the model's weight must have data before an account gets a grade)");
            }
            var timezone = Str(keys, "timezone", root, required: false) ?? "UTC";
            if (keys.TryGetValue("timezone", out var tzNode) && !TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out _))
            {
                Error(tzNode, $"unknown timezone `{timezone}` (use an IANA name such as `Europe/Paris` or `UTC`)");
            }
            var hierarchy = HierarchyMode.None;
            if (keys.TryGetValue("hierarchy", out var hNode))
            {
                var h = Scalar(hNode);
                if (h == "children")
                {
                    hierarchy = HierarchyMode.Children;
                }
                else if (h != "none")
                {
                    Error(hNode, "`hierarchy` must be `children` or `none`");
                }
            }

            var grades = ReadGrades(keys, root);
            var dimensions = ReadDimensions(keys, root, scale);
            var scorecards = ReadScorecards(keys, dimensions);

            if (Errors.Count > 0)
            {
                return null;
            }
            return new HealthModel
            {
                Name = name,
                Scale = scale,
                Missing = missing,
                TrendDays = trendDays,
                MinCoverage = minCoverage,
                Timezone = timezone,
                Hierarchy = hierarchy,
                Grades = grades,
                Dimensions = dimensions,
                Scorecards = scorecards,
            };
        }

        private List<Grade> ReadGrades(Dictionary<string, YamlNode> keys, YamlNode root)
        {
            var grades = new List<Grade>();
            if (!keys.TryGetValue("grades", out var node))
            {
                Error(root, "missing `grades`: list the grades, highest `min` first, the last with `min: 0`");
                return grades;
            }
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node, "`grades` must be a non-empty list");
                return grades;
            }
            if (!AtMost(seq, YamlLimits.MaxGrades, "grades"))
            {
                return grades;
            }
            var ids = new HashSet<string>();
            YamlNode? last = null;
            foreach (var item in seq)
            {
                last = item;
                if (item is not YamlMappingNode map)
                {
                    Error(item, "a grade must be a mapping with `id`, `label`, `min` and `color`");
                    continue;
                }
                var k = Keys(map, "id", "label", "min", "color");
                var id = Str(k, "id", map, required: true) ?? "";
                var min = Num(k, "min", map, required: true) ?? 0;
                if (id.Length > 0 && !ids.Add(id))
                {
                    Error(k["id"], $"grade `{id}` is defined twice");
                }
                if (grades.Count > 0 && min >= grades[^1].Min && k.TryGetValue("min", out var minNode))
                {
                    Error(minNode, $"grades must be listed highest `min` first: {min} is not below {grades[^1].Min}");
                }
                var color = Str(k, "color", map, required: false) ?? "#888888";
                // The color is written into the dashboard's styles: only a color is accepted, never CSS.
                if (!Published && k.TryGetValue("color", out var colorNode) && !Grade.IsColor(color))
                {
                    Error(colorNode, $"`color` must be `#rgb` or `#rrggbb` (such as \"#2e7d32\"), not `{Shown(color)}`");
                }
                grades.Add(new Grade(id, Str(k, "label", map, required: false) ?? id, min, color));
            }
            if (grades.Count > 0 && grades[^1].Min > 0 && last is not null)
            {
                Error(last, $"grades leave a gap: scores below {grades[^1].Min} get no grade (give the last grade `min: 0`)");
            }
            return grades;
        }

        private List<Dimension> ReadDimensions(Dictionary<string, YamlNode> keys, YamlNode root, ScaleKind scale)
        {
            var dims = new List<Dimension>();
            if (!keys.TryGetValue("dimensions", out var node))
            {
                Error(root, "missing `dimensions`");
                return dims;
            }
            if (node is not YamlSequenceNode seq || seq.Children.Count == 0)
            {
                Error(node, "`dimensions` must be a non-empty list");
                return dims;
            }
            if (!AtMost(seq, YamlLimits.MaxDimensions, "dimensions"))
            {
                return dims;
            }
            // Counted before any is read: a draft with thousands of measures is refused at once, not checked one by one.
            var measuresKey = new YamlScalarNode("measures");
            var allMeasures = seq.Children.OfType<YamlMappingNode>()
                .SelectMany(d => d.Children.TryGetValue(measuresKey, out var m) && m is YamlSequenceNode ms ? ms.Children : [])
                .Take(YamlLimits.MaxMeasures + 1)
                .ToList();
            if (allMeasures.Count > YamlLimits.MaxMeasures && !Published)
            {
                Error(allMeasures[^1], $"more than {YamlLimits.MaxMeasures} measures in the model; at most {YamlLimits.MaxMeasures} are read");
                return dims;
            }
            var dimIds = new HashSet<string>();
            foreach (var item in seq)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, "a dimension must be a mapping with `id`, `weight` and `measures`");
                    continue;
                }
                var k = Keys(map, "id", "label", "description", "weight", "measures");
                var id = Str(k, "id", map, required: true) ?? "";
                if (id.Length > 0 && !dimIds.Add(id))
                {
                    Error(k["id"], $"dimension `{id}` is defined twice");
                }
                var weight = Num(k, "weight", map, required: false) ?? 1;
                if (weight < 0)
                {
                    Error(k["weight"], "a weight cannot be negative");
                }
                if (scale == ScaleKind.Points && k.TryGetValue("weight", out var wn))
                {
                    Error(wn, "with `scale: points` dimensions have no `weight`: give each measure `points`");
                }
                var measures = new List<Measure>();
                if (!k.TryGetValue("measures", out var mNode) || mNode is not YamlSequenceNode mSeq || mSeq.Children.Count == 0)
                {
                    Error(k.GetValueOrDefault("measures") ?? map, $"dimension `{id}` needs a non-empty list of `measures`");
                }
                else
                {
                    var measureIds = new HashSet<string>();
                    foreach (var mItem in mSeq)
                    {
                        var m = ReadMeasure(mItem, scale);
                        if (m is null)
                        {
                            continue;
                        }
                        if (!measureIds.Add(m.Id))
                        {
                            Error(mItem, $"measure `{m.Id}` is defined twice in dimension `{id}`");
                        }
                        measures.Add(m);
                    }
                    if (scale == ScaleKind.Percent && measures.Count > 0 && measures.All(m => m.Weight == 0))
                    {
                        Error(mNode, $"the weights of the measures of `{id}` are all zero");
                    }
                }
                dims.Add(new Dimension(id, Str(k, "label", map, required: false) ?? id, weight, measures));
            }
            if (scale == ScaleKind.Percent && dims.Count > 0 && dims.All(d => d.Weight == 0))
            {
                Error(node, "the dimension weights are all zero");
            }
            if (scale == ScaleKind.Points && dims.Count > 0 && dims.SelectMany(d => d.Measures).All(m => m.Points == 0))
            {
                Error(node, "the points of the measures are all zero");
            }
            return dims;
        }

        private Measure? ReadMeasure(YamlNode node, ScaleKind scale)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a measure must be a mapping with `id`, `value` and `score`");
                return null;
            }
            var k = Keys(map, "id", "label", "description", "weight", "points", "value", "score", "missing", "valid_for");
            var id = Str(k, "id", map, required: true) ?? "";
            if (id.Contains('.', StringComparison.Ordinal))
            {
                Error(k["id"], "an id cannot contain `.`");
            }
            double weight = 1, points = 0;
            if (scale == ScaleKind.Points)
            {
                points = Num(k, "points", map, required: true) ?? 0;
                if (k.TryGetValue("weight", out var wn))
                {
                    Error(wn, "with `scale: points` a measure gives `points`, not `weight`");
                }
            }
            else
            {
                weight = Num(k, "weight", map, required: false) ?? 1;
                if (k.TryGetValue("points", out var pn))
                {
                    Error(pn, "`points` needs `scale: points` at the top of the model; use `weight` here");
                }
            }
            if (weight < 0 || points < 0)
            {
                Error(k.GetValueOrDefault("weight") ?? k.GetValueOrDefault("points") ?? map, "a weight cannot be negative");
            }
            int? validFor = null;
            if (k.TryGetValue("valid_for", out var vf))
            {
                if (TryParseDays(Scalar(vf), out var days))
                {
                    validFor = days;
                }
                else
                {
                    Error(vf, "`valid_for` must be a number of days such as `60d`");
                }
            }
            ValueSpec? value = null;
            if (k.TryGetValue("value", out var vNode))
            {
                value = ReadValue(vNode);
            }
            else
            {
                Error(map, $"measure `{id}` has no `value`");
            }
            ScoreSpec? score = null;
            if (k.TryGetValue("score", out var sNode))
            {
                score = ReadScore(sNode);
            }
            else
            {
                Error(map, $"measure `{id}` has no `score`");
            }
            if (value is null || score is null)
            {
                return null;
            }
            return new Measure
            {
                Id = id,
                Label = Str(k, "label", map, required: false) ?? id,
                Weight = weight,
                Points = points,
                Value = value,
                Score = score,
                Missing = Missing(k, "missing"),
                ValidForDays = validFor,
            };
        }

        private ValueSpec? ReadValue(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "`value` must be a mapping such as `{ signal: usage, aggregate: count, window: 30d }`");
                return null;
            }
            var k = Keys(map, "signal", "aggregate", "event", "events", "window", "per", "kind", "metric", "field", "where", "default");
            var signalText = Str(k, "signal", map, required: true);
            if (signalText is null)
            {
                return null;
            }
            // By name only: a number would parse as the enum's value (`signal: 0` is not usage). A model published before
            // this check keeps loading as it was read then.
            if (!Enum.TryParse<SignalKind>(signalText, ignoreCase: true, out var signal) || !AggregateCatalog.Kinds.Contains(signal) ||
                signalText != (Published ? signalText.ToLowerInvariant() : signal.ToString().ToLowerInvariant()))
            {
                Error(k["signal"], $"unknown signal `{signalText}`; one of: {string.Join(", ", AggregateCatalog.Kinds.Select(s => s.ToString().ToLowerInvariant()))}");
                return null;
            }
            var byDefault = AggregateCatalog.DefaultFor(signal);
            var aggregate = Str(k, "aggregate", map, required: byDefault is null) ?? byDefault?.Name ?? "value";
            var entry = AggregateCatalog.Find(signal, aggregate);
            if (entry is null)
            {
                Error(k.GetValueOrDefault("aggregate") ?? map, $"unknown aggregate `{aggregate}` for signal `{signalText}`; one of: {string.Join(", ", AggregateCatalog.NamesFor(signal))}");
            }
            // What the kind takes; an aggregate may take less (an unknown aggregate is held to its kind).
            var kindOptions = AggregateCatalog.OptionsOf(signal);
            var options = entry?.Options ?? kindOptions;
            var ok = true;
            void OnlyFor(string key, ValueOptions option)
            {
                // A published model was held to its kind's options; what an aggregate refuses since is not held against it.
                if (k.TryGetValue(key, out var n) && !options.HasFlag(option) && !(Published && kindOptions.HasFlag(option)))
                {
                    Error(n, kindOptions.HasFlag(option) ? $"`{key}` does not apply to aggregate `{aggregate}`" : $"`{key}` does not apply to signal `{signalText}`");
                    ok = false;
                }
            }
            OnlyFor("event", ValueOptions.Events);
            OnlyFor("events", ValueOptions.Events);
            OnlyFor("per", ValueOptions.PerSeats);
            OnlyFor("kind", ValueOptions.SurveyKind);
            OnlyFor("metric", ValueOptions.Metric);
            OnlyFor("field", ValueOptions.Field);
            OnlyFor("where", ValueOptions.Priority);

            var events = new List<string>();
            if (k.TryGetValue("event", out var ev))
            {
                events.Add(Scalar(ev));
            }
            if (k.TryGetValue("events", out var evs))
            {
                if (evs is YamlSequenceNode evSeq && evSeq.Children.Count > 0)
                {
                    events.AddRange(evSeq.Children.Select(Scalar));
                }
                else
                {
                    Error(evs, "`events` must be a non-empty list of event names");
                }
            }
            int? window = null;
            if (k.TryGetValue("window", out var wn) && entry is { AsOfTheDay: true } && !Published)
            {
                Error(wn, $"`window` does not apply to {(k.ContainsKey("aggregate") ? $"aggregate `{aggregate}`" : $"signal `{signalText}`")}: it is read as of the day");
                ok = false;
            }
            else if (wn is not null)
            {
                if (TryParseDays(Scalar(wn), out var days))
                {
                    window = days;
                }
                else
                {
                    Error(wn, "`window` must be a number of days such as `30d` (or weeks: `4w`)");
                }
            }
            else if (entry is { ComparesWindows: true })
            {
                Error(map, $"`{aggregate}` compares a window with the one before it: give a `window`");
            }
            var perSeats = false;
            if (k.TryGetValue("per", out var per))
            {
                if (Scalar(per) == "seats")
                {
                    perSeats = true;
                }
                else
                {
                    Error(per, "`per` can only be `seats`");
                }
            }
            string? kind = null;
            if (kindOptions.HasFlag(ValueOptions.SurveyKind))
            {
                kind = Str(k, "kind", map, required: true);
                if (kind is not null && kind is not ("nps" or "csat" or "ces"))
                {
                    Error(k["kind"], "survey `kind` must be `nps`, `csat` or `ces`");
                }
                if (entry?.NeedsKind is { } needed && kind is not null && kind != needed)
                {
                    Error(k["aggregate"], $"the `{aggregate}` aggregate needs `kind: {needed}`");
                }
            }
            var metric = kindOptions.HasFlag(ValueOptions.Metric) ? Str(k, "metric", map, required: true) : null;
            var field = kindOptions.HasFlag(ValueOptions.Field) ? Str(k, "field", map, required: true) : null;
            var priorities = new List<string>();
            if (k.TryGetValue("where", out var where))
            {
                if (where is YamlMappingNode whereMap)
                {
                    var wk = Keys(whereMap, "priority");
                    if (wk.TryGetValue("priority", out var pr))
                    {
                        var list = pr is YamlSequenceNode prSeq ? prSeq.Children.Select(Scalar).ToList() : [Scalar(pr)];
                        foreach (var p in list)
                        {
                            if (p is not ("low" or "normal" or "high" or "urgent"))
                            {
                                Error(pr, $"unknown ticket priority `{p}`; one of: low, normal, high, urgent");
                            }
                        }
                        priorities.AddRange(list);
                    }
                }
                else
                {
                    Error(where, "`where` must be a mapping such as `{ priority: [high, urgent] }`");
                }
            }
            var dflt = Num(k, "default", map, required: false);
            if (!ok)
            {
                return null;
            }
            return new ValueSpec
            {
                Signal = signal,
                Aggregate = aggregate,
                Events = events,
                WindowDays = window,
                PerSeats = perSeats,
                Kind = kind,
                Metric = metric,
                Field = field,
                Priorities = priorities,
                Default = dflt,
            };
        }

        private ScoreSpec? ReadScore(YamlNode node)
        {
            if (node is not YamlMappingNode map || map.Children.Count != 1)
            {
                Error(node, "`score` must have exactly one of `range`, `bands`, `percentile` or `map`");
                return null;
            }
            var (keyNode, body) = map.Children.First();
            var key = Scalar(keyNode);
            switch (key)
            {
                case "range":
                {
                    if (body is not YamlMappingNode rm)
                    {
                        Error(body, "`range` must be `{ worst: a, best: b }`");
                        return null;
                    }
                    var k = Keys(rm, "worst", "best");
                    var worst = Num(k, "worst", rm, required: true);
                    var best = Num(k, "best", rm, required: true);
                    if (worst is null || best is null)
                    {
                        return null;
                    }
                    if (worst == best)
                    {
                        Error(rm, "`worst` and `best` must differ");
                        return null;
                    }
                    return new RangeScore(worst.Value, best.Value);
                }
                case "bands":
                {
                    if (body is not YamlSequenceNode bs || bs.Children.Count == 0)
                    {
                        Error(body, "`bands` must be a list such as `[ { below: 10, score: 0 }, { score: 100 } ]`");
                        return null;
                    }
                    var bands = new List<Band>();
                    for (var i = 0; i < bs.Children.Count; i++)
                    {
                        var b = bs.Children[i];
                        if (b is not YamlMappingNode bm)
                        {
                            Error(b, "a band must be `{ below: x, score: s }`");
                            continue;
                        }
                        var k = Keys(bm, "below", "score");
                        var below = Num(k, "below", bm, required: false);
                        var score = Num(k, "score", bm, required: true) ?? 0;
                        if (score is < 0 or > 100 && k.TryGetValue("score", out var sn))
                        {
                            Error(sn, "a band's score must be between 0 and 100");
                        }
                        var isLast = i == bs.Children.Count - 1;
                        if (below is null && !isLast)
                        {
                            Error(bm, "only the last band may leave out `below`");
                        }
                        if (below is not null && isLast)
                        {
                            Error(bm, $"values of {below} and above get no score: end `bands` with a band without `below`");
                        }
                        if (below is not null && bands.Count > 0 && bands[^1].Below is { } prev && below <= prev)
                        {
                            Error(bm, $"bands overlap or are out of order: `below: {below}` must be above the previous band's {prev}");
                        }
                        bands.Add(new Band(below, score));
                    }
                    return new BandsScore(bands);
                }
                case "percentile":
                {
                    if (body is not YamlMappingNode pm)
                    {
                        Error(body, "`percentile` must be `{ better: higher }` or `{ better: lower }`");
                        return null;
                    }
                    var k = Keys(pm, "better");
                    var better = Str(k, "better", pm, required: true);
                    if (better is not ("higher" or "lower"))
                    {
                        if (better is not null)
                        {
                            Error(k["better"], "`better` must be `higher` or `lower`");
                        }
                        return null;
                    }
                    return new PercentileScore(better == "higher");
                }
                case "map":
                {
                    if (body is not YamlMappingNode mm || mm.Children.Count == 0)
                    {
                        Error(body, "`map` must be a mapping of values to scores such as `{ gold: 100, silver: 60 }`");
                        return null;
                    }
                    var dict = new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (var (kn, vn) in mm.Children)
                    {
                        var s = NumOf(vn);
                        if (s is null or < 0 or > 100)
                        {
                            Error(vn, "a mapped score must be a number between 0 and 100");
                            continue;
                        }
                        dict[Scalar(kn)] = s.Value;
                    }
                    return new MapScore(dict);
                }
                default:
                    Error(keyNode, $"unknown key `{key}` in `score`; one of: range, bands, percentile, map");
                    return null;
            }
        }

        private List<Scorecard> ReadScorecards(Dictionary<string, YamlNode> keys, List<Dimension> dims)
        {
            var cards = new List<Scorecard>();
            if (!keys.TryGetValue("scorecards", out var node))
            {
                return cards;
            }
            if (node is not YamlSequenceNode seq)
            {
                Error(node, "`scorecards` must be a list");
                return cards;
            }
            if (!AtMost(seq, YamlLimits.MaxScorecards, "scorecards"))
            {
                return cards;
            }
            var ids = new HashSet<string> { "default" };
            foreach (var item in seq)
            {
                if (item is not YamlMappingNode map)
                {
                    Error(item, "a scorecard must be a mapping with `id`, `when` and `weights`");
                    continue;
                }
                var k = Keys(map, "id", "label", "when", "weights");
                var id = Str(k, "id", map, required: true) ?? "";
                if (id.Length > 0 && !ids.Add(id))
                {
                    Error(k["id"], id == "default" ? "`default` is the base model's scorecard id" : $"scorecard `{id}` is defined twice");
                }
                var when = new Dictionary<string, IReadOnlyList<string>>();
                if (k.TryGetValue("when", out var wNode) && wNode is YamlMappingNode wMap)
                {
                    foreach (var (kn, vn) in wMap.Children)
                    {
                        var values = vn is YamlSequenceNode vs ? vs.Children.Select(Scalar).ToList() : [Scalar(vn)];
                        when[Scalar(kn)] = values;
                    }
                }
                else
                {
                    Error(k.GetValueOrDefault("when") ?? map, "a scorecard needs `when`, such as `{ segment: [Enterprise] }`");
                }
                var weights = new Dictionary<string, double>();
                if (k.TryGetValue("weights", out var wtNode))
                {
                    if (wtNode is YamlMappingNode wtMap)
                    {
                        foreach (var (kn, vn) in wtMap.Children)
                        {
                            var name = Scalar(kn);
                            var w = NumOf(vn);
                            if (w is null or < 0)
                            {
                                Error(vn, "a weight must be a number of zero or more");
                                continue;
                            }
                            var parts = name.Split('.');
                            var dim = dims.FirstOrDefault(d => d.Id == parts[0]);
                            if (dim is null)
                            {
                                Error(kn, $"scorecard `{id}` names dimension `{parts[0]}`, which the model does not have");
                                continue;
                            }
                            if (parts.Length == 2 && dim.Measures.All(m => m.Id != parts[1]))
                            {
                                Error(kn, $"scorecard `{id}` names measure `{name}`, which the model does not have");
                                continue;
                            }
                            if (parts.Length > 2)
                            {
                                Error(kn, $"`{name}` must be a dimension id or `dimension.measure`");
                                continue;
                            }
                            weights[name] = w.Value;
                        }
                    }
                    else
                    {
                        Error(wtNode, "`weights` must be a mapping such as `{ adoption: 70, \"adoption.logins\": 20 }`");
                    }
                }
                cards.Add(new Scorecard(id, when, weights));
            }
            return cards;
        }

        private MissingPolicy? Missing(Dictionary<string, YamlNode> keys, string key)
        {
            if (!keys.TryGetValue(key, out var node))
            {
                return null;
            }
            switch (Scalar(node))
            {
                case "reweight": return MissingPolicy.Reweight;
                case "neutral": return MissingPolicy.Neutral;
                case "zero": return MissingPolicy.Zero;
                default:
                    Error(node, "`missing` must be `reweight`, `neutral` or `zero`");
                    return null;
            }
        }

    }
}
