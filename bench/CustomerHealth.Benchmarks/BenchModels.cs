using System.Globalization;
using System.Text;

namespace CustomerHealth.Benchmarks;

/// <summary>A 20-measure model over the signal kinds the synthetic portfolios carry, with 90-day windows.</summary>
internal static class BenchModels
{
    public static string TwentyMeasures()
    {
        var sb = new StringBuilder("""
            name: Bench 20
            grades:
              - { id: green, min: 70 }
              - { id: yellow, min: 40 }
              - { id: red, min: 0 }
            dimensions:

            """);
        string[] measures =
        [
            "{ signal: usage, aggregate: count, window: 90d }", "{ signal: usage, aggregate: active_days, window: 90d }",
            "{ signal: usage, aggregate: distinct_users, window: 90d }", "{ signal: usage, aggregate: distinct_events, window: 90d }",
            "{ signal: usage, aggregate: change, window: 45d }", "{ signal: usage, aggregate: days_since_last }",
            "{ signal: usage, event: ev1, aggregate: count, window: 90d }", "{ signal: usage, events: [ev2, ev3], aggregate: active_days, window: 90d }",
            "{ signal: usage, aggregate: distinct_users, window: 30d, per: seats }", "{ signal: usage, aggregate: sum, window: 90d }",
            "{ signal: surveys, kind: nps, aggregate: nps, window: 90d }", "{ signal: surveys, kind: nps, aggregate: count, window: 90d }",
            "{ signal: tickets, aggregate: count, window: 90d }", "{ signal: tickets, aggregate: open_count }",
            "{ signal: tickets, aggregate: escalated_count, window: 90d }", "{ signal: invoices, aggregate: max_days_overdue }",
            "{ signal: invoices, aggregate: failed_count, window: 90d }", "{ signal: account, field: arr }",
            "{ signal: subscriptions, aggregate: tenure_days }", "{ signal: usage, event: ev4, aggregate: days_since_last }",
        ];
        for (var d = 0; d < 4; d++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"  - id: d{d}\n    weight: {10 + d * 5}\n    measures:\n");
            for (var m = 0; m < 5; m++)
            {
                var i = d * 5 + m;
                var score = i % 4 == 3 ? "{ percentile: { better: higher } }" : "{ range: { worst: 0, best: 50 } }";
                sb.Append(CultureInfo.InvariantCulture, $"      - id: m{i}\n        weight: {1 + m}\n        value: {measures[i]}\n        score: {score}\n");
            }
        }
        return sb.ToString();
    }
}
