using CustomerHealth.Store;

namespace CustomerHealth.Web;

/// <summary>
/// Opens the store the server was started on; a request gets its own connection (see <see cref="ChsWebApp"/>). The
/// connections to an SQLite store take turns at writing (see <see cref="WriteTurns"/>), so that a write made while
/// the ingest writer is busy waits for one of its transactions, not for a gap between them.
/// </summary>
public sealed class StoreAccess(ServerSettings settings)
{
    private readonly WriteTurns? turns = StoreDb.Writing(settings.Db).TakeTurns ? new WriteTurns() : null;

    public string Target => settings.Db;

    public StoreDb Open()
    {
        var db = StoreDb.Open(settings.Db);
        db.Turns = turns;
        return db;
    }
}
