using System.Security.Cryptography;
using System.Text;
using MathNet.Numerics.Distributions;

namespace CustomerHealth.Core.Alerts;

/// <summary>
/// A rule's hold-out (`holdout: 10%`): which accounts it alerts for reporting only, with no task and no notification,
/// so that what the play does can be measured against them. An account is held out of a rule when a uniform number
/// drawn from the rule's id and the account's id (SHA-256) is below the share: as good as random, independent of
/// everything the account does, and the same every time the rule fires for it, so an account never switches side.
/// </summary>
public static class Holdout
{
    /// <summary>Whether the account is in the rule's hold-out group for a share between 0 and 1.</summary>
    public static bool IsHeldOut(string ruleId, string accountId, double share) => share > 0 && Draw(ruleId, accountId) < share;

    /// <summary>The account's uniform number in [0, 1) for the rule.</summary>
    public static double Draw(string ruleId, string accountId)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(ruleId + "\n" + accountId));
        return (BitConverter.ToUInt64(hash, 0) >> 11) / (double)(1UL << 53);
    }
}

/// <summary>What became of one alert's account: whether it was held out, whether it churned within the horizon (null: the horizon has not passed yet), and its score change after each of <see cref="PlayEffect.ScoreDays"/> (null: not scored then).</summary>
public sealed record PlayOutcome(bool HeldOut, bool? Churned, double?[] ScoreChanges);

/// <summary>
/// Treated less held out: each group's size and mean, the difference, and its 95% confidence interval (null when a
/// group has too few to say).
/// </summary>
public sealed record EffectEstimate(int Treated, int HeldOut, double? TreatedMean, double? HeldOutMean, double? Difference, double? Low, double? High);

/// <summary>The score change a number of days after the alert, treated against held out.</summary>
public sealed record ScoreEffect(int Days, EffectEstimate Estimate);

/// <summary>`chs alerts effect`: the alerts counted, and the effect on churn within the horizon and on the score later.</summary>
public sealed record PlayEffectReport(int Alerts, int Treated, int HeldOut, EffectEstimate Churn, IReadOnlyList<ScoreEffect> Score);

/// <summary>
/// Did the play help? Compares the accounts a rule alerted and acted on (treated: task and notification) with those it
/// held out: the difference in churn within the horizon (treated − held out, with Newcombe's hybrid score interval
/// from the two Wilson intervals) and in the score change 30, 60 and 90 days after the alert (Welch's interval).
/// Both groups are alike but for the play, because the hold-out is drawn at random (<see cref="Holdout"/>).
/// </summary>
public static class PlayEffect
{
    /// <summary>The days after an alert the score change is measured at.</summary>
    public static IReadOnlyList<int> ScoreDays { get; } = [30, 60, 90];

    /// <summary>The confidence of the intervals.</summary>
    public const double Confidence = 0.95;

    /// <summary>How recent a score must be to stand for the score on a later day.</summary>
    public const int ScoreWithinDays = 7;

    /// <summary>Whether an account alerted on day <paramref name="opened"/> churned within the horizon after it: a churn day in (opened, opened + horizon].</summary>
    public static bool ChurnedWithin(IEnumerable<int> churnDays, int opened, int horizonDays) => churnDays.Any(d => d > opened && d <= opened + horizonDays);

    /// <summary>
    /// What became of an account alerted on day <paramref name="opened"/> with <paramref name="scoreThen"/>: whether it
    /// churned within the horizon (known once it churns, or once the horizon has passed by <paramref name="knownUntil"/>,
    /// the latest scored day), and its score after each of <see cref="ScoreDays"/> less its score then (its latest score
    /// on or before that day, if within <see cref="ScoreWithinDays"/> of it and that day is scored).
    /// </summary>
    /// <param name="heldOut">Whether the alert was in the rule's hold-out.</param>
    /// <param name="opened">The day the alert opened (<see cref="DateOnly.DayNumber"/>).</param>
    /// <param name="scoreThen">The account's score when alerted.</param>
    /// <param name="churnDays">The days the account churned.</param>
    /// <param name="scores">The account's scores by day, in day order.</param>
    /// <param name="knownUntil">The latest scored day, or null before any scoring.</param>
    /// <param name="horizonDays">How long after the alert a churn counts.</param>
    public static PlayOutcome Outcome(
        bool heldOut, int opened, double? scoreThen, IEnumerable<int> churnDays, IReadOnlyList<(int Day, double? Score)> scores, int? knownUntil, int horizonDays)
    {
        bool? churned = ChurnedWithin(churnDays, opened, horizonDays) ? true : knownUntil >= opened + horizonDays ? false : null;
        var changes = ScoreDays.Select(days =>
        {
            var at = opened + days;
            if (scoreThen is not { } then || knownUntil is null || at > knownUntil)
            {
                return null;
            }
            var later = scores.LastOrDefault(s => s.Day <= at);
            return later.Score is { } now && later.Day > at - ScoreWithinDays ? now - then : (double?)null;
        }).ToArray();
        return new PlayOutcome(heldOut, churned, changes);
    }

