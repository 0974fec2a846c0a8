using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Portfolio;

/// <summary>What the Portfolio page reads from the store: the book today, the average over time and the biggest movers.</summary>
/// <param name="Book">The book today (<see cref="PortfolioState.Book"/>).</param>
/// <param name="OverTime">The average score over the last year; none when nothing is scored.</param>
/// <param name="Movers">The biggest movers each way; none when nothing is scored.</param>
public sealed record PortfolioFigures(PortfolioBook Book, IReadOnlyList<DayAverage> OverTime, (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers);

/// <summary>
/// The Portfolio page's figures and what they are computed from (<see cref="PortfolioState"/>), kept by the server: a
/// view brings the state up to date from the store's log of changes, reading only the accounts and days that changed
/// since the last view, and computes the figures again only when something changed, the day turned or the model
/// changed. The figures are never older than the last change committed before the view.
/// </summary>
public sealed class PortfolioCache
{
    private readonly Lock gate = new();
    private readonly PortfolioState state = new();
    // The model's version stands for all the page takes from the model (grades, top score, trend window).
    private (string? Mark, DateOnly Today, string? ModelVersion) key;
    private PortfolioFigures? kept;

    /// <summary>
    /// The figures as of <paramref name="today"/> under the model <paramref name="modelVersion"/>, with the average over
    /// time from <paramref name="since"/>: kept, or computed by <paramref name="compute"/> from the state brought up to date.
    /// </summary>
    public PortfolioFigures Get(PortfolioTrends trends, DateOnly today, string? modelVersion, DateOnly since, Func<PortfolioState, PortfolioFigures> compute)
    {
        lock (gate)
        {
            trends.Refresh(state, since);
            var wanted = (state.Mark, today, modelVersion);
            if (kept is null || key != wanted)
            {
                kept = compute(state);
                key = wanted;
            }
            return kept;
        }
    }
}
