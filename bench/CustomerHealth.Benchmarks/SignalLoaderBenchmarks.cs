using BenchmarkDotNet.Attributes;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// Loading what a day's scoring reads: every account's signals from a 10,000-account SQLite store with 1,000,000
/// usage events over 90 days (their daily roll-ups), NPS answers, tickets and invoices, into the arrays the measures
/// read. <see cref="SignalLoader"/> reads its tables in parallel, so this uses both cores.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 5)]
public class SignalLoaderBenchmarks
{
    private const int Accounts = 10_000;
    private BenchStore store = null!;

    [GlobalSetup]
    public void Setup() => store = new BenchStore(Accounts, 1_000_000);

    [GlobalCleanup]
    public void Cleanup() => store.Dispose();

    [Benchmark(OperationsPerInvoke = Accounts)]
    public int LoadAll()
    {
        var (accounts, _) = SignalLoader.Settle(store.Db).LoadAll(TimeZoneInfo.Utc);
        if (accounts.Count != Accounts)
        {
            throw new InvalidOperationException($"loaded {accounts.Count} of {Accounts} accounts");
        }
        return accounts.Count;
    }
}
