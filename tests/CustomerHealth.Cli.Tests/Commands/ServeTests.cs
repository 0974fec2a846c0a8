using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs user`, `chs apikey` and `chs serve` as a user runs them: a real process answering real HTTP.</summary>
public abstract partial class ServeTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Serve_OnAnAddressInUse_SaysSoWithoutAStackTrace()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        using var taken = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";

        var served = chs.Run("serve", "--urls", url);

        served.ExitCode.ShouldBe(2, served.ToString());
        served.Err.ShouldContain($"error: cannot listen on {url}: the address is in use");
        served.Err.ShouldContain("--urls");
        (served.Out + served.Err).ShouldNotContain("   at ");
    }

    [Fact]
    public async Task Serve_WithAKeyFromApikeyCreate_AnswersTheApiAndRefusesAnonymousCalls()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var user = chs.Run("user", "add", "Ann@Example.com", "--role", "manager");
        user.ExitCode.ShouldBe(0, user.ToString());
        user.Out.ShouldContain("ann@example.com can sign in as manager");
        user.Out.ShouldContain("Password: ");
        chs.Run("user", "add", "bob@example.com", "--role", "boss").ExitCode.ShouldBe(2);
        var created = chs.Run("apikey", "create", "pipeline", "--scope", "ingest", "--scope", "read");
        created.ExitCode.ShouldBe(0, created.ToString());
        var key = created.Out.Trim();
        key.ShouldStartWith("chs_"); // the key alone on standard output, for KEY=$(chs apikey create ...)
        created.Err.ShouldContain("Created the API key \"pipeline\"");
        chs.Run("apikey", "create", "bad", "--scope", "everything").ExitCode.ShouldBe(2);
        var listed = chs.Run("apikey", "list");
        listed.Out.ShouldContain("pipeline");
        listed.Out.ShouldNotContain(key);

        using var server = chs.Start(null, "serve", "--urls", "http://127.0.0.1:0");
        try
        {
            var address = await ChsRunner.ServedAddress(server);
            using var http = new HttpClient { BaseAddress = address };
            (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await http.GetAsync("/api/v1/accounts")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var ingest = await http.PostAsync("/api/v1/ingest/accounts", new StringContent("""[{"account_id":"S1","name":"Served"}]""", Encoding.UTF8, "application/json"));
            ingest.StatusCode.ShouldBe(HttpStatusCode.OK, await ingest.Content.ReadAsStringAsync());
            (await http.GetStringAsync("/api/v1/accounts")).ShouldContain("\"account_id\":\"S1\"");
            // The dashboard with its styles, charts and Blazor's script, as `chs` (not the web project) serves them.
            var page = await http.GetStringAsync("/accounts");
            page.ShouldContain("Served");
            page.ShouldContain("rel=\"icon\"");
            foreach (var asset in new[] { "/lib/bootstrap/css/bootstrap.min.css", "/lib/echarts/echarts.min.js", "/app.js", "/_framework/blazor.web.js", "/favicon.svg" })
            {
                (await http.GetAsync(asset)).StatusCode.ShouldBe(HttpStatusCode.OK, asset);
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}

public sealed class ServeTestsOnSqlite() : ServeTests(TestEngine.Sqlite);

public sealed class ServeTestsOnPostgres() : ServeTests(TestEngine.Postgres);
