using System.Globalization;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Alerts;

/// <summary>What the rules see of one account at one snapshot.</summary>
public sealed record AccountState(
    string AccountId,
    string? Name,
    string? Segment,
    string? Owner,
    string? LifecycleStage,
    DateOnly? RenewalOn,
    DateOnly AsOf,
    double? Score,
    string? Grade,
    IReadOnlyDictionary<string, MeasureState> Measures)
{
    public string AccountId { get; init => field = Require.Text(value, nameof(AccountId)); } = Require.Text(AccountId, nameof(AccountId));
}

/// <summary>One measure at a snapshot: its raw value (null when missing) and whether it is missing or stale.</summary>
/// <param name="Value">The measure's raw value, or null when it is missing or not a number.</param>
/// <param name="Missing">Whether the measure has no value at the snapshot (a stale one included).</param>
/// <param name="Stale">Whether the value is missing because it is older than the measure's `valid_for`.</param>
/// <param name="Label">How people call the measure ("CSM sentiment"); reasons fall back to the id without it.</param>
public sealed record MeasureState(double? Value, bool Missing, bool Stale, string? Label = null);

/// <summary>
/// The outcome of one rule for one account: whether it fires, and why in words a CSM reads. The words are put together
/// when first asked for: most outcomes of a day (every rule for every account) are never read.
/// </summary>
public sealed class RuleEvaluation : IEquatable<RuleEvaluation>
{
    private readonly Func<string> explain;
    private string? reason;

    public RuleEvaluation(bool inScope, bool holds, string reason)
        : this(inScope, holds, () => reason)
    {
    }

    internal RuleEvaluation(bool inScope, bool holds, Func<string> explain)
    {
        InScope = inScope;
        Holds = holds;
        this.explain = explain;
    }

    public bool InScope { get; }

    public bool Holds { get; }

    public string Reason => reason ??= explain();

    public bool Fires => InScope && Holds;

    public bool Equals(RuleEvaluation? other) => other is not null && InScope == other.InScope && Holds == other.Holds && Reason == other.Reason;

    public override bool Equals(object? obj) => Equals(obj as RuleEvaluation);

    public override int GetHashCode() => HashCode.Combine(InScope, Holds, Reason);

    public override string ToString() => $"{nameof(RuleEvaluation)} {{ InScope = {InScope}, Holds = {Holds}, Reason = {Reason} }}";
}

/// <summary>
/// Evaluates rules against an account's snapshot. Pure: everything about the past comes in as arguments
/// (the previous snapshot and a score-history lookup), so backfills and tests evaluate any day alike.
/// </summary>
public static class RuleEvaluator
{
    /// <param name="rule">The rule: its scope and its condition.</param>
    /// <param name="now">The account's snapshot being evaluated.</param>
    /// <param name="previous">The account's previous snapshot, or null when this is its first.</param>
    /// <param name="scoreDaysAgo">The score on or before AsOf − days, or null when there is none.</param>
    /// <param name="ownChange">
    /// The part of the score's change over so many days that the account's own measures made (<see cref="Scoring.ChangeAttribution.IsOwn"/>),
    /// or null when it is not known: a drop counts only as far as the account itself dropped, not data arriving, a new
    /// model or an override.
    /// </param>
    public static RuleEvaluation Evaluate(AlertRule rule, AccountState now, AccountState? previous, Func<int, double?> scoreDaysAgo, Func<int, OwnChange?>? ownChange = null)
    {
        var (holds, reason) = Explain(rule.When, now, previous, scoreDaysAgo, ownChange);
        return new RuleEvaluation(rule.Scope.Matches(now), holds, reason);
    }

    /// <summary>Whether a condition holds, scope aside, with the reason either way.</summary>
    public static (bool Holds, string Reason) Check(Condition condition, AccountState now, AccountState? previous, Func<int, double?> scoreDaysAgo, Func<int, OwnChange?>? ownChange = null)
    {
        var (holds, reason) = Explain(condition, now, previous, scoreDaysAgo, ownChange);
        return (holds, reason());
    }

    // Whether a condition holds, and how to say why (in words only when asked).
    private static (bool Holds, Func<string> Reason) Explain(Condition condition, AccountState now, AccountState? previous, Func<int, double?> scoreDaysAgo, Func<int, OwnChange?>? ownChange) =>
        condition switch
        {
            GradeEntered c => GradeEntered(c, now, previous),
            ScoreBelow c => ScoreBelow(c, now),
            ScoreDrop c => ScoreDrop(c, now, scoreDaysAgo, ownChange),
            MeasureBelow c => Measure(now, c.MeasureId, c.Threshold, below: true),
            MeasureAbove c => Measure(now, c.MeasureId, c.Threshold, below: false),
            RenewalWithin c => Renewal(c, now),
            Stale c => Stale(c, now),
            _ => throw new ArgumentOutOfRangeException(nameof(condition), condition, "unknown condition kind"),
        };

