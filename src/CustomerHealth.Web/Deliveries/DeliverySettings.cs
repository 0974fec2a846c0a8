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
/// <param name="Smtp">The SMTP server e-mail goes through.</param>
/// <param name="ConfiguredUrl">`PublicUrl` when it is set: where links in messages point.</param>
/// <param name="Retries">The quick retries of one attempt (`Deliveries:Retries`).</param>
/// <param name="RetryDelay">The wait before the first quick retry, doubling for each next one (`Deliveries:RetryDelayMilliseconds`).</param>
/// <param name="MaxAttempts">After this many failed attempts a delivery is marked failed (`Deliveries:MaxAttempts`).</param>
/// <param name="Backoff">The wait after a first failed attempt, doubling after each next one up to <see cref="MaxBackoff"/> (`Deliveries:BackoffSeconds`).</param>
/// <param name="Lease">How long the deliveries a sender claimed stay its own before they may be claimed again (`Deliveries:LeaseSeconds`).</param>
/// <param name="Poll">How long the worker waits between passes when nothing wakes it (`Deliveries:PollMilliseconds`).</param>
/// <param name="Timeout">How long one try of a delivery may take (`Deliveries:TimeoutSeconds`).</param>
/// <param name="DigestDay">The day of the week the digest goes out (`Digest:Day`); null: no digest.</param>
/// <param name="DigestAt">The time of day it is due (`Digest:At`).</param>
/// <param name="DigestZone">The timezone of that day and time (`Digest:TimeZone`, else `Scoring:TimeZone`).</param>
public sealed record DeliverySettings(
    SmtpSettings Smtp, Uri? ConfiguredUrl, int Retries, TimeSpan RetryDelay, int MaxAttempts, TimeSpan Backoff, TimeSpan Lease, TimeSpan Poll, TimeSpan Timeout,
    DayOfWeek? DigestDay, TimeOnly DigestAt, TimeZoneInfo DigestZone)
{
    public static readonly TimeSpan MaxBackoff = TimeSpan.FromHours(6);

    /// <summary>Where links point when `PublicUrl` is not set and no server address is known (`chs deliver`).</summary>
    public static readonly Uri DefaultUrl = new("http://127.0.0.1:5000/");

    private Uri? served;
    private readonly TaskCompletionSource started = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The base of links in messages: `PublicUrl`; else the first address the server listens on, once it does; else <see cref="DefaultUrl"/>.</summary>
    public Uri PublicUrl => ConfiguredUrl ?? Volatile.Read(ref served) ?? DefaultUrl;

    /// <summary>Done when links have their base: at once with `PublicUrl`, else once the server has said where it listens.</summary>
    public Task LinksReady => ConfiguredUrl is null ? started.Task : Task.CompletedTask;

    /// <summary>
    /// Takes the addresses the server listens on (after it started): without `PublicUrl`, links use the first one
    /// (a wildcard host such as 0.0.0.0 becomes this machine's name). Returns the sentence saying where links point.
    /// </summary>
    public string UseServedAddresses(IEnumerable<string> addresses)
    {
        if (ConfiguredUrl is null && addresses.Select(LinkBase).FirstOrDefault(u => u is not null) is { } first)
        {
            Interlocked.CompareExchange(ref served, first, null);
        }
        started.TrySetResult();
        return LinksNote;
    }

    /// <summary>Where links in messages point and why, for a person starting the server or sending deliveries.</summary>
    public string LinksNote => ConfiguredUrl is not null
        ? $"Links in e-mails and webhooks point to {ConfiguredUrl} (PublicUrl)."
        : $"Links in e-mails and webhooks point to {PublicUrl} ({(Volatile.Read(ref served) is null ? "a default" : "the address served")}): " +
          "set PublicUrl (CHS_PublicUrl, or PublicUrl in the --settings file) to the address people open the dashboard at.";

    private static Uri? LinkBase(string address)
    {
        if (!Uri.TryCreate(address, UriKind.Absolute, out var u) || (u.Scheme != Uri.UriSchemeHttp && u.Scheme != Uri.UriSchemeHttps))
        {
            return null;
        }
        var b = new UriBuilder(u) { Path = "/" };
        if (System.Net.IPAddress.TryParse(u.Host.Trim('[', ']'), out var ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)))
        {
            b.Host = System.Net.Dns.GetHostName();
        }
        return b.Uri;
    }

    public static DeliverySettings From(IConfiguration c)
    {
        Uri? url = null;
        if (c["PublicUrl"] is { Length: > 0 } publicUrl &&
            (!Uri.TryCreate(publicUrl.TrimEnd('/') + "/", UriKind.Absolute, out url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps)))
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
