using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Scoring;

/// <summary>An account's final score and grade: its grade from the score, unless too little of the model had data, and an override in force over both.</summary>
public static class Grading
{
    /// <summary>The overrides in force on <paramref name="day"/>, by account: the last one given for an account wins.</summary>
    public static Dictionary<int, ScoreOverride> InForce(IReadOnlyList<ScoreOverride> overrides, int day) =>
        overrides.Where(o => o.StartsDay <= day && day <= o.UntilDay).GroupBy(o => o.AccountKey).ToDictionary(g => g.Key, g => g.Last());

    /// <summary>
    /// The account's grade from its score when enough of the model had data (`min_coverage`; else a score and no grade);
    /// then the override, if any: its score replaces the score and gives the grade, its grade (when the model has it)
    /// replaces the grade, and its reason is kept.
    /// </summary>
    public static ScoredAccount Finish(HealthModel model, ScoredAccount r, ScoreOverride? o)
    {
        var score = r.Score;
        // Too little of the model had data: the score stands, with no grade until enough has (`min_coverage`).
        var grade = score is { } s && model.IsGradedAt(r.Computed.Coverage) ? model.GradeFor(s) : null;
        string? reason = null;
        if (o is not null)
        {
            reason = o.Reason;
            if (o.Score is { } os)
            {
                score = os;
                grade = model.GradeFor(os);
            }
            if (o.Grade is { } og)
            {
                grade = model.FindGrade(og) ?? grade;
            }
        }
        return r with { Score = score, Grade = grade, OverrideReason = reason };
    }
}
