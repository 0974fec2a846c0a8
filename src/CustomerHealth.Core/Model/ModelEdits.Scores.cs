namespace CustomerHealth.Core.Model;

/// <summary>How a measure's raw value becomes its score (SPEC §4.2), as the model builder names the choice.</summary>
public enum CurveKind { Range, Bands, Percentile, Map }

public static partial class ModelEdits
{
    /// <summary>How many bands, map values, grades or scorecard conditions the form adds at most (a file may hold more).</summary>
    public const int MaxFormRows = 20;

    /// <summary>The kind of a measure's score curve.</summary>
    public static CurveKind KindOf(ScoreSpec score) => score switch
    {
        BandsScore => CurveKind.Bands,
        PercentileScore => CurveKind.Percentile,
        MapScore => CurveKind.Map,
        _ => CurveKind.Range,
    };

    /// <summary>
    /// Scores a measure with another kind of curve, carried over from the one it has where it can be: a straight line
    /// becomes three bands over its span (or the reverse), "lower is better" carries over to percentiles, and a map
    /// starts from <paramref name="keys"/> (the values the accounts have now, lowest scored 0 and highest 100).
    /// </summary>
    public static HealthModel MeasureCurve(HealthModel model, string dimension, string measure, CurveKind kind, IReadOnlyList<string>? keys = null) =>
        WithMeasure(model, dimension, measure, m => KindOf(m.Score) == kind ? m : m with { Score = NewCurve(m.Score, kind, keys ?? []) });

    private static ScoreSpec NewCurve(ScoreSpec old, CurveKind kind, IReadOnlyList<string> keys)
    {
        var (worst, best) = old switch
        {
            RangeScore r => (r.Worst, r.Best),
            BandsScore { Bands.Count: > 1 } b when b.Bands[0].Score > b.Bands[^1].Score => (b.Bands[^2].Below ?? 1, b.Bands[0].Below ?? 0),
            BandsScore { Bands.Count: > 1 } b => (b.Bands[0].Below ?? 0, b.Bands[^2].Below ?? 1),
            PercentileScore { HigherIsBetter: false } => (1, 0),
            _ => (0d, 1d),
        };
        var lowerIsBetter = worst > best;
        switch (kind)
        {
            case CurveKind.Bands:
            {
                var (low, high) = (Math.Min(worst, best), Math.Max(worst, best));
                var middle = (low + high) / 2;
                return lowerIsBetter
                    ? new BandsScore([new Band(low, 100), new Band(middle, 50), new Band(null, 0)])
                    : new BandsScore([new Band(low, 0), new Band(middle, 50), new Band(null, 100)]);
            }
            case CurveKind.Percentile:
                return new PercentileScore(!lowerIsBetter);
            case CurveKind.Map:
            {
                var shown = keys.Where(k => !string.IsNullOrWhiteSpace(k)).Distinct(StringComparer.Ordinal).Take(MaxFormRows).ToList();
                if (shown.Count == 0)
                {
                    return new MapScore(new Dictionary<string, double>(StringComparer.Ordinal) { ["yes"] = 100, ["no"] = 0 });
                }
                var map = new Dictionary<string, double>(StringComparer.Ordinal);
                for (var i = 0; i < shown.Count; i++)
                {
                    var share = shown.Count == 1 ? 100 : Math.Round(100.0 * i / (shown.Count - 1));
                    map[shown[i]] = lowerIsBetter ? 100 - share : share;
                }
                return new MapScore(map);
            }
            default:
                return new RangeScore(worst, best == worst ? worst + 1 : best);
        }
    }

    /// <summary>Percentiles among the accounts: a higher value is better, or a lower one.</summary>
    public static HealthModel MeasurePercentile(HealthModel model, string dimension, string measure, bool higherIsBetter) =>
        WithMeasure(model, dimension, measure, m => m with { Score = new PercentileScore(higherIsBetter) });

