using System.Globalization;
using System.Text;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Tests.Scoring;

/// <summary>Hand-rolled property tests: random models, values and accounts from a seeded generator.</summary>
public class ScoringPropertiesTests
{
    private const int Cases = 300;

    /// <summary>A random model and, per measure, which way is better (+1: higher values, −1: lower values).</summary>
    internal sealed record RandomModel(ScoringPlan Plan, int[] Better, string Yaml);

    private static string F(double x) => x.ToString("R", CultureInfo.InvariantCulture);

    internal static RandomModel NewModel(Random r)
    {
        var points = r.NextDouble() < 0.3;
        var policies = new[] { "reweight", "neutral", "zero" };
        var sb = new StringBuilder();
        sb.Append("name: Random\n");
        if (points)
        {
            sb.Append("scale: points\n");
        }
        sb.Append("missing: ").Append(policies[r.Next(3)]).Append('\n');
        sb.Append("grades: [{ id: ok, min: 0 }]\ndimensions:\n");
        var better = new List<int>();
        var keys = new List<string>();
        var dims = r.Next(1, 4);
        var dimWeights = Enumerable.Range(0, dims).Select(_ => r.Next(0, 6)).ToArray();
        if (dimWeights.All(w => w == 0))
        {
            dimWeights[r.Next(dims)] = r.Next(1, 6);
        }
        var measureNo = 0;
        var anyPoints = false;
        for (var d = 0; d < dims; d++)
        {
            sb.Append("  - id: d").Append(d).Append('\n');
            if (!points)
            {
                sb.Append("    weight: ").Append(dimWeights[d]).Append('\n');
            }
            keys.Add("d" + d);
            sb.Append("    measures:\n");
            var count = r.Next(1, 5);
            var weights = Enumerable.Range(0, count).Select(_ => r.Next(0, 6)).ToArray();
            if (weights.All(w => w == 0))
            {
                weights[r.Next(count)] = r.Next(1, 6);
            }
            for (var i = 0; i < count; i++)
            {
                var id = "m" + measureNo++;
                keys.Add($"d{d}.{id}");
                sb.Append("      - id: ").Append(id).Append('\n');
                if (points)
                {
                    var p = r.Next(0, 31);
                    anyPoints |= p > 0;
                    sb.Append("        points: ").Append(p).Append('\n');
                }
                else
                {
                    sb.Append("        weight: ").Append(weights[i]).Append('\n');
                }
                if (r.NextDouble() < 0.2)
                {
                    sb.Append("        missing: ").Append(policies[r.Next(3)]).Append('\n');
                }
                sb.Append("        value: { signal: account, field: f").Append(id).Append(" }\n");
                switch (r.Next(3))
                {
                    case 0:
                    {
                        var worst = Math.Round(r.NextDouble() * 200 - 50, 2);
                        var best = worst;
                        while (best == worst)
                        {
                            best = Math.Round(r.NextDouble() * 200 - 50, 2);
                        }
                        sb.Append("        score: { range: { worst: ").Append(F(worst)).Append(", best: ").Append(F(best)).Append(" } }\n");
                        better.Add(best > worst ? 1 : -1);
                        break;
                    }
                    case 1:
                    {
                        // Monotone bands: scores rise with the value (higher is better) or fall with it.
                        var n = r.Next(1, 5);
                        var belows = Enumerable.Range(0, n).Select(_ => Math.Round(r.NextDouble() * 200 - 50, 1)).Distinct().Order().ToArray();
                        var scores = Enumerable.Range(0, belows.Length + 1).Select(_ => (double)r.Next(0, 101)).Order().ToArray();
                        var dir = r.Next(2) == 0 ? 1 : -1;
                        if (dir < 0)
                        {
                            Array.Reverse(scores);
                        }
                        sb.Append("        score: { bands: [ ");
                        for (var b = 0; b < belows.Length; b++)
                        {
                            sb.Append("{ below: ").Append(F(belows[b])).Append(", score: ").Append(F(scores[b])).Append(" }, ");
                        }
                        sb.Append("{ score: ").Append(F(scores[^1])).Append(" } ] }\n");
                        better.Add(dir);
                        break;
                    }
                    default:
                    {
                        var higher = r.Next(2) == 0;
                        sb.Append("        score: { percentile: { better: ").Append(higher ? "higher" : "lower").Append(" } }\n");
                        better.Add(higher ? 1 : -1);
                        break;
                    }
                }
            }
        }
        if (points && !anyPoints)
        {
            // make sure some measure has points
            var yaml0 = sb.ToString();
            var at = yaml0.IndexOf("points: 0\n", yaml0.IndexOf("dimensions:", StringComparison.Ordinal), StringComparison.Ordinal);
            sb.Clear().Append(yaml0, 0, at).Append("points: 7\n").Append(yaml0, at + "points: 0\n".Length, yaml0.Length - at - "points: 0\n".Length);
        }
        if (r.NextDouble() < 0.5)
        {
            sb.Append("scorecards:\n  - id: other\n    when: { segment: [X] }\n    weights: { ");
            var picked = keys.Where(_ => r.NextDouble() < 0.5).Select(k => $"\"{k}\": {r.Next(0, 8)}");
            sb.Append(string.Join(", ", picked)).Append(" }\n");
        }
        var yaml = sb.ToString();
        return new RandomModel(new ScoringPlan(ModelLoader.Load(yaml)), [.. better], yaml);
    }

