using BenchmarkDotNet.Attributes;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// A day's measure values of a typical model (the 20-measure model: usage counts, active days, distinct users and
/// trends over 90-day windows, NPS, tickets, invoices, ARR, tenure) for every account of a 10,000-account store with
/// 1,000,000 usage events: <see cref="MeasureCalculator"/> alone, on one core, the signals already loaded.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class MeasureBenchmarks
{
    private const int Accounts = 10_000;
    private List<AccountData> accounts = null!;
    private CompiledValue[] compiled = null!;
    private int day;

    [GlobalSetup]
    public void Setup()
    {
        using var store = new BenchStore(Accounts, 1_000_000);
        var plan = new ScoringPlan(ModelLoader.Load(BenchModels.TwentyMeasures()));
        var (loaded, eventIds) = SignalLoader.Settle(store.Db).LoadAll(TimeZoneInfo.FindSystemTimeZoneById(plan.Model.Timezone));
        if (loaded.Count != Accounts)
        {
            throw new InvalidOperationException($"loaded {loaded.Count} of {Accounts} accounts");
        }
        accounts = loaded;
        compiled = plan.Measures.Select(m => new CompiledValue(m.Value, m.ValidForDays, e => eventIds.TryGetValue(e, out var id) ? id : null)).ToArray();
        day = Portfolios.End.DayNumber;
    }

    /// <summary>Every measure of every account, as a scoring run computes them (per account: its 20 measures).</summary>
    [Benchmark(OperationsPerInvoke = Accounts)]
    public int ComputeAll()
    {
        var present = 0;
        foreach (var a in accounts)
        {
            for (var j = 0; j < compiled.Length; j++)
            {
                if (!MeasureCalculator.Compute(compiled[j], a, day).IsMissing)
                {
                    present++;
                }
            }
        }
        return present;
    }
}
