using CustomerHealth.Store;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Accounts;

/// <summary>
/// The dashboard's account-list filters (search, grade, segment, owner, stage, renewal window, sort) as the store's
/// query: the Accounts page and its CSV download read the same address the same way.
/// </summary>
internal static class AccountFilters
{
    /// <summary>The longest renewal window the filter takes: ten years.</summary>
    public const int MaxRenewalDays = 3650;

    /// <summary>The list's order when none is asked for: least healthy first.</summary>
    public const string DefaultSort = "score";

    /// <summary>The store query for the filters; a renewal window out of range is a <see cref="StoreException"/> naming it.</summary>
    public static AccountQuery Query(DateOnly today, string? q, string? grade, string? segment, string? owner, string? stage, int? renewal, string? sort) =>
        renewal is < 0 or > MaxRenewalDays
            ? throw new StoreException($"the renewal window must be from 0 to {MaxRenewalDays} days, not {renewal}")
            : new(Grade: Blank(grade), Segment: Blank(segment), Owner: Blank(owner), Sort: Blank(sort) ?? DefaultSort, Search: Blank(q), Stage: Blank(stage),
            RenewalFrom: renewal is null ? null : today, RenewalTo: renewal is { } days ? today.AddDays(days) : null);

    /// <summary>A filter's text, or null when the address leaves it empty.</summary>
    /// <param name="s">The text as given.</param>
    public static string? Blank(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
