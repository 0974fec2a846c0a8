using System.Globalization;
using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Model;

/// <summary>
/// The changes the model builder (the form beside the YAML) makes to a model, each a new model: weights, labels, a
/// measure's value and score range, parts and measures added, removed and moved. A change that would leave a model the
/// loader refuses is not made (a part keeps at least one measure, a model at least one part); a removed part or measure
/// also leaves the scorecards' weights. The form writes the result with <see cref="ModelWriter"/>.
/// </summary>
public static partial class ModelEdits
{
    /// <summary>The window a measure gets when its aggregate needs one and none was given.</summary>
    public const int DefaultWindowDays = 30;

    public static HealthModel WithDimension(HealthModel model, string dimension, Func<Dimension, Dimension> change) =>
        model with { Dimensions = [.. model.Dimensions.Select(d => d.Id == dimension ? change(d) : d)] };

    public static HealthModel WithMeasure(HealthModel model, string dimension, string measure, Func<Measure, Measure> change) =>
        WithDimension(model, dimension, d => d with { Measures = [.. d.Measures.Select(m => m.Id == measure ? change(m) : m)] });

    /// <summary>A part's weight (in a points model parts have none: their measures' points count).</summary>
    public static HealthModel DimensionWeight(HealthModel model, string dimension, double weight) =>
        WithDimension(model, dimension, d => d with { Weight = Math.Max(0, weight) });

    /// <summary>A measure's weight within its part, or its points in a points model.</summary>
    public static HealthModel MeasureWeight(HealthModel model, string dimension, string measure, double weight) =>
        WithMeasure(model, dimension, measure, m => model.Scale == ScaleKind.Points ? m with { Points = Math.Max(0, weight) } : m with { Weight = Math.Max(0, weight) });

    /// <summary>
    /// A measure's signal, aggregate and window (days; null for none). A signal the aggregate does not belong to gets
    /// the signal's first aggregate; an option the aggregate needs gets a default (NPS answers, the `health` metric,
    /// ARR) and options it cannot take are dropped; an aggregate read as of the day takes no window, one that compares
    /// windows needs one.
    /// </summary>
    public static HealthModel MeasureValue(HealthModel model, string dimension, string measure, SignalKind signal, string aggregate, int? windowDays) =>
        WithMeasure(model, dimension, measure, m =>
        {
            var entry = AggregateCatalog.Find(signal, aggregate) ?? AggregateCatalog.DefaultFor(signal) ?? AggregateCatalog.All.First(a => a.Signal == signal);
            var options = entry.Options;
            var old = m.Value;
            var value = new ValueSpec
            {
                Signal = signal,
                Aggregate = entry.Name,
                WindowDays = entry.AsOfTheDay ? null : entry.ComparesWindows ? windowDays ?? DefaultWindowDays : windowDays,
                Events = options.HasFlag(ValueOptions.Events) && old.Signal == signal ? old.Events : [],
                PerSeats = options.HasFlag(ValueOptions.PerSeats) && old.Signal == signal && old.PerSeats,
                Kind = options.HasFlag(ValueOptions.SurveyKind) ? entry.NeedsKind ?? (old.Signal == signal ? old.Kind : null) ?? "nps" : null,
                Metric = options.HasFlag(ValueOptions.Metric) ? (old.Signal == signal ? old.Metric : null) ?? "health" : null,
                Field = options.HasFlag(ValueOptions.Field) ? (old.Signal == signal ? old.Field : null) ?? "arr" : null,
                Priorities = options.HasFlag(ValueOptions.Priority) && old.Signal == signal ? old.Priorities : [],
                Default = old.Signal == signal ? old.Default : null,
            };
            return m with { Value = value };
        });

    /// <summary>A measure's signal, keeping its aggregate and window where they still apply (see <see cref="MeasureValue"/>).</summary>
    public static HealthModel MeasureSignal(HealthModel model, string dimension, string measure, SignalKind signal) =>
        Find(model, dimension, measure) is { } m ? MeasureValue(model, dimension, measure, signal, m.Value.Aggregate, m.Value.WindowDays) : model;

    /// <summary>A measure's aggregate, of its signal.</summary>
    public static HealthModel MeasureAggregate(HealthModel model, string dimension, string measure, string aggregate) =>
        Find(model, dimension, measure) is { } m ? MeasureValue(model, dimension, measure, m.Value.Signal, aggregate, m.Value.WindowDays) : model;

