using System.Data;
using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Signals;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// An account's row as an import changes it, and the one rule of how an accounts row changes an account, new or stored
/// (<see cref="Apply"/>): a value given replaces the one held, attributes are merged, the day it churned is kept while
/// it stays churned, and nothing changes when nothing differs. The writer applies a file's rows here and writes the
/// rows they changed (<see cref="IStoreEngine.CreateAccounts"/>, <see cref="IStoreEngine.UpdateAccounts"/>).
/// </summary>
internal sealed class AccountRow
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

    /// <summary>The columns of the row, in the order <see cref="Read"/> reads them.</summary>
    public const string Columns = "name, segment, lifecycle_stage, owner, arr, seats, plan, started_on, renewal_on, parent_id, status, status_churned_on, attributes";

    /// <summary>The names of the <see cref="Columns"/>, in their order.</summary>
    public static readonly string[] ColumnNames = Columns.Split(", ");

    /// <summary>The values of the row's <see cref="Columns"/>, in their order.</summary>
    public object?[] Values() => [Name, Segment, LifecycleStage, Owner, Arr, Seats, Plan, StartedOn, RenewalOn, ParentId, Status, ChurnedOn, Attributes];

    /// <summary>A stored row, its <see cref="Columns"/> read from <paramref name="first"/> on.</summary>
    public static AccountRow Read(IDataRecord r, int first)
    {
        string? Text(int i) => r.IsDBNull(first + i) ? null : r.GetString(first + i);
        double? Number(int i) => r.IsDBNull(first + i) ? null : Convert.ToDouble(r.GetValue(first + i), CultureInfo.InvariantCulture);
        return new AccountRow
        {
            Name = Text(0), Segment = Text(1), LifecycleStage = Text(2), Owner = Text(3), Arr = Number(4), Seats = Number(5), Plan = Text(6), StartedOn = Text(7),
            RenewalOn = Text(8), ParentId = Text(9), Status = Text(10) ?? "active", ChurnedOn = Text(11), Attributes = Text(12),
        };
    }

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
    private static string MergeAttributes(string? current, IReadOnlyDictionary<string, string> given)
    {
        var merged = current is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(current) ?? [];
        foreach (var (k, v) in given)
        {
            merged[k] = v;
        }
        return JsonSerializer.Serialize(new SortedDictionary<string, string>(merged, StringComparer.Ordinal));
    }
}
