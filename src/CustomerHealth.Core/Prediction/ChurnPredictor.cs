using System.Globalization;

namespace CustomerHealth.Core.Prediction;

/// <summary>
/// What a measure's raw values looked like over a predictor's training observations: the cut points and shares
/// <see cref="Drift"/> compares today's values with, and the share of observations that had a value.
/// </summary>
public sealed record MeasureProfile(string Measure, string Label, double[] Edges, double[] Shares, double Coverage);

/// <summary>The features that speak of one thing: a measure's (raw value, no value, score) or an account field's.</summary>
/// <param name="Name">`dimension.measure`, or `arr`, `seats`, `tenure_days`.</param>
/// <param name="Label">In words.</param>
/// <param name="Columns">Its features' columns.</param>
/// <param name="ValueColumn">The column of its raw value.</param>
public sealed record FeatureGroup(string Name, string Label, int[] Columns, int ValueColumn);

/// <summary>One of an account's drivers: a measure or field, its value, and how many points of churn risk it adds (negative: takes away).</summary>
/// <param name="Feature">`dimension.measure`, or `arr`, `seats`, `tenure_days`.</param>
/// <param name="Label">In words.</param>
/// <param name="Value">The account's raw value, or null when it has none.</param>
/// <param name="Points">Percentage points of churn risk: the account's probability less what it would be were this at its typical value (the training median).</param>
public sealed record ChurnDriver(string Feature, string Label, double? Value, double Points)
{
    /// <summary>"Days since last login: 21 → +12 points of risk".</summary>
    public string Text =>
        $"{Label}: {(Value is { } v ? Number(v) : "no value")} → {(Points >= 0 ? "+" : "−")}{Math.Abs(Points).ToString("0", CultureInfo.InvariantCulture)} points of risk";

    private static string Number(double v) =>
        Math.Abs(v) >= 1000 ? v.ToString("N0", CultureInfo.InvariantCulture) : Math.Round(v, 2).ToString(CultureInfo.InvariantCulture);
}

/// <summary>An account's learned churn prediction: the probability within the horizon, its Venn–Abers interval, and its top drivers.</summary>
public sealed record ChurnPrediction(double Probability, double Low, double High, IReadOnlyList<ChurnDriver> Drivers);

/// <summary>
/// A fitted churn predictor as it is kept: the boosted trees (ML.NET's model file), the calibration that turns their
/// score into a probability with an interval (<see cref="VennAbers"/>), the medians that fill a missing feature, the
/// feature names it was fitted on and how they group, the settings, and each measure's training profile for drift.
/// </summary>
public sealed record ChurnPredictor(
    IReadOnlyList<string> Features, IReadOnlyList<FeatureGroup> Groups, double[] Medians, VennAbers Calibration, BoostedSettings Settings, byte[] Trees,
    IReadOnlyList<MeasureProfile> Profiles)
{
    /// <summary>How many drivers an account's prediction names.</summary>
    public const int TopDrivers = 3;

    // The trees read from Trees once, for every later prediction (a scoring run predicts each day it scores).
    private BoostedChurnModel? loaded;

    private BoostedChurnModel Model => loaded ??= BoostedChurnModel.Load(Trees, Features.Count);

    /// <summary>The probability of churn within the horizon of each row of raw features (<see cref="ChurnFeatures"/>).</summary>
    public double[] Probabilities(IReadOnlyList<double[]> rows)
    {
        var imputer = new Imputer(Medians);
        return Model.Scores(rows.Select(imputer.Fill).ToList()).Select(Calibration.Probability).ToArray();
    }

    /// <summary>The accounts predicted at a time (each with a variant per feature group), to bound the memory.</summary>
    private const int Batch = 1000;

    /// <summary>
    /// Each row's prediction: its probability and interval, and the <see cref="TopDrivers"/> measures or fields that move
    /// it most. A driver's points are the probability less what it would be were that measure (or field) at its typical
    /// value — the training median of each of its features — the others as they are, in percentage points; those that
    /// move it by less than 0.05 points are not drivers.
    /// </summary>
    public IReadOnlyList<ChurnPrediction> Predict(IReadOnlyList<double[]> rows)
    {
        var imputer = new Imputer(Medians);
        var model = Model;
        var predictions = new List<ChurnPrediction>(rows.Count);
        foreach (var chunk in rows.Chunk(Batch))
        {
            // Each row, then each row with one group at its typical values.
            var filled = chunk.Select(imputer.Fill).ToList();
            var variants = new List<double[]>(filled.Count * (Groups.Count + 1));
            foreach (var row in filled)
            {
                variants.Add(row);
                foreach (var g in Groups)
                {
                    var typical = (double[])row.Clone();
                    foreach (var c in g.Columns)
                    {
                        typical[c] = Medians[c];
                    }
                    variants.Add(typical);
                }
            }
            var scores = model.Scores(variants);
            for (var i = 0; i < chunk.Length; i++)
            {
                var at = i * (Groups.Count + 1);
                var s = scores[at];
                var p = Calibration.Probability(s);
                var (low, high) = Calibration.Interval(s);
                var raw = chunk[i];
                var drivers = Groups
                    .Select((g, k) => new ChurnDriver(g.Name, g.Label, double.IsFinite(raw[g.ValueColumn]) ? raw[g.ValueColumn] : null,
                        Math.Round(100 * (p - Calibration.Probability(scores[at + 1 + k])), 1)))
                    .Where(d => Math.Abs(d.Points) >= 0.05)
                    .OrderByDescending(d => Math.Abs(d.Points)).ThenBy(d => d.Feature, StringComparer.Ordinal)
                    .Take(TopDrivers).ToList();
                predictions.Add(new ChurnPrediction(Math.Round(p, 4), Math.Round(low, 4), Math.Round(high, 4), drivers));
            }
        }
        return predictions;
    }

    /// <summary>The training profile of each measure's raw value (its first feature) over the training rows.</summary>
    internal static IReadOnlyList<MeasureProfile> ProfilesOf(ChurnFeatures features, IReadOnlyList<double[]> trainingRows)
    {
        return features.Measures.Select(m =>
        {
            var values = trainingRows.Select(r => r[m.Column]).Where(double.IsFinite).ToList();
            var (edges, shares) = Drift.Profile(values);
            return new MeasureProfile(m.Measure, m.Label, edges, shares, trainingRows.Count == 0 ? 0 : (double)values.Count / trainingRows.Count);
        }).ToList();
    }
}
