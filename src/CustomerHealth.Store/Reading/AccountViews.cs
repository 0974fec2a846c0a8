using CustomerHealth.Core.Prediction;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Prediction;

namespace CustomerHealth.Store.Reading;

/// <summary>A line of the current account list (`accounts --json`).</summary>
public sealed record AccountRow(
    string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double? Score, string? Grade, double? Trend, string? Direction,
    string? ScoredOn, string? LifecycleStage, string? Plan, string? RenewalOn, string Status, double? ChurnProbability = null, double? Coverage = null)
{
    /// <summary>How sure <see cref="ChurnProbability"/> is, when it comes from the predictor in force.</summary>
    public ChurnInterval? ChurnInterval { get; init; }

    /// <summary>The account's top drivers of churn risk, when the probability comes from the predictor in force.</summary>
    public IReadOnlyList<ChurnDriver>? ChurnDrivers { get; init; }

    /// <summary>The predictor in force that gave the probability, or null when it is the score's calibration.</summary>
    public string? ChurnPredictor { get; init; }
}

/// <summary>An account's score with its full explanation (`show --json`).</summary>
public sealed record AccountDetail(
    string AccountId, string? Name, double? Score, string? Grade, string? GradeLabel, string? Scorecard, string? ModelVersion, string AsOf,
    double? ComputedScore, string? OverrideReason, double? Trend, string? Direction, string? Note, AccountProfile Profile,
    IReadOnlyList<DimensionExplanation> Dimensions, bool Stored)
{
    /// <summary>The chance of churn within <see cref="ChurnHorizonDays"/>: the predictor in force's, else the score's calibration (null until the model is backtested).</summary>
    public double? ChurnProbability { get; init; }

    public int? ChurnHorizonDays { get; init; }

    /// <summary>How sure <see cref="ChurnProbability"/> is, when it comes from the predictor in force.</summary>
    public ChurnInterval? ChurnInterval { get; init; }

    /// <summary>The account's top drivers of churn risk, when the probability comes from the predictor in force.</summary>
    public IReadOnlyList<ChurnDriver>? ChurnDrivers { get; init; }

    /// <summary>The predictor in force that gave the probability, or null when it is the score's calibration.</summary>
    public string? ChurnPredictor { get; init; }

    /// <summary>The share of the model's weight that had data for this score (0–1; null for scores made before it was recorded).</summary>
    public double? Coverage { get; init; }

    /// <summary>
    /// A source computed where the data lives whose last read failed: the score shown is the last one made with it, and
    /// the values of its measures are as of that day (null when every source of the model was read the last time).
    /// </summary>
    public StaleSource? StaleSource { get; init; }
}

/// <summary>A source whose last read failed, which computes some of the model's measures (`show --json`: `stale_source`).</summary>
/// <param name="Source">The source's name.</param>
/// <param name="Engine">Its engine.</param>
/// <param name="Kind">The signal kind it computes.</param>
/// <param name="FailedAt">When the failing read was (UTC, ISO 8601).</param>
/// <param name="Error">What went wrong, naming the measure (never a secret).</param>
/// <param name="Measures">The measures of the score's model it computes: their values are those of the score's day.</param>
public sealed record StaleSource(string Source, string Engine, string Kind, string? FailedAt, string Error, IReadOnlyList<string> Measures);

public sealed record AccountProfile(
    string? Segment, string? LifecycleStage, string? Owner, double? Arr, double? Seats, string? Plan, string? StartedOn, string? RenewalOn,
    string? ParentId, string Status, string? ChurnedOn);

/// <summary>One snapshot in an account's history.</summary>
public sealed record HistoryPoint(string AsOf, double? Score, string? Grade, string ModelVersion, double? ComputedScore, string? OverrideReason, bool ModelChanged);

/// <summary>What changed between two scores of an account, and why (`explain --json`).</summary>
public sealed record ScoreChange(
    string AccountId, string From, string To, double? FromScore, double? ToScore, double? Change, string? FromGrade, string? ToGrade,
    string FromModelVersion, string ToModelVersion, bool ModelChanged, IReadOnlyList<ContributionChange> Changes);

/// <summary>Filters and order of the account list; churned accounts are left out unless asked for.</summary>
public sealed record AccountQuery(
    string? Grade = null, string? Segment = null, string? Owner = null, string? Sort = null, int Limit = int.MaxValue, int Offset = 0, bool IncludeChurned = false,
    string? Search = null, string? Stage = null, DateOnly? RenewalFrom = null, DateOnly? RenewalTo = null);

/// <summary>The values the account list can be filtered by, as found in the store.</summary>
public sealed record AccountFacets(IReadOnlyList<string> Segments, IReadOnlyList<string> Owners, IReadOnlyList<string> Stages, IReadOnlyList<string> Plans);
