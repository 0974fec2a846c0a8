using System.Data.Common;

namespace CustomerHealth.Store.Alerts;

/// <summary>
/// The alert destinations' secrets, one current value per destination field (`NAME.secret`, `NAME.url`), sealed in the
/// store (<see cref="SealedSecrets"/>); the rules' stored versions hold only a placeholder.
/// </summary>
internal sealed class DestinationSecrets(StoreDb db, TimeProvider clock)
{
    private const string Prefix = "destination:";
    private readonly SealedSecrets secrets = new(db, clock);

    public string? Get(string name) => secrets.Get(Prefix + name);

    /// <summary>Keeps the given secrets (all those of the rules in force) and forgets any others.</summary>
    public void Replace(IReadOnlyDictionary<string, string> given, DbTransaction tx)
    {
        foreach (var (name, value) in given)
        {
            secrets.Put(Prefix + name, value, tx);
        }
        var names = given.Keys.Select(n => Prefix + n).ToHashSet(StringComparer.Ordinal);
        foreach (var stale in secrets.Names(Prefix, tx).Where(n => !names.Contains(n)))
        {
            secrets.Remove(stale, tx);
        }
    }
}
