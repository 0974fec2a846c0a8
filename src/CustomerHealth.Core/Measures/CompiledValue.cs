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
        EventIds = spec.Events.Count == 0 ? null : spec.Events.Select(e => eventId(e) ?? -1).ToHashSet();
        Priorities = spec.Priorities.Count == 0 ? null : spec.Priorities.Select(p => Enum.Parse<TicketPriority>(p, ignoreCase: true)).ToHashSet();
        SurveyKind = spec.Kind is null ? null : Enum.Parse<SurveyKind>(spec.Kind, ignoreCase: true);
    }

    public ValueSpec Spec { get; }
    public Aggregate Aggregate { get; }
    public int? WindowDays { get; }
    public int? ValidForDays { get; }
    /// <summary>Null when the measure takes every event.</summary>
    public HashSet<int>? EventIds { get; }
    public HashSet<TicketPriority>? Priorities { get; }
    public SurveyKind? SurveyKind { get; }
}
