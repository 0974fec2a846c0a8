using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Measures;

/// <summary>The catalog is the one list of aggregates: what it holds, the model loader accepts and the calculator computes.</summary>
public class AggregateCatalogTests
{
    public static TheoryData<SignalKind, string> Aggregates()
    {
        var data = new TheoryData<SignalKind, string>();
        foreach (var a in AggregateCatalog.All)
        {
            data.Add(a.Signal, a.Name);
        }
        return data;
    }

    /// <summary>A `value:` of the aggregate with what its kind requires (and a window where it takes one).</summary>
    private static string ValueOf(Aggregate a)
    {
        var signal = a.Signal.ToString().ToLowerInvariant();
        var options = a.Options switch
        {
            var o when o.HasFlag(ValueOptions.SurveyKind) => $", kind: {a.NeedsKind ?? "csat"}",
            var o when o.HasFlag(ValueOptions.Metric) => ", metric: mrr",
            var o when o.HasFlag(ValueOptions.Field) => ", field: arr",
            _ => "",
        };
        // An aggregate read as of the day takes no window.
        var window = a.AsOfTheDay ? "" : ", window: 30d";
        return $"{{ signal: {signal}, aggregate: {a.Name}{window}{options} }}";
    }

    [Theory]
    [MemberData(nameof(Aggregates))]
    public void Load_EveryAggregateOfTheCatalog_IsAcceptedForItsKind(SignalKind signal, string name)
    {
        var aggregate = AggregateCatalog.Find(signal, name).ShouldNotBeNull();
        var yaml = $$"""
            name: M
            grades: [{ id: ok, min: 0 }]
            dimensions:
              - id: d
                measures:
                  - id: m
                    value: {{ValueOf(aggregate)}}
                    score: { range: { worst: 0, best: 10 } }
            """;

        var value = ModelLoader.Load(yaml).Dimensions[0].Measures[0].Value;

        value.Signal.ShouldBe(signal);
        value.Aggregate.ShouldBe(name);
    }

    [Theory]
    [MemberData(nameof(Aggregates))]
    public void Compute_EveryAggregateForAnAccountWithoutSignals_IsMissingOrTheDefault(SignalKind signal, string name)
    {
        // SPEC §4.1: an account with no signal of the kind gets a missing value, or the value's `default`.
        var spec = new ValueSpec { Signal = signal, Aggregate = name, WindowDays = 30, Kind = signal == SignalKind.Surveys ? "nps" : null, Metric = "mrr", Field = "arr" };
        var empty = new AccountData { Key = 1, AccountId = "none" };
        var day = new DateOnly(2025, 6, 30).DayNumber;

        MeasureCalculator.Compute(new CompiledValue(spec, null, _ => null), empty, day).IsMissing.ShouldBeTrue();
        MeasureCalculator.Compute(new CompiledValue(spec with { Default = 7 }, null, _ => null), empty, day).Number.ShouldBe(7);
    }

    [Fact]
    public void Kinds_AreEverySignalKindInOrder()
    {
        AggregateCatalog.Kinds.ShouldBe(Enum.GetValues<SignalKind>());
    }

    [Fact]
    public void Find_AnAggregateOfAnotherKind_IsNull()
    {
        AggregateCatalog.Find(SignalKind.Usage, "open_count").ShouldBeNull();
        AggregateCatalog.Find(SignalKind.Tickets, "open_count").ShouldNotBeNull().Signal.ShouldBe(SignalKind.Tickets);
        AggregateCatalog.Find(SignalKind.Metrics, "median").ShouldNotBeNull().Options.ShouldBe(ValueOptions.Metric);
        AggregateCatalog.Find(SignalKind.Orders, "median").ShouldNotBeNull().Options.ShouldBe(ValueOptions.None);
    }

    [Fact]
    public void DefaultFor_OnlyTheAccountKind_HasAnAggregateByDefault()
    {
        AggregateCatalog.Kinds.Where(k => AggregateCatalog.DefaultFor(k) is not null).ShouldBe([SignalKind.Account]);
        AggregateCatalog.DefaultFor(SignalKind.Account).ShouldNotBeNull().Name.ShouldBe("value");
    }
}
