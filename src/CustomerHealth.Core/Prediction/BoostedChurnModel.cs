using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace CustomerHealth.Core.Prediction;

/// <summary>The settings of a boosted model that are chosen on held-out data: trees, leaves per tree, the fewest observations a leaf holds, the learning rate.</summary>
public sealed record BoostedSettings(int Trees, int Leaves, int MinLeaf, double LearningRate)
{
    /// <summary>The settings tried, from the simplest: few shallow trees to more, deeper ones.</summary>
    public static IReadOnlyList<BoostedSettings> Grid { get; } =
    [
        new(100, 4, 20, 0.1),
        new(100, 16, 20, 0.1),
        new(300, 8, 20, 0.05),
        new(300, 16, 50, 0.05),
    ];
}

/// <summary>
/// Gradient-boosted decision trees for churn (ML.NET's FastTree), fitted on feature rows with no value missing
/// (<see cref="Imputer"/>). It gives an uncalibrated score per row (higher: more likely to churn), which
/// <see cref="VennAbers"/> turns into a probability on held-out data, and each feature's importance (the gain of
/// the splits on it). Fitting is single-threaded with a fixed seed, so the same rows give the same model.
/// </summary>
public sealed class BoostedChurnModel
{
    private readonly MLContext ml;
    private readonly ITransformer model;
    private readonly int width;

    private BoostedChurnModel(MLContext ml, ITransformer model, int width, double[] importance)
    {
        this.ml = ml;
        this.model = model;
        this.width = width;
        Importance = importance;
    }

    /// <summary>The fitted trees as ML.NET's model file (a zip), to be kept and read back with <see cref="Load"/>.</summary>
    public byte[] Save()
    {
        using var stream = new MemoryStream();
        ml.Model.Save(model, Data(ml, [], [], width).Schema, stream);
        return stream.ToArray();
    }

    /// <summary>Trees kept with <see cref="Save"/>, for rows of <paramref name="width"/> features (the importance is not kept).</summary>
    public static BoostedChurnModel Load(byte[] saved, int width)
    {
        var ml = new MLContext(1);
        using var stream = new MemoryStream(saved);
        return new BoostedChurnModel(ml, ml.Model.Load(stream, out _), width, new double[width]);
    }

    /// <summary>Each feature's share of the model's total split gain (they sum to 1; all 0 when no tree split).</summary>
    public IReadOnlyList<double> Importance { get; }

    public static BoostedChurnModel Fit(IReadOnlyList<double[]> rows, IReadOnlyList<bool> churned, BoostedSettings settings, int seed = 1)
    {
        var width = rows[0].Length;
        var ml = new MLContext(seed);
        var data = Data(ml, rows, churned, width);
        var trainer = ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
        {
            NumberOfTrees = settings.Trees,
            NumberOfLeaves = settings.Leaves,
            MinimumExampleCountPerLeaf = settings.MinLeaf,
            LearningRate = settings.LearningRate,
            Seed = seed,
            NumberOfThreads = 1,
        });
        var fitted = trainer.Fit(data);
        var gains = new VBuffer<float>();
        fitted.Model.SubModel.GetFeatureWeights(ref gains);
        var dense = gains.DenseValues().Select(g => (double)g).ToArray();
        var total = dense.Sum();
        var importance = dense.Select(g => total > 0 ? g / total : 0).ToArray();
        return new BoostedChurnModel(ml, fitted, width, importance);
    }

    /// <summary>The model's score of each row: higher is likelier to churn (not a probability).</summary>
    public double[] Scores(IReadOnlyList<double[]> rows)
    {
        if (rows.Count == 0)
        {
            return [];
        }
        var scored = model.Transform(Data(ml, rows, rows.Select(_ => false).ToList(), width));
        return scored.GetColumn<float>("Score").Select(s => (double)s).ToArray();
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];

        public bool Label { get; set; }
    }

    private static IDataView Data(MLContext ml, IReadOnlyList<double[]> rows, IReadOnlyList<bool> churned, int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { Features = r.Select(v => (float)v).ToArray(), Label = churned[i] }), schema);
    }
}

/// <summary>A probability from a model's score: 1 / (1 + e^-(a + b × score)), a and b fitted on held-out observations (Platt scaling).</summary>
public sealed record PlattScaling(double Intercept, double Slope)
{
    public double Probability(double score) => Backtesting.ChurnModel.Logistic(Intercept + Slope * score);

    /// <summary>Fitted on held-out scores and outcomes (a tiny L2 penalty keeps it finite when they separate perfectly).</summary>
    public static PlattScaling Fit(IReadOnlyList<double> scores, IReadOnlyList<bool> churned)
    {
        var fit = Backtesting.ChurnModel.Fit(scores.Select(s => new[] { s }).ToList(), churned, 1e-3);
        return new PlattScaling(fit.Intercept, fit.Coefficients[0]);
    }
}
