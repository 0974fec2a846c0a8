namespace CustomerHealth.Core.Backtesting;

/// <summary>One observation of a backtest: an account's risk at a date and whether it churned within the horizon.</summary>
public readonly record struct Outcome(double Risk, bool Churned);

/// <summary>How well a risk ranks churners above the others.</summary>
public static class Metrics
{
    /// <summary>
    /// ROC AUC: the chance that a churner's risk is above a non-churner's, ties counting half (the Mann–Whitney U
    /// statistic over both counts). Null when either class is empty.
    /// </summary>
    public static double? Auc(IReadOnlyList<Outcome> outcomes)
    {
        var sorted = outcomes.OrderBy(o => o.Risk).ToArray();
        long positives = sorted.LongCount(o => o.Churned), negatives = sorted.Length - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }
        // Sum of the churners' mid-ranks (1-based), each tied group sharing its average rank.
        double rankSum = 0;
        for (var i = 0; i < sorted.Length;)
        {
            var j = i;
            while (j < sorted.Length && sorted[j].Risk == sorted[i].Risk)
            {
                j++;
            }
            var midRank = (i + 1 + j) / 2.0;
            for (var k = i; k < j; k++)
            {
                if (sorted[k].Churned)
                {
                    rankSum += midRank;
                }
            }
            i = j;
        }
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>
    /// Churn rate among the riskiest tenth of observations (ceil(n/10) of them; ties at the cut share it in proportion)
    /// divided by the overall churn rate. Null when nobody churned.
    /// </summary>
    public static double? TopDecileLift(IReadOnlyList<Outcome> outcomes)
    {
        var n = outcomes.Count;
        var churned = outcomes.Count(o => o.Churned);
        if (n == 0 || churned == 0)
        {
            return null;
        }
        var take = (int)Math.Ceiling(n / 10.0);
        var sorted = outcomes.OrderByDescending(o => o.Risk).ToArray();
        var cutRisk = sorted[take - 1].Risk;
        // Everything riskier than the cut counts whole; the group tied at the cut counts for the places left.
        double inTop = sorted.TakeWhile(o => o.Risk > cutRisk).Count(o => o.Churned);
        var above = sorted.Count(o => o.Risk > cutRisk);
        var tied = sorted.Where(o => o.Risk == cutRisk).ToArray();
        inTop += tied.Count(o => o.Churned) * (double)(take - above) / tied.Length;
        return inTop / take / ((double)churned / n);
    }

    /// <summary>Edges splitting values into (up to) ten groups of about equal size: the 10th, 20th, ... 90th percentiles.</summary>
    public static double[] DecileEdges(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return [];
        }
        return Enumerable.Range(1, 9).Select(d => sorted[Math.Min(sorted.Length - 1, (int)Math.Floor(d * sorted.Length / 10.0))]).Distinct().ToArray();
    }

    /// <summary>The group of a value among decile edges: 0 below the first edge, edges.Length at or above the last.</summary>
    public static int Group(double value, double[] edges)
    {
        var g = 0;
        while (g < edges.Length && value >= edges[g])
        {
            g++;
        }
        return g;
    }
}
