namespace CustomerHealth.Store.Import;

/// <summary>
/// The keys of usage users already stored, kept by a long-lived connection (the server's ingest writer): an event of
/// a known user is staged with its key, so a merge creates and looks up only the users it has not seen before.
/// Keys are learned only once the transaction that created or read them has committed, and a user's key never
/// changes, so a key found here is always right.
/// </summary>
internal sealed class UserKeys
{
    // Past this many users the memory is given back and the keys are learned again as events name them.
    private const int Capacity = 2_000_000;

    private readonly Dictionary<string, long> keys = new(StringComparer.Ordinal);

    public bool TryGet(string userId, out long key) => keys.TryGetValue(userId, out key);

    public void Learn(IReadOnlyList<(string UserId, long Key)> users)
    {
        if (keys.Count + users.Count > Capacity)
        {
            keys.Clear();
        }
        foreach (var (id, key) in users)
        {
            keys[id] = key;
        }
    }
}
