using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Store;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components;

/// <summary>
/// What every page of a request shares: the store, the clock, and the published model's grades (labels and colors),
/// read once per request. The store's readers and books are injected into the pages themselves (StoreServices.cs).
/// </summary>
public sealed class Dashboard(StoreDb db, ModelVersions models, TimeProvider clock)
{
    private HealthModel? model;
    private string? version;
    private bool modelRead;

    public StoreDb Db => db;

    public TimeProvider Clock => clock;

    public ModelVersions Models => models;

    public DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    /// <summary>The published model, or null before one is published.</summary>
    public HealthModel? Model
    {
        get
        {
            if (!modelRead)
            {
                var current = Models.Current();
                version = current?.VersionId;
                model = current is null ? null : Models.ModelOf(current.VersionId);
                modelRead = true;
            }
            return model;
        }
    }

    /// <summary>The published model's version id, or null before one is published (read with <see cref="Model"/>).</summary>
    public string? ModelVersion => Model is null ? null : version;

    public IReadOnlyList<Grade> Grades => Model?.Grades ?? [];

    public Grade? Grade(string? id) => id is null ? null : Grades.FirstOrDefault(g => string.Equals(g.Id, id, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// Every number the dashboard prints goes through here, so that a value that rounds to zero never shows as "-0.0"
    /// (.NET keeps the sign of a negative number that rounds to zero, and of negative zero itself).
    /// </summary>
    public static string Number(double v, string format)
    {
        var text = v.ToString(format, CultureInfo.InvariantCulture);
        return text.StartsWith('-') && !text.AsSpan(1).ContainsAnyInRange('1', '9') ? text[1..] : text;
    }

    public static string Score(double? s) => s is { } v ? Number(v, "0.0") : "—";

    /// <summary>A change in points with its sign: "+1.5", "-2.0", "0.0".</summary>
    public static string Signed(double? change) => change is { } v ? Number(v, "+0.0;-0.0;0.0") : "—";

    public static string Money(double? v) => v is { } x ? Number(x, "N0") : "—";

    public static string Percent(double? v) => v is { } x ? Number(x * 100, "0") + "%" : "—";

    /// <summary>A month ("2026-03", or any day of it) as the dashboard names it: "Mar 2026".</summary>
    public static string Month(string month) => Month(DateOnly.ParseExact(month + "-01", "yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <inheritdoc cref="Month(string)"/>
    public static string Month(DateOnly day) => day.ToString("MMM yyyy", CultureInfo.InvariantCulture);

    /// <summary>A day or a time the store keeps, as a person reads it (see <see cref="ReadableTimes"/>).</summary>
    public static string When(string? stored) => string.IsNullOrEmpty(stored) ? "—" : ReadableTimes.Text(stored);

    /// <summary>Black or white text, whichever reads better on the color (WCAG relative luminance).</summary>
    public static string TextOn(string? color)
    {
        // `#rgb` is `#rrggbb` with each digit doubled.
        if (color is { Length: 4 } && color[0] == '#')
        {
            color = string.Concat("#", new string(color[1], 2), new string(color[2], 2), new string(color[3], 2));
        }
        if (color is not { Length: 7 } || color[0] != '#' || !int.TryParse(color.AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var rgb))
        {
            return "#000";
        }
        static double Channel(int c)
        {
            var s = c / 255.0;
            return s <= 0.03928 ? s / 12.92 : Math.Pow((s + 0.055) / 1.055, 2.4);
        }
        var l = 0.2126 * Channel((rgb >> 16) & 255) + 0.7152 * Channel((rgb >> 8) & 255) + 0.0722 * Channel(rgb & 255);
        return (l + 0.05) / 0.05 > 1.05 / (l + 0.05) ? "#000" : "#fff";
    }
}
