namespace CustomerHealth.Core.Focus;

/// <summary>Why an account is on a person's list today.</summary>
public enum FocusKind
{
    /// <summary>Entered the lowest grade within the last week.</summary>
    NewlyAtRisk,

    /// <summary>Its own measures lowered its score sharply over the trend window (not data arriving, a new model or an override).</summary>
    SharpDrop,

    /// <summary>Renews soon and is not in the healthiest grade.</summary>
    RenewalAtRisk,
}

/// <summary>What is known of one account today, for choosing the day's list.</summary>
/// <param name="AccountId">The account's id.</param>
/// <param name="Name">Its name, if it has one.</param>
/// <param name="Arr">Its ARR, if known.</param>
/// <param name="Score">Its current score; null when unscored.</param>
/// <param name="Grade">Its current grade's id; null without one.</param>
/// <param name="EnteredLowestThisWeek">It is in the model's lowest grade and was not a week ago.</param>
/// <param name="OwnChange">The part of the score's change over the trend window that the account's own measures made; null when not explained.</param>
/// <param name="Reason">The largest cause of that change, in words.</param>
/// <param name="RenewsInDays">Days until the renewal; null without one.</param>
/// <param name="Healthiest">It is in the model's healthiest grade.</param>
public sealed record FocusCandidate(string AccountId, string? Name, double? Arr, double? Score, string? Grade, bool EnteredLowestThisWeek,
    double? OwnChange, string? Reason, int? RenewsInDays, bool Healthiest);

/// <summary>One account to act on today, with the reason in a line and the next step.</summary>
public sealed record FocusItem(string AccountId, string? Name, double? Arr, double? Score, string? Grade, FocusKind Kind, string Reason, string NextStep);

/// <summary>
/// The handful of accounts a person should act on today: newly at risk first, then sharp drops of the account's own
/// doing, then renewals at risk; within each, the most ARR first. An account is listed once, for its first reason.
/// </summary>
public static class DailyFocus
{
    /// <summary>A drop of the account's own measures of at least this many points over the trend window is sharp.</summary>
    public const double SharpDropPoints = 10;

    /// <summary>A renewal within this many days is soon.</summary>
    public const int RenewalDays = 60;

    public static IReadOnlyList<FocusItem> Pick(IEnumerable<FocusCandidate> candidates, int limit = 10)
    {
        var items = new List<(int Order, double Arr, FocusItem Item)>();
        foreach (var c in candidates)
        {
            var why = c.Reason is null ? "" : $" Mainly: {c.Reason}.";
            if (c.EnteredLowestThisWeek)
            {
                items.Add((0, c.Arr ?? 0, new FocusItem(c.AccountId, c.Name, c.Arr, c.Score, c.Grade, FocusKind.NewlyAtRisk,
                    $"Entered {c.Grade} this week.{why}", "Read what drives the score, then call the sponsor.")));
            }
            else if (c.OwnChange is <= -SharpDropPoints and { } own)
            {
                items.Add((1, c.Arr ?? 0, new FocusItem(c.AccountId, c.Name, c.Arr, c.Score, c.Grade, FocusKind.SharpDrop,
                    $"Its own measures lowered the score {Math.Abs(own):0.0} points.{why}", "Look at what changed and ask the customer about it.")));
            }
            else if (c.RenewsInDays is >= 0 and <= RenewalDays && !c.Healthiest && c.Grade is not null)
            {
                items.Add((2, c.Arr ?? 0, new FocusItem(c.AccountId, c.Name, c.Arr, c.Score, c.Grade, FocusKind.RenewalAtRisk,
                    $"Renews in {c.RenewsInDays} days and is {c.Grade}.{why}", "Plan the renewal conversation: what would make them stay?")));
            }
        }
        return items.OrderBy(i => i.Order).ThenByDescending(i => i.Arr).ThenBy(i => i.Item.AccountId, StringComparer.Ordinal)
            .Take(limit).Select(i => i.Item).ToList();
    }
}
