namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs serve` with single sign-on settings, as docs/single-sign-on.md shows them.</summary>
public sealed partial class ServeSingleSignOnTests : IDisposable
{
    private readonly ChsRunner chs = new(TestEngine.Sqlite);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Serve_WrongSingleSignOnSetting_SaysWhichWithoutAStackTraceOrTheSecret()
    {
        chs.Run("init").ExitCode.ShouldBe(0);

        var served = chs.RunWithEnv(
            new Dictionary<string, string> { ["CHS_Oidc__Authority"] = "http://login.example.com/", ["CHS_Oidc__ClientId"] = "customer-health", ["CHS_Oidc__ClientSecret"] = "very-secret-value" },
            "serve", "--urls", "http://127.0.0.1:0");

        served.ExitCode.ShouldBe(2, served.ToString());
        served.Err.ShouldContain("error: setting Oidc:Authority must use https");
        (served.Out + served.Err).ShouldNotContain("   at ");
        (served.Out + served.Err).ShouldNotContain("very-secret-value");
    }

    [Fact]
    public async Task Serve_WithTheDocumentedSettingsFile_OffersTheProviderOnTheSignInPage()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        // The settings file of docs/single-sign-on.md, as it is there.
        File.WriteAllText(Path.Combine(chs.Dir, "sso.json"),
            """
            {
              "PublicUrl": "https://health.example.com",
              "Oidc": {
                "Authority": "https://login.example.com/realms/acme",
                "ClientId": "customer-health",
                "ClientSecret": "the-secret-from-the-provider",
                "DisplayName": "Acme SSO",
                "Scopes": "groups",
                "RoleClaim": "groups",
                "Roles": { "cs-leads": "manager", "cs-team": "csm" },
                "DefaultRole": "viewer"
              }
            }
            """);

        using var server = chs.Start(null, "serve", "--urls", "http://127.0.0.1:0", "--settings", "sso.json");
        try
        {
            var address = await ChsRunner.ServedAddress(server);
            using var http = new HttpClient { BaseAddress = address };
            var page = await http.GetStringAsync("/signin");
            page.ShouldContain("Sign in with Acme SSO");
            page.ShouldContain("name=\"password\"");
            page.ShouldNotContain("the-secret-from-the-provider");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
        }
    }
}
