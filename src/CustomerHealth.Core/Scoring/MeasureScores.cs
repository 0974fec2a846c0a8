using System.Buffers;
using System.Globalization;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Scoring;

/// <summary>Maps raw values onto 0–100 (SPEC §4.2).</summary>
public static class MeasureScores
{
    /// <summary>The score of a value under `range`, `bands` or `map`; NaN when the value cannot be scored.</summary>
    public static double Score(ScoreSpec spec, MeasureValue value)
    {
        if (value.IsMissing)
        {
            return double.NaN;
        }
        switch (spec)
        {
            case RangeScore r:
            {
                if (value.IsText)
                {
                    return double.NaN;
                }
                var t = (value.Number - r.Worst) / (r.Best - r.Worst);
                return 100 * Math.Clamp(t, 0, 1);
            }
            case BandsScore b:
            {
                if (value.IsText)
                {
                    return double.NaN;
                }
                foreach (var band in b.Bands)
                {
                    if (band.Below is not { } below || value.Number < below)
                    {
                        return band.Score;
                    }
                }
                return double.NaN;
            }
            case MapScore m:
            {
                var key = value.Text ?? value.Number.ToString(CultureInfo.InvariantCulture);
                return m.Map.TryGetValue(key, out var s) ? s : double.NaN;
            }
            default:
                return double.NaN;
        }
    }

    /// <summary>
    /// Mid-rank percentiles: 100 × (r − 1) / (n − 1) with r the average 1-based rank of each value (ties share it);
    /// a cohort of one scores 50. NaN entries are not in the cohort and stay NaN.
    /// </summary>
    public static void Percentiles(ReadOnlySpan<double> values, Span<double> scores, bool higherIsBetter)
    {
        // The values to rank and their places, in buffers lent for the call: a cohort of 100,000 accounts would
        // otherwise allocate large arrays for every measure scored.
        var orderBuffer = ArrayPool<int>.Shared.Rent(values.Length);
        var keysBuffer = ArrayPool<double>.Shared.Rent(values.Length);
        try
        {
            var n = 0;
            for (var i = 0; i < values.Length; i++)
            {
                scores[i] = double.NaN;
                if (!double.IsNaN(values[i]))
                {
                    orderBuffer[n] = i;
                    keysBuffer[n++] = values[i];
                }
            }
            Rank(keysBuffer.AsSpan(0, n), orderBuffer.AsSpan(0, n), scores, higherIsBetter);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(orderBuffer);
            ArrayPool<double>.Shared.Return(keysBuffer);
        }
    }

    /// <summary>Mid-ranks <paramref name="keys"/> (sorting them with their places in <paramref name="order"/>) into <paramref name="scores"/>.</summary>
    private static void Rank(Span<double> keys, Span<int> order, Span<double> scores, bool higherIsBetter)
    {
        var n = keys.Length;
        if (n == 0)
        {
            return;
        }
        keys.Sort(order);
        var start = 0;
        while (start < n)
        {
            var end = start;
            while (end + 1 < n && keys[end + 1] == keys[start])
            {
                end++;
            }
            // 1-based ranks start+1 .. end+1 share their mean.
            var rank = (start + end) / 2.0 + 1;
            var pct = n == 1 ? 50 : 100 * (rank - 1) / (n - 1);
            for (var i = start; i <= end; i++)
            {
                scores[order[i]] = higherIsBetter ? pct : 100 - pct;
            }
            start = end + 1;
        }
    }
}