    private static HealthModel WithBands(HealthModel model, string dimension, string measure, Func<List<Band>, IEnumerable<Band>> change) =>
        WithMeasure(model, dimension, measure, m => m.Score is BandsScore b ? m with { Score = new BandsScore([.. change([.. b.Bands])]) } : m);

    /// <summary>The value a band ends below (the band of the values from the previous band's end up to this one).</summary>
    public static HealthModel BandBelow(HealthModel model, string dimension, string measure, int band, double below) =>
        WithBands(model, dimension, measure, bands => bands.Select((b, i) => i == band && b.Below is not null ? b with { Below = below } : b));

    /// <summary>The score a band gives, between 0 and 100.</summary>
    public static HealthModel BandScore(HealthModel model, string dimension, string measure, int band, double score) =>
        WithBands(model, dimension, measure, bands => bands.Select((b, i) => i == band ? b with { Score = Math.Clamp(score, 0, 100) } : b));

    /// <summary>
    /// Splits the band of the highest values in two: a new band ends one above the last band's end (at 1 when there is
    /// none), scored between its neighbours.
    /// </summary>
    public static HealthModel AddBand(HealthModel model, string dimension, string measure) =>
        WithBands(model, dimension, measure, bands =>
        {
            if (bands.Count >= MaxFormRows)
            {
                return bands;
            }
            var last = bands[^1];
            var below = bands.Count > 1 && bands[^2].Below is { } end ? end + 1 : 1;
            var score = bands.Count > 1 ? Math.Round((bands[^2].Score + last.Score) / 2) : last.Score;
            return [.. bands.Take(bands.Count - 1), new Band(below, score), last];
        });

    /// <summary>Removes a band; the one before the last takes over the highest values when the last goes. One band is always left.</summary>
    public static HealthModel RemoveBand(HealthModel model, string dimension, string measure, int band) =>
        WithBands(model, dimension, measure, bands =>
        {
            if (bands.Count <= 1 || band < 0 || band >= bands.Count)
            {
                return bands;
            }
            bands.RemoveAt(band);
            bands[^1] = bands[^1] with { Below = null };
            return bands;
        });

    private static HealthModel WithMap(HealthModel model, string dimension, string measure, Func<List<KeyValuePair<string, double>>, IEnumerable<KeyValuePair<string, double>>> change) =>
        WithMeasure(model, dimension, measure, m => m.Score is MapScore s
            ? m with { Score = new MapScore(change([.. s.Map]).DistinctBy(p => p.Key, StringComparer.Ordinal).ToDictionary(StringComparer.Ordinal)) }
            : m);

    /// <summary>Renames a value of a map; a blank name, or one the map has, is not taken.</summary>
    public static HealthModel MapValueName(HealthModel model, string dimension, string measure, string key, string? newKey) =>
        string.IsNullOrWhiteSpace(newKey) || (Find(model, dimension, measure)?.Score is MapScore s && s.Map.ContainsKey(newKey.Trim())) ? model
            : WithMap(model, dimension, measure, map => map.Select(p => p.Key == key ? KeyValuePair.Create(newKey.Trim(), p.Value) : p));

    /// <summary>The score a value of a map gives, between 0 and 100.</summary>
    public static HealthModel MapValueScore(HealthModel model, string dimension, string measure, string key, double score) =>
        WithMap(model, dimension, measure, map => map.Select(p => p.Key == key ? KeyValuePair.Create(p.Key, Math.Clamp(score, 0, 100)) : p));

    /// <summary>Adds a value to a map, scored 50, named so as not to clash.</summary>
    public static HealthModel AddMapValue(HealthModel model, string dimension, string measure) =>
        WithMap(model, dimension, measure, map => map.Count >= MaxFormRows ? map
            : [.. map, KeyValuePair.Create(FreeId(map.Select(p => p.Key), "value"), 50d)]);

    /// <summary>Removes a value from a map; one is always left.</summary>
    public static HealthModel RemoveMapValue(HealthModel model, string dimension, string measure, string key) =>
        WithMap(model, dimension, measure, map => map.Count <= 1 ? map : map.Where(p => p.Key != key));
}
