using System.Net;
using System.Net.Http.Headers;
using System.Net.Mail;
using System.Net.Mime;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Store;
using CustomerHealth.Store.Alerts;
using CustomerHealth.Store.Deliveries;
using CustomerHealth.Store.Models;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace CustomerHealth.Web.Deliveries;

/// <summary>What one pass over the outbox did.</summary>
public sealed record DeliveryRunSummary(int Sent, int Retrying, int Failed, IReadOnlyList<string> Errors);

/// <summary>
/// Sends the outbox's due deliveries: e-mail over SMTP (`System.Net.Mail`), webhooks (JSON, HMAC-signed, with an
/// `Idempotency-Key`) and Slack-compatible webhooks. Each attempt retries transient faults quickly with Polly; an
/// attempt that still fails goes back to the outbox with a back-off, and one that can never succeed (a 4xx answer,
/// a destination gone from the rules, e-mail not set up) is marked failed at once, with the reason, for people to see.
/// Used by the server's worker and by `chs deliver`.
/// </summary>
public sealed class DeliverySender : IDisposable
{
    private readonly DeliverySettings settings;
    private readonly TimeProvider clock;
    private readonly HttpClient http;
    private readonly ResiliencePipeline pipeline;

    public DeliverySender(DeliverySettings settings, TimeProvider clock)
    {
        this.settings = settings;
        this.clock = clock;
        // The pipeline owns the per-request timeout; the client's own would cut retries short.
        http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("CustomerHealth", "1.0"));
        var builder = new ResiliencePipelineBuilder { TimeProvider = clock };
        if (settings.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.Retries,
                Delay = settings.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = new PredicateBuilder()
                    .Handle<TransientDeliveryException>()
                    .Handle<HttpRequestException>()
                    .Handle<SmtpException>(e => e is not SmtpFailedRecipientException)
                    .Handle<TimeoutRejectedException>()
                    .Handle<IOException>(),
            });
        }
        pipeline = builder.AddTimeout(settings.Timeout).Build();
    }

    /// <summary>Sends everything due now, batch after batch, until nothing is due.</summary>
    public async Task<DeliveryRunSummary> SendDueAsync(StoreDb db, CancellationToken cancel)
    {
        var outbox = new Outbox(db, clock);
        int sent = 0, retrying = 0, failed = 0;
        var errors = new List<string>();
        AlertRuleSet? rules = null;
        while (!cancel.IsCancellationRequested)
        {
            var batch = outbox.Claim(20, settings.Lease);
            if (batch.Count == 0)
            {
                break;
            }
            foreach (var d in batch)
            {
                try
                {
                    rules ??= new AlertBook(db, new ModelVersions(db, clock), clock).Rules();
                    await pipeline.ExecuteAsync(async token => await SendAsync(d, rules, token), cancel);
                    outbox.Sent(d.Id);
                    sent++;
                }
                catch (OperationCanceledException) when (cancel.IsCancellationRequested)
                {
                    // Shutting down: the lease runs out and the delivery is sent by the next pass or process.
                    throw;
                }
                catch (Exception e)
                {
                    var error = Describe(e);
                    // A message the mail library refuses to build (an address or header it cannot write) fails the same way every time.
                    var next = e is PermanentDeliveryException or FormatException or ArgumentException ? null : settings.NextAttempt(d.Attempts, clock.GetUtcNow());
                    outbox.Failed(d.Id, error, next);
                    if (next is null)
                    {
                        failed++;
                    }
                    else
                    {
                        retrying++;
                    }
                    errors.Add($"delivery {d.Id} ({d.Notify}): {error}" + (next is { } n ? $"; tried again at {Outbox.Stamp(n)}" : "; given up"));
                }
            }
        }
        return new DeliveryRunSummary(sent, retrying, failed, errors);
    }

    private Task SendAsync(Delivery d, AlertRuleSet rules, CancellationToken cancel) =>
        (d.Kind, d.Channel) switch
        {
            ("digest", "email") => SendMailAsync(d, Messages.DigestMail(Read<DigestNotice>(d), settings), cancel),
            ("alert", "email") => SendMailAsync(d, Messages.AlertMail(Read<AlertNotice>(d), settings), cancel),
            ("alert", "webhook") => PostAsync(d, Find(rules, d, DestinationKind.Webhook), Messages.WebhookBody(Read<AlertNotice>(d), settings), cancel),
            ("alert", "slack") => PostAsync(d, Find(rules, d, DestinationKind.Slack), Messages.SlackBody(Read<AlertNotice>(d), settings), cancel),
            _ => throw new PermanentDeliveryException($"no way to send a {d.Kind} delivery by {d.Channel}"),
        };

    private static T Read<T>(Delivery d) => JsonSerializer.Deserialize<T>(d.Payload, Outbox.Json)
        ?? throw new PermanentDeliveryException("the stored message is empty");

    // Destinations are looked up when sending, so that correcting a URL in the rules also fixes pending deliveries.
    private static Destination Find(AlertRuleSet rules, Delivery d, DestinationKind kind) =>
        rules.Destinations.TryGetValue(d.Target, out var dest)
            ? dest.Kind == kind ? dest : throw new PermanentDeliveryException($"destination `{d.Target}` is a {dest.Kind.ToString().ToLowerInvariant()}, not a {kind.ToString().ToLowerInvariant()}")
            : throw new PermanentDeliveryException($"no destination `{d.Target}` in the alert rules in force; add it under `destinations:` and retry");

    private async Task PostAsync(Delivery d, Destination dest, byte[] body, CancellationToken cancel)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, dest.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.Add("Idempotency-Key", d.IdempotencyKey);
        if (dest.Secret is { } secret)
        {
            request.Headers.Add("X-Chs-Signature", Signature(secret, body));
        }
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        var status = (int)response.StatusCode;
        // Named by destination and host: a Slack hook's path is its secret, and the error is shown to every reader.
        var what = $"destination `{d.Target}` ({dest.Url.Host}) answered HTTP {status} {response.ReasonPhrase}";
        // Timeouts, throttling and server errors pass; any other refusal will not change by asking again.
        throw status is 408 or 429 || status >= 500 ? new TransientDeliveryException(what) : new PermanentDeliveryException(what);
    }

    /// <summary>The `X-Chs-Signature` header: the HMAC-SHA256 of the body with the destination's secret, in lowercase hex.</summary>
    public static string Signature(string secret, byte[] body) => Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    private async Task SendMailAsync(Delivery d, Mail mail, CancellationToken cancel)
    {
        var smtp = settings.Smtp;
        if (smtp.Host is null)
        {
            throw new PermanentDeliveryException("e-mail is not set up: set Smtp:Host (CHS_Smtp__Host) and Smtp:From, then retry the failed deliveries");
        }
        using var message = new MailMessage(new MailAddress(smtp.From, "Customer Health"), new MailAddress(d.Target))
        {
            Subject = mail.Subject,
            SubjectEncoding = Encoding.UTF8,
            Body = mail.Text,
            BodyEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };
        message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(mail.Html, Encoding.UTF8, MediaTypeNames.Text.Html));
        // The same Message-ID on every attempt: mail systems drop a second copy of a message they already have.
        message.Headers.Add("Message-ID", $"<{d.IdempotencyKey}@customer-health>");
        message.Headers.Add("Idempotency-Key", d.IdempotencyKey);
        using var client = new SmtpClient(smtp.Host, smtp.Port) { EnableSsl = smtp.Tls, DeliveryMethod = SmtpDeliveryMethod.Network };
        if (smtp.User is not null)
        {
            client.Credentials = new NetworkCredential(smtp.User, smtp.Password);
        }
        await client.SendMailAsync(message, cancel);
    }

    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException => "no answer in time",
        HttpRequestException h => h.InnerException is { } inner ? $"{h.Message} ({inner.Message})" : h.Message,
        SmtpException s => $"SMTP: {s.Message}" + (s.InnerException is { } inner ? $" ({inner.Message})" : ""),
        FormatException f => $"bad e-mail address: {f.Message}",
        _ => e.Message,
    };

    public void Dispose() => http.Dispose();
}

/// <summary>A delivery failure that may pass: tried again.</summary>
public sealed class TransientDeliveryException(string message) : Exception(message);

/// <summary>A delivery failure that asking again will not fix: marked failed at once, with this message.</summary>
public sealed class PermanentDeliveryException(string message) : Exception(message);
