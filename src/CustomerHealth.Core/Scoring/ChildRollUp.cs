using System.Globalization;

namespace CustomerHealth.Core.Scoring;

/// <summary>`hierarchy: children`: a parent account is scored from its children.</summary>
public static class ChildRollUp
{
    /// <summary>
    /// Replaces each parent's score with the ARR-weighted mean of its scored children among <paramref name="results"/>
    /// (the plain mean when none of them has ARR), deepest parents first so that a grandparent sees its children's
    /// rolled-up scores; the coverage is weighted alike, and the note names the children. A parent none of whose
    /// children is scored keeps its own score.
    /// </summary>
    public static void Apply(ScoredAccount[] results)
    {
        var index = results.Select((r, i) => (r.Account.AccountId, i)).ToDictionary(x => x.AccountId, x => x.i, StringComparer.Ordinal);
        var children = results.Where(r => r.Account.ParentId is { } p && index.ContainsKey(p)).GroupBy(r => r.Account.ParentId!).ToDictionary(g => g.Key, g => g.Select(c => index[c.Account.AccountId]).ToList());
        int Depth(string id, int guard = 0)
        {
            var p = results[index[id]].Account.ParentId;
            return p is not null && index.ContainsKey(p) && guard < 64 ? 1 + Depth(p, guard + 1) : 0;
        }
        foreach (var parent in children.Keys.OrderByDescending(id => Depth(id)))
        {
            var kids = children[parent].Select(i => results[i]).Where(k => k.Score is not null).ToList();
            if (kids.Count == 0)
            {
                continue;
            }
            var weights = kids.Select(k => k.Account.Arr ?? 0).ToList();
            var totalWeight = weights.Sum();
            double score;
            if (totalWeight > 0)
            {
                score = kids.Select((k, i) => k.Score!.Value * weights[i]).Sum() / totalWeight;
            }
            else
            {
                score = kids.Average(k => k.Score!.Value);
            }
            var note = "ARR-weighted mean of " + kids.Count + " active children: " + string.Join(", ",
                kids.Select(k => $"{k.Account.AccountId} {k.Score!.Value.ToString("0.0", CultureInfo.InvariantCulture)} (ARR {(k.Account.Arr ?? 0).ToString("0", CultureInfo.InvariantCulture)})"));
            var pi = index[parent];
            var coverage = totalWeight > 0 ? kids.Select((k, i) => k.Computed.Coverage * weights[i]).Sum() / totalWeight : kids.Average(k => k.Computed.Coverage);
            results[pi] = results[pi] with { Computed = new AccountScore(0, score, [], coverage), Score = score, Note = note };
        }
    }
}
