using System.Text;
using System.Text.Encodings.Web;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Authenticates `Authorization: Bearer KEY`, and `Authorization: Basic` with the key as user name and an empty
/// password, the way Segment's HTTP API and its SDKs send a write key.
/// </summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        string? presented = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = header["Bearer ".Length..].Trim();
        }
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
                presented = pair.Split(':', 2)[0];
            }
            catch (FormatException)
            {
                return Task.FromResult(AuthenticateResult.Fail("the Basic credentials are not valid base64"));
            }
        }
        if (string.IsNullOrEmpty(presented))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        var key = new AccessBook(Context.RequestServices.GetRequiredService<CustomerHealth.Store.StoreDb>(), clock).Verify(presented);
        return Task.FromResult(key is null
            ? AuthenticateResult.Fail("unknown or revoked API key")
            : AuthenticateResult.Success(new AuthenticationTicket(Access.KeyPrincipal(key), Scheme.Name)));
    }
}
