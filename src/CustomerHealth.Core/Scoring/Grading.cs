using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Signals;

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

    /// <summary>
    /// Why a person's override (SPEC §4.5) cannot be recorded, or null when it can: it gives a score or a grade (not
    /// both), a reason everyone will read, a score on the model's scale or one of the model's grades, and an end day not
    /// before today. The words name the command line's options, which the dashboard's form shares.
    /// </summary>
    /// <param name="model">The model in force.</param>
    /// <param name="score">The score it sets, or null.</param>
    /// <param name="grade">The grade it sets, or null.</param>
    /// <param name="reason">Why, as shown beside the score.</param>
    /// <param name="until">The last day it is in force.</param>
    /// <param name="today">Today, in the model's calendar.</param>
    public static string? OverrideRefusal(HealthModel model, double? score, string? grade, string reason, DateOnly until, DateOnly today)
    {
        if (score is null == grade is null)
        {
            return "give either --score or --grade";
        }
        if (string.IsNullOrWhiteSpace(reason))
        {
            return "--reason is required: the explanation shows it to everyone who reads the score";
        }
        if (FieldLimits.OverrideReason(reason) is { } refused)
        {
            return "--" + refused;
        }
        if (score is { } s && (!double.IsFinite(s) || s < 0 || s > model.MaxScore))
        {
            return $"--score must be between 0 and {model.MaxScore.ToString(CultureInfo.InvariantCulture)}";
        }
        if (grade is not null && model.FindGrade(grade) is null)
        {
            return $"unknown grade `{grade}`; the model's grades are {string.Join(", ", model.Grades.Select(g => g.Id))}";
        }
        return until < today ? $"--until {until.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)} is in the past" : null;
    }

    /// <summary>The grade an override gives: its own, else the grade of the score it sets.</summary>
    /// <param name="model">The model in force.</param>
    /// <param name="score">The score it sets (when it sets no grade).</param>
    /// <param name="grade">The grade it sets, or null.</param>
    public static string OverrideGrade(HealthModel model, double? score, string? grade) =>
        grade ?? model.GradeFor(score ?? throw new ArgumentException("an override sets a score or a grade", nameof(score))).Id;
}
