using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// An SQLite store of the synthetic portfolio (accounts, NPS answers, tickets, invoices, and usage in sessions over
/// 90 days ending <see cref="Portfolios.End"/>), with the 20-measure model published, in a folder of its own.
/// </summary>
internal sealed class BenchStore : IDisposable
{
    private readonly string dir;

    public BenchStore(int accounts, long usageEvents)
    {
        dir = Path.Combine(Path.GetTempPath(), "chs-bench-store-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        Portfolios.WriteOthers(dir, accounts, 5);
        Portfolios.WriteSessionUsage(Path.Combine(dir, "usage.csv"), accounts, usageEvents, 90, 6);
        Db = StoreDb.Open(Path.Combine(dir, "bench.db"));
        new ModelVersions(Db, TimeProvider.System).Publish(BenchModels.TwentyMeasures(), "bench.yaml");
        new Importer(Db, TimeProvider.System).ImportDirectory(dir, new ImportOptions());
        Store.Engines.UsageInbox.Settle(Db);
    }

    public StoreDb Db { get; }

    public void Dispose()
    {
        Db.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(dir, recursive: true);
    }
}
