namespace CustomerHealth.Core.Alerts;

public enum AlertState { Open, Acknowledged, Snoozed }

/// <summary>The unresolved alert for one rule and account, as far as the lifecycle needs it.</summary>
public sealed record ExistingAlert
{
    public DateOnly OpenedOn { get; }
    public DateOnly UpdatedOn { get; }
    public AlertState State { get; }
    public DateOnly? SnoozedUntil { get; }

    public ExistingAlert(DateOnly openedOn, DateOnly updatedOn, AlertState state, DateOnly? snoozedUntil = null)
    {
        if (updatedOn < openedOn)
        {
            throw new ArgumentException("an alert cannot be updated before it opened", nameof(updatedOn));
        }
        if ((state == AlertState.Snoozed) != snoozedUntil.HasValue)
        {
            throw new ArgumentException("a snoozed alert, and only a snoozed alert, has a snoozed-until date", nameof(snoozedUntil));
        }
        OpenedOn = openedOn;
        UpdatedOn = updatedOn;
        State = state;
        SnoozedUntil = snoozedUntil;
    }

    /// <summary>Still asleep on this day; the snooze ends on the morning of SnoozedUntil.</summary>
    public bool IsSnoozedOn(DateOnly day) => State == AlertState.Snoozed && day < SnoozedUntil;
}

public enum AlertAction
{
    /// <summary>Open a new alert.</summary>
    Open,
    /// <summary>Refresh the existing unresolved alert; never open a second one.</summary>
    Update,
    /// <summary>The condition cleared and the rule resolves automatically.</summary>
    Resolve,
    /// <summary>Nothing to do.</summary>
    Keep,
    /// <summary>The condition holds again, but the cooldown after the last resolution is not over.</summary>
    Suppressed,
}

/// <summary>What to do with one rule for one account. Notify says whether deliveries go out; State is the alert's state afterwards.</summary>
public sealed record AlertDecision(AlertAction Action, bool Notify, AlertState? State, string Reason);

/// <summary>Decides an alert's next step for one rule and account from what is stored about it and today's evaluation.</summary>
public static class AlertLifecycle
{
    /// <summary>A snooze ends on a day after today: one ending today or before would not keep the alert quiet at all.</summary>
    public static bool SnoozeMayEnd(DateOnly until, DateOnly today) => until > today;

    /// <summary>A task is assigned to a person's e-mail address (owners are, and messages go there), or to nobody.</summary>
    public static bool IsAssignee(string? assignee) => string.IsNullOrWhiteSpace(assignee) || assignee.Contains('@', StringComparison.Ordinal);

    public static AlertDecision Decide(AlertRule rule, ExistingAlert? existing, DateOnly? lastResolvedOn, bool fires, DateOnly asOf) =>
        Decide(rule.CooldownDays, rule.AutoResolve, existing, lastResolvedOn, fires, asOf);

    /// <param name="cooldownDays">The rule's cooldown: for this many days after an alert is resolved, the condition holding again opens none.</param>
    /// <param name="autoResolve">Whether the rule resolves its alert by itself once the condition no longer holds.</param>
    /// <param name="existing">The open, acknowledged or snoozed alert for this rule and account, if any.</param>
    /// <param name="lastResolvedOn">When the last alert for this rule and account was resolved, if ever; ignored while one is unresolved.</param>
    /// <param name="fires">Whether the account is in the rule's scope and its condition holds as of <paramref name="asOf"/>.</param>
    /// <param name="asOf">The day being decided.</param>
    public static AlertDecision Decide(int cooldownDays, bool autoResolve, ExistingAlert? existing, DateOnly? lastResolvedOn, bool fires, DateOnly asOf)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(cooldownDays);
        if (existing is not null)
        {
            return Continue(autoResolve, existing, fires, asOf);
        }
        if (!fires)
        {
            return new AlertDecision(AlertAction.Keep, false, null, "condition does not hold");
        }
        if (lastResolvedOn is { } resolved && asOf < resolved.AddDays(cooldownDays))
        {
            var until = resolved.AddDays(cooldownDays);
            return new AlertDecision(AlertAction.Suppressed, false, null, $"cooling down until {until:yyyy-MM-dd} after the last alert was resolved on {resolved:yyyy-MM-dd}");
        }
        return new AlertDecision(AlertAction.Open, true, AlertState.Open, "condition holds");
    }

    private static AlertDecision Continue(bool autoResolve, ExistingAlert existing, bool fires, DateOnly asOf)
    {
        if (asOf < existing.OpenedOn)
        {
            // A day before the alert opened (the latest scored day moved back): its dates never go back before its opening.
            return new AlertDecision(AlertAction.Keep, false, existing.State, "opened after this day; left as it is");
        }
        if (!fires)
        {
            // Without auto_resolve a person closes the alert: the account recovering is news, not proof the work is done.
            return autoResolve
                ? new AlertDecision(AlertAction.Resolve, false, null, "condition cleared")
                : new AlertDecision(AlertAction.Keep, false, existing.State, "condition cleared; waiting for someone to resolve it");
        }
        if (existing.IsSnoozedOn(asOf))
        {
            return new AlertDecision(AlertAction.Update, false, AlertState.Snoozed, $"still holds; snoozed until {existing.SnoozedUntil:yyyy-MM-dd}");
        }
        if (existing.State == AlertState.Snoozed)
        {
            // The snooze is over and the problem is still there: wake the alert and tell people again, once.
            return new AlertDecision(AlertAction.Update, true, AlertState.Open, $"still holds after the snooze ended on {existing.SnoozedUntil:yyyy-MM-dd}");
        }
        // Open and acknowledged alerts are refreshed quietly: one notification per alert, not one per scoring run.
        return new AlertDecision(AlertAction.Update, false, existing.State, "still holds");
    }
}
