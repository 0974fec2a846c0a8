using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Measures;

/// <summary>
/// A value definition bound to its aggregate in <see cref="AggregateCatalog"/> and to the event ids of one run, so
/// that computing it for each account calls the aggregate directly and the inner loops compare integers.
/// </summary>
public sealed class CompiledValue
{
    public CompiledValue(ValueSpec spec, int? validForDays, Func<string, int?> eventId)
    {
        Spec = spec;
        Aggregate = AggregateCatalog.Find(spec.Signal, spec.Aggregate)
            ?? throw new ArgumentException($"unknown aggregate `{spec.Aggregate}` for signal `{spec.Signal.ToString().ToLowerInvariant()}`", nameof(spec));
        WindowDays = spec.WindowDays;
        ValidForDays = validForDays;
        EventIds = spec.Events.Count == 0 ? null : EventMask(spec.Events.Select(eventId));
        Priorities = spec.Priorities.Count == 0 ? null : spec.Priorities.Select(p => Enum.Parse<TicketPriority>(p, ignoreCase: true)).ToHashSet();
        SurveyKind = spec.Kind is null ? null : Enum.Parse<SurveyKind>(spec.Kind, ignoreCase: true);
    }

    public ValueSpec Spec { get; }
    public Aggregate Aggregate { get; }
    public int? WindowDays { get; }
    public int? ValidForDays { get; }
    /// <summary>
    /// Which event ids the measure takes, indexed by id (an id past its end is not taken); null when the measure takes
    /// every event. A name no event has been stored under has no id and matches nothing.
    /// </summary>
    public bool[]? EventIds { get; }
    public HashSet<TicketPriority>? Priorities { get; }
    public SurveyKind? SurveyKind { get; }

    /// <summary>Whether the measure takes the event of this id.</summary>
    public static bool Takes(bool[]? eventIds, int id) => eventIds is null || ((uint)id < (uint)eventIds.Length && eventIds[id]);

    private static bool[] EventMask(IEnumerable<int?> ids)
    {
        var known = ids.Where(id => id >= 0).Select(id => id!.Value).ToList();
        var mask = new bool[known.Count == 0 ? 0 : known.Max() + 1];
        foreach (var id in known)
        {
            mask[id] = true;
        }
        return mask;
    }
}
