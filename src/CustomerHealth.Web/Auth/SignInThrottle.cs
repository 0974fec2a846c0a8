using CustomerHealth.Store.Access;

namespace CustomerHealth.Web.Auth;

/// <summary>
/// Growing delays after failed tries, kept in the store so that every server of a store counts the same tries.
/// Sign-in is counted per user and per address: a few free failures, then a wait that doubles with each further
/// failure (1 s, 2 s, 4 s ... at most 15 minutes) during which even the right password is refused. API keys are
/// counted per address. A success clears the user's and the address's count; a count is forgotten after an hour
/// without failures.
/// </summary>
internal sealed class SignInThrottle(TimeProvider clock)
{
    public const int FreeUserFailures = 5;
    public const int FreeAddressFailures = 20;
    public const int FreeKeyFailures = 10;
    public static readonly TimeSpan LongestWait = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromHours(1);

    public static string UserKey(string email) => "user:" + AccessBook.NormalizeEmail(email);

    public static string AddressKey(HttpContext ctx) => "ip:" + ctx.Connection.RemoteIpAddress;

    public static string KeyAddressKey(HttpContext ctx) => "key-ip:" + ctx.Connection.RemoteIpAddress;

    /// <summary>How long the caller must still wait before trying again under any of these keys; zero when they may try now.</summary>
    public TimeSpan Wait(AccessBook book, IReadOnlyCollection<string> keys)
    {
        var now = clock.GetUtcNow();
        var wait = TimeSpan.Zero;
        foreach (var (key, failures, last) in book.Failures(keys))
        {
            if (now - last >= ForgetAfter)
            {
                continue;
            }
            var until = last + Delay(failures, Free(key));
            if (until - now > wait)
            {
                wait = until - now;
            }
        }
        return wait;
    }

    public static void Failed(AccessBook book, IReadOnlyCollection<string> keys) => book.RecordFailure(keys, ForgetAfter);

    public static void Succeeded(AccessBook book, IReadOnlyCollection<string> keys) => book.ClearFailures(keys);

    /// <summary>The wait after <paramref name="failures"/> failed tries when the first <paramref name="free"/> cost nothing.</summary>
    public static TimeSpan Delay(int failures, int free) =>
        failures <= free ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(Math.Pow(2, failures - free - 1), LongestWait.TotalSeconds));

    private static int Free(string key) =>
        key.StartsWith("user:", StringComparison.Ordinal) ? FreeUserFailures : key.StartsWith("key-ip:", StringComparison.Ordinal) ? FreeKeyFailures : FreeAddressFailures;
}
