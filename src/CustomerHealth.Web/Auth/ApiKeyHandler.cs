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
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder)
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
        var book = Context.RequestServices.GetRequiredService<AccessBook>();
        var throttle = Context.RequestServices.GetRequiredService<SignInThrottle>();
        string[] address = [SignInThrottle.KeyAddressKey(Context)];
        // An address that sent too many wrong keys waits before any key of it is looked at again.
        if (throttle.Wait(book, address) is { Ticks: > 0 } wait)
        {
            Context.Items[WaitItem] = wait;
            return Task.FromResult(AuthenticateResult.Fail("too many unknown API keys from this address"));
        }
        var key = book.Verify(presented);
        if (key is null)
        {
            SignInThrottle.Failed(book, address);
            return Task.FromResult(AuthenticateResult.Fail("unknown or revoked API key"));
        }
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(Access.KeyPrincipal(key), Scheme.Name)));
    }

    private const string WaitItem = "chs:key-wait";

    /// <summary>A refused key gets 401, or 429 with Retry-After while its address must wait.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (Context.Items[WaitItem] is TimeSpan wait)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
            Response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            await TypedResults.Problem(
                title: "Too many unknown API keys",
                detail: $"This address sent too many unknown or revoked API keys; try again in {seconds} s.",
                statusCode: StatusCodes.Status429TooManyRequests).ExecuteAsync(Context);
            return;
        }
        await base.HandleChallengeAsync(properties);
    }
}
