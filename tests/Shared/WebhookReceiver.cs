using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CustomerHealth.Tests;

/// <summary>One request the receiver got.</summary>
public sealed record Received(string Path, string? IdempotencyKey, string? Signature, string Body, int Status);

/// <summary>
/// A webhook receiver on a loopback port (real HTTP, Kestrel), as a CRM or chat tool would run one: it answers the
/// first <c>failFirst</c> attempts of every idempotency key with 503, then 200, and acts once per key however often
/// a key comes.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentDictionary<string, int> attempts = new();

    private WebhookReceiver(WebApplication app) => this.app = app;

    public ConcurrentQueue<Received> Requests { get; } = new();

    /// <summary>The effect of each key, applied once: what a receiver that honours Idempotency-Key stores.</summary>
    public ConcurrentDictionary<string, string> Effects { get; } = new();

    public Uri Url { get; private set; } = null!;

    public int FailFirst { get; set; }

    /// <summary>How long each answer takes (to hold deliveries in flight).</summary>
    public TimeSpan Delay { get; set; }

    public static async Task<WebhookReceiver> Start(int failFirst = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app) { FailFirst = failFirst };
        app.MapPost("/{**path}", receiver.Handle);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        receiver.Url = new Uri(address.TrimEnd('/') + "/");
        return receiver;
    }

    private async Task<IResult> Handle(HttpContext ctx, string? path)
    {
        var body = await new StreamReader(ctx.Request.Body).ReadToEndAsync();
        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }
        var key = ctx.Request.Headers["Idempotency-Key"].FirstOrDefault();
        var n = attempts.AddOrUpdate(key ?? "", 1, (_, v) => v + 1);
        var status = n <= FailFirst ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status200OK;
        Requests.Enqueue(new Received("/" + path, key, ctx.Request.Headers["X-Chs-Signature"].FirstOrDefault(), body, status));
        if (status == StatusCodes.Status200OK)
        {
            Effects.TryAdd(key ?? Guid.NewGuid().ToString(), body);
        }
        return Results.StatusCode(status);
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }
}
