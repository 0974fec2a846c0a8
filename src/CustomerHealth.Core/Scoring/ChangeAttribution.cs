using System.Globalization;

namespace CustomerHealth.Core.Scoring;

/// <summary>The part of a score change that the account's own measures made, and the largest of them in words (null when none moved by a tenth).</summary>
public sealed record OwnChange(double Change, string? Mainly);

/// <summary>One side of a score change: a stored or computed score and what made it.</summary>
/// <param name="Plan">The scoring plan of the model version that scored it.</param>
/// <param name="ModelVersion">That model version.</param>
/// <param name="Card">The scorecard's index in <paramref name="Plan"/> (0: the base model).</param>
/// <param name="Measures">Each measure's part in the score, in the plan's order.</param>
/// <param name="Score">The score shown (an override's when one applies).</param>
/// <param name="Computed">The score the model computed.</param>
public sealed record ScoreSide(ScoringPlan Plan, string ModelVersion, int Card, IReadOnlyList<ScoredMeasure> Measures, double? Score, double? Computed);

/// <summary>
/// Why a score changed between two days, split into parts that add up exactly to the change: the Shapley values of
/// the score function over its causes. The players are the measures whose score (or presence) changed, and the
/// weights themselves when the model version or the scorecard changed. A part is what a cause adds on average over
/// every order in which the causes could have happened, so a measure that did not move gets 0, one cause alone gets
/// the whole change, causes with the same effect get equal parts, and the weight a measure takes from the others
/// when it appears (or gives back when it goes quiet) is that measure's part. An override set, changed or expired is
/// a part of its own: the shown score's distance from the computed one, then and now.
/// </summary>
public static class ChangeAttribution
{
    /// <summary>Up to this many moving causes the parts are exact (2^n evaluations of the score); beyond, see <see cref="Samples"/>.</summary>
    public const int ExactUpTo = 18;

    /// <summary>Beyond <see cref="ExactUpTo"/> causes: the mean over this many random orders and their reverses (the parts still add up exactly).</summary>
    public const int Samples = 1000;

    public const string SourceConnected = "source_connected";
    public const string SourceQuiet = "source_quiet";
    public const string Cohort = "cohort";
    public const string ModelVersion = "model_version";
    public const string Scorecard = "scorecard";
    public const string Override = "override";

