using System.Security.Claims;
using CustomerHealth.Store.Access;
using CustomerHealth.Web.Auth;
using Microsoft.Extensions.Configuration;

namespace CustomerHealth.Web.Tests.Auth;

public sealed class SingleSignOnSettingsTests
{
    private static SingleSignOnSettings From(params (string Key, string Value)[] settings) =>
        SingleSignOnSettings.From(new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build());

    private static readonly (string, string)[] Minimal = [("Oidc:Authority", "https://login.example.com/"), ("Oidc:ClientId", "chs")];

    [Fact]
    public void From_NoAuthority_IsOffWithPasswords()
    {
        var s = From();

        s.Enabled.ShouldBeFalse();
        s.LocalPasswords.ShouldBeTrue();
    }

    [Fact]
    public void From_Minimal_HasTheDocumentedDefaults()
    {
        var s = From(Minimal);

        (s.Enabled, s.DisplayName, s.RoleClaim, s.DefaultRole, s.LocalPasswords, s.IsLoopback).ShouldBe((true, "your company account", "roles", (string?)null, true, false));
        s.Scopes.ShouldBeEmpty();
    }

    [Theory]
    [InlineData("Oidc:DefaultRole", "owner", "setting Oidc:DefaultRole must be one of the roles admin, manager, csm, viewer, got 'owner'")]
    [InlineData("Oidc:Roles:cs-leads", "boss", "setting Oidc:Roles:cs-leads must be one of the roles")]
    [InlineData("Oidc:LocalPasswords", "maybe", "setting Oidc:LocalPasswords must be true or false, got 'maybe'")]
    [InlineData("Oidc:Authority", "http://login.example.com/", "must use https")]
    [InlineData("Oidc:Authority", "login.example.com", "must be the provider's issuer address")]
    [InlineData("Oidc:ClientId", "", "setting Oidc:ClientId is needed")]
    public void From_WrongSetting_IsRefusedNamingIt(string key, string value, string message)
    {
        var ex = Should.Throw<InvalidOperationException>(() => From([.. Minimal.Where(m => m.Item1 != key), (key, value)]));

        ex.Message.ShouldContain(message);
    }

    [Fact]
    public void From_PasswordsOffWithoutAuthority_IsRefused()
    {
        Should.Throw<InvalidOperationException>(() => From(("Oidc:LocalPasswords", "false"))).Message.ShouldContain("needs Oidc:Authority");
    }

    [Theory]
    [InlineData("http://127.0.0.1:5001/")]
    [InlineData("http://localhost:5001/")]
    [InlineData("http://[::1]:5001/")]
    public void From_PlainHttpOnLoopback_IsAccepted(string authority)
    {
        From(("Oidc:Authority", authority), ("Oidc:ClientId", "chs")).IsLoopback.ShouldBeTrue();
    }

    [Fact]
    public void ToString_WithASecret_NeverShowsIt()
    {
        var s = From([.. Minimal, ("Oidc:ClientSecret", "s3cret-value")]);

        s.ClientSecret.ShouldBe("s3cret-value");
        s.ToString().ShouldNotContain("s3cret-value");
    }

    [Fact]
    public void MappedRole_SeveralMappedValues_GivesTheMostPowerfulIgnoringCase()
    {
        var s = From([.. Minimal, ("Oidc:Roles:readers", "viewer"), ("Oidc:Roles:CS-Leads", "Manager"), ("Oidc:Roles:csms", "csm")]);

        s.MappedRole(["readers", "cs-leads", "csms", "unmapped"]).ShouldBe(Roles.Manager);
        s.MappedRole(["unmapped"]).ShouldBeNull();
        s.MappedRole([]).ShouldBeNull();
    }

    [Theory]
    [InlineData("ann@example.com", null, "ann@example.com")]
    [InlineData(null, "bob@example.com", "bob@example.com")]
    [InlineData("not-an-address", "carol@example.com", "carol@example.com")]
    [InlineData(null, "dave", null)]
    [InlineData("@example.com", null, null)]
    [InlineData("eve@", null, null)]
    [InlineData("two words@example.com", null, null)]
    [InlineData("a@bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.example.com", null, null)]
    public void Email_FromClaims_TakesEmailElsePreferredUsernameWhenItIsAnAddress(string? email, string? preferredUsername, string? expected)
    {
        var claims = new List<Claim>();
        if (email is not null)
        {
            claims.Add(new Claim("email", email));
        }
        if (preferredUsername is not null)
        {
            claims.Add(new Claim("preferred_username", preferredUsername));
        }

        SingleSignOn.Email(new ClaimsPrincipal(new ClaimsIdentity(claims, "test"))).ShouldBe(expected);
    }

    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public async Task SignIn_SingleSignOnUserWithAnyPassword_IsRefused(TestEngine engine)
    {
        using var app = new TestApp(engine);
        using (var db = app.OpenStore())
        {
            new AccessBook(db, TimeProvider.System).AddSingleSignOnUser("sso@example.com", Roles.Admin).ShouldBeTrue();
        }
        var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var form = await client.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;

        foreach (var password in (string[])["", " ", "AQAAAA", "password"])
        {
            var r = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["email"] = "sso@example.com", ["password"] = password, ["returnUrl"] = "/",
            }));
            ((int)r.StatusCode).ShouldBe(401, $"password '{password}'");
        }
    }
}