    // A first-ever snapshot already in the grade counts as entering it: an account imported red must raise its
    // alert, or it would stay silent until it left red and came back.
    private static (bool, Func<string>) GradeEntered(GradeEntered c, AccountState now, AccountState? previous)
    {
        if (now.Grade is null)
        {
            return (false, () => "no grade yet");
        }
        if (!string.Equals(now.Grade, c.Grade, StringComparison.OrdinalIgnoreCase))
        {
            return (false, () => $"grade is {now.Grade}, not {c.Grade}");
        }
        if (previous is null)
        {
            return (true, () => $"entered {now.Grade} (first score)");
        }
        if (previous.Grade is null)
        {
            return (true, () => $"entered {now.Grade} (was ungraded)");
        }
        return string.Equals(previous.Grade, c.Grade, StringComparison.OrdinalIgnoreCase)
            ? (false, () => $"was already {previous.Grade}")
            : (true, () => $"entered {now.Grade} (was {previous.Grade})");
    }

    private static (bool, Func<string>) ScoreBelow(ScoreBelow c, AccountState now)
    {
        if (now.Score is not { } score)
        {
            return (false, () => "no score yet");
        }
        return score < c.Value
            ? (true, () => $"score {One(score)} is below {Num(c.Value)}")
            : (false, () => $"score {One(score)} is not below {Num(c.Value)}");
    }

    private static (bool, Func<string>) ScoreDrop(ScoreDrop c, AccountState now, Func<int, double?> scoreDaysAgo, Func<int, OwnChange?>? ownChange)
    {
        if (now.Score is not { } score)
        {
            return (false, () => "no score yet");
        }
        if (scoreDaysAgo(c.Days) is not { } before)
        {
            return (false, () => $"no score from {c.Days} days ago to compare with");
        }
        // Rounded to the tenth shown in the reason, so "fell 15.0 points" never fails a 15-point rule by 1e-15.
        var drop = Math.Round(before - score, 6);
        var own = ownChange?.Invoke(c.Days);
        if (drop >= c.Points && own is not null && Math.Round(-own.Change, 6) < c.Points)
        {
            return (false, () => $"score fell {One(drop)} points in {c.Days} days (from {One(before)}), but the account's own measures only {One(Math.Max(0, -own.Change))}: " +
                "the rest came from data arriving or going quiet, a new model or an override");
        }
        if (drop >= c.Points)
        {
            return (true, () => $"score fell {One(drop)} points in {c.Days} days (from {One(before)})" + (own?.Mainly is { } mainly ? $", mainly {mainly}" : ""));
        }
        return drop > 0
            ? (false, () => $"score fell {One(drop)} points in {c.Days} days (from {One(before)}), less than {Num(c.Points)}")
            : (false, () => $"score did not fall in {c.Days} days (from {One(before)} to {One(score)})");
    }

    // A stale value is still the latest known value, so it is compared; only a missing one cannot be.
    private static (bool, Func<string>) Measure(AccountState now, string id, double threshold, bool below)
    {
        if (!now.Measures.TryGetValue(id, out var m) || m.Missing || m.Value is not { } value)
        {
            return (false, () => $"{LabelOf(now, id)} has no value");
        }
        var holds = below ? value < threshold : value > threshold;
        return (holds, () =>
        {
            var (label, word) = (LabelOf(now, id), below ? "below" : "above");
            return holds ? $"{label} is {Num(value)}, {word} {Num(threshold)}" : $"{label} is {Num(value)}, not {word} {Num(threshold)}";
        });
    }

    private static (bool, Func<string>) Renewal(RenewalWithin c, AccountState now)
    {
        if (now.RenewalOn is not { } on)
        {
            return (false, () => "no renewal date");
        }
        var days = on.DayNumber - now.AsOf.DayNumber;
        var date = () => on.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (days < 0)
        {
            return (false, () => $"renewal on {date()} has passed");
        }
        var text = () => $"renewal on {date()} in {days} days" + (now.Grade is null ? "" : $", grade {now.Grade}");
        if (days > c.Days)
        {
            return (false, () => $"{text()}, more than {c.Days} days away");
        }
        if (c.Grades.Count > 0 && (now.Grade is null || !c.Grades.Contains(now.Grade, StringComparer.OrdinalIgnoreCase)))
        {
            return (false, () => $"{text()}, not one of {string.Join(", ", c.Grades)}");
        }
        return (true, text);
    }

    private static (bool, Func<string>) Stale(Stale c, AccountState now)
    {
        if (!now.Measures.TryGetValue(c.MeasureId, out var m))
        {
            return (false, () => $"{LabelOf(now, c.MeasureId)} is not measured");
        }
        return m.Stale ? (true, () => $"{LabelOf(now, c.MeasureId)} is stale") : (false, () => $"{LabelOf(now, c.MeasureId)} is up to date");
    }

    private static string LabelOf(AccountState now, string id) =>
        now.Measures.TryGetValue(id, out var m) && !string.IsNullOrWhiteSpace(m.Label) ? m.Label : id;

    private static string One(double x) => x.ToString("0.0", CultureInfo.InvariantCulture);

    private static string Num(double x) => x.ToString("0.##", CultureInfo.InvariantCulture);
}
