using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Scoring;

/// <summary>One measure's part in a score: its raw value, score, share of the overall score and contribution.</summary>
public readonly record struct ScoredMeasure(MeasureValue Value, double Score, double EffectiveWeight, bool Missing, bool Stale)
{
    /// <summary>Effective weight × measure score; a measure that dropped out contributes nothing.</summary>
    public double Contribution => EffectiveWeight == 0 || double.IsNaN(Score) ? 0 : EffectiveWeight * Score;
}

/// <summary>An account's computed score as of a day, before any override. A null score means unscored.</summary>
/// <param name="Scorecard">The scorecard's index in the scoring plan (0: the base model).</param>
/// <param name="Score">The score; null when unscored.</param>
/// <param name="Measures">Each measure's part in the score, in the plan's order.</param>
/// <param name="Coverage">The share of the scorecard's weight whose measures had data (0–1).</param>
public sealed record AccountScore(int Scorecard, double? Score, ScoredMeasure[] Measures, double Coverage);
