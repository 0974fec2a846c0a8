using System.Text.Encodings.Web;
using System.Text.Json;
using CustomerHealth.Web.Api;
using CustomerHealth.Web.Auth;
using CustomerHealth.Web.Components;
using CustomerHealth.Web.Deliveries;
using CustomerHealth.Web.Ingest;
using CustomerHealth.Web.Jobs;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CustomerHealth.Web;

/// <summary>
/// The web app: the HTTP API of SPEC §6, Segment-compatible tracking, sign-in, and the jobs that keep scores
/// current. Settings come from the command line, `CHS_`-prefixed environment variables and `--settings FILE`.
/// </summary>
public static class ChsWebApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory, ApplicationName = StaticAssetsOwner() });
        builder.WebHost.UseStaticWebAssets();
        builder.Configuration.AddEnvironmentVariables("CHS_");
        if (builder.Configuration["settings"] is { Length: > 0 } file)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false);
        }
        // Arguments win over the environment and the settings file.
        builder.Configuration.AddCommandLine(args);
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning).AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning)
            // Its warning that the cookie keys are stored unencrypted describes the design (see ProtectionKeys), not a fault.
            .AddFilter("Microsoft.AspNetCore.DataProtection.KeyManagement.XmlKeyManager", LogLevel.Error)
            // A server that cannot start throws what stopped it, which `chs serve` explains; the host's own log of it is a
            // stack trace. (A background job that fails still stops the host with a critical log of its exception.)
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        configure?.Invoke(builder);

        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => ServerSettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<StoreAccess>();
        services.AddScoped(sp => sp.GetRequiredService<StoreAccess>().Open());
        services.AddStoreServices();
        services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KestrelLimits>();
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        });
        services.AddProblemDetails();
        // A request the framework cannot bind is answered by Api.BadRequests (a 400 naming the parameter), in every environment.
        services.AddExceptionHandler<Api.BadRequests>();
        services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.AddChsAccess();
        services.AddChsSingleSignOn(builder.Configuration);
        services.AddChsLimits();
        services.AddAntiforgery();
        // The model editor sends the whole YAML on each edit: allow a large model (1 MB) rather than SignalR's 32 KB.
        services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(o => o.MaximumReceiveMessageSize = 1 << 20);
        services.AddCascadingAuthenticationState();
        services.AddScoped<Components.Dashboard>();
        services.AddSingleton<Components.FacetCache>();
        services.AddSingleton<Components.Portfolio.PortfolioCache>();
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Customer Health API";
            doc.Info.Description = "Send signals, read explained health scores, manage the model. Authenticate with `Authorization: Bearer <api key>`.";
            return Task.CompletedTask;
        }));
        services.AddSingleton<IngestWriter>();
        services.AddSingleton(sp => DeliverySettings.From(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<DeliveryWorker>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryWorker>());
        services.AddSingleton<DraftRuns>();
        services.AddSingleton<Imports.Uploads>();
        services.AddSingleton(sp => new CustomerHealth.Store.Sharing.ShareKeeper(sp.GetRequiredService<StoreAccess>().Open));
        services.AddSingleton<RescoreQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<RescoreQueue>());
        services.AddSingleton<DailyRescore>();
        services.AddHostedService(sp => sp.GetRequiredService<DailyRescore>());
        services.AddSingleton<ScheduledPushdown>();
        services.AddHostedService(sp => sp.GetRequiredService<ScheduledPushdown>());

        var app = builder.Build();
        // The schema is brought up to date at start-up, and a wrong --db fails here rather than on the first request.
        app.Services.GetRequiredService<StoreAccess>().Open().Dispose();
        // Without PublicUrl, links in messages point at the address served, known once the server listens.
        app.Lifetime.ApplicationStarted.Register(() => app.Services.GetRequiredService<DeliverySettings>().UseServedAddresses(
            app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
                .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()?.Addresses ?? []));

        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = e => e is Microsoft.AspNetCore.Http.BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
            SuppressDiagnosticsCallback = c => c.Exception is Microsoft.AspNetCore.Http.BadHttpRequestException,
        });
        app.UseStatusCodePages();
        Api.BadRequests.RefuseNul(app);
        app.UseSecurityHeaders();
        app.UseAuthentication();
        // Before authorization, so that requests refused for their credentials count against the caller's rate too.
        app.UseRateLimiter();
        app.UseCrossSiteChecks();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapGet("/health", () => TypedResults.Ok(new { status = "ok" })).AllowAnonymous().WithSummary("Liveness check (no sign-in needed)");
        app.MapSignIn();
        app.MapSingleSignOn();
        // Static files need a session like every page (the pages' authorization below reaches them too), except the
        // few the sign-in page is drawn with before anyone is signed in: the same for everyone, with no data in them.
        app.MapStaticAssets().Add(e =>
        {
            if (e is RouteEndpointBuilder { RoutePattern.RawText: { } route } && SignInAssets.Contains(route.TrimStart('/')))
            {
                e.Metadata.Add(new Microsoft.AspNetCore.Authorization.AllowAnonymousAttribute());
            }
        });
        // Every page shows accounts and scores: it needs the read permission (a person, or a key with the read scope).
        app.MapRazorComponents<Components.App>().AddInteractiveServerRenderMode().RequireAuthorization(Access.Read);
        var dashboard = new PolicyGroups(app);
        dashboard.Read.MapExports();
        dashboard.Read.MapSegmentExports();
        Imports.RejectedDownloads.MapRejectedDownloads(dashboard.Manage);
        app.MapOpenApi();
        // Every API endpoint is mapped on the group of its policy (Auth/PolicyGroups.cs).
        var api = new PolicyGroups(app.MapGroup("/api/v1").RefuseUnknownQueryParameters());
        api.MapIngest();
        api.MapAccounts();
        api.MapModel();
        api.MapAlerts();
        api.MapDeliveries();
        api.MapSources();
        api.MapTouches();
        app.MapSegment();
        return app;
    }

    /// <summary>The static files the sign-in page (Auth/SignInApi.cs) loads, served without a session.</summary>
    private static readonly HashSet<string> SignInAssets = new(StringComparer.Ordinal) { "lib/bootstrap/css/bootstrap.min.css", "app.css", "favicon.svg" };

    /// <summary>
    /// The application name under which the static assets (the dashboard's scripts and styles, Blazor's own) are
    /// listed: the hosting program's (`chs`, built or published) when it has their manifest, else this assembly's (tests
    /// host the app in a test runner).
    /// </summary>
    private static string StaticAssetsOwner()
    {
        var host = System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name;
        return host is not null && File.Exists(Path.Combine(AppContext.BaseDirectory, host + ".staticwebassets.endpoints.json"))
            ? host
            : typeof(ChsWebApp).Assembly.GetName().Name!;
    }

    private sealed class KestrelLimits(ServerSettings settings) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions options) => options.Limits.MaxRequestBodySize = settings.MaxBodyBytes;
    }
}
