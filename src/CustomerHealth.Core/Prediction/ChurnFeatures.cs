using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Prediction;

/// <summary>
/// What the learned predictors read of an observation (an account on a date): each measure's raw value, whether it
/// had none, and its score; and the account's ARR, seats and days since it started (its recorded start, else its
/// first order or product use). A value that is not there is NaN
/// until <see cref="Imputer"/> fills it from the training rows.
/// </summary>
public sealed class ChurnFeatures
{
    private ChurnFeatures(IReadOnlyList<string> names, IReadOnlyList<string> labels, IReadOnlyList<(string Measure, string Label, int Column)> measures)
    {
        Names = names;
        Labels = labels;
        Measures = measures;
    }

    /// <summary>Each measure (`dimension.measure`), its label, and the column of its raw value.</summary>
    public IReadOnlyList<(string Measure, string Label, int Column)> Measures { get; }

    /// <summary>Each feature's name: `dimension.measure` with ` (value)`, ` (missing)` or ` (score)`; `arr`, `seats`, `tenure_days`.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Each feature in words, for the importance table.</summary>
    public IReadOnlyList<string> Labels { get; }

    public int Count => Names.Count;

    /// <summary>The features by what they speak of: each measure's three, then ARR, seats and days since the start, one each.</summary>
    public IReadOnlyList<FeatureGroup> Groups =>
        Measures.Select(m => new FeatureGroup(m.Measure, m.Label, [m.Column, m.Column + 1, m.Column + 2], m.Column))
            .Concat(Enumerable.Range(3 * Measures.Count, 3).Select(c => new FeatureGroup(Names[c], Labels[c], [c], c))).ToList();

    public static ChurnFeatures For(ScoringPlan plan)
    {
        var names = new List<string>();
        var labels = new List<string>();
        var measures = new List<(string, string, int)>();
        foreach (var (d, m) in plan.Model.AllMeasures())
        {
            measures.Add(($"{d.Id}.{m.Id}", m.Label, names.Count));
            names.AddRange([$"{d.Id}.{m.Id} (value)", $"{d.Id}.{m.Id} (missing)", $"{d.Id}.{m.Id} (score)"]);
            labels.AddRange([m.Label, $"{m.Label}: no value", $"{m.Label}: its score"]);
        }
        names.AddRange(["arr", "seats", "tenure_days"]);
        labels.AddRange(["ARR", "Seats", "Days since the customer started"]);
        return new ChurnFeatures(names, labels, measures);
    }

    /// <summary>The features of an observation made on <paramref name="day"/>; <paramref name="account"/> gives its fields.</summary>
    public double[] Row(Observation o, AccountData? account, int day, double maxScore) => Row(o.Measures, account, day, maxScore);

    /// <summary>The features of an account's measures as scored on <paramref name="day"/> (as many as the model has).</summary>
    public double[] Row(ScoredMeasure[] measures, AccountData? account, int day, double maxScore)
    {
        var row = new double[Count];
        for (var j = 0; j < measures.Length; j++)
        {
            var m = measures[j];
            var value = m.Value;
            row[3 * j] = value.IsMissing || value.IsText ? double.NaN : value.Number;
            row[3 * j + 1] = value.IsMissing ? 1 : 0;
            row[3 * j + 2] = m.Missing || double.IsNaN(m.Score) ? double.NaN : m.Score / maxScore;
        }
        var k = 3 * measures.Length;
        row[k] = account?.Arr ?? double.NaN;
        row[k + 1] = account?.Seats ?? double.NaN;
        row[k + 2] = Started(account) is { } started && started <= day ? day - started : double.NaN;
        return row;
    }

    /// <summary>The day the customer started: its recorded start, else its first order, else its first product use.</summary>
    private static int? Started(AccountData? a) =>
        a is null ? null : a.StartedDay ?? (a.Orders.Length > 0 ? a.Orders[0].Day : a.Usage.Count > 0 ? a.Usage[0].Day : null);
}

/// <summary>Fills a feature that is not there with its median over the training rows (0 when no training row has it).</summary>
public sealed class Imputer
{
    private readonly double[] medians;

    /// <summary>An imputer with the medians a fitted one had (<see cref="Medians"/>).</summary>
    public Imputer(double[] medians) => this.medians = medians;

    /// <summary>Each feature's fill.</summary>
    public double[] Medians => medians;

    public Imputer(IReadOnlyList<double[]> training)
    {
        var width = training.Count == 0 ? 0 : training[0].Length;
        medians = new double[width];
        for (var j = 0; j < width; j++)
        {
            var values = training.Select(r => r[j]).Where(double.IsFinite).Order().ToList();
            medians[j] = values.Count == 0 ? 0 : values[values.Count / 2];
        }
    }

    public double[] Fill(double[] row) => row.Select((v, j) => double.IsFinite(v) ? v : medians[j]).ToArray();
}

/// <summary>Puts each feature on a common scale (mean 0, standard deviation 1 over the training rows) so an L2 penalty weighs them alike.</summary>
public sealed class Standardizer
{
    private readonly double[] mean;
    private readonly double[] sd;

    public Standardizer(IReadOnlyList<double[]> training)
    {
        var width = training[0].Length;
        mean = new double[width];
        sd = new double[width];
        for (var j = 0; j < width; j++)
        {
            var m = training.Average(r => r[j]);
            var v = training.Average(r => (r[j] - m) * (r[j] - m));
            mean[j] = m;
            sd[j] = v > 1e-12 ? Math.Sqrt(v) : 1;
        }
    }

    public double[] Scale(double[] row) => row.Select((v, j) => (v - mean[j]) / sd[j]).ToArray();
}
