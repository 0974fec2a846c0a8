using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Scoring;

/// <summary>An account's final score as of a day: computed, rolled up from children, or overridden.</summary>
public sealed record ScoredAccount(AccountData Account, AccountScore Computed, double? Score, Grade? Grade, string? OverrideReason, string? Note)
{
    public string ScorecardId(ScoringPlan plan) => Note is not null && Computed.Measures.Length == 0 ? "children" : plan.ScorecardIds[Computed.Scorecard];
}

/// <summary>An override in force: a person's score or grade for an account, with a reason and an end date.</summary>
/// <param name="AccountKey">The account's key.</param>
/// <param name="Score">The score the person gave, if any: it replaces the computed one and gives the grade.</param>
/// <param name="Grade">The grade's id the person gave, if any: it replaces the grade when the model has it.</param>
/// <param name="Reason">Why, in the person's words.</param>
/// <param name="StartsDay">The first day it applies (a <see cref="DateOnly.DayNumber"/>).</param>
/// <param name="UntilDay">The last day it applies.</param>
public sealed record ScoreOverride(int AccountKey, double? Score, string? Grade, string Reason, int StartsDay, int UntilDay);
