using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Scoring;

/// <summary>Scores a portfolio as of one day: what a scoring run stores, a preview shows and a backtest observes.</summary>
public static class DayScoring
{
    /// <summary>
    /// The eligible accounts (<see cref="Eligibility"/>) scored point in time: every measure as of the day, combined
    /// with the model (percentiles over the day's cohort), rolled up from children (`hierarchy: children`,
    /// <see cref="ChildRollUp"/>), graded and overridden (<see cref="Grading"/>).
    /// </summary>
    /// <param name="plan">The scoring plan of the model that scores.</param>
    /// <param name="accounts">Every account's signals; the eligible ones are scored.</param>
    /// <param name="eventIds">The stored ids of usage event names.</param>
    /// <param name="day">The day scored as of (a <see cref="DateOnly.DayNumber"/>).</param>
    /// <param name="overrides">The overrides given; those in force on the day apply.</param>
    /// <param name="cohort">Other accounts' scorecards and values on the same day, for the percentile cohorts only.</param>
    /// <param name="cancel">Stops taking accounts soon after it is cancelled, with <see cref="OperationCanceledException"/>.</param>
    /// <param name="pushed">Per measure of the plan, the values an external engine computed for the day by account key
    /// (null for a measure computed here from the imported signals; an account without an entry has no signal of the kind).</param>
    public static IReadOnlyList<ScoredAccount> Score(
        ScoringPlan plan, IReadOnlyList<AccountData> accounts, IReadOnlyDictionary<string, int> eventIds, int day, IReadOnlyList<ScoreOverride> overrides,
        IReadOnlyList<(int Card, MeasureValue[] Values)>? cohort = null, CancellationToken cancel = default,
        IReadOnlyList<IReadOnlyDictionary<int, PushedValue>?>? pushed = null)
    {
        var (eligible, cards, values) = Values(plan, accounts, eventIds, day, cancel, pushed);
        return Finish(plan, eligible, cards, values, day, overrides, cohort);
    }

    /// <summary>
    /// Scores accounts whose measure values are computed (<see cref="Values"/>, in one piece or gathered from several):
    /// combined with the model (percentiles over them and the <paramref name="cohort"/>), rolled up from children, graded
    /// and overridden.
    /// </summary>
    /// <param name="plan">The scoring plan of the model that scores.</param>
    /// <param name="eligible">The accounts scored (their signals are not read any more: see <see cref="AccountData.WithoutSignals"/>).</param>
    /// <param name="cards">Each account's scorecard.</param>
    /// <param name="values">Each account's raw measure values.</param>
    /// <param name="day">The day scored as of.</param>
    /// <param name="overrides">The overrides given; those in force on the day apply.</param>
    /// <param name="cohort">Other accounts' scorecards and values on the same day, for the percentile cohorts only.</param>
    public static ScoredAccount[] Finish(ScoringPlan plan, IReadOnlyList<AccountData> eligible, int[] cards, MeasureValue[][] values, int day,
        IReadOnlyList<ScoreOverride> overrides, IReadOnlyList<(int Card, MeasureValue[] Values)>? cohort = null)
    {
        var scores = cohort is null or { Count: 0 }
            ? ScoreCalculator.ScoreAll(plan, cards, values)
            : ScoreCalculator.ScoreAll(plan, [.. cards, .. cohort.Select(c => c.Card)], [.. values, .. cohort.Select(c => c.Values)]);
        var results = new ScoredAccount[eligible.Count];
        for (var i = 0; i < eligible.Count; i++)
        {
            results[i] = new ScoredAccount(eligible[i], scores[i], scores[i].Score, null, null, null);
        }
        if (plan.Model.Hierarchy == HierarchyMode.Children)
        {
            ChildRollUp.Apply(results);
        }
        var byAccount = Grading.InForce(overrides, day);
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = Grading.Finish(plan.Model, results[i], byAccount.GetValueOrDefault(results[i].Account.Key));
        }
        return results;
    }

    /// <summary>
    /// The eligible accounts' scorecards and raw measure values as of the day, unscored: what another part of the
    /// portfolio needs of these accounts for its percentile cohorts (see <see cref="Score"/>'s parameters).
    /// </summary>
    public static (List<AccountData> Eligible, int[] Cards, MeasureValue[][] Values) Values(
        ScoringPlan plan, IReadOnlyList<AccountData> accounts, IReadOnlyDictionary<string, int> eventIds, int day, CancellationToken cancel = default,
        IReadOnlyList<IReadOnlyDictionary<int, PushedValue>?>? pushed = null)
    {
        var compiled = plan.Measures.Select(m => new CompiledValue(m.Value, m.ValidForDays, e => eventIds.TryGetValue(e, out var id) ? id : null)).ToArray();
        var eligible = accounts.Where(a => Eligibility.IsEligible(a, day)).ToList();
        var ordersFit = plan.UsesPAlive ? OrdersFit.Of(accounts, day) : null;
        // A `p_alive` an engine computes is fitted on what the engine summarised of the orders.
        var pushedFits = pushed is null ? null : plan.Measures.Select((m, j) =>
            m.Value.Aggregate == "p_alive" && pushed[j] is { } orders ? PushedValues.OrdersFitOf(accounts, orders, day) : null).ToArray();
        var cards = new int[eligible.Count];
        var values = new MeasureValue[eligible.Count][];
        // Accounts are independent: their measures are computed on every core.
        // Cancelled, the loop stops taking accounts and throws OperationCanceledException.
        Parallel.For(0, eligible.Count, new ParallelOptions { CancellationToken = cancel }, i =>
        {
            var a = eligible[i];
            cards[i] = plan.ScorecardFor(a.Field);
            var row = new MeasureValue[compiled.Length];
            for (var j = 0; j < compiled.Length; j++)
            {
                row[j] = pushed?[j] is { } values
                    ? PushedValues.Finish(compiled[j], a, day, values.TryGetValue(a.Key, out var p) ? p : PushedValue.None, pushedFits![j])
                    : MeasureCalculator.Compute(compiled[j], a, day, ordersFit);
            }
            values[i] = row;
        });
        return (eligible, cards, values);
    }
}
