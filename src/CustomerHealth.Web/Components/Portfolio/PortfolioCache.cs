using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components.Portfolio;

/// <summary>What the Portfolio page reads from the store: the book today, the average over time and the biggest movers.</summary>
/// <param name="Book">The book today (<see cref="PortfolioTrends.Book"/>).</param>
/// <param name="OverTime">The average score over the last year; none when nothing is scored.</param>
/// <param name="Movers">The biggest movers each way; none when nothing is scored.</param>
public sealed record PortfolioFigures(PortfolioBook Book, IReadOnlyList<DayAverage> OverTime, (IReadOnlyList<Mover> Up, IReadOnlyList<Mover> Down) Movers);

/// <summary>
/// The Portfolio page's figures, kept by the server until the store says what they are computed from has changed
/// (<see cref="PortfolioTrends.Changes"/>), the day turns or the model changes: a view reads a number from the store
/// rather than every account and the history of scores. The figures are never older than the last committed change:
/// the number is read before the figures, so figures read just after a change are kept under the number from before
/// it, and the next view reads them again.
/// </summary>
public sealed class PortfolioCache
{
    private readonly Lock gate = new();
    // The model's version stands for all the page takes from the model (grades, top score, trend window).
    private (long Changes, DateOnly Today, string? ModelVersion) key;
    private PortfolioFigures? kept;

    /// <summary>The figures as of <paramref name="today"/> under the model <paramref name="modelVersion"/>, kept or read by <paramref name="read"/>.</summary>
    public PortfolioFigures Get(PortfolioTrends trends, DateOnly today, string? modelVersion, Func<PortfolioFigures> read)
    {
        var wanted = (trends.Changes(), today, modelVersion);
        lock (gate)
        {
            if (kept is not null && key == wanted)
            {
                return kept;
            }
        }
        var figures = read();
        lock (gate)
        {
            (key, kept) = (wanted, figures);
        }
        return figures;
    }
}
