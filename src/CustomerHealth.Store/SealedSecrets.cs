using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;

namespace CustomerHealth.Store;

/// <summary>
/// Secrets kept in the store (alert destinations' secrets, external sources' connections), one current value per name,
/// sealed with AES-GCM under the store's secret key. The key lives in the store too, so this keeps secrets out of
/// histories, displays and anything that copies a definition — not from someone who can read the whole store, who must
/// be trusted like an admin (docs/security.md).
/// </summary>
internal sealed class SealedSecrets(StoreDb db, TimeProvider clock)
{
    /// <summary>The secret of that name, or null when none is stored (or it was sealed under another store's key).</summary>
    public string? Get(string name, DbTransaction? tx = null) =>
        db.Connection.ExecuteScalar<string?>("SELECT sealed FROM secrets WHERE name = @name", new { name }, tx) is { } sealedValue
            ? Open(sealedValue, tx)
            : null;

    /// <summary>Keeps the value under its name, replacing the one stored.</summary>
    public void Put(string name, string value, DbTransaction tx) =>
        db.Connection.Execute(
            """
            INSERT INTO secrets (name, sealed, updated_at) VALUES (@name, @sealed, @now)
            ON CONFLICT (name) DO UPDATE SET sealed = excluded.sealed, updated_at = excluded.updated_at
            """,
            new { name, @sealed = Seal(value, tx), now = clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture) }, tx);

    /// <summary>The names stored that begin with the prefix.</summary>
    public IReadOnlyList<string> Names(string prefix, DbTransaction? tx = null) =>
        db.Connection.Query<string>("SELECT name FROM secrets", transaction: tx).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).ToList();

    public void Remove(string name, DbTransaction tx) => db.Connection.Execute("DELETE FROM secrets WHERE name = @name", new { name }, tx);

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

    private string? Open(string sealedValue, DbTransaction? tx)
    {
        if (db.Connection.ExecuteScalar<string?>("SELECT key FROM store_keys WHERE purpose = 'secrets'", transaction: tx) is not { } stored)
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
            // Sealed under another key (a store copied without its keys): as if nothing were stored, so it is asked for again.
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
