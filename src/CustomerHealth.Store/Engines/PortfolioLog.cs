namespace CustomerHealth.Store.Engines;

/// <summary>A row of the Portfolio's log (migration 0019): an account that changed and, for its score history, a day and what the change added to it.</summary>
/// <param name="AccountKey">The account that changed; -1 for every account (a statement that changed many), null when everything did, the history included (a table emptied).</param>
/// <param name="Day">The day of the score history that changed, if it was the history.</param>
/// <param name="Count">What the change added to the day's number of snapshots (negative when it took some away).</param>
/// <param name="Scored">What it added to the day's number of scored snapshots.</param>
/// <param name="Sum">What it added to the day's sum of scores.</param>
public sealed record PortfolioLogRow(long? AccountKey, string? Day, long Count, long Scored, double Sum);

/// <summary>The Portfolio's log read since a mark: the rows, or null when everything must be read again; and the new mark.</summary>
public sealed record PortfolioLogRead(string Mark, IReadOnlyList<PortfolioLogRow>? Rows);

/// <summary>What both engines' reads of the Portfolio's log share.</summary>
internal static class PortfolioLog
{
    /// <summary>The condition that keeps only the rows without a day and those of days before `@before`, when one is given.</summary>
    public static string Before(string? before) => before is null ? "" : " AND (day IS NULL OR day < @before)";
}
