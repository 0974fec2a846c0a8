using System.Globalization;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>
/// A small book for the Portfolio, Team, Segments and Surveys pages, sent through the ingest API and scored 35 days
/// ago and today with a model whose scores are easy to work out: 0.6 × the `health` metric + 0.4 × NPS × 10, or the
/// metric alone without an NPS answer.
/// <code>
///      name                       segment     plan     stage       owner                 ARR      renewal   35 days ago  today
/// W1   Acme &lt;script&gt;...         Enterprise  Pro      mature      ann@example.com       100000   +20 days  60           0.6 × 90 + 0.4 × 100 = 94 green
/// W2   Globex                     SMB         Starter  onboarding  bob@example.com       20000    +40 days  80           50 yellow
/// W3   =Initech                   SMB         Starter  mature      &lt;b&gt;eve&lt;/b&gt;@example.com  50000    +10 days  30           35 red
/// W4   Hooli                      Mid-Market  Growth   mature      ann@example.com       10000    -         (no signals: unscored)
/// </code>
/// Surveys 5 days ago: W1 NPS 10 "Great &lt;i&gt;team&lt;/i&gt;", W2 CSAT 2 "Slow answers", W3 CES 6. Tasks: ann has one open task
/// due yesterday and one done; bob one open task due in a week.
/// </summary>
internal static class PageBook
{
    public const string Model =
        """
        name: Page test
        trend_days: 30
        grades:
          - { id: green,  label: Healthy,         min: 70, color: "#2e7d32" }
          - { id: yellow, label: Needs attention, min: 40, color: "#f9a825" }
          - { id: red,    label: At risk,         min: 0,  color: "#c62828" }
        dimensions:
          - id: product
            label: Product health
            weight: 60
            measures:
              - id: health
                weight: 100
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
          - id: voice
            label: Customer voice
            weight: 40
            measures:
              - id: nps
                weight: 100
                value: { signal: surveys, kind: nps, aggregate: latest }
                score: { range: { worst: 0, best: 10 } }
        """;

    /// <summary>The same measures counting points: 60 for the metric, 40 for NPS.</summary>
    public const string PointsModel =
        """
        name: Page test in points
        scale: points
        trend_days: 30
        grades:
          - { id: green,  label: Healthy,         min: 70, color: "#2e7d32" }
          - { id: yellow, label: Needs attention, min: 40, color: "#f9a825" }
          - { id: red,    label: At risk,         min: 0,  color: "#c62828" }
        dimensions:
          - id: product
            label: Product health
            measures:
              - id: health
                points: 60
                value: { signal: metrics, metric: health, aggregate: latest }
                score: { range: { worst: 0, best: 100 } }
          - id: voice
            label: Customer voice
            measures:
              - id: nps
                points: 40
                value: { signal: surveys, kind: nps, aggregate: latest }
                score: { range: { worst: 0, best: 10 } }
        """;

    public static DateOnly Today => TimeProvider.System.Today();

    public static string Day(int offset) => Today.AddDays(offset).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static async Task Build(TestApp app)
    {
        using (var db = app.OpenStore())
        {
            new ModelVersions(db, TimeProvider.System).Publish(Model, "page-test.yaml", "page tests");
        }
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts",
            $$"""
            [{"account_id":"W1","name":"Acme <script>alert(1)</script>","segment":"Enterprise","plan":"Pro","lifecycle_stage":"mature","owner":"ann@example.com","arr":100000,"renewal_on":"{{Day(20)}}"},
             {"account_id":"W2","name":"Globex","segment":"SMB","plan":"Starter","lifecycle_stage":"onboarding","owner":"bob@example.com","arr":20000,"renewal_on":"{{Day(40)}}"},
             {"account_id":"W3","name":"=Initech","segment":"SMB","plan":"Starter","lifecycle_stage":"mature","owner":"<b>eve</b>@example.com","arr":50000,"renewal_on":"{{Day(10)}}"},
             {"account_id":"W4","name":"Hooli","segment":"Mid-Market","plan":"Growth","lifecycle_stage":"mature","owner":"ann@example.com","arr":10000}]
            """);
        await ingest.PostJson("/api/v1/ingest/metrics",
            $$"""
            [{"account_id":"W1","metric":"health","date":"{{Day(-40)}}","value":60},{"account_id":"W1","metric":"health","date":"{{Day(-2)}}","value":90},
             {"account_id":"W2","metric":"health","date":"{{Day(-40)}}","value":80},{"account_id":"W2","metric":"health","date":"{{Day(-2)}}","value":50},
             {"account_id":"W3","metric":"health","date":"{{Day(-40)}}","value":30},{"account_id":"W3","metric":"health","date":"{{Day(-2)}}","value":35}]
            """);
        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""
            [{"account_id":"W1","kind":"nps","score":10,"responded_at":"{{Day(-5)}}T10:00:00Z","response_id":"r1","comment":"Great <i>team</i>"},
             {"account_id":"W2","kind":"csat","score":2,"responded_at":"{{Day(-5)}}T11:00:00Z","response_id":"r2","comment":"Slow answers"},
             {"account_id":"W3","kind":"ces","score":6,"responded_at":"{{Day(-5)}}T12:00:00Z","response_id":"r3"}]
            """);
        using (var db = app.OpenStore())
        {
            var run = new ScoringRun(db, new ModelVersions(db, TimeProvider.System));
            run.ScoreRange(Today.AddDays(-35), Today.AddDays(-35), 1);
            run.ScoreRange(Today, Today, 1);
            foreach (var (account, assignee, due, status) in new[] { ("W1", "ann@example.com", Day(-1), "open"), ("W4", "ann@example.com", Day(-3), "done"), ("W2", "bob@example.com", Day(7), "open") })
            {
                db.Connection.Execute(
                    "INSERT INTO tasks (account_key, title, assignee, due_on, steps, status, created_on) SELECT account_key, 'Call', @assignee, @due, '[]', @status, @today FROM accounts WHERE account_id = @account",
                    new { account, assignee, due, status, today = Day(0) });
            }
        }
    }
}
