using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Measures;

/// <summary>A value definition bound to the event ids of one run, so the inner loops compare integers.</summary>
public sealed class CompiledValue
{
    public CompiledValue(ValueSpec spec, int? validForDays, Func<string, int?> eventId)
    {
        Spec = spec;
        ValidForDays = validForDays;
        EventIds = spec.Events.Count == 0 ? null : spec.Events.Select(e => eventId(e) ?? -1).ToHashSet();
        Priorities = spec.Priorities.Count == 0 ? null : spec.Priorities.Select(p => Enum.Parse<TicketPriority>(p, ignoreCase: true)).ToHashSet();
        SurveyKind = spec.Kind is null ? null : Enum.Parse<SurveyKind>(spec.Kind, ignoreCase: true);
    }

    public ValueSpec Spec { get; }
    public int? ValidForDays { get; }
    /// <summary>Null when the measure takes every event.</summary>
    public HashSet<int>? EventIds { get; }
    public HashSet<TicketPriority>? Priorities { get; }
    public SurveyKind? SurveyKind { get; }
}
