using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace CustomerHealth.Store.Access;

/// <summary>The roles of SPEC §10, from most to least powerful.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Manager = "manager";
    public const string Csm = "csm";
    public const string Viewer = "viewer";

    public static IReadOnlyList<string> All { get; } = [Admin, Manager, Csm, Viewer];
}

/// <summary>What an API key may do (SPEC §10): send signals, read, or everything an admin can.</summary>
public static class Scopes
{
    public const string Ingest = "ingest";
    public const string Read = "read";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Ingest, Read, Admin];
}

public sealed record AppUser(string Email, string Role, string PasswordHash, string CreatedAt, bool Disabled);

public sealed record ApiKeyInfo(string KeyId, string Name, IReadOnlyList<string> Scopes, string CreatedAt, string? RevokedAt);

/// <summary>
/// Who may come in: web users (with password hashes made by the web host) and API keys. A key is
/// <c>chs_ID_SECRET</c>; only its id is kept in clear and the whole key as a SHA-256 hash, which is enough for a
/// 192-bit random secret and cheap enough to check on every request.
/// </summary>
public sealed class AccessBook(StoreDb db, TimeProvider clock)
{
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>Adds a user, or changes the role and password of an existing one.</summary>
    public void SaveUser(string email, string role, string passwordHash)
    {
        CheckRole(role);
        email = NormalizeEmail(email);
        if (email.Length < 3 || !email.Contains('@', StringComparison.Ordinal))
        {
            throw new StoreException($"`{email}` is not an e-mail address");
        }
        db.Connection.Execute(
            """
            INSERT INTO app_users (email, role, password_hash, created_at, disabled) VALUES (@email, @role, @passwordHash, @now, 0)
            ON CONFLICT (email) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash, disabled = 0
            """,
            new { email, role, passwordHash, now = Now() });
        // A new password or role ends the sessions signed in with the old ones.
        EndSessions(email);
    }

    /// <summary>Changes a user's role; their sessions end, so the new role applies from their next sign-in.</summary>
    public bool SetRole(string email, string role)
    {
        CheckRole(role);
        return Change(email, "UPDATE app_users SET role = @role WHERE email = @email", new { email = NormalizeEmail(email), role });
    }

    /// <summary>Stops a user signing in, and ends the sessions they have.</summary>
    public bool Disable(string email) => Change(email, "UPDATE app_users SET disabled = 1 WHERE email = @email", new { email = NormalizeEmail(email) });

    public bool Enable(string email) => Change(email, "UPDATE app_users SET disabled = 0 WHERE email = @email", new { email = NormalizeEmail(email) });

    /// <summary>Removes a user and their sessions; what they wrote (notes, tasks) keeps their name.</summary>
    public bool Remove(string email) => Change(email, "DELETE FROM app_users WHERE email = @email", new { email = NormalizeEmail(email) });

    private bool Change(string email, string sql, object args)
    {
        var changed = db.Connection.Execute(sql, args) > 0;
        EndSessions(email);
        return changed;
    }

