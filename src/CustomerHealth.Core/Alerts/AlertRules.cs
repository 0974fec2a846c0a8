using System.Globalization;
using System.Text;

namespace CustomerHealth.Core.Alerts;

/// <summary>The alert rules file of SPEC §8: rules, and the named destinations their `notify` entries point to.</summary>
public sealed record AlertRuleSet(IReadOnlyList<AlertRule> Rules, IReadOnlyDictionary<string, Destination> Destinations)
{
    public static AlertRuleSet Empty { get; } = new([], new Dictionary<string, Destination>());

    public AlertRule? Find(string id) => Rules.FirstOrDefault(r => r.Id == id);
}

public enum Severity { Low, Medium, High }

/// <summary>
/// One rule: when its condition holds for an account in its scope, an alert opens (or the open one is updated).
/// <see cref="Holdout"/> is the share of accounts (0 to <see cref="MaxHoldout"/>) it alerts for reporting only, with no
/// task and no notification (<see cref="Alerts.Holdout"/>), so that `chs alerts effect` can measure what the play does.
/// </summary>
public sealed record AlertRule(
    string Id,
    Condition When,
    RuleScope Scope,
    int CooldownDays,
    Severity Severity,
    IReadOnlyList<NotifyTarget> Notify,
    TaskTemplate? Task,
    bool AutoResolve,
    double Holdout = 0)
{
    /// <summary>The largest hold-out a rule may have: most alerted accounts still get the play.</summary>
    public const double MaxHoldout = 0.5;

    public double Holdout { get; init => field = value is >= 0 and <= MaxHoldout ? value : throw new ArgumentOutOfRangeException(nameof(Holdout)); } =
        Holdout is >= 0 and <= MaxHoldout ? Holdout : throw new ArgumentOutOfRangeException(nameof(Holdout));

    public string Id { get; init => field = Require.Text(value, nameof(Id)); } = Require.Text(Id, nameof(Id));
    public int CooldownDays { get; init => field = Require.NonNegative(value, nameof(CooldownDays)); } = Require.NonNegative(CooldownDays, nameof(CooldownDays));
}

/// <summary>
/// What a rule watches for. The hierarchy is closed (the constructor is not visible outside Core) so that
/// evaluation can switch over every kind and the compiler-checked list stays the one in SPEC §8.
/// </summary>
public abstract record Condition
{
    private protected Condition()
    {
    }
}

/// <summary>`grade_entered: red` — the grade became this one at this snapshot.</summary>
public sealed record GradeEntered(string Grade) : Condition
{
    public string Grade { get; init => field = Require.Text(value, nameof(Grade)); } = Require.Text(Grade, nameof(Grade));
}

/// <summary>`score_below: 40`.</summary>
public sealed record ScoreBelow(double Value) : Condition
{
    public double Value { get; init => field = Require.Positive(value, nameof(Value)); } = Require.Positive(Value, nameof(Value));
}

/// <summary>`score_drop: { points: 15, days: 30 }` — the score fell at least this much since that many days ago.</summary>
public sealed record ScoreDrop(double Points, int Days) : Condition
{
    public double Points { get; init => field = Require.Positive(value, nameof(Points)); } = Require.Positive(Points, nameof(Points));
    public int Days { get; init => field = Require.Positive(value, nameof(Days)); } = Require.Positive(Days, nameof(Days));
}

/// <summary>`measure: { id: nps, below: 0 }` — the measure's raw value is strictly below the threshold.</summary>
public sealed record MeasureBelow(string MeasureId, double Threshold) : Condition
{
    public string MeasureId { get; init => field = Require.Text(value, nameof(MeasureId)); } = Require.Text(MeasureId, nameof(MeasureId));
    public double Threshold { get; init => field = Require.Finite(value, nameof(Threshold)); } = Require.Finite(Threshold, nameof(Threshold));
}

/// <summary>`measure: { id: urgent_open, above: 2 }` — the measure's raw value is strictly above the threshold.</summary>
public sealed record MeasureAbove(string MeasureId, double Threshold) : Condition
{
    public string MeasureId { get; init => field = Require.Text(value, nameof(MeasureId)); } = Require.Text(MeasureId, nameof(MeasureId));
    public double Threshold { get; init => field = Require.Finite(value, nameof(Threshold)); } = Require.Finite(Threshold, nameof(Threshold));
}

/// <summary>`renewal_within: { days: 90, grades: [red, yellow] }`; no grades means any grade.</summary>
public sealed record RenewalWithin(int Days, IReadOnlyList<string> Grades) : Condition
{
    public int Days { get; init => field = Require.Positive(value, nameof(Days)); } = Require.Positive(Days, nameof(Days));
}

/// <summary>`stale: { measure: csm }` — the measure's last value is older than its `valid_for`.</summary>
public sealed record Stale(string MeasureId) : Condition
{
    public string MeasureId { get; init => field = Require.Text(value, nameof(MeasureId)); } = Require.Text(MeasureId, nameof(MeasureId));
}

