using BenchmarkDotNet.Attributes;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;

namespace CustomerHealth.Benchmarks;

/// <summary>CSV import of usage events into a new SQLite store, idempotent by event_id (goal ≥ 300,000 events/s).</summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ImportBenchmarks
{
    private const int Events = 200_000;
    private string dir = null!;
    private string csv = null!;

    [GlobalSetup]
    public void Setup()
    {
        dir = Path.Combine(Path.GetTempPath(), "chs-bench-import-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        csv = Path.Combine(dir, "usage.csv");
        Portfolios.WriteUsage(csv, accounts: 2_000, events: Events, days: 90, seed: 3);
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(dir, recursive: true);

    [Benchmark(OperationsPerInvoke = Events)]
    public int ImportUsageCsv()
    {
        var db = Path.Combine(dir, Guid.NewGuid().ToString("N") + ".db");
        using (var store = StoreDb.Open(db))
        {
            var result = new Importer(store, TimeProvider.System).ImportFile(ImportKind.Usage, csv, new ImportOptions());
            if (result.Changed != Events)
            {
                throw new InvalidOperationException($"imported {result.Changed} of {Events}");
            }
        }
        foreach (var f in Directory.GetFiles(dir, Path.GetFileName(db) + "*"))
        {
            File.Delete(f);
        }
        return Events;
    }
}
