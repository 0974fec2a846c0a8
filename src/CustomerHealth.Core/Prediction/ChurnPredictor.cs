namespace CustomerHealth.Core.Prediction;

/// <summary>
/// What a measure's raw values looked like over a predictor's training observations: the cut points and shares
/// <see cref="Drift"/> compares today's values with, and the share of observations that had a value.
/// </summary>
public sealed record MeasureProfile(string Measure, string Label, double[] Edges, double[] Shares, double Coverage);

/// <summary>
/// A fitted churn predictor as it is kept: the boosted trees (ML.NET's model file), the calibration that turns their
/// score into a probability, the medians that fill a missing feature, the feature names it was fitted on, the settings,
/// and each measure's training profile for drift.
/// </summary>
public sealed record ChurnPredictor(
    IReadOnlyList<string> Features, double[] Medians, PlattScaling Calibration, BoostedSettings Settings, byte[] Trees, IReadOnlyList<MeasureProfile> Profiles)
{
    /// <summary>The probability of churn within the horizon of each row of raw features (<see cref="ChurnFeatures.Row"/>).</summary>
    public double[] Probabilities(IReadOnlyList<double[]> rows)
    {
        var imputer = new Imputer(Medians);
        var model = BoostedChurnModel.Load(Trees, Features.Count);
        return model.Scores(rows.Select(imputer.Fill).ToList()).Select(Calibration.Probability).ToArray();
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