    public static IReadOnlyList<ContributionChange> Attribute(ScoreSide from, ScoreSide to)
    {
        // The union of both models' measures by `dimension.measure`; a measure in one model only keeps one state.
        var keys = new List<string>(to.Plan.MeasureKeys);
        keys.AddRange(from.Plan.MeasureKeys.Where(k => Array.IndexOf(to.Plan.MeasureKeys, k) < 0));
        var n = keys.Count;
        var fromIndex = keys.Select(k => Array.IndexOf(from.Plan.MeasureKeys, k)).ToArray();
        var toIndex = keys.Select(k => Array.IndexOf(to.Plan.MeasureKeys, k)).ToArray();
        var x = new double[n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var before = fromIndex[i] >= 0 && fromIndex[i] < from.Measures.Count ? from.Measures[fromIndex[i]].Score : double.NaN;
            var after = toIndex[i] >= 0 && toIndex[i] < to.Measures.Count ? to.Measures[toIndex[i]].Score : double.NaN;
            x[i] = fromIndex[i] >= 0 ? before : after;
            y[i] = toIndex[i] >= 0 ? after : before;
        }
        var weightsChanged = from.ModelVersion != to.ModelVersion || from.Card != to.Card;
        var movers = Enumerable.Range(0, n).Where(i => !Same(x[i], y[i])).ToList();
        var players = movers.Count + (weightsChanged ? 1 : 0);
        var scores = new double[n];
        var scratch = new Scratch(Math.Max(from.Plan.Model.Dimensions.Count, to.Plan.Model.Dimensions.Count));

        // v(S): the score with the causes in S as they are on the later day and the others as on the earlier one.
        double Value(ulong mask)
        {
            Array.Copy(x, scores, n);
            for (var p = 0; p < movers.Count; p++)
            {
                if ((mask & (1UL << p)) != 0)
                {
                    scores[movers[p]] = y[movers[p]];
                }
            }
            var useTo = !weightsChanged || (mask & (1UL << movers.Count)) != 0;
            return useTo ? Total(to.Plan, to.Card, scores, toIndex, scratch) : Total(from.Plan, from.Card, scores, fromIndex, scratch);
        }

        var parts = players == 0 ? [] : players <= ExactUpTo ? Exact(players, Value) : Sampled(players, Value);
        var changes = new List<ContributionChange>();
        for (var i = 0; i < n; i++)
        {
            var fm = fromIndex[i] >= 0 && fromIndex[i] < from.Measures.Count ? from.Measures[fromIndex[i]] : (ScoredMeasure?)null;
            var tm = toIndex[i] >= 0 && toIndex[i] < to.Measures.Count ? to.Measures[toIndex[i]] : (ScoredMeasure?)null;
            var plan = toIndex[i] >= 0 ? to.Plan : from.Plan;
            var j = toIndex[i] >= 0 ? toIndex[i] : fromIndex[i];
            var part = movers.IndexOf(i) is var p and >= 0 ? parts[p] : 0;
            changes.Add(new ContributionChange(plan.Model.Dimensions[plan.MeasureDimension[j]].Id, plan.Measures[j].Id, plan.Measures[j].Label,
                fm is { } a ? Explanations.ValueOf(a) : null, tm is { } b ? Explanations.ValueOf(b) : null,
                fm?.Contribution ?? 0, tm?.Contribution ?? 0, part, part == 0 ? null : CauseOf(fm, tm)));
        }
        if (weightsChanged)
        {
            var modelChanged = from.ModelVersion != to.ModelVersion;
            changes.Add(new ContributionChange(null, null,
                modelChanged ? $"the model changed ({from.ModelVersion} → {to.ModelVersion})" : $"the scorecard changed ({from.Plan.ScorecardIds[from.Card]} → {to.Plan.ScorecardIds[to.Card]})",
                modelChanged ? from.ModelVersion : from.Plan.ScorecardIds[from.Card], modelChanged ? to.ModelVersion : to.Plan.ScorecardIds[to.Card],
                0, 0, parts[movers.Count], modelChanged ? ModelVersion : Scorecard));
        }
        var overrideThen = from.Score - from.Computed ?? 0;
        var overrideNow = to.Score - to.Computed ?? 0;
        if (overrideNow - overrideThen is var o && o != 0)
        {
            changes.Add(new ContributionChange(null, null,
                overrideNow == 0 ? "the override ended" : overrideThen == 0 ? "an override was set" : "the override changed",
                from.Score != from.Computed ? from.Score : null, to.Score != to.Computed ? to.Score : null, overrideThen, overrideNow, o, Override));
        }
        return changes.OrderByDescending(c => Math.Abs(c.Change)).ThenBy(c => c.Label, StringComparer.Ordinal).ToList();
    }

    /// <summary>Whether a part is the account's own doing: a measure whose value moved (also ranking differently among all accounts), not data arriving or going quiet, a new model, a scorecard or an override.</summary>
    public static bool IsOwn(ContributionChange c) => c.Measure is not null && c.Cause is null or Cohort;

    /// <summary>
    /// The largest part of a change in a line for people ("Logins per user -12.3", with "(data arrived)" and the like
    /// when it is not the account's own doing), or null when no part reaches a tenth of a point. The parts come largest
    /// first, as <see cref="Attribute"/> gives them.
    /// </summary>
    public static string? Headline(IEnumerable<ContributionChange> changes) =>
        changes.FirstOrDefault() is { } top && Math.Abs(top.Change) >= 0.05
            ? $"{top.Label} {top.Change.ToString("+0.0;-0.0;0.0", CultureInfo.InvariantCulture)}" + (Describe(top.Cause) is { Length: > 0 } why ? $" ({why})" : "")
            : null;

    /// <summary>The account's own part of a change (<see cref="IsOwn"/>) and its largest own cause in words.</summary>
    public static OwnChange Own(IReadOnlyList<ContributionChange> changes) =>
        new(changes.Where(IsOwn).Sum(c => c.Change), Headline(changes.Where(IsOwn)));

    /// <summary>A cause in words for people (empty for a measure whose own value moved).</summary>
    public static string Describe(string? cause) => cause switch
    {
        SourceConnected => "data arrived",
        SourceQuiet => "no data now",
        Cohort => "ranks differently among all accounts",
        ModelVersion => "new model",
        Scorecard => "other scorecard",
        Override => "override",
        _ => "",
    };

