using System.Net;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Prediction;
using CustomerHealth.Store.Scoring;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>The Account page on <see cref="PageBook"/> (W1 scored 35 days ago and today), and accounts added to it.</summary>
public abstract class AccountPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    [Fact]
    public async Task Account_NoSuchAccount_Answers404WithTheFriendlyText()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var r = await client.GetAsync("/accounts/NOPE");

        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var html = WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync());
        html.ShouldContain("No account “NOPE”");
        html.ShouldContain("<a href=\"/accounts\">Find it in the list of accounts</a>");
    }

    [Fact]
    public async Task PredictorInForce_ThePageAndTheApiGiveTheRiskItsRangeAndTheAccountsDrivers()
    {
        // 300 accounts measured 150 days ago; those with health between 30 and 50 mostly churned 30 days later.
        using (var db = app.OpenStore())
        {
            new ModelVersions(db, TimeProvider.System).Publish(PageBook.Model, "page-test.yaml", "page tests");
        }
        var random = new Random(3);
        var metrics = new List<string>();
        var churned = new List<string>();
        for (var a = 0; a < 300; a++)
        {
            var health = random.Next(0, 100);
            metrics.Add($"{{\"account_id\":\"P{a}\",\"metric\":\"health\",\"date\":\"{PageBook.Day(-150)}\",\"value\":{health}}}");
            if (random.NextDouble() < (health is >= 30 and < 50 ? 0.8 : 0.05))
            {
                churned.Add($"{{\"account_id\":\"P{a}\",\"kind\":\"churned\",\"occurred_on\":\"{PageBook.Day(-120)}\"}}");
            }
        }
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/metrics", "[" + string.Join(",", metrics) + "]");
        await ingest.PostJson("/api/v1/ingest/subscriptions", "[" + string.Join(",", churned) + "]");
        var day = PageBook.Today.AddDays(-150);
        string predictor;
        using (var db = app.OpenStore())
        {
            var models = new ModelVersions(db, TimeProvider.System);
            new ScoringRun(db, models).ScoreRange(day, day, 1);
            var current = models.RequireCurrent();
            var predictions = new Predictions(db, TimeProvider.System);
            predictor = predictions.Fit(current.Model, current.VersionId, current.Yaml, new BacktestOptions(day, day, 30, 90)).PredictorId;
            predictions.Publish(predictor).Predicted.ShouldBe(300);
        }
        var client = await app.SignedIn("viewer");

        var account = await client.GetJson("/api/v1/accounts/P0");
        var html = WebUtility.HtmlDecode(await TestApp.Page(client, "/accounts/P0"));

        account.GetProperty("churn_predictor").GetString().ShouldBe(predictor);
        var p = account.GetProperty("churn_probability").GetDouble();
        var interval = account.GetProperty("churn_interval");
        p.ShouldBeInRange(interval.GetProperty("low").GetDouble() - 1e-4, interval.GetProperty("high").GetDouble() + 1e-4);
        var drivers = account.GetProperty("churn_drivers").EnumerateArray().ToList();
        drivers.Count.ShouldBeInRange(1, 3);
        drivers[0].GetProperty("feature").GetString().ShouldBe("product.health");
        var text = drivers[0].GetProperty("text").GetString()!;
        text.ShouldMatch(@"^health: \d+ → [+−]\d+ points of risk$");
        html.ShouldContain("What moves this account's churn risk most");
        html.ShouldContain("<li>" + text + "</li>");
        html.ShouldMatch(@"data-testid=""churn-risk""[^>]*>\d+% chance of churn within 90 days \(likely \d+%–\d+%\)</span>");
        (await client.GetJson("/api/v1/accounts")).EnumerateArray().First(a => a.GetProperty("account_id").GetString() == "P0")
            .GetProperty("churn_drivers")[0].GetProperty("text").GetString().ShouldBe(text);
        // The Model page says which predictor is in force, how it validated, and how far its measure has moved (not at all: as of its training day).
        var model = WebUtility.HtmlDecode(await TestApp.Page(client, "/model"));
        model.ShouldContain($"Predictor <code>{predictor}</code> is in force");
        model.ShouldContain("data-testid=\"predictor-figures\"");
        model.ShouldMatch(@"<tr data-measure=""product.health""><th scope=""row"" class=""fw-normal"">health <span class=""text-secondary small"">\(product.health\)</span></th>\s*<td class=""text-end"">0.000</td>");
    }

    [Fact]
    public async Task Timeline_StoredTimestamps_ShowAsDayAndMinuteInUtc()
    {
        await PageBook.Build(app);
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/tickets",
            $$"""[{"ticket_id":"K1","account_id":"W1","opened_at":"{{PageBook.Day(-3)}}T08:15:00Z","priority":"normal","status":"closed","closed_at":"{{PageBook.Day(-2)}}T20:35:46Z"}]""");
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/accounts/W1");

        var timeline = html[html.IndexOf("data-testid=\"timeline\"", StringComparison.Ordinal)..];
        timeline = timeline[..timeline.IndexOf("</ol>", StringComparison.Ordinal)];
        timeline.ShouldContain($">{PageBook.Day(-5)} 10:00 UTC</span>NPS answer: 10");
        timeline.ShouldContain($">{PageBook.Day(-3)} 08:15 UTC</span>normal ticket K1: closed");
        timeline.ShouldContain($"closed {PageBook.Day(-2)} 20:35 UTC");
        timeline.ShouldNotContain("T20:35");
        timeline.ShouldNotContain("T08:15");
    }

    [Fact]
    public async Task HistoryChart_OneSnapshot_IsDrawnAsAPointWithItsValue()
    {
        await PageBook.Build(app);
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts", """[{"account_id":"W5","name":"Umbrella","owner":"bob@example.com","arr":5000}]""");
        await ingest.PostJson("/api/v1/ingest/metrics", $$"""[{"account_id":"W5","metric":"health","date":"{{PageBook.Day(-1)}}","value":80}]""");
        using (var db = app.OpenStore())
        {
            new ScoringRun(db, new ModelVersions(db, TimeProvider.System)).ScoreRange(PageBook.Today, PageBook.Today, 1);
        }
        var client = await app.SignedIn("viewer");

        var one = WebUtility.HtmlDecode(await TestApp.Page(client, "/accounts/W5"));
        var two = WebUtility.HtmlDecode(await TestApp.Page(client, "/accounts/W1"));

        // The metric alone without an NPS answer: 80.
        one.ShouldContain("\"showSymbol\":true");
        one.ShouldContain("\"label\":{\"show\":true,\"position\":\"top\",\"formatter\":\"80.0\"}");
        // Two or more scores are a line without symbols.
        two.ShouldContain("\"showSymbol\":false");
    }

    [Fact]
    public async Task WhatChanged_FromADayWithoutAScore_SaysWhichDayWasCompared()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, $"/accounts/W1?from={PageBook.Day(-30)}&to={PageBook.Day(0)}");
        var exact = await TestApp.Page(client, $"/accounts/W1?from={PageBook.Day(-35)}&to={PageBook.Day(0)}");

        // Scored 35 days ago and today: 30 days ago falls back to 35 days ago.
        html.ShouldContain($"From: no score on {PageBook.Day(-30)}, so the nearest scored day before it is used: {PageBook.Day(-35)}.");
        html.ShouldNotContain("To: no score");
        exact.ShouldNotContain("data-testid=\"change-days\"");
    }

    [Fact]
    public async Task Breakdown_PointsModel_SaysPointsNotWeight()
    {
        await PageBook.Build(app);
        using (var db = app.OpenStore())
        {
            var models = new ModelVersions(db, TimeProvider.System);
            models.Publish(PageBook.PointsModel, "points.yaml", "points");
            new ScoringRun(db, models).ScoreRange(PageBook.Today, PageBook.Today, 1);
        }
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/accounts/W1");

        var breakdown = html[html.IndexOf("data-testid=\"breakdown\"", StringComparison.Ordinal)..];
        breakdown = breakdown[..breakdown.IndexOf("</table>", StringComparison.Ordinal)];
        breakdown.ShouldNotContain("Weight");
        breakdown.ShouldContain("<th scope=\"col\" class=\"num\">Points</th><th scope=\"col\" class=\"num\">Earned</th>");
        // Product health gives up to 60 points: no percent sign.
        breakdown.ShouldContain("<td class=\"num\">60</td>");
        breakdown.ShouldNotContain("%</td>");
    }

    [Fact]
    public async Task Breakdown_WeightModel_SaysWeightInPercent()
    {
        await PageBook.Build(app);
        var client = await app.SignedIn("viewer");

        var html = await TestApp.Page(client, "/accounts/W1");

        var breakdown = html[html.IndexOf("data-testid=\"breakdown\"", StringComparison.Ordinal)..];
        breakdown.ShouldContain("<th scope=\"col\" class=\"num\">Weight</th><th scope=\"col\" class=\"num\">Points</th>");
        breakdown.ShouldContain("<td class=\"num\">60%</td>");
    }
}

public sealed class AccountPageTestsOnSqlite() : AccountPageTests(TestEngine.Sqlite);

public sealed class AccountPageTestsOnPostgres() : AccountPageTests(TestEngine.Postgres);
