using System.Net;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Single sign-on with an OpenID Connect provider, from the `Oidc` settings section (`CHS_Oidc__Authority`, or a
/// settings file). It is on when `Oidc:Authority` is set. A class rather than a record so that the client secret never
/// appears in a printed or logged value.
/// </summary>
internal sealed class SingleSignOnSettings
{
    public const string DefaultDisplayName = "your company account";

    private SingleSignOnSettings(
        Uri? authority, string clientId, string? clientSecret, string displayName, IReadOnlyList<string> scopes, string roleClaim,
        IReadOnlyDictionary<string, string> roles, string? defaultRole, bool localPasswords, Uri? redirectBase)
    {
        Authority = authority;
        ClientId = clientId;
        ClientSecret = clientSecret;
        DisplayName = displayName;
        Scopes = scopes;
        RoleClaim = roleClaim;
        Roles = roles;
        DefaultRole = defaultRole;
        LocalPasswords = localPasswords;
        RedirectBase = redirectBase;
    }

    /// <summary>The issuer; null when single sign-on is off.</summary>
    public Uri? Authority { get; }

    public bool Enabled => Authority is not null;

    public string ClientId { get; }

    /// <summary>Handed to the OpenID Connect handler only; never printed, logged or returned.</summary>
    public string? ClientSecret { get; }

    /// <summary>What the button says after "Sign in with".</summary>
    public string DisplayName { get; }

    /// <summary>Scopes asked for besides `openid profile email`.</summary>
    public IReadOnlyList<string> Scopes { get; }

    /// <summary>The claim that carries the person's roles or groups at the provider.</summary>
    public string RoleClaim { get; }

    /// <summary>A value of <see cref="RoleClaim"/> → the product role it gives (compared without regard to case).</summary>
    public IReadOnlyDictionary<string, string> Roles { get; }

    /// <summary>The role of a first sign-in that no mapped value covers; null: such a person needs an invitation.</summary>
    public string? DefaultRole { get; }

    /// <summary>Whether the e-mail and password form is offered too.</summary>
    public bool LocalPasswords { get; }

    /// <summary>`PublicUrl` when it is set, so that the address the provider sends people back to is the public one.</summary>
    public Uri? RedirectBase { get; }

    public bool IsLoopback => Authority is not null && (Authority.IsLoopback || IPAddress.TryParse(Authority.Host.Trim('[', ']'), out var ip) && IPAddress.IsLoopback(ip));

    /// <summary>Reads and checks the settings; a wrong one stops the server with a message naming it.</summary>
    public static SingleSignOnSettings From(IConfiguration c)
    {
        var localPasswords = c["Oidc:LocalPasswords"] is not { Length: > 0 } lp ? true
            : bool.TryParse(lp, out var b) ? b
            : throw new InvalidOperationException($"setting Oidc:LocalPasswords must be true or false, got '{lp}'");
        Uri? redirectBase = c["PublicUrl"] is { Length: > 0 } pu && Uri.TryCreate(pu.TrimEnd('/') + "/", UriKind.Absolute, out var p) ? p : null;
        if (c["Oidc:Authority"] is not { Length: > 0 } authorityText)
        {
            if (!localPasswords)
            {
                throw new InvalidOperationException("setting Oidc:LocalPasswords=false needs Oidc:Authority: without single sign-on nobody could sign in");
            }
            return new SingleSignOnSettings(null, "", null, DefaultDisplayName, [], "roles", new Dictionary<string, string>(), null, true, redirectBase);
        }
        if (!Uri.TryCreate(authorityText, UriKind.Absolute, out var authority) || (authority.Scheme != Uri.UriSchemeHttps && authority.Scheme != Uri.UriSchemeHttp))
        {
            throw new InvalidOperationException($"setting Oidc:Authority must be the provider's issuer address (https://...), got '{authorityText}'");
        }
        if (c["Oidc:ClientId"] is not { Length: > 0 } clientId)
        {
            throw new InvalidOperationException("setting Oidc:ClientId is needed with Oidc:Authority: the client id this app is registered with at the provider");
        }
        var roles = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in c.GetSection("Oidc:Roles").GetChildren())
        {
            roles[entry.Key] = KnownRole($"Oidc:Roles:{entry.Key}", entry.Value);
        }
        var defaultRole = c["Oidc:DefaultRole"] is { Length: > 0 } dr ? KnownRole("Oidc:DefaultRole", dr) : null;
        var settings = new SingleSignOnSettings(
            authority,
            clientId,
            c["Oidc:ClientSecret"] is { Length: > 0 } secret ? secret : null,
            c["Oidc:DisplayName"] is { Length: > 0 } name ? name.Trim() : DefaultDisplayName,
            (c["Oidc:Scopes"] ?? "").Split([' ', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            c["Oidc:RoleClaim"] is { Length: > 0 } rc ? rc.Trim() : "roles",
            roles,
            defaultRole,
            localPasswords,
            redirectBase);
        if (authority.Scheme != Uri.UriSchemeHttps && !settings.IsLoopback)
        {
            throw new InvalidOperationException($"setting Oidc:Authority must use https (plain http is accepted only on this machine's loopback), got '{authorityText}'");
        }
        return settings;
    }

    /// <summary>The most powerful product role that the provider's values map to, if any.</summary>
    public string? MappedRole(IEnumerable<string> providerValues)
    {
        var mapped = providerValues.Select(v => Roles.TryGetValue(v, out var role) ? role : null).OfType<string>().ToHashSet();
        return Store.Access.Roles.All.FirstOrDefault(mapped.Contains);
    }

    public override string ToString() =>
        Enabled ? $"single sign-on with {Authority} as client {ClientId}" : "single sign-on off";

    private static string KnownRole(string key, string? value) =>
        value is not null && Store.Access.Roles.All.Contains(value.Trim().ToLowerInvariant())
            ? value.Trim().ToLowerInvariant()
            : throw new InvalidOperationException($"setting {key} must be one of the roles {string.Join(", ", Store.Access.Roles.All)}, got '{value}'");
}