    /// <summary>What kind of cause a measure's part is: data arriving or going quiet, the same value ranking differently among all accounts, else the measure itself (null).</summary>
    private static string? CauseOf(ScoredMeasure? from, ScoredMeasure? to)
    {
        var wasPresent = from is { Missing: false };
        var isPresent = to is { Missing: false };
        if (wasPresent != isPresent)
        {
            return isPresent ? SourceConnected : SourceQuiet;
        }
        if (from is { } a && to is { } b && Equals(Explanations.ValueOf(a), Explanations.ValueOf(b)))
        {
            return Cohort;
        }
        return null;
    }

    private static bool Same(double a, double b) => a.Equals(b); // NaN equals NaN: both not counted

    /// <summary>The Shapley values over all 2^n coalitions: each player's marginal value weighted by |S|!(n−|S|−1)!/n!.</summary>
    private static double[] Exact(int n, Func<ulong, double> value)
    {
        var size = 1UL << n;
        var v = new double[size];
        for (ulong mask = 0; mask < size; mask++)
        {
            v[mask] = value(mask);
        }
        var weight = new double[n];
        for (var s = 0; s < n; s++)
        {
            // s!(n−s−1)!/n! = 1 / (n · C(n−1, s))
            weight[s] = 1.0 / (n * Binomial(n - 1, s));
        }
        var phi = new double[n];
        for (ulong mask = 0; mask < size; mask++)
        {
            var s = System.Numerics.BitOperations.PopCount(mask);
            for (var p = 0; p < n; p++)
            {
                if ((mask & (1UL << p)) == 0)
                {
                    phi[p] += weight[s] * (v[mask | (1UL << p)] - v[mask]);
                }
            }
        }
        return phi;
    }

    /// <summary>The mean marginal value over random orders and their reverses (seeded, so the same change is always explained the same way).</summary>
    private static double[] Sampled(int n, Func<ulong, double> value)
    {
        var random = new Random(20261202);
        var phi = new double[n];
        var order = Enumerable.Range(0, n).ToArray();
        for (var k = 0; k < Samples; k++)
        {
            random.Shuffle(order);
            foreach (var o in new[] { order, order.Reverse().ToArray() })
            {
                ulong mask = 0;
                var previous = value(0);
                foreach (var p in o)
                {
                    mask |= 1UL << p;
                    var next = value(mask);
                    phi[p] += next - previous;
                    previous = next;
                }
            }
        }
        for (var p = 0; p < n; p++)
        {
            phi[p] /= 2.0 * Samples;
        }
        return phi;
    }

    private static double Binomial(int n, int k)
    {
        double r = 1;
        for (var i = 1; i <= k; i++)
        {
            r = r * (n - k + i) / i;
        }
        return r;
    }

    private sealed class Scratch(int dims)
    {
        public readonly double[] DimTotal = new double[dims];
    }

    /// <summary>The score of <paramref name="plan"/> on the measure scores (NaN: not counted), as <see cref="ScoreCalculator.Combine"/> weighs them; 0 when nothing counts.</summary>
    private static double Total(ScoringPlan plan, int card, double[] scores, int[] index, Scratch scratch)
    {
        var mw = plan.MeasureWeights[card];
        var dw = plan.DimensionWeights[card];
        var dimTotal = scratch.DimTotal;
        Array.Clear(dimTotal);
        for (var i = 0; i < scores.Length; i++)
        {
            if (index[i] >= 0 && !double.IsNaN(scores[i]))
            {
                dimTotal[plan.MeasureDimension[index[i]]] += mw[index[i]];
            }
        }
        double dimSum = 0;
        for (var d = 0; d < plan.Model.Dimensions.Count; d++)
        {
            if (dimTotal[d] > 0)
            {
                dimSum += dw[d];
            }
        }
        if (dimSum <= 0)
        {
            return 0;
        }
        var scale = plan.MaxScore / 100;
        double total = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var j = index[i];
            if (j < 0 || double.IsNaN(scores[i]))
            {
                continue;
            }
            var d = plan.MeasureDimension[j];
            if (dimTotal[d] > 0)
            {
                total += dw[d] / dimSum * (mw[j] / dimTotal[d]) * scale * scores[i];
            }
        }
        return total;
    }
}
