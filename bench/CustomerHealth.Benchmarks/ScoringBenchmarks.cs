using BenchmarkDotNet.Attributes;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// Combining prepared measure values into scores: the pure scoring throughput (goal ≥ 1,000,000 account-scorings/s/core);
/// and, before it, computing the measure values from accounts' signals held in memory.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 2, iterationCount: 5)]
public class ScoringBenchmarks
{
    private const int Accounts = 100_000;
    private ScoringPlan plan = null!;
    private MeasureValue[][] values = null!;
    private double[][] scores = null!;
    private int[] cards = null!;
    private const int SignalAccounts = 10_000;
    private AccountData[] accounts = null!;
    private CompiledValue[] compiled = null!;
    private int day;

    [GlobalSetup]
    public void Setup()
    {
        plan = new ScoringPlan(ModelLoader.Load(BenchModels.TwentyMeasures()));
        var rnd = new Random(1);
        values = new MeasureValue[Accounts][];
        scores = new double[Accounts][];
        cards = new int[Accounts];
        for (var a = 0; a < Accounts; a++)
        {
            values[a] = new MeasureValue[20];
            scores[a] = new double[20];
            for (var j = 0; j < 20; j++)
            {
                var missing = rnd.NextDouble() < 0.05;
                values[a][j] = missing ? MeasureValue.Missing : MeasureValue.Of(rnd.NextDouble() * 60);
                scores[a][j] = missing ? double.NaN : MeasureScores.Score(new RangeScore(0, 50), values[a][j]);
            }
        }
        day = new DateOnly(2025, 6, 30).DayNumber;
        accounts = new AccountData[SignalAccounts];
        for (var a = 0; a < SignalAccounts; a++)
        {
            accounts[a] = SignalAccount(rnd, a, day);
        }
        compiled = plan.Measures
            .Select(m => new CompiledValue(m.Value, m.ValidForDays, e => e.StartsWith("ev", StringComparison.Ordinal) ? int.Parse(e[2..], System.Globalization.CultureInfo.InvariantCulture) : null))
            .ToArray();
    }

    /// <summary>
    /// An account with 120 days of usage over six events and up to 12 users, a few NPS answers, tickets, three monthly
    /// invoices, a start and ARR and seats: what the 20-measure model reads.
    /// </summary>
    private static AccountData SignalAccount(Random rnd, int key, int day)
    {
        var usage = new List<UsageDay>();
        var users = new List<UserDay>();
        var people = rnd.Next(2, 13);
        for (var d = day - 119; d <= day; d++)
        {
            for (var e = 1; e <= 6; e++)
            {
                if (rnd.NextDouble() < 0.5)
                {
                    usage.Add(new UsageDay(d, e, rnd.Next(1, 20), rnd.NextDouble() * 10));
                    for (var u = 0; u < people; u++)
                    {
                        if (rnd.NextDouble() < 0.3)
                        {
                            users.Add(new UserDay(d, e, u));
                        }
                    }
                }
            }
        }
        return new AccountData
        {
            Key = key,
            AccountId = "a" + key,
            Arr = rnd.Next(1_000, 100_000),
            Seats = rnd.Next(5, 50),
            StartedDay = day - rnd.Next(30, 1_000),
            Usage = [.. usage],
            UserDays = [.. users],
            Surveys = [.. Enumerable.Range(0, 3).Select(i => new SurveyPoint(day - 80 + i * 30, SurveyKind.Nps, rnd.Next(0, 11)))],
            Tickets = [.. Enumerable.Range(0, 5).Select(i => new TicketPoint(day - 100 + i * 20, (TicketPriority)rnd.Next(4), rnd.NextDouble() < 0.7 ? day - 95 + i * 20 : null, null, 24, null, rnd.NextDouble() < 0.1, null))],
            Invoices = [.. Enumerable.Range(0, 3).Select(i => new InvoicePoint(day - 90 + i * 30, day - 60 + i * 30, rnd.NextDouble() < 0.8 ? day - 62 + i * 30 : null, InvoiceState.Open, 1_000))],
        };
    }

    /// <summary>The 20 measure values of an account from its signals (per account: 20 measures).</summary>
    [Benchmark(OperationsPerInvoke = SignalAccounts)]
    public double ComputeMeasures()
    {
        double total = 0;
        foreach (var a in accounts)
        {
            foreach (var v in compiled)
            {
                total += MeasureCalculator.Compute(v, a, day).Number is var n && double.IsFinite(n) ? n : 0;
            }
        }
        return total;
    }

    /// <summary>Weights, missing values and the overall score, per account (measure scores already known).</summary>
    [Benchmark(OperationsPerInvoke = Accounts)]
    public double Combine()
    {
        double total = 0;
        for (var a = 0; a < Accounts; a++)
        {
            total += ScoreCalculator.Combine(plan, 0, values[a], scores[a]).Score ?? 0;
        }
        return total;
    }

    /// <summary>The whole cohort: measure scores (with percentiles over the 100,000 accounts) and combination.</summary>
    [Benchmark(OperationsPerInvoke = Accounts)]
    public int ScoreAll() => ScoreCalculator.ScoreAll(plan, cards, values).Length;
}
