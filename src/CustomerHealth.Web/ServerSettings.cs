using System.Globalization;

namespace CustomerHealth.Web;

/// <summary>
/// The server's settings, from configuration: `--db` / `CHS_DB` for the store, and the `Limits:` and `Scoring:`
/// sections (environment variables such as `CHS_Limits__RequestsPerSecond`, or a settings file).
/// </summary>
public sealed record ServerSettings(
    string Db, long MaxBodyBytes, int RequestsPerSecond, int Burst, TimeSpan RescoreDebounce, TimeOnly DailyRescoreAt, TimeZoneInfo DailyRescoreZone)
{
    /// <summary>
    /// How long a server trusts its last look at a sign-in session (`Auth:SessionCheckSeconds`, default 10; 0 checks
    /// the store on every request): a session ended on another server stops working here within this time.
    /// </summary>
    public TimeSpan SessionCheck { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The site's own address as users reach it (`PublicUrl`), when set: also accepted as the origin of a signed-in
    /// person's API writes behind a proxy that rewrites the host.
    /// </summary>
    public Uri? PublicUrl { get; init; }

    /// <summary>The largest file the dashboard's import takes (`Limits:MaxUploadBytes`, default 200 MB).</summary>
    public long MaxUploadBytes { get; init; } = DefaultMaxUploadBytes;

    public const long DefaultMaxUploadBytes = 200L * 1024 * 1024;

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
            TimeZoneInfo.FindSystemTimeZoneById(c["Scoring:TimeZone"] ?? "UTC"))
        {
            SessionCheck = c["Auth:SessionCheckSeconds"] is { } seconds
                ? int.TryParse(seconds, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) && s >= 0 && s <= 3600
                    ? TimeSpan.FromSeconds(s)
                    : throw new InvalidOperationException($"setting Auth:SessionCheckSeconds must be a whole number from 0 to 3600, got '{seconds}'")
                : TimeSpan.FromSeconds(10),
            PublicUrl = c["PublicUrl"] is { Length: > 0 } url && Uri.TryCreate(url, UriKind.Absolute, out var u) ? u : null,
            MaxUploadBytes = Long(c, "Limits:MaxUploadBytes", DefaultMaxUploadBytes),
        };
    }

    internal static long Long(IConfiguration c, string key, long fallback) =>
        c[key] is { } text
            ? long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new InvalidOperationException($"setting {key} must be a positive whole number, got '{text}'")
            : fallback;
}