    public static PlayEffectReport Estimate(IReadOnlyList<PlayOutcome> outcomes)
    {
        var treated = outcomes.Where(o => !o.HeldOut).ToList();
        var held = outcomes.Where(o => o.HeldOut).ToList();
        var churn = Proportions(
            treated.Where(o => o.Churned is not null).Select(o => o.Churned!.Value).ToList(),
            held.Where(o => o.Churned is not null).Select(o => o.Churned!.Value).ToList());
        var score = ScoreDays.Select((days, k) => new ScoreEffect(days, Means(
            treated.Select(o => o.ScoreChanges[k]).OfType<double>().ToList(),
            held.Select(o => o.ScoreChanges[k]).OfType<double>().ToList()))).ToList();
        return new PlayEffectReport(outcomes.Count, treated.Count, held.Count, churn, score);
    }

    /// <summary>The difference of two proportions with Newcombe's hybrid score interval (his method 10).</summary>
    public static EffectEstimate Proportions(IReadOnlyList<bool> treated, IReadOnlyList<bool> held)
    {
        if (treated.Count == 0 || held.Count == 0)
        {
            return new EffectEstimate(treated.Count, held.Count, Rate(treated), Rate(held), null, null, null);
        }
        var (p1, p2) = (Rate(treated)!.Value, Rate(held)!.Value);
        var (l1, u1) = Wilson(treated.Count(x => x), treated.Count);
        var (l2, u2) = Wilson(held.Count(x => x), held.Count);
        var d = p1 - p2;
        return new EffectEstimate(treated.Count, held.Count, p1, p2, d,
            d - Math.Sqrt((p1 - l1) * (p1 - l1) + (u2 - p2) * (u2 - p2)),
            d + Math.Sqrt((u1 - p1) * (u1 - p1) + (p2 - l2) * (p2 - l2)));
    }

    /// <summary>The difference of two means with Welch's interval (no equal variances assumed); needs two of each.</summary>
    public static EffectEstimate Means(IReadOnlyList<double> treated, IReadOnlyList<double> held)
    {
        double? Mean(IReadOnlyList<double> x) => x.Count == 0 ? null : x.Average();
        if (treated.Count < 2 || held.Count < 2)
        {
            return new EffectEstimate(treated.Count, held.Count, Mean(treated), Mean(held), null, null, null);
        }
        var (m1, m2) = (treated.Average(), held.Average());
        var v1 = treated.Sum(x => (x - m1) * (x - m1)) / (treated.Count - 1) / treated.Count;
        var v2 = held.Sum(x => (x - m2) * (x - m2)) / (held.Count - 1) / held.Count;
        var se = Math.Sqrt(v1 + v2);
        var d = m1 - m2;
        if (se == 0)
        {
            return new EffectEstimate(treated.Count, held.Count, m1, m2, d, d, d);
        }
        var df = (v1 + v2) * (v1 + v2) / (v1 * v1 / (treated.Count - 1) + v2 * v2 / (held.Count - 1));
        var t = StudentT.InvCDF(0, 1, df, 1 - (1 - Confidence) / 2);
        return new EffectEstimate(treated.Count, held.Count, m1, m2, d, d - t * se, d + t * se);
    }

    /// <summary>The Wilson score interval of x successes in n.</summary>
    public static (double Low, double High) Wilson(int x, int n)
    {
        var z = Normal.InvCDF(0, 1, 1 - (1 - Confidence) / 2);
        var p = (double)x / n;
        var denominator = 1 + z * z / n;
        var centre = (p + z * z / (2 * n)) / denominator;
        var half = z / denominator * Math.Sqrt(p * (1 - p) / n + z * z / (4.0 * n * n));
        return (Math.Max(0, centre - half), Math.Min(1, centre + half));
    }

    private static double? Rate(IReadOnlyList<bool> x) => x.Count == 0 ? null : (double)x.Count(v => v) / x.Count;
}
