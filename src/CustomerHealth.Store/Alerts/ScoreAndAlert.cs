using System.Globalization;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Store.Alerts;

/// <summary>What a scoring with its alerts did: the days scored, and the rules' verdicts on the last of them.</summary>
/// <param name="Scores">Each day scored, in order.</param>
/// <param name="Alerts">The rules evaluated on the last day scored; null when that day is not the latest scored day.</param>
public sealed record ScoredAndAlerted(IReadOnlyList<ScoreSummary> Scores, AlertRunSummary? Alerts);

/// <summary>
/// New scores and the alert rules on them, as one operation: a scoring run (<see cref="ScoringRun"/>, which settles the
/// usage first), then the rules evaluated on the last day scored when it is the latest scored day
/// (<see cref="AlertBook.Evaluate"/>: alerts, tasks and deliveries). `chs score`, the server's daily rescore and its
/// live rescoring all score through here.
/// </summary>
public sealed class ScoreAndAlert(StoreDb db, ModelVersions models, TimeProvider clock)
{
    private readonly ScoringRun run = new(db, models);

    /// <summary>
    /// Scores every account as of a day (only those whose signals changed, when it is the latest day scored with the
    /// current model: see <see cref="ScoringRun.Score"/>), then evaluates the rules.
    /// </summary>
    public ScoredAndAlerted Score(DateOnly asOf, string? versionId = null, IProgress<double>? progress = null) =>
        Alert([run.Score(asOf, versionId, progress)]);

    /// <summary>Scores every account on the days from, from + every, ... up to to (<see cref="ScoringRun.ScoreRange"/>), then evaluates the rules on the last.</summary>
    public ScoredAndAlerted ScoreRange(DateOnly from, DateOnly to, int everyDays, string? versionId = null, IProgress<double>? progress = null) =>
        Alert(run.ScoreRange(from, to, everyDays, versionId, progress));

    /// <summary>
    /// A server's live rescoring on its shares of the accounts (<see cref="ScoringRun.ScoreShares"/>), then the rules on
    /// the accounts it scored: those of its shares, or every account when it scored them all. The marks scored are
    /// cleared only then, and a part of a split run is marked scored only then: scores stored but alerts not evaluated
    /// (an error, the server killed in between) are done again. Null when this pass scored nothing (another server
    /// claimed a whole rescore, or its part of a split run waits for the others' values).
    /// </summary>
    public ScoredAndAlerted? ScoreShares(DateOnly asOf, Sharing.AccountShares shares)
    {
        if (run.ScoreShares(asOf, shares) is not { Summary: { } summary } done)
        {
            return null;
        }
        var alerted = Alert([summary], done.Alerted);
        run.ClearMarks(done.Marks);
        done.Done?.Invoke();
        return alerted;
    }

    private ScoredAndAlerted Alert(IReadOnlyList<ScoreSummary> scores, Sharing.AccountShares? shares = null)
    {
        // The rules look at the latest scores: a history scored up to the latest day is evaluated on that day only, and
        // a day before the latest (a past day scored again) is not evaluated.
        var last = scores[^1].AsOf;
        var alerts = run.LatestDay() == last
            ? new AlertBook(db, models, clock).Evaluate(DateOnly.ParseExact(last, "yyyy-MM-dd", CultureInfo.InvariantCulture), shares: shares)
            : null;
        return new ScoredAndAlerted(scores, alerts);
    }
}