    /// <summary>Starts a sign-in session for a user; the cookie carries only its id.</summary>
    public string StartSession(string email, TimeSpan lifetime)
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var now = clock.GetUtcNow();
        db.Connection.Execute(
            "INSERT INTO sessions (id, email, created_at, expires_at) VALUES (@id, @email, @created, @expires)",
            new { id, email = NormalizeEmail(email), created = Stamp(now), expires = Stamp(now + lifetime) });
        // Sessions that ran out are dropped as new ones start, so the table stays the size of who is signed in.
        db.Connection.Execute("DELETE FROM sessions WHERE expires_at < @now", new { now = Stamp(now) });
        return id;
    }

    /// <summary>
    /// The user a session signs in, as the store has them now: null when the session ended or ran out, or the user
    /// is gone or disabled.
    /// </summary>
    public AppUser? SessionUser(string sessionId) =>
        db.Connection.Query<(string Email, string Role, string Hash, string CreatedAt, long Disabled)>(
                """
                SELECT u.email, u.role, u.password_hash, u.created_at, u.disabled FROM sessions s JOIN app_users u ON u.email = s.email
                WHERE s.id = @sessionId AND s.expires_at > @now AND u.disabled = 0
                """, new { sessionId, now = Now() })
            .Select(r => new AppUser(r.Email, r.Role, r.Hash, r.CreatedAt, r.Disabled != 0)).FirstOrDefault();

    public void EndSession(string sessionId) => db.Connection.Execute("DELETE FROM sessions WHERE id = @sessionId", new { sessionId });

    public int EndSessions(string email) => db.Connection.Execute("DELETE FROM sessions WHERE email = @email", new { email = NormalizeEmail(email) });

    /// <summary>Failed tries under each key (a user, an address) and when the last was, for the delays between tries.</summary>
    public IReadOnlyList<(string Key, int Failures, DateTimeOffset LastFailedAt)> Failures(IReadOnlyCollection<string> keys) =>
        keys.SelectMany(key => db.Connection.Query<(string Key, long Failures, string Last)>(
                "SELECT key, failures, last_failed_at FROM sign_in_failures WHERE key = @key", new { key }))
            .Select(r => (r.Key, (int)r.Failures, DateTimeOffset.Parse(r.Last, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)))
            .ToList();

    /// <summary>Counts a failed try under each key; a key whose last failure is older than <paramref name="forgetAfter"/> starts again at one.</summary>
    public void RecordFailure(IReadOnlyCollection<string> keys, TimeSpan forgetAfter)
    {
        var now = clock.GetUtcNow();
        foreach (var key in keys)
        {
            db.Connection.Execute(
                """
                INSERT INTO sign_in_failures (key, failures, last_failed_at) VALUES (@key, 1, @now)
                ON CONFLICT (key) DO UPDATE SET
                    failures = CASE WHEN sign_in_failures.last_failed_at < @forgetBefore THEN 1 ELSE sign_in_failures.failures + 1 END,
                    last_failed_at = excluded.last_failed_at
                """,
                new { key, now = Stamp(now), forgetBefore = Stamp(now - forgetAfter) });
        }
    }

    public void ClearFailures(IReadOnlyCollection<string> keys)
    {
        foreach (var key in keys)
        {
            db.Connection.Execute("DELETE FROM sign_in_failures WHERE key = @key", new { key });
        }
    }

    public AppUser? User(string email) =>
        db.Connection.Query<(string Email, string Role, string Hash, string CreatedAt, long Disabled)>(
                "SELECT email, role, password_hash, created_at, disabled FROM app_users WHERE email = @email", new { email = NormalizeEmail(email) })
            .Select(r => new AppUser(r.Email, r.Role, r.Hash, r.CreatedAt, r.Disabled != 0)).FirstOrDefault();

    public IReadOnlyList<AppUser> Users() =>
        db.Connection.Query<(string Email, string Role, string Hash, string CreatedAt, long Disabled)>(
                "SELECT email, role, password_hash, created_at, disabled FROM app_users ORDER BY email")
            .Select(r => new AppUser(r.Email, r.Role, r.Hash, r.CreatedAt, r.Disabled != 0)).ToList();

    /// <summary>Creates a key; the returned secret is the only time the whole key is seen.</summary>
    public (ApiKeyInfo Key, string Secret) CreateKey(string name, IReadOnlyCollection<string> scopes)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new StoreException("an API key needs a name");
        }
        if (scopes.Count == 0)
        {
            throw new StoreException($"an API key needs at least one scope: {string.Join(", ", Scopes.All)}");
        }
        foreach (var s in scopes.Where(s => !Scopes.All.Contains(s)))
        {
            throw new StoreException($"unknown scope `{s}`; scopes are {string.Join(", ", Scopes.All)}");
        }
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
        var secret = $"chs_{id}_{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24))}";
        var info = new ApiKeyInfo(id, name.Trim(), scopes.Distinct().Order(StringComparer.Ordinal).ToList(), Now(), null);
        db.Connection.Execute(
            "INSERT INTO api_keys (key_id, name, scopes, key_hash, created_at) VALUES (@KeyId, @Name, @scopes, @hash, @CreatedAt)",
            new { info.KeyId, info.Name, scopes = string.Join(' ', info.Scopes), hash = Hash(secret), info.CreatedAt });
        return (info, secret);
    }

    /// <summary>The key a caller presented, if it is a live key of this store.</summary>
    public ApiKeyInfo? Verify(string presented)
    {
        var parts = presented.Trim().Split('_');
        if (parts.Length != 3 || parts[0] != "chs" || parts[1].Length != 12)
        {
            return null;
        }
        var row = db.Connection.QueryFirstOrDefault<(string KeyId, string Name, string Scopes, string Hash, string CreatedAt, string? RevokedAt)>(
            "SELECT key_id, name, scopes, key_hash, created_at, revoked_at FROM api_keys WHERE key_id = @id", new { id = parts[1] });
        if (row.KeyId is null || row.RevokedAt is not null)
        {
            return null;
        }
        var expected = Convert.FromHexString(row.Hash);
        var actual = Convert.FromHexString(Hash(presented.Trim()));
        return CryptographicOperations.FixedTimeEquals(expected, actual)
            ? new ApiKeyInfo(row.KeyId, row.Name, row.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), row.CreatedAt, null)
            : null;
    }

    public IReadOnlyList<ApiKeyInfo> Keys() =>
        db.Connection.Query<(string KeyId, string Name, string Scopes, string CreatedAt, string? RevokedAt)>(
                "SELECT key_id, name, scopes, created_at, revoked_at FROM api_keys ORDER BY created_at, key_id")
            .Select(r => new ApiKeyInfo(r.KeyId, r.Name, r.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), r.CreatedAt, r.RevokedAt)).ToList();

    public bool Revoke(string keyId) =>
        db.Connection.Execute("UPDATE api_keys SET revoked_at = @now WHERE key_id = @keyId AND revoked_at IS NULL", new { keyId, now = Now() }) > 0;

    private string Now() => Stamp(clock.GetUtcNow());

    private static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Hash(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>
    /// What <c>password_hash</c> holds for a user who signs in only through the identity provider: empty, which no
    /// password verifies (a PasswordHasher hash is never empty), and which <c>chs user add --password</c> can replace.
    /// </summary>
    public const string NoPassword = "";

    /// <summary>Adds a user who signs in through the identity provider; false when the e-mail is already a user (who is left as is).</summary>
    public bool AddSingleSignOnUser(string email, string role)
    {
        CheckRole(role);
        email = NormalizeEmail(email);
        if (email.Length < 3 || !email.Contains('@', StringComparison.Ordinal))
        {
            throw new StoreException($"`{email}` is not an e-mail address");
        }
        return db.Connection.Execute(
            """
            INSERT INTO app_users (email, role, password_hash, created_at, disabled) VALUES (@email, @role, @hash, @now, 0)
            ON CONFLICT (email) DO NOTHING
            """,
            new { email, role, hash = NoPassword, now = Now() }) > 0;
    }

    private static void CheckRole(string role)
    {
        if (!Roles.All.Contains(role))
        {
            throw new StoreException($"unknown role `{role}`; roles are {string.Join(", ", Roles.All)}");
        }
    }
}
