using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace CustomerHealth.Web;

/// <summary>
/// The server's settings, from configuration: `--db` / `CHS_DB` for the store, and the `Limits:` and `Scoring:`
/// sections (environment variables such as `CHS_Limits__RequestsPerSecond`, or a settings file).
/// </summary>
public sealed record ServerSettings(
    string Db, long MaxBodyBytes, int RequestsPerSecond, int Burst, TimeSpan RescoreDebounce, TimeOnly DailyRescoreAt, TimeZoneInfo DailyRescoreZone)
{
    public static ServerSettings From(IConfiguration c)
    {
        var db = c["Db"] is { Length: > 0 } d ? d : "chs.db";
        return new ServerSettings(
            db,
            Long(c, "Limits:MaxBodyBytes", 32L * 1024 * 1024),
            (int)Long(c, "Limits:RequestsPerSecond", 100),
            (int)Long(c, "Limits:Burst", 200),
            TimeSpan.FromMilliseconds(Long(c, "Scoring:DebounceMilliseconds", 1000)),
            c["Scoring:DailyAt"] is { } at ? TimeOnly.ParseExact(at, "HH:mm", CultureInfo.InvariantCulture) : new TimeOnly(2, 0),
            TimeZoneInfo.FindSystemTimeZoneById(c["Scoring:TimeZone"] ?? "UTC"));
    }

    internal static long Long(IConfiguration c, string key, long fallback) =>
        c[key] is { } text
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new InvalidOperationException($"setting {key} must be a positive whole number, got '{text}'")
            : fallback;
}