/// <summary>Which accounts a rule looks at. Each empty list means no restriction; the lists that are given must all match.</summary>
public sealed record RuleScope(IReadOnlyList<string> Segments, IReadOnlyList<string> Owners, IReadOnlyList<string> LifecycleStages)
{
    public static RuleScope Everyone { get; } = new([], [], []);

    public bool IsEveryone => Segments.Count == 0 && Owners.Count == 0 && LifecycleStages.Count == 0;

    // Case-insensitive: segment names and e-mail addresses are typed by people in CRMs and YAML alike.
    public bool Matches(AccountState account) =>
        In(Segments, account.Segment) && In(Owners, account.Owner) && In(LifecycleStages, account.LifecycleStage);

    private static bool In(IReadOnlyList<string> allowed, string? value) =>
        allowed.Count == 0 || (value is not null && allowed.Contains(value, StringComparer.OrdinalIgnoreCase));
}

public enum NotifyKind { Inbox, Owner, Email, Webhook, Slack }

/// <summary>
/// One `notify` entry: `inbox`, `owner`, `email:ADDRESS`, `webhook:NAME` or `slack:NAME`. Target is the address
/// or destination name, and is null exactly for inbox and owner.
/// </summary>
public sealed record NotifyTarget
{
    public NotifyKind Kind { get; }
    public string? Target { get; }

    public NotifyTarget(NotifyKind kind, string? target = null)
    {
        var needsTarget = kind is NotifyKind.Email or NotifyKind.Webhook or NotifyKind.Slack;
        if (needsTarget && string.IsNullOrWhiteSpace(target))
        {
            throw new ArgumentException($"`{kind}` needs an address or destination name", nameof(target));
        }
        if (!needsTarget && target is not null)
        {
            throw new ArgumentException($"`{kind}` takes no target", nameof(target));
        }
        Kind = kind;
        Target = target;
    }

    public static NotifyTarget Inbox { get; } = new(NotifyKind.Inbox);
    public static NotifyTarget Owner { get; } = new(NotifyKind.Owner);

    /// <summary>The form used in the rules file, e.g. `slack:cs-alerts`.</summary>
    public override string ToString() =>
        Target is null ? Kind.ToString().ToLowerInvariant() : $"{Kind.ToString().ToLowerInvariant()}:{Target}";
}

public enum DestinationKind { Webhook, Slack }

/// <summary>A named delivery endpoint; the secret, when set, signs webhook bodies (HMAC-SHA256).</summary>
public sealed record Destination
{
    public DestinationKind Kind { get; }
    public Uri Url { get; }
    public string? Secret { get; }

    public Destination(DestinationKind kind, Uri url, string? secret = null)
    {
        if (!url.IsAbsoluteUri || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("a destination url must be an absolute http or https address", nameof(url));
        }
        if (secret is not null && secret.Length == 0)
        {
            throw new ArgumentException("a secret cannot be empty; leave it out instead", nameof(secret));
        }
        Kind = kind;
        Url = url;
        Secret = secret;
    }

    // Records print every property; rule sets get logged and shown, so the secret must not be.
    public override string ToString() => $"{Kind} {Url}{(Secret is null ? "" : " (signed)")}";
}

/// <summary>
/// The task an alert creates. The title keeps its placeholders; <see cref="Title"/> fills them for one account.
/// A null AssigneeEmail means the account's owner; a null DueInDays means no due date.
/// </summary>
public sealed record TaskTemplate(string TitleTemplate, string? AssigneeEmail, int? DueInDays, IReadOnlyList<string> Steps)
{
    public static IReadOnlyList<string> Placeholders { get; } = ["{account.name}", "{account.id}", "{rule.id}", "{score}", "{grade}"];

    public string TitleTemplate { get; init => field = Require.Text(value, nameof(TitleTemplate)); } = Require.Text(TitleTemplate, nameof(TitleTemplate));
    public int? DueInDays { get; init => field = value is { } d ? Require.Positive(d, nameof(DueInDays)) : null; } = DueInDays is { } due ? Require.Positive(due, nameof(DueInDays)) : null;

    public bool AssignsOwner => AssigneeEmail is null;

    /// <summary>The title for one account. An account without a name shows its id, so a title never reads "Call ".</summary>
    public string Title(AccountState account, AlertRule rule)
    {
        var score = account.Score is { } s ? s.ToString("0.0", CultureInfo.InvariantCulture) : "no score";
        return new StringBuilder(TitleTemplate)
            .Replace("{account.name}", string.IsNullOrWhiteSpace(account.Name) ? account.AccountId : account.Name)
            .Replace("{account.id}", account.AccountId)
            .Replace("{rule.id}", rule.Id)
            .Replace("{score}", score)
            .Replace("{grade}", account.Grade ?? "ungraded")
            .ToString();
    }
}
