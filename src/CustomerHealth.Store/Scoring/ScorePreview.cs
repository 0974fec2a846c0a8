using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Models;

namespace CustomerHealth.Store.Scoring;

/// <summary>
/// Scores a day without storing anything: `show --as-of` on a day with no snapshot, and the what-if of a draft model.
/// The same signals, overrides and Core scoring as <see cref="ScoringRun"/>, which stores what it scores.
/// </summary>
public sealed class ScorePreview(StoreDb db, ModelVersions models)
{
    /// <summary>Every account scored as of a day with a published version (default: the current one).</summary>
    public (ScoringPlan Plan, IReadOnlyList<ScoredAccount> Accounts, string Version) Score(DateOnly asOf, string? versionId = null)
    {
        var version = versionId is null ? models.RequireCurrent() : models.Get(versionId)!;
        return (new ScoringPlan(version.Model), Score(asOf, [version.Model], CancellationToken.None)[0], version.VersionId);
    }

    /// <summary>
    /// Every account scored as of a day with each of any models, published or not (the what-if of a draft beside the
    /// current model): the signals are read once for all models that share a timezone.
    /// </summary>
    /// <param name="asOf">The day scored as of.</param>
    /// <param name="models">The models to score with; the result holds each one's accounts in the same order.</param>
    /// <param name="cancel">Ends the work soon after it is cancelled, with <see cref="OperationCanceledException"/>; nothing is stored either way.</param>
    public IReadOnlyList<IReadOnlyList<ScoredAccount>> Score(DateOnly asOf, IReadOnlyList<HealthModel> models, CancellationToken cancel)
    {
        cancel.ThrowIfCancellationRequested();
        var signals = SignalLoader.Settle(db);
        var overrides = OverrideBook.All(db);
        var results = new IReadOnlyList<ScoredAccount>[models.Count];
        foreach (var zone in models.Select(m => m.Timezone).Distinct())
        {
            var (accounts, eventIds) = signals.LoadAll(TimeZoneInfo.FindSystemTimeZoneById(zone), cancel: cancel);
            for (var i = 0; i < models.Count; i++)
            {
                if (models[i].Timezone == zone)
                {
                    results[i] = DayScoring.Score(new ScoringPlan(models[i]), accounts, eventIds, asOf.DayNumber, overrides, cancel: cancel);
                }
            }
        }
        return results;
    }
}
