namespace CustomerHealth.Core.Alerts;

/// <summary>
/// Invariant checks for the alert records. Each validated property calls one of these from both its initializer
/// and its init accessor, so `with` expressions cannot build a value the constructor would refuse.
/// </summary>
internal static class Require
{
    public static string Text(string value, string name) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new ArgumentException($"`{name}` needs a non-empty text", name);

    public static int Positive(int value, string name) =>
        value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"`{name}` must be above 0");

    public static int NonNegative(int value, string name) =>
        value >= 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"`{name}` cannot be negative");

    public static double Positive(double value, string name) =>
        double.IsFinite(value) && value > 0 ? value : throw new ArgumentOutOfRangeException(name, value, $"`{name}` must be above 0");

    public static double Finite(double value, string name) =>
        double.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"`{name}` must be a finite number");
}
