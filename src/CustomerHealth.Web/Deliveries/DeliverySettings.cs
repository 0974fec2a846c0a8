using System.Globalization;

namespace CustomerHealth.Web.Deliveries;

/// <summary>The SMTP server e-mail goes through: `Smtp:Host`, `Smtp:Port`, `Smtp:From`, `Smtp:User`, `Smtp:Password`, `Smtp:Tls`.</summary>
public sealed record SmtpSettings(string? Host, int Port, string From, string? User, string? Password, bool Tls);

/// <summary>
/// How deliveries are made (SPEC §8), from configuration: `CHS_`-prefixed environment variables (`CHS_Smtp__Host`)
/// or a `--settings` file. A delivery attempt retries quickly a few times (`Deliveries:Retries`, from
/// `Deliveries:RetryDelayMilliseconds`, doubling); a failed attempt is tried again later with a back-off that
/// doubles from `Deliveries:BackoffSeconds` up to six hours, and after `Deliveries:MaxAttempts` it is marked failed.
/// </summary>
public sealed record DeliverySettings(
    SmtpSettings Smtp, Uri PublicUrl, int Retries, TimeSpan RetryDelay, int MaxAttempts, TimeSpan Backoff, TimeSpan Lease, TimeSpan Poll, TimeSpan Timeout,
    DayOfWeek? DigestDay, TimeOnly DigestAt, TimeZoneInfo DigestZone)
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    public static DeliverySettings From(IConfiguration c)
    {
        var publicUrl = c["PublicUrl"] ?? "http://127.0.0.1:5000";
        if (!Uri.TryCreate(publicUrl.TrimEnd('/') + "/", UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
        {
            throw new InvalidOperationException($"setting PublicUrl must be the http(s) address people open the dashboard at, got '{publicUrl}'");
        }
        DayOfWeek? digestDay = c["Digest:Day"] is { Length: > 0 } day
            ? Enum.TryParse<DayOfWeek>(day, ignoreCase: true, out var d) && !int.TryParse(day, CultureInfo.InvariantCulture, out _)
                ? d
                : throw new InvalidOperationException($"setting Digest:Day must be a day of the week such as Monday, got '{day}'")
            : null;
        return new DeliverySettings(
            new SmtpSettings(
                c["Smtp:Host"] is { Length: > 0 } host ? host : null,
                (int)ServerSettings.Long(c, "Smtp:Port", 25),
                c["Smtp:From"] is { Length: > 0 } from ? from : "customer-health@localhost",
                c["Smtp:User"] is { Length: > 0 } user ? user : null,
                c["Smtp:Password"],
                Bool(c, "Smtp:Tls")),
            url,
            c["Deliveries:Retries"] == "0" ? 0 : (int)ServerSettings.Long(c, "Deliveries:Retries", 3),
            TimeSpan.FromMilliseconds(ServerSettings.Long(c, "Deliveries:RetryDelayMilliseconds", 1000)),
            (int)ServerSettings.Long(c, "Deliveries:MaxAttempts", 8),
            TimeSpan.FromSeconds(ServerSettings.Long(c, "Deliveries:BackoffSeconds", 60)),
            TimeSpan.FromSeconds(ServerSettings.Long(c, "Deliveries:LeaseSeconds", 120)),
            TimeSpan.FromMilliseconds(ServerSettings.Long(c, "Deliveries:PollMilliseconds", 10_000)),
            TimeSpan.FromSeconds(ServerSettings.Long(c, "Deliveries:TimeoutSeconds", 15)),
            digestDay,
            c["Digest:At"] is { } at ? TimeOnly.ParseExact(at, "HH:mm", CultureInfo.InvariantCulture) : new TimeOnly(8, 0),
            TimeZoneInfo.FindSystemTimeZoneById(c["Digest:TimeZone"] ?? c["Scoring:TimeZone"] ?? "UTC"));
    }

    /// <summary>When a delivery that failed its attempt number <paramref name="attempts"/> is tried again; null when it has had its last try.</summary>
    public DateTimeOffset? NextAttempt(long attempts, DateTimeOffset now)
    {
        if (attempts >= MaxAttempts)
        {
            return null;
        }
        var wait = Backoff * Math.Pow(2, Math.Min(attempts - 1, 20));
        return now + (wait > MaxBackoff ? MaxBackoff : wait);
    }

    /// <summary>The account's page in the dashboard, for links in messages.</summary>
    public Uri AccountUrl(string accountId) => new(PublicUrl, "accounts/" + Uri.EscapeDataString(accountId));

    /// <summary>The digest due most recently at or before <paramref name="now"/> (the local day it is for), or null when digests are off.</summary>
    public DateOnly? DigestDue(DateTimeOffset now)
    {
        if (DigestDay is not { } day)
        {
            return null;
        }
        var local = TimeZoneInfo.ConvertTime(now, DigestZone);
        var date = DateOnly.FromDateTime(local.DateTime);
        var back = ((int)date.DayOfWeek - (int)day + 7) % 7;
        var candidate = date.AddDays(-back);
        if (back == 0 && TimeOnly.FromDateTime(local.DateTime) < DigestAt)
        {
            candidate = candidate.AddDays(-7);
        }
        return candidate;
    }

    private static bool Bool(IConfiguration c, string key) =>
        c[key] is not { Length: > 0 } text ? false
        : bool.TryParse(text, out var b) ? b
        : throw new InvalidOperationException($"setting {key} must be true or false, got '{text}'");
}
