using Dapper;

namespace CustomerHealth.Store.Access;

/// <summary>
/// The key ring of the web app's data protection (what signs and encrypts sign-in cookies and anti-forgery tokens),
/// kept in the store as the XML elements it writes: every server on one store accepts the cookies the others issued,
/// and a restart, a new container or another machine signs nobody out. The elements are kept as written, not
/// encrypted: whoever can read the store can forge a sign-in, as whoever could read a key folder could before.
/// </summary>
public sealed class ProtectionKeys(StoreDb db)
{
    /// <summary>Every element stored, in the order stored.</summary>
    public IReadOnlyList<string> All() => db.Connection.Query<string>("SELECT xml FROM protection_keys ORDER BY seq").ToList();

    public void Add(string name, string xml)
    {
        using var turn = db.WriteTurn();
        db.Connection.Execute("INSERT INTO protection_keys (name, xml) VALUES (@name, @xml)", new { name, xml });
    }
}