    /// <summary>A measure's window in days; null for none (all history, or as of the day).</summary>
    public static HealthModel MeasureWindow(HealthModel model, string dimension, string measure, int? windowDays) =>
        Find(model, dimension, measure) is { } m ? MeasureValue(model, dimension, measure, m.Value.Signal, m.Value.Aggregate, windowDays) : model;

    /// <summary>A measure's options and filters (events, survey kind, metric, field, priorities, per seats, default), read from its value as it is then.</summary>
    public static HealthModel MeasureOptions(HealthModel model, string dimension, string measure, Func<ValueSpec, ValueSpec> change) =>
        WithMeasure(model, dimension, measure, m => m with { Value = change(m.Value) });

    /// <summary>Only these usage events count (a comma-separated list; empty: every event).</summary>
    public static HealthModel MeasureEvents(HealthModel model, string dimension, string measure, string? events) =>
        MeasureOptions(model, dimension, measure, v => v with { Events = ListOf(events) });

    /// <summary>Only tickets of these priorities count (a comma-separated list; empty: every priority).</summary>
    public static HealthModel MeasurePriorities(HealthModel model, string dimension, string measure, string? priorities) =>
        MeasureOptions(model, dimension, measure, v => v with { Priorities = ListOf(priorities) });

    /// <summary>The value divided by the account's seats, or not.</summary>
    public static HealthModel MeasurePerSeats(HealthModel model, string dimension, string measure, bool perSeats) =>
        MeasureOptions(model, dimension, measure, v => v with { PerSeats = perSeats });

    /// <summary>The survey kind (nps, csat, ces), the metric's name or the account field a measure reads; a blank one is not set.</summary>
    public static HealthModel MeasureKind(HealthModel model, string dimension, string measure, string? kind) =>
        string.IsNullOrWhiteSpace(kind) ? model : MeasureOptions(model, dimension, measure, v => v with { Kind = kind.Trim().ToLowerInvariant() });

    /// <inheritdoc cref="MeasureKind"/>
    public static HealthModel MeasureMetric(HealthModel model, string dimension, string measure, string? metric) =>
        string.IsNullOrWhiteSpace(metric) ? model : MeasureOptions(model, dimension, measure, v => v with { Metric = metric.Trim() });

    /// <inheritdoc cref="MeasureKind"/>
    public static HealthModel MeasureField(HealthModel model, string dimension, string measure, string? field) =>
        string.IsNullOrWhiteSpace(field) ? model : MeasureOptions(model, dimension, measure, v => v with { Field = field.Trim() });

    /// <summary>The value an account that never sent this kind of signal counts as; null: it is missing.</summary>
    public static HealthModel MeasureDefault(HealthModel model, string dimension, string measure, double? value) =>
        MeasureOptions(model, dimension, measure, v => v with { Default = value });

