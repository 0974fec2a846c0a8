using CustomerHealth.Store;

namespace CustomerHealth.Web;

/// <summary>Opens the store the server was started on; a request gets its own connection (see <see cref="ChsWebApp"/>).</summary>
public sealed class StoreAccess(ServerSettings settings)
{
    public string Target => settings.Db;

    public StoreDb Open() => StoreDb.Open(settings.Db);
}
