namespace CustomerHealth.Store.Import;

/// <summary>
/// The keys of accounts and usage users already stored, kept by a long-lived connection (the server's ingest
/// writer): an event of a known account and user is staged with their keys, so a write looks up and creates only
/// the accounts and users it has not seen before. Keys are learned only once the transaction that created or read
/// them has committed, and a key never changes (accounts and users are never deleted), so a key found here is right.
/// </summary>
internal sealed class KnownKeys
{
    // Past this many of a kind the memory is given back and the keys are learned again as events name them.
    private const int Capacity = 2_000_000;

    private readonly Dictionary<string, long> users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> accounts = new(StringComparer.Ordinal);

    public bool TryGetUser(string userId, out long key) => users.TryGetValue(userId, out key);

    public bool TryGetAccount(string accountId, out long key) => accounts.TryGetValue(accountId, out key);

    /// <summary>After a commit: the users and accounts the transaction keyed.</summary>
    public void Learn(IReadOnlyCollection<(string UserId, long Key)> keyedUsers, IReadOnlyDictionary<string, long> keyedAccounts)
    {
        Learn(users, keyedUsers.Count, keyedUsers);
        Learn(accounts, keyedAccounts.Count, keyedAccounts.Select(a => (a.Key, a.Value)));
    }

    private static void Learn(Dictionary<string, long> keys, int count, IEnumerable<(string Id, long Key)> learned)
    {
        if (keys.Count + count > Capacity)
        {
            keys.Clear();
        }
        foreach (var (id, key) in learned)
        {
            keys[id] = key;
        }
    }
}
