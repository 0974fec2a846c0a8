using CustomerHealth.Store.Reading;

namespace CustomerHealth.Web.Components;

/// <summary>
/// The segments, owners, stages and plans the filters offer. They change rarely and cost four passes over the
/// accounts to read, so a server keeps them for half a minute; a new segment shows in the lists within that time.
/// </summary>
public sealed class FacetCache(TimeProvider clock)
{
    private static readonly TimeSpan Keep = TimeSpan.FromSeconds(30);
    private readonly Lock gate = new();
    private AccountFacets? facets;
    private DateTimeOffset readAt;

    public AccountFacets Get(AccountReader accounts)
    {
        lock (gate)
        {
            var now = clock.GetUtcNow();
            if (facets is null || now - readAt > Keep || now < readAt)
            {
                facets = accounts.Facets();
                readAt = now;
            }
            return facets;
        }
    }
}