    private static MeasureValue RandomValue(Random r)
    {
        var p = r.NextDouble();
        return p < 0.15 ? MeasureValue.Missing : p < 0.2 ? MeasureValue.StaleValue : MeasureValue.Of(Math.Round(r.NextDouble() * 300 - 100, 1));
    }

    private static (int[] Cards, List<MeasureValue[]> Values) RandomCohort(Random r, RandomModel model)
    {
        var n = r.Next(1, 12);
        var m = model.Plan.Measures.Length;
        var cards = Enumerable.Range(0, n).Select(_ => r.Next(model.Plan.ScorecardIds.Length)).ToArray();
        var values = Enumerable.Range(0, n).Select(_ => Enumerable.Range(0, m).Select(_ => RandomValue(r)).ToArray()).ToList();
        return (cards, values);
    }

    [Fact]
    public void ScoreAll_RandomModelsAndValues_ScoreStaysWithinZeroAndMaxScore()
    {
        var r = new Random(20250630);
        var scored = 0;
        for (var c = 0; c < Cases; c++)
        {
            var model = NewModel(r);
            var (cards, values) = RandomCohort(r, model);
            foreach (var s in ScoreCalculator.ScoreAll(model.Plan, cards, values))
            {
                if (s.Score is not { } score)
                {
                    continue;
                }
                scored++;
                score.ShouldBeGreaterThanOrEqualTo(-1e-9, model.Yaml);
                score.ShouldBeLessThanOrEqualTo(model.Plan.MaxScore + 1e-9, model.Yaml);
                s.Measures.ShouldAllBe(x => x.EffectiveWeight >= 0);
            }
        }
        scored.ShouldBeGreaterThan(Cases); // the generator does produce scored accounts
    }

    [Fact]
    public void ScoreAll_RandomModelsAndValues_ContributionsAddUpToTheScore()
    {
        var r = new Random(4242);
        for (var c = 0; c < Cases; c++)
        {
            var model = NewModel(r);
            var (cards, values) = RandomCohort(r, model);
            foreach (var s in ScoreCalculator.ScoreAll(model.Plan, cards, values))
            {
                if (s.Score is { } score)
                {
                    s.Measures.Sum(x => x.Contribution).ShouldBe(score, 1e-9, model.Yaml);
                    // effective weights add up to the share of the scale in use: 1 on a 100 scale (×ΣP/100 in points).
                    s.Measures.Sum(x => x.EffectiveWeight).ShouldBe(model.Plan.MaxScore / 100, 1e-9, model.Yaml);
                }
                else
                {
                    s.Measures.ShouldAllBe(x => x.Contribution == 0);
                }
            }
        }
    }

    [Fact]
    public void ScoreAll_MovingAValueTowardBest_NeverLowersTheScore()
    {
        var r = new Random(777);
        var moved = 0;
        for (var c = 0; c < Cases; c++)
        {
            var model = NewModel(r);
            var (cards, values) = RandomCohort(r, model);
            var before = ScoreCalculator.ScoreAll(model.Plan, cards, values);
            var a = r.Next(values.Count);
            var j = r.Next(model.Plan.Measures.Length);
            if (values[a][j].IsMissing || before[a].Score is not { } old)
            {
                continue;
            }
            var step = model.Better[j] * (r.NextDouble() < 0.2 ? 0 : Math.Round(r.NextDouble() * 100, 1));
            var changed = values.Select(v => (MeasureValue[])v.Clone()).ToList();
            changed[a][j] = MeasureValue.Of(values[a][j].Number + step);
            var now = ScoreCalculator.ScoreAll(model.Plan, cards, changed)[a].Score;
            now.ShouldNotBeNull();
            now.Value.ShouldBeGreaterThanOrEqualTo(old - 1e-9, $"measure {j}, account {a}, step {step}\n{model.Yaml}");
            moved++;
        }
        moved.ShouldBeGreaterThan(Cases / 3);
    }

