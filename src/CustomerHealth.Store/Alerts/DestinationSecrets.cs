using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace CustomerHealth.Store.Alerts;

/// <summary>
/// The alert destinations' secrets, one current value per destination field (`NAME.secret`, `NAME.url`), sealed with
/// AES-GCM under the store's secret key; the rules' stored versions hold only a placeholder. The key lives in the store
/// too, so this keeps secrets out of the rules' history, their display and anything that copies the rules text — not
/// from someone who can read the whole store, who must be trusted like an admin (docs/security.md).
/// </summary>
internal sealed class DestinationSecrets(StoreDb db, TimeProvider clock)
{
    private const string Prefix = "destination:";

    public string? Get(string name) =>
        db.Connection.ExecuteScalar<string?>("SELECT sealed FROM secrets WHERE name = @name", new { name = Prefix + name }) is { } sealedValue
            ? Open(sealedValue)
            : null;

    /// <summary>Keeps the given secrets (all those of the rules in force) and forgets any others.</summary>
    public void Replace(IReadOnlyDictionary<string, string> secrets, DbTransaction tx)
    {
        var now = clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture);
        foreach (var (name, value) in secrets)
        {
            db.Connection.Execute(
                """
                INSERT INTO secrets (name, sealed, updated_at) VALUES (@name, @sealed, @now)
                ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
                """,
                new { name = Prefix + name, @sealed = Seal(value, tx), now }, tx);
        }
        var names = secrets.Keys.Select(n => Prefix + n).ToHashSet(StringComparer.Ordinal);
        var stale = db.Connection.Query<string>("SELECT name FROM secrets WHERE name LIKE 'destination:%'", transaction: tx).Where(n => !names.Contains(n)).ToList();
        foreach (var name in stale)
        {
            db.Connection.Execute("DELETE FROM secrets WHERE name = @name", new { name }, tx);
        }
    }

    private string Seal(string value, DbTransaction tx)
    {
        var key = Key(tx);
        var nonce = RandomNumberGenerator.GetBytes(AesGcm.NonceByteSizes.MaxSize);
        var plain = Encoding.UTF8.GetBytes(value);
        var cipher = new byte[plain.Length];
        var tag = new byte[AesGcm.TagByteSizes.MaxSize];
        using (var aes = new AesGcm(key, tag.Length))
        {
            aes.Encrypt(nonce, plain, cipher, tag);
        }
        return Convert.ToBase64String([.. nonce, .. tag, .. cipher]);
    }

    private string? Open(string sealedValue)
    {
        if (db.Connection.ExecuteScalar<string?>("SELECT key FROM store_keys WHERE purpose = 'secrets'") is not { } stored)
        {
            return null;
        }
        var key = Convert.FromBase64String(stored);
        var bytes = Convert.FromBase64String(sealedValue);
        int n = AesGcm.NonceByteSizes.MaxSize, t = AesGcm.TagByteSizes.MaxSize;
        var plain = new byte[bytes.Length - n - t];
        using var aes = new AesGcm(key, t);
        try
        {
            aes.Decrypt(bytes.AsSpan(0, n), bytes.AsSpan(n + t), bytes.AsSpan(n, t), plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            // Sealed under another key (a store copied without its keys): as if nothing were stored, so the rules ask for it again.
            return null;
        }
        return Encoding.UTF8.GetString(plain);
    }

    /// <summary>The store's secret key, made the first time it is needed (by whichever process gets there first).</summary>
    private byte[] Key(DbTransaction tx)
    {
        db.Connection.Execute(
            "INSERT INTO store_keys (purpose, key) VALUES ('secrets', @key) ON CONFLICT (purpose) DO NOTHING",
            new { key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) }, tx);
        return Convert.FromBase64String(db.Connection.ExecuteScalar<string>("SELECT key FROM store_keys WHERE purpose = 'secrets'", transaction: tx)!);
    }
}
