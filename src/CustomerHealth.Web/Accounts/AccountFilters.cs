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

    /// <summary>The store query for the filters; a renewal window out of range is a <see cref="StoreException"/> naming it.</summary>
    public static AccountQuery Query(DateOnly today, string? q, string? grade, string? segment, string? owner, string? stage, int? renewal, string? sort) =>
        renewal is < 0 or > MaxRenewalDays
            ? throw new StoreException($"the renewal window must be from 0 to {MaxRenewalDays} days, not {renewal}")
            : new(Grade: Empty(grade), Segment: Empty(segment), Owner: Empty(owner), Sort: Empty(sort) ?? "score", Search: Empty(q), Stage: Empty(stage),
            RenewalFrom: renewal is null ? null : today, RenewalTo: renewal is { } days ? today.AddDays(days) : null);

    private static string? Empty(string? s) => string.IsNullOrWhiteSpace(s) ? null : s;
}
