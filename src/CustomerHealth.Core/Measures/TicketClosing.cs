namespace CustomerHealth.Core.Measures;

/// <summary>When a ticket counts as closed, for the measures that count open tickets.</summary>
public static class TicketClosing
{
    /// <summary>The statuses of a ticket that is closed even without a closing time.</summary>
    public static IReadOnlyList<string> ClosedStatuses { get; } = ["solved", "closed"];

    /// <summary>
    /// Its closing time when it has one; a ticket whose status is `solved` or `closed` without a closing time is taken
    /// as closed when it was last answered, else when it opened; any other ticket without one is open (null).
    /// </summary>
    public static DateTimeOffset? ClosedAt(DateTimeOffset opened, DateTimeOffset? closed, DateTimeOffset? firstResponse, string status) =>
        closed ?? (ClosedStatuses.Contains(status) ? firstResponse ?? opened : null);
}