    [Fact]
    public void ScoreAll_MovingAValueAwayFromBest_NeverRaisesTheScore()
    {
        var r = new Random(778);
        for (var c = 0; c < Cases; c++)
        {
            var model = NewModel(r);
            var (cards, values) = RandomCohort(r, model);
            var before = ScoreCalculator.ScoreAll(model.Plan, cards, values);
            var a = r.Next(values.Count);
            var j = r.Next(model.Plan.Measures.Length);
            if (values[a][j].IsMissing || before[a].Score is not { } old)
            {
                continue;
            }
            var changed = values.Select(v => (MeasureValue[])v.Clone()).ToList();
            changed[a][j] = MeasureValue.Of(values[a][j].Number - model.Better[j] * Math.Round(r.NextDouble() * 100, 1));
            ScoreCalculator.ScoreAll(model.Plan, cards, changed)[a].Score!.Value.ShouldBeLessThanOrEqualTo(old + 1e-9, model.Yaml);
        }
    }

    // ------------------------------------------------------------------------------------------ point in time

    private static readonly int Today = new DateOnly(2025, 6, 30).DayNumber;

    private static int? EventId(string name) => name switch { "login" => 0, "export" => 1, "report" => 2, _ => null };

    private static int Day(Random r) => Today + r.Next(-150, 41);

    private static T[] Sorted<T>(IEnumerable<T> items) where T : struct, IDated => [.. items.OrderBy(x => x.Day)];

    private static AccountData RandomAccount(Random r)
    {
        int N(int max) => r.Next(0, max + 1);
        bool Coin(double p = 0.5) => r.NextDouble() < p;
        var usage = Enumerable.Range(0, N(25)).Select(_ => new UsageDay(Day(r), r.Next(3), r.Next(1, 10), Math.Round(r.NextDouble() * 50, 2)));
        var users = Enumerable.Range(0, N(25)).Select(_ => new UserDay(Day(r), r.Next(3), r.Next(6)));
        var surveys = Enumerable.Range(0, N(10)).Select(_ =>
        {
            var kind = (SurveyKind)r.Next(3);
            var score = kind switch { SurveyKind.Nps => r.Next(0, 11), SurveyKind.Csat => r.Next(1, 6), _ => r.Next(1, 8) };
            return new SurveyPoint(Day(r), kind, score);
        });
        var tickets = Enumerable.Range(0, N(10)).Select(_ =>
        {
            var day = Day(r);
            int? closed = Coin(0.7) ? day + r.Next(0, 20) : null;
            int? fr = Coin(0.8) ? day + r.Next(0, 3) : null;
            return new TicketPoint(day, (TicketPriority)r.Next(4), closed, fr, closed is null ? null : r.Next(1, 200), fr is null ? null : r.Next(1, 48),
                Coin(0.2), Coin(0.5) ? Coin() : null);
        });
        var invoices = Enumerable.Range(0, N(8)).Select(_ =>
        {
            var day = Day(r);
            var due = day + r.Next(0, 31);
            var state = (InvoiceState)r.Next(4);
            int? paid = state == InvoiceState.Paid && Coin(0.8) ? due + r.Next(-10, 20) : null;
            return new InvoicePoint(day, due, paid, state, r.Next(10, 1000));
        });
        var subs = Enumerable.Range(0, N(6)).Select(_ => new SubscriptionPoint(Day(r), (SubscriptionKind)r.Next(6), r.Next(-500, 1000)));
        var orders = Enumerable.Range(0, N(10)).Select(_ => new OrderPoint(Day(r), r.Next(1, 500), Coin(0.3) ? r.Next(0, 100) : 0));
        var sentiments = Enumerable.Range(0, N(4)).Select(_ => new SentimentPoint(Day(r), r.Next(1, 6)));
        var touches = Enumerable.Range(0, N(6)).Select(_ => new TouchPoint(Day(r)));
        var metrics = new Dictionary<string, MetricPoint[]>();
        foreach (var name in new[] { "mrr", "seats_used" })
        {
            if (Coin(0.8))
            {
                metrics[name] = Sorted(Enumerable.Range(0, N(12)).Select(_ => new MetricPoint(Day(r), Math.Round(r.NextDouble() * 100 - 10, 2))));
            }
        }
        return new AccountData
        {
            Key = 1,
            AccountId = "random",
            Seats = Coin(0.7) ? r.Next(0, 20) : null,
            Arr = Coin(0.7) ? r.Next(0, 100000) : null,
            StartedDay = Coin(0.4) ? Day(r) : null,
            RenewalDay = Coin(0.4) ? Day(r) + 200 : null,
            Attributes = Coin() ? new Dictionary<string, string> { ["tier"] = "gold", ["score_goal"] = "3.5" } : new Dictionary<string, string>(),
            Usage = Sorted(usage),
            UserDays = Sorted(users),
            Surveys = Sorted(surveys),
            Tickets = Sorted(tickets),
            Invoices = Sorted(invoices),
            Subscriptions = Sorted(subs),
            Orders = Sorted(orders),
            Sentiments = Sorted(sentiments),
            Touches = Sorted(touches),
            Metrics = metrics,
        };
    }

