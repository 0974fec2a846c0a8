using System.Buffers;
using System.Globalization;

namespace CustomerHealth.Core.Signals;

/// <summary>
/// The one home of what text the product stores: how long each sort of field may be and which characters it may hold.
/// Imports, HTTP ingest, the API's writes and the dashboard's forms all check here, and say which field and which limit.
/// </summary>
public static class FieldLimits
{
    /// <summary>Identifiers (account, ticket, invoice, order, event, response and user ids): at most 200 characters, no control characters.</summary>
    public const int Id = 200;

    /// <summary>Names and labels (account names, segments, plans, owners, event and metric names, titles...): one line of at most 500 characters.</summary>
    public const int Label = 500;

    /// <summary>Free text (survey comments, sentiment notes, override reasons, task steps and outcomes): at most 10,000 characters; lines and tabs allowed.</summary>
    public const int Text = 10_000;

    /// <summary>An override's reason: a sentence or a short paragraph, shown with the score to everyone.</summary>
    public const int Reason = 2_000;

    /// <summary>The most steps a task may list (each one line, a label).</summary>
    public const int Steps = 100;

    /// <summary>A field refused, and why.</summary>
    public sealed record Refusal(string Field, string Problem)
    {
        public override string ToString() => $"{Field}: {Problem}";
    }

    /// <summary>The first of the fields that may not be stored, or null when all may.</summary>
    public static Refusal? First(params ReadOnlySpan<(string Field, string? Value, Kind Kind)> fields)
    {
        foreach (var (field, value, kind) in fields)
        {
            if (Problem(value, kind) is { } problem)
            {
                return new Refusal(field, problem);
            }
        }
        return null;
    }

    /// <summary>What people write on a task (SPEC §8): title, assignee, steps and outcome, checked the same for the API and the dashboard.</summary>
    public static Refusal? Task(string? title, string? assignee, IReadOnlyList<string>? steps, string? outcome)
    {
        if (First(("title", title, Kind.Label), ("assignee", assignee, Kind.Label), ("outcome", outcome, Kind.Text)) is { } refused)
        {
            return refused;
        }
        if (steps is { Count: > Steps })
        {
            return new Refusal("steps", $"at most {Steps} steps, got {steps.Count.ToString(CultureInfo.InvariantCulture)}");
        }
        for (var i = 0; i < (steps?.Count ?? 0); i++)
        {
            if (Problem(steps![i], Kind.Label) is { } problem)
            {
                return new Refusal($"steps[{i.ToString(CultureInfo.InvariantCulture)}]", problem);
            }
        }
        return null;
    }

    /// <summary>An override's reason.</summary>
    public static Refusal? OverrideReason(string? reason) =>
        Problem(reason, Kind.Text, Reason) is { } problem ? new Refusal("reason", problem) : null;

    /// <summary>What a field holds, which decides its limit.</summary>
    public enum Kind
    {
        Id,
        Label,
        Text,
    }

    // Every control character (C0, DEL, C1); free text may still hold tabs and line breaks.
    private static readonly SearchValues<char> Controls = SearchValues.Create(ControlChars(allowLines: false));
    private static readonly SearchValues<char> ControlsButLines = SearchValues.Create(ControlChars(allowLines: true));

    public static int Max(Kind kind) => kind switch { Kind.Id => Id, Kind.Label => Label, _ => Text };

    /// <summary>What is wrong with <paramref name="value"/> as a field of this kind, or null when it may be stored.</summary>
    public static string? Problem(string? value, Kind kind) => Problem(value, kind, Max(kind));

    /// <summary>Whether <paramref name="value"/> may be stored as a field of this kind (<see cref="Problem(string?, Kind)"/> finds nothing wrong).</summary>
    public static bool Allowed(ReadOnlySpan<char> value, Kind kind) =>
        value.Length <= Max(kind) && value.IndexOfAny(kind == Kind.Text ? ControlsButLines : Controls) < 0;

    /// <summary>As <see cref="Problem(string?, Kind)"/>, with a limit of its own (at most that of the kind's).</summary>
    public static string? Problem(string? value, Kind kind, int max)
    {
        if (value is null)
        {
            return null;
        }
        var at = value.AsSpan().IndexOfAny(kind == Kind.Text ? ControlsButLines : Controls);
        if (at >= 0)
        {
            var what = value[at] == '\0' ? "a NUL character" : $"a control character (U+{(int)value[at]:X4})";
            return $"must not contain {what} (found at character {(at + 1).ToString(CultureInfo.InvariantCulture)})"
                + (kind == Kind.Text ? "" : kind == Kind.Id ? "; ids are printable text" : "; it is one line of printable text");
        }
        if (value.Length > max)
        {
            return $"must be at most {max.ToString("N0", CultureInfo.InvariantCulture)} characters, got {value.Length.ToString("N0", CultureInfo.InvariantCulture)}";
        }
        return null;
    }

    /// <summary>The sort of a known field of an imported row (SPEC §3): ids, free text (comments, notes), else one-line labels.</summary>
    public static Kind OfImported(string field) => field switch
    {
        "account_id" or "ticket_id" or "invoice_id" or "order_id" or "event_id" or "response_id" or "user_id" or "parent_id" or "touch_id" => Kind.Id,
        "comment" or "note" or "text" => Kind.Text,
        _ => Kind.Label,
    };

    private static string ControlChars(bool allowLines)
    {
        var chars = new List<char>();
        for (var c = '\0'; c <= '\u009f'; c++)
        {
            if (char.IsControl(c) && !(allowLines && c is '\t' or '\n' or '\r'))
            {
                chars.Add(c);
            }
        }
        return new string([.. chars]);
    }
}
