namespace CustomerHealth.Core.Measures;

/// <summary>A measure's raw value as of a day: a number, a category (for `map`), or missing (and why).</summary>
public readonly record struct MeasureValue(double Number, string? Text, bool IsMissing, bool IsStale)
{
    public static readonly MeasureValue Missing = new(double.NaN, null, true, false);
    public static readonly MeasureValue StaleValue = new(double.NaN, null, true, true);

    public static MeasureValue Of(double n) => double.IsFinite(n) ? new(n, null, false, false) : Missing;

    public static MeasureValue OfText(string text) => new(double.NaN, text, false, false);

    public bool IsText => Text is not null;
}