    /// <summary>The same account without any signal dated after <paramref name="day"/>.</summary>
    private static AccountData Cut(AccountData a, int day) => new()
    {
        Key = a.Key,
        AccountId = a.AccountId,
        Seats = a.Seats,
        Arr = a.Arr,
        StartedDay = a.StartedDay,
        RenewalDay = a.RenewalDay,
        Attributes = a.Attributes,
        Usage = a.Usage.Where(x => x.Day <= day).ToArray(),
        UserDays = a.UserDays.Where(x => x.Day <= day).ToArray(),
        Surveys = [.. a.Surveys.Where(x => x.Day <= day)],
        Tickets = [.. a.Tickets.Where(x => x.Day <= day)],
        Invoices = [.. a.Invoices.Where(x => x.Day <= day)],
        Subscriptions = [.. a.Subscriptions.Where(x => x.Day <= day)],
        Orders = [.. a.Orders.Where(x => x.Day <= day)],
        Sentiments = [.. a.Sentiments.Where(x => x.Day <= day)],
        Touches = [.. a.Touches.Where(x => x.Day <= day)],
        Metrics = a.Metrics.ToDictionary(kv => kv.Key, kv => kv.Value.Where(x => x.Day <= day).ToArray()),
    };

    private static readonly (SignalKind Signal, string[] Aggregates)[] AllAggregates =
    [
        (SignalKind.Usage, ["count", "sum", "active_days", "distinct_users", "distinct_events", "change", "days_since_last"]),
        (SignalKind.Surveys, ["nps", "average", "latest", "count", "positive_share"]),
        (SignalKind.Tickets, ["count", "open_count", "escalated_count", "avg_resolution_hours", "avg_first_response_hours", "satisfaction"]),
        (SignalKind.Invoices, ["max_days_overdue", "overdue_amount", "failed_count", "on_time_ratio"]),
        (SignalKind.Subscriptions, ["days_to_renewal", "tenure_days", "arr_change"]),
        (SignalKind.Orders, ["count", "sum", "average", "return_rate", "days_since_last"]),
        (SignalKind.Metrics, ["latest", "average", "sum", "min", "max", "change"]),
        (SignalKind.Sentiment, ["latest"]),
        (SignalKind.Touches, ["count", "days_since_last"]),
        (SignalKind.Account, ["value"]),
    ];

    private static ValueSpec RandomSpec(Random r, SignalKind signal, string aggregate)
    {
        int?[] windows = [null, 7, 30, 90];
        var window = aggregate == "change" ? r.Next(1, 60) : windows[r.Next(windows.Length)];
        var spec = new ValueSpec
        {
            Signal = signal,
            Aggregate = aggregate,
            WindowDays = window,
            Default = r.NextDouble() < 0.3 ? 1.5 : null,
        };
        return signal switch
        {
            SignalKind.Usage => spec with
            {
                Events = r.Next(3) switch { 0 => [], 1 => ["login"], _ => ["export", "report", "unknown"] },
                PerSeats = r.NextDouble() < 0.3,
            },
            SignalKind.Surveys => spec with { Kind = aggregate == "nps" ? "nps" : new[] { "nps", "csat", "ces" }[r.Next(3)] },
            SignalKind.Tickets => spec with { Priorities = r.Next(2) == 0 ? [] : ["high", "urgent"] },
            SignalKind.Metrics => spec with { Metric = r.Next(2) == 0 ? "mrr" : "seats_used" },
            SignalKind.Account => spec with { Field = new[] { "arr", "seats", "tenure_days", "tier", "score_goal" }[r.Next(5)] },
            _ => spec,
        };
    }

