using CustomerHealth.Store.Models;

namespace CustomerHealth.Store.Reading;

/// <summary>The average score of one day's scoring run (<see cref="Snapshots"/> counts unscored accounts too).</summary>
public sealed record DayAverage(string Day, int Snapshots, double? Average);

/// <summary>How many current scores fall in [From, To) (the last bin also holds the top score).</summary>
public sealed record ScoreBin(double From, double To, int Accounts);

/// <summary>An account whose score moved most over the model's trend window.</summary>
/// <param name="AccountId">The account's id.</param>
/// <param name="Name">Its name, if it has one.</param>
/// <param name="Segment">Its segment, if it has one.</param>
/// <param name="Owner">Its owner, if it has one.</param>
/// <param name="Arr">Its ARR, if known.</param>
/// <param name="Score">Its current score.</param>
/// <param name="Grade">Its current grade's id; null without one.</param>
/// <param name="Trend">The score's change over the trend window.</param>
/// <param name="OwnChange">The part of it that the account's own measures made (their values moving), without data arriving or going quiet, a new model or an override; null when not explained.</param>
/// <param name="Reason">The largest cause of the change, in words.</param>
public sealed record Mover(string AccountId, string? Name, string? Segment, string? Owner, double? Arr, double Score, string? Grade, double Trend,
    double? OwnChange = null, string? Reason = null);

/// <summary>The ARR of scored accounts that are not in the healthiest grade and renew in a month (`yyyy-MM`).</summary>
public sealed record RenewalMonth(string Month, int Accounts, double Arr);

/// <summary>The book today: the portfolio's figures, the distribution of current scores and the ARR at risk by renewal month.</summary>
public sealed record PortfolioBook(Portfolio Summary, IReadOnlyList<ScoreBin> Distribution, IReadOnlyList<RenewalMonth> Renewals);

/// <summary>
/// The portfolio over time and across the book, read once from the store: the average score per scoring run, today's
/// figures with the distribution of current scores and the ARR at risk by renewal month, and the biggest movers (computed
/// by <see cref="PortfolioState"/>, which a server keeps between views instead). The SQL here says which accounts are
/// active for every reader of the book.
/// </summary>
public sealed class PortfolioTrends(StoreDb db)
{
    /// <summary>
    /// `cur`: every active (not churned) account with its current score from current_scores (the latest snapshot's
    /// day, score, grade and trend; null when it has none), so that nothing reads the history of snapshots.
    /// </summary>
    internal const string CurrentAccounts =
        $"""
        cur AS (
            SELECT a.account_key, a.account_id, a.name, a.segment, a.plan, a.lifecycle_stage, a.owner, a.arr, a.renewal_on,
                   s.as_of, s.score, s.grade, s.trend
            FROM accounts a
            LEFT JOIN current_scores s ON s.account_key = a.account_key
            WHERE {Active})
        """;

    /// <summary>
    /// True for an account (alias `a`) that is not churned now (<see cref="AccountReader.StandingChurn"/>, or the import
    /// status), with the churned ones found once for the whole query rather than looked up per account.
    /// </summary>
    internal const string Active =
        $"""
        a.status_churned_on IS NULL AND a.account_key NOT IN (SELECT ch.account_key FROM {AccountReader.StandingChurn})
        """;


    /// <summary>
    /// A number that moves with every committed change to what the figures here are computed from (the accounts, their
    /// current scores, their score history and their subscriptions), so that figures read after it may be kept until it
    /// moves. Read it before the figures.
    /// </summary>
    public long Changes() => db.Engine.PortfolioChanges(db.Connection);

    /// <summary>Brings a state kept between reads up to date with the store (<see cref="PortfolioState.Refresh"/>).</summary>
    public void Refresh(PortfolioState state, DateOnly? since = null, int everyDays = 7) => state.Refresh(db, since, everyDays);

    /// <summary>The biggest movers of a state kept between reads (<see cref="PortfolioState.Movers"/>), their explanations read from the store.</summary>
    public (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers(PortfolioState state, int limit = 10, ModelVersions? models = null, int trendDays = 30) =>
        state.Movers(db, limit, models, trendDays);

    /// <summary>The average score over time since <paramref name="since"/> (<see cref="PortfolioState.AverageOverTime"/>).</summary>
    public IReadOnlyList<DayAverage> AverageOverTime(DateOnly since, int everyDays = 7)
    {
        var state = new PortfolioState();
        state.Refresh(db, since, everyDays);
        return state.AverageOverTime(since, everyDays);
    }

    /// <summary>The biggest movers each way (<see cref="PortfolioState.Movers"/>).</summary>
    public (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers(int limit = 10, ModelVersions? models = null, int trendDays = 30)
    {
        var state = new PortfolioState();
        state.Refresh(db);
        return state.Movers(db, limit, models, trendDays);
    }

    /// <summary>Today's figures (<see cref="PortfolioState.Book"/>).</summary>
    public PortfolioBook Book(DateOnly today, IReadOnlyList<CustomerHealth.Core.Model.Grade> grades, string? modelVersion, double maxScore = 100, double width = 10, int months = 12)
    {
        var state = new PortfolioState();
        state.Refresh(db);
        return state.Book(today, grades, modelVersion, maxScore, width, months);
    }
}