    /// <summary>The items of a comma-separated list, trimmed, each once, blanks left out.</summary>
    public static IReadOnlyList<string> ListOf(string? text) =>
        (text ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToList();

    /// <summary>The value scored 0 on a straight line (a measure scored otherwise becomes a straight line up to one more).</summary>
    public static HealthModel MeasureWorst(HealthModel model, string dimension, string measure, double worst) =>
        Find(model, dimension, measure) is { } m ? MeasureRange(model, dimension, measure, worst, m.Score is RangeScore r ? r.Best : worst + 1) : model;

    /// <summary>The value scored 100 on a straight line (a measure scored otherwise becomes a straight line from one less).</summary>
    public static HealthModel MeasureBest(HealthModel model, string dimension, string measure, double best) =>
        Find(model, dimension, measure) is { } m ? MeasureRange(model, dimension, measure, m.Score is RangeScore r ? r.Worst : best - 1, best) : model;

    internal static Measure? Find(HealthModel model, string dimension, string measure) =>
        model.Dimensions.FirstOrDefault(d => d.Id == dimension)?.Measures.FirstOrDefault(m => m.Id == measure);

    /// <summary>A measure scored on a straight line from its worst value (0) to its best (100).</summary>
    public static HealthModel MeasureRange(HealthModel model, string dimension, string measure, double worst, double best) =>
        WithMeasure(model, dimension, measure, m => m with { Score = new RangeScore(worst, best) });

    public static HealthModel DimensionLabel(HealthModel model, string dimension, string label) =>
        string.IsNullOrWhiteSpace(label) ? model : WithDimension(model, dimension, d => d with { Label = label.Trim() });

    public static HealthModel MeasureLabel(HealthModel model, string dimension, string measure, string label) =>
        string.IsNullOrWhiteSpace(label) ? model : WithMeasure(model, dimension, measure, m => m with { Label = label.Trim() });

    /// <summary>Moves a part up (−1) or down (+1) in the model.</summary>
    public static HealthModel MoveDimension(HealthModel model, string dimension, int by) =>
        model with { Dimensions = Moved(model.Dimensions, model.Dimensions.ToList().FindIndex(d => d.Id == dimension), by) };

    /// <summary>Moves a measure up (−1) or down (+1) within its part.</summary>
    public static HealthModel MoveMeasure(HealthModel model, string dimension, string measure, int by) =>
        WithDimension(model, dimension, d => d with { Measures = Moved(d.Measures, d.Measures.ToList().FindIndex(m => m.Id == measure), by) });

    /// <summary>Removes a part, unless it is the only one; its weights leave the scorecards.</summary>
    public static HealthModel RemoveDimension(HealthModel model, string dimension) =>
        model.Dimensions.Count <= 1 || model.Dimensions.All(d => d.Id != dimension) ? model
            : model with
            {
                Dimensions = [.. model.Dimensions.Where(d => d.Id != dimension)],
                Scorecards = [.. model.Scorecards.Select(c => c with { Weights = c.Weights.Where(w => w.Key != dimension && !w.Key.StartsWith(dimension + ".", StringComparison.Ordinal)).ToDictionary() })],
            };

    /// <summary>Removes a measure, unless it is its part's only one; its weight leaves the scorecards.</summary>
    public static HealthModel RemoveMeasure(HealthModel model, string dimension, string measure) =>
        model.Dimensions.FirstOrDefault(d => d.Id == dimension) is not { Measures.Count: > 1 } ? model
            : WithDimension(model, dimension, d => d with { Measures = [.. d.Measures.Where(m => m.Id != measure)] }) with
            {
                Scorecards = [.. model.Scorecards.Select(c => c with { Weights = c.Weights.Where(w => w.Key != $"{dimension}.{measure}").ToDictionary() })],
            };

    /// <summary>Adds a part with one measure (days with product use in 30 days, 0 → worst, 20 → best), named so as not to clash.</summary>
    public static HealthModel AddDimension(HealthModel model)
    {
        var id = FreeId(model.Dimensions.Select(d => d.Id), "part");
        var dimension = new Dimension(id, "New part", model.Scale == ScaleKind.Points ? 1 : 10, [NewMeasure(model, "measure")]);
        return model with { Dimensions = [.. model.Dimensions, dimension] };
    }

    /// <summary>Adds a measure to a part (days with product use in 30 days), named so as not to clash.</summary>
    public static HealthModel AddMeasure(HealthModel model, string dimension) =>
        WithDimension(model, dimension, d => d with { Measures = [.. d.Measures, NewMeasure(model, FreeId(d.Measures.Select(m => m.Id), "measure"))] });

    private static Measure NewMeasure(HealthModel model, string id) => new()
    {
        Id = id,
        Label = "New measure",
        Weight = 1,
        Points = model.Scale == ScaleKind.Points ? 10 : 0,
        Value = new ValueSpec { Signal = SignalKind.Usage, Aggregate = "active_days", WindowDays = DefaultWindowDays },
        Score = new RangeScore(0, 20),
    };

    internal static string FreeId(IEnumerable<string> taken, string stem)
    {
        var used = taken.ToHashSet(StringComparer.Ordinal);
        var n = 1;
        while (used.Contains(stem + "_" + n.ToString(CultureInfo.InvariantCulture)))
        {
            n++;
        }
        return stem + "_" + n.ToString(CultureInfo.InvariantCulture);
    }

    internal static IReadOnlyList<T> Moved<T>(IReadOnlyList<T> items, int index, int by)
    {
        var to = index + by;
        if (index < 0 || to < 0 || to >= items.Count)
        {
            return items;
        }
        var list = items.ToList();
        (list[index], list[to]) = (list[to], list[index]);
        return list;
    }
}
