using System.CommandLine;
using CustomerHealth.Store;
using CustomerHealth.Web;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace CustomerHealth.Cli.Commands;

/// <summary>`serve`: the web app and API on the store, on 127.0.0.1 unless told otherwise.</summary>
internal static class ServeCommand
{
    public const string DefaultUrls = "http://127.0.0.1:5000";

    public static readonly Option<string> Urls = new("--urls")
    {
        Description = "Where to listen, e.g. http://127.0.0.1:8080 or http://0.0.0.0:5000 (to be reached from other machines)",
        DefaultValueFactory = _ => DefaultUrls,
    };

    public static readonly Option<string?> Settings = new("--settings") { Description = "A JSON settings file (SMTP, limits, daily rescore time...)" };

    public static void Add(RootCommand root, CliContext ctx)
    {
        var cmd = new Command("serve", "Run the web app and API on the store (stop with Ctrl+C)") { Urls, Settings };
        cmd.SetAction(p =>
        {
            using (ctx.Open(p))
            {
                // Opening checks that the store exists and brings its schema up to date.
            }
            Run(Chs.DbPath(p), p.GetValue(Urls)!, p.GetValue(Settings), null);
            return 0;
        });
        root.Subcommands.Add(cmd);
    }

    /// <summary>Serves until stopped; <paramref name="signIn"/> is printed once the addresses are known.</summary>
    public static void Run(string db, string urls, string? settings, string? signIn)
    {
        var args = new List<string> { "--Db=" + db, "--urls=" + urls };
        if (settings is not null)
        {
            args.Add("--settings=" + settings);
        }
        WebApplication app;
        try
        {
            app = ChsWebApp.Build([.. args]);
        }
        catch (InvalidOperationException e) when (e.Message.StartsWith("setting ", StringComparison.Ordinal))
        {
            // A wrong setting read while the app is put together (single sign-on): said like a wrong option.
            throw new UsageException(e.Message);
        }
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            Console.WriteLine($"Customer Health is serving {Secrets.Redact(db)} at {string.Join(", ", addresses)}");
            Console.WriteLine(app.Services.GetRequiredService<CustomerHealth.Web.Deliveries.DeliverySettings>().UseServedAddresses(addresses));
            if (signIn is not null)
            {
                Console.WriteLine(signIn);
            }
            Console.WriteLine("Stop with Ctrl+C.");
        });
        try
        {
            app.Run();
        }
        catch (IOException e) when (e.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException)
        {
            throw new UsageException($"cannot listen on {urls}: the address is in use (by another `chs serve`?); choose another with --urls");
        }
        catch (IOException e) when (e.Message.StartsWith("Failed to bind", StringComparison.Ordinal))
        {
            throw new UsageException($"cannot listen on {urls}: {e.InnerException?.Message ?? e.Message}");
        }
    }
}
