using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Scoring;

/// <summary>A model flattened for scoring: measures in model order and, per scorecard, their weights.</summary>
public sealed class ScoringPlan
{
    public ScoringPlan(HealthModel model)
    {
        Model = model;
        var measures = model.AllMeasures().ToList();
        Measures = measures.Select(x => x.Measure).ToArray();
        Aggregates = Measures.Select(m => AggregateCatalog.Find(m.Value.Signal, m.Value.Aggregate)
            ?? throw new ArgumentException($"measure `{m.Id}`: unknown aggregate `{m.Value.Aggregate}`", nameof(model))).ToArray();
        MeasureDimension = measures.Select(x => model.Dimensions.ToList().IndexOf(x.Dimension)).ToArray();
        MeasureKeys = measures.Select(x => x.Dimension.Id + "." + x.Measure.Id).ToArray();
        ScorecardIds = ["default", .. model.Scorecards.Select(s => s.Id)];
        var cards = new List<(double[] Dim, double[] Measure)> { BaseWeights(model) };
        foreach (var card in model.Scorecards)
        {
            var (dim, measure) = BaseWeights(model);
            for (var i = 0; i < Measures.Length; i++)
            {
                if (card.Weights.TryGetValue(MeasureKeys[i], out var w))
                {
                    measure[i] = w;
                }
            }
            for (var d = 0; d < model.Dimensions.Count; d++)
            {
                if (model.Scale == ScaleKind.Points)
                {
                    dim[d] = Enumerable.Range(0, Measures.Length).Where(i => MeasureDimension[i] == d).Sum(i => measure[i]);
                }
                else if (card.Weights.TryGetValue(model.Dimensions[d].Id, out var w))
                {
                    dim[d] = w;
                }
            }
            cards.Add((dim, measure));
        }
        DimensionWeights = cards.Select(c => c.Dim).ToArray();
        MeasureWeights = cards.Select(c => c.Measure).ToArray();
        MaxScore = model.Scale == ScaleKind.Points ? MeasureWeights[0].Sum() : 100;
    }

    public HealthModel Model { get; }
    public Measure[] Measures { get; }
    /// <summary>The catalog entry of each measure's aggregate, resolved once for the model.</summary>
    public Aggregate[] Aggregates { get; }
    /// <summary>The dimension index of each measure.</summary>
    public int[] MeasureDimension { get; }
    /// <summary>`dimension.measure` of each measure.</summary>
    public string[] MeasureKeys { get; }
    public string[] ScorecardIds { get; }
    public double[][] DimensionWeights { get; }
    public double[][] MeasureWeights { get; }
    public double MaxScore { get; }

    /// <summary>Whether a measure needs the BG/NBD fit over every account's orders (`p_alive`).</summary>
    public bool UsesPAlive => Aggregates.Any(a => a.NeedsOrdersFit);

    /// <summary>
    /// True when an account's score can change without any change to its own signals: the model rolls parents up from
    /// their children (`hierarchy: children`) or fits a population-wide model (`p_alive`'s BG/NBD fit over every
    /// account's orders). Then rescoring only the accounts whose signals changed is not enough: every account is scored.
    /// </summary>
    public bool DependsOnOtherAccounts => Model.Hierarchy == HierarchyMode.Children || UsesPAlive;

    /// <summary>The scorecard of an account: the first whose every condition matches, else 0 (the base model).</summary>
    public int ScorecardFor(Func<string, string?> field)
    {
        for (var i = 0; i < Model.Scorecards.Count; i++)
        {
            var card = Model.Scorecards[i];
            if (card.When.All(c => field(c.Key) is { } v && c.Value.Contains(v, StringComparer.OrdinalIgnoreCase)))
            {
                return i + 1;
            }
        }
        return 0;
    }

    public MissingPolicy MissingOf(int measure) => Measures[measure].Missing ?? Model.Missing;

    private static (double[] Dim, double[] Measure) BaseWeights(HealthModel model)
    {
        var points = model.Scale == ScaleKind.Points;
        var measure = model.AllMeasures().Select(x => points ? x.Measure.Points : x.Measure.Weight).ToArray();
        var dim = model.Dimensions.Select(d => points ? d.Measures.Sum(m => m.Points) : d.Weight).ToArray();
        return (dim, measure);
    }
}
