using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace CustomerHealth.Cli.Tests.Hostile;

/// <summary>
/// Hostile input through the real `chs` executable: what a process does with it (its exit code, its output) rather
/// than what `chs` does in the test's process. A crash would show here as exit 134 or a stack trace.
/// </summary>
public sealed partial class HostileCliProcessTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    private static void Refused(ChsRunner.Result r, string where)
    {
        r.ExitCode.ShouldBeOneOf([1, 2], r.ToString());
        r.Err.ShouldContain(where, Case.Sensitive, r.ToString());
        (r.Out + r.Err).ShouldNotContain("   at ");
        (r.Out + r.Err).ShouldNotContain("Unhandled exception");
    }

    [Fact]
    public void AStartupProfileOfGarbage_IsPassedOver_TheCommandRunsAsWithout()
    {
        // What a command compiled as it started, kept for its next run (StartupProfile), hostile or damaged: random bytes,
        // an empty file, a profile's first bytes cut short.
        chs.Run("init").ExitCode.ShouldBe(0);
        var profile = Path.Combine(chs.CacheDir, "chs", "startup", "accounts.jit");
        var expected = chs.Run("accounts", "--json");
        var cut = File.ReadAllBytes(profile)[..16];
        var random = new byte[40_000];
        new Random(7).NextBytes(random);

        foreach (var bytes in new[] { random, [], cut })
        {
            File.WriteAllBytes(profile, bytes);
            var result = chs.Run("accounts", "--json");
            (result.ExitCode, result.Out, result.Err).ShouldBe((expected.ExitCode, expected.Out, expected.Err));
        }
    }

    [Fact]
    public void HostileFilesAndValues_AsAProcess_ExitOneOrTwoNamingWhere()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var before = chs.Count("SELECT COUNT(*) FROM accounts");
        var nul = chs.Write("nul.csv", HostileCorpus.CsvFiles.Single(p => p.Name == "nul-bytes").Value);
        Refused(chs.Run("import", "accounts", nul), nul + ":2");
        var surrogate = chs.Write("surrogate.jsonl", "{\"account_id\":\"\\ud800\"}\n");
        Refused(chs.Run("import", "accounts", surrogate), surrogate + ":1");
        var laughs = chs.Write("laughs.yaml", HostileCorpus.Yaml.Single(p => p.Name == "billion-laughs").Value);
        Refused(chs.Run("model", "validate", laughs), "laughs.yaml");
        Refused(chs.Run("score", "--as-of", "99999-01-01"), "--as-of");
        Refused(chs.Run("demo", "--no-serve", "--accounts", "2147483647"), "--accounts");
        Refused(chs.Run("alerts", "ack", "9223372036854775808"), "9223372036854775808");
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(before);
    }

    /// <summary>YAML nested thousands deep, through each command that reads YAML (in the test's process it could exhaust the stack).</summary>
    [Theory]
    [InlineData("model", "validate")]
    [InlineData("model", "publish")]
    [InlineData("alerts", "rules", "set")]
    [InlineData("alerts", "rules", "test")]
    public void DeepYaml_ThroughTheCommandLine_IsRefusedWithLineAndColumn(params string[] verb)
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var versions = chs.Count("SELECT COUNT(*) FROM model_versions");
        foreach (var piece in HostileCorpus.DeepYaml)
        {
            var file = chs.Write(piece.Name + ".yaml", piece.Value);

            var r = chs.Run([.. verb, file]);

            Refused(r, piece.Name + ".yaml:");
        }
        chs.Count("SELECT COUNT(*) FROM model_versions").ShouldBe(versions);
    }

    /// <summary>
    /// Through a real Kestrel server (the in-memory test server checks neither headers nor body limits the same way):
    /// a sign-in's returnUrl with control characters, and a chunked body over the size limit, are answered below 500.
    /// </summary>
    [Fact]
    public async Task RunningServer_ReturnUrlWithControlsAndAChunkedBodyOverTheLimit_AreAnsweredBelow500()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("user", "add", "ann@example.com", "--role", "admin", "--password", "password-ann-1").ExitCode.ShouldBe(0);
        var created = chs.Run("apikey", "create", "hostile", "--scope", "admin");
        var key = created.Out.Split('\n').Single(l => l.StartsWith("chs_", StringComparison.Ordinal)).Trim();
        var settings = chs.Write("settings.json", """{"Limits":{"MaxBodyBytes":4096}}""");
        using var server = chs.Start(null, "serve", "--urls", "http://127.0.0.1:0", "--settings", settings);
        var failures = new List<string>();
        try
        {
            var address = await ChsRunner.ServedAddress(server);
            using var handler = new HttpClientHandler { AllowAutoRedirect = false, UseCookies = true };
            using var http = new HttpClient(handler) { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
            foreach (var returnUrl in new[] { "/\r\nSet-Cookie: x=y", "/\u0000", "/\u001b[2J" })
            {
                var get = await http.GetAsync("/signin?returnUrl=" + Uri.EscapeDataString(returnUrl));
                var form = await get.Content.ReadAsStringAsync();
                var token = Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
                var post = await http.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = token, ["email"] = "ann@example.com", ["password"] = "password-ann-1", ["returnUrl"] = returnUrl,
                }));
                foreach (var (what, status) in new[] { ("GET /signin", (int)get.StatusCode), ("POST /signin", (int)post.StatusCode) })
                {
                    if (status >= 500)
                    {
                        failures.Add($"{what} returnUrl={Uri.EscapeDataString(returnUrl)}: {status}");
                    }
                }
            }
            var records = "[" + string.Join(",", Enumerable.Range(0, 500).Select(i => $"{{\"account_id\":\"C{i}\"}}")) + "]";
            var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/v1/ingest/accounts") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(records))) };
            chunked.Headers.TransferEncodingChunked = true;
            chunked.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            var big = await http.SendAsync(chunked);
            if ((int)big.StatusCode != 413)
            {
                failures.Add($"POST /api/v1/ingest/accounts chunked {records.Length} bytes over a 4096-byte limit: {(int)big.StatusCode}, not 413");
            }
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
        failures.ShouldBeEmpty();
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(0);
    }

    /// <summary>Deep YAML sent to a running server's model and rules endpoints: answered (not a 5xx), and the server still serves.</summary>
    [Fact]
    public async Task DeepYaml_ToARunningServer_IsAnsweredAndTheServerKeepsServing()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var created = chs.Run("apikey", "create", "hostile", "--scope", "admin");
        var key = created.Out.Split('\n').Single(l => l.StartsWith("chs_", StringComparison.Ordinal)).Trim();
        using var server = chs.Start(null, "serve", "--urls", "http://127.0.0.1:0");
        try
        {
            var address = await ChsRunner.ServedAddress(server);
            using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromMinutes(1) };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
            foreach (var piece in HostileCorpus.DeepYaml)
            {
                foreach (var (method, path) in new[] { (HttpMethod.Put, "/api/v1/model"), (HttpMethod.Post, "/api/v1/model/preview"), (HttpMethod.Put, "/api/v1/alerts/rules") })
                {
                    HttpResponseMessage r;
                    try
                    {
                        r = await http.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(piece.Value, Encoding.UTF8, "application/yaml") });
                    }
                    catch (HttpRequestException e)
                    {
                        throw new ShouldAssertException($"{method} {path} with {piece.Name}: the server went away ({e.Message}); exited: {server.HasExited}");
                    }
                    ((int)r.StatusCode).ShouldBeLessThan(500, $"{method} {path} with {piece.Name}");
                }
            }
            (await http.GetAsync("/health")).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
