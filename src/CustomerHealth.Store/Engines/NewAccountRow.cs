using System.Text.Json;
using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// The row of an account an accounts file names for the first time, kept until it is created with the other new ones
/// (<see cref="IStoreEngine.CreateAccounts"/>): each of the file's rows for it changes it as the update of a
/// stored account would (a value given replaces the one held, attributes are merged, the day it churned is kept while
/// it stays churned), and only when something differs.
/// </summary>
internal sealed class NewAccountRow
{
    public string? Name { get; private set; }
    public string? Segment { get; private set; }
    public string? LifecycleStage { get; private set; }
    public string? Owner { get; private set; }
    public double? Arr { get; private set; }
    public double? Seats { get; private set; }
    public string? Plan { get; private set; }
    public string? StartedOn { get; private set; }
    public string? RenewalOn { get; private set; }
    public string? ParentId { get; private set; }

    /// <summary>The status, 'active' (the column's default) until a row gives one.</summary>
    public string Status { get; private set; } = "active";

    public string? ChurnedOn { get; private set; }
    public string? Attributes { get; private set; }

    /// <summary>Applies a row of the file for this account; whether it changed anything.</summary>
    /// <param name="a">The row.</param>
    /// <param name="today">The day an account that becomes churned churned on.</param>
    public bool Apply(AccountRecord a, string today)
    {
        var attributes = a.Attributes.Count == 0 ? Attributes : MergeAttributes(Attributes, a.Attributes);
        var (startedOn, renewalOn) = (StoredDates.Text(a.StartedOn) ?? StartedOn, StoredDates.Text(a.RenewalOn) ?? RenewalOn);
        var status = a.Status ?? Status;
        if ((a.Name ?? Name) == Name && (a.Segment ?? Segment) == Segment && (a.LifecycleStage ?? LifecycleStage) == LifecycleStage
            && (a.Owner ?? Owner) == Owner && Nullable.Equals(a.Arr ?? Arr, Arr) && Nullable.Equals(a.Seats ?? Seats, Seats) && (a.Plan ?? Plan) == Plan
            && startedOn == StartedOn && renewalOn == RenewalOn && (a.ParentId ?? ParentId) == ParentId && status == Status && attributes == Attributes)
        {
            return false;
        }
        if (a.Status is not null)
        {
            ChurnedOn = a.Status == "churned" ? ChurnedOn ?? today : null;
        }
        (Name, Segment, LifecycleStage, Owner) = (a.Name ?? Name, a.Segment ?? Segment, a.LifecycleStage ?? LifecycleStage, a.Owner ?? Owner);
        (Arr, Seats, Plan, StartedOn, RenewalOn) = (a.Arr ?? Arr, a.Seats ?? Seats, a.Plan ?? Plan, startedOn, renewalOn);
        (ParentId, Status, Attributes) = (a.ParentId ?? ParentId, status, attributes);
        return true;
    }

    /// <summary>Attributes held (JSON, or null) with those of a row over them, as JSON with its keys in order.</summary>
    public static string MergeAttributes(string? current, IReadOnlyDictionary<string, string> given)
    {
        var merged = current is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(current) ?? [];
        foreach (var (k, v) in given)
        {
            merged[k] = v;
        }
        return JsonSerializer.Serialize(new SortedDictionary<string, string>(merged, StringComparer.Ordinal));
    }
}