    [Fact]
    public void Compute_SignalsDatedAfterD_NeverChangeTheValueAsOfD()
    {
        var r = new Random(31337);
        var compared = 0;
        var notMissing = 0;
        for (var c = 0; c < Cases; c++)
        {
            var account = RandomAccount(r);
            var day = Today + r.Next(-120, 30);
            var cut = Cut(account, day);
            foreach (var (signal, aggregates) in AllAggregates)
            {
                foreach (var aggregate in aggregates)
                {
                    var spec = RandomSpec(r, signal, aggregate);
                    int? validFor = r.NextDouble() < 0.3 ? r.Next(1, 90) : null;
                    var compiled = new CompiledValue(spec, validFor, EventId);
                    var full = MeasureCalculator.Compute(compiled, account, day);
                    var known = MeasureCalculator.Compute(compiled, cut, day);
                    full.ShouldBe(known, $"case {c}: {signal} {aggregate} window {spec.WindowDays} as of {day - Today}");
                    compared++;
                    notMissing += full.IsMissing ? 0 : 1;
                }
            }
        }
        compared.ShouldBe(Cases * AllAggregates.Sum(x => x.Aggregates.Length));
        notMissing.ShouldBeGreaterThan(compared / 3); // the accounts are rich enough to give values
    }

    [Fact]
    public void Compute_EveryAggregateOfTheCatalog_NeverReadsSignalsDatedAfterD()
    {
        // The catalog-wide twin of the test above: an aggregate added to the catalog is held to point in time at once.
        var r = new Random(4242);
        var notMissing = new Dictionary<Aggregate, int>();
        for (var c = 0; c < Cases; c++)
        {
            var account = RandomAccount(r);
            var day = Today + r.Next(-120, 30);
            var cut = Cut(account, day);
            foreach (var aggregate in AggregateCatalog.All)
            {
                var spec = RandomSpec(r, aggregate.Signal, aggregate.Name);
                spec = spec with
                {
                    WindowDays = aggregate.ComparesWindows ? r.Next(1, 60) : spec.WindowDays,
                    Kind = aggregate.NeedsKind ?? spec.Kind,
                };
                var compiled = new CompiledValue(spec, r.NextDouble() < 0.3 ? r.Next(1, 90) : null, EventId);
                var full = MeasureCalculator.Compute(compiled, account, day);
                full.ShouldBe(MeasureCalculator.Compute(compiled, cut, day), $"case {c}: {aggregate.Signal} {aggregate.Name} window {spec.WindowDays} as of {day - Today}");
                notMissing[aggregate] = notMissing.GetValueOrDefault(aggregate) + (full.IsMissing ? 0 : 1);
            }
        }
        // Every aggregate gave values (`p_alive` needs the fit over all accounts, which this test does not make).
        AggregateCatalog.All.Where(a => !a.NeedsOrdersFit && notMissing.GetValueOrDefault(a) < Cases / 10).ShouldBeEmpty();
    }

    [Fact]
    public void Compute_RandomAccounts_CountsAreNeverNegativeAndRatiosStayInRange()
    {
        var r = new Random(99);
        for (var c = 0; c < Cases; c++)
        {
            var account = RandomAccount(r);
            var day = Today + r.Next(-120, 30);
            foreach (var (signal, aggregate, lo, hi) in new (SignalKind, string, double, double)[]
            {
                (SignalKind.Usage, "count", 0, double.MaxValue),
                (SignalKind.Usage, "distinct_users", 0, double.MaxValue),
                (SignalKind.Usage, "days_since_last", 0, double.MaxValue),
                (SignalKind.Surveys, "nps", -100, 100),
                (SignalKind.Surveys, "positive_share", 0, 100),
                (SignalKind.Tickets, "satisfaction", 0, 100),
                (SignalKind.Tickets, "open_count", 0, double.MaxValue),
                (SignalKind.Invoices, "on_time_ratio", 0, 1),
                (SignalKind.Invoices, "max_days_overdue", 0, double.MaxValue),
                (SignalKind.Subscriptions, "days_to_renewal", 0, 366),
                (SignalKind.Sentiment, "latest", 1, 5),
                (SignalKind.Touches, "count", 0, double.MaxValue),
                (SignalKind.Touches, "days_since_last", 0, double.MaxValue),
            })
            {
                var spec = RandomSpec(r, signal, aggregate) with { Default = null, PerSeats = false };
                var v = MeasureCalculator.Compute(new CompiledValue(spec, null, EventId), account, day);
                if (!v.IsMissing)
                {
                    v.Number.ShouldBeInRange(lo, hi, $"{signal} {aggregate}");
                }
            }
        }
    }
}
