using CustomerHealth.Store.Engines;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>
/// The account reads and writes of the HTTP API on a small portfolio sent through the ingest API and scored as of
/// today: Acme (green), Globex (yellow, onboarding), Initech (red) and Hooli (no signals: unscored).
/// </summary>
public abstract class AccountsApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    private static DateOnly Today => TimeProvider.System.Today();

    private static string Day(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string At(int daysAgo) => Day(daysAgo) + "T10:00:00Z";

    /// <summary>The rows of a table once the usage inbox is merged (as whatever reads usage merges it first).</summary>
    private long Count(string table)
    {
        using var db = app.OpenStore();
        UsageInbox.Settle(db);
        return db.Connection.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table}");
    }

    /// <summary>Sends the portfolio through the ingest API and scores today, as the live rescoring would.</summary>
    private async Task Seed()
    {
        var ingest = app.KeyClient("ingest");
        var accounts = await ingest.PostJson("/api/v1/ingest/accounts",
            """
            [{"account_id":"A1","name":"Acme","segment":"Enterprise","owner":"alice@example.com","arr":120000,"seats":10},
             {"account_id":"A2","name":"Globex","segment":"SMB","owner":"bob@example.com","arr":12000,"seats":10,"lifecycle_stage":"onboarding"},
             {"account_id":"A3","name":"Initech","segment":"SMB","owner":"alice@example.com","arr":30000,"seats":10},
             {"account_id":"A4","name":"Hooli","segment":"SMB","owner":"bob@example.com","arr":5000,"seats":5}]
            """);
        accounts.GetProperty("accepted").GetInt32().ShouldBe(4);

        var usage = new List<string>();
        // Acme: 8 of 10 seats active on 20 of the last 30 days.
        for (var d = 1; d <= 20; d++)
        {
            usage.Add($$"""{"account_id":"A1","occurred_at":"{{At(d)}}","event":"login","user_id":"a1-u{{d % 8}}","event_id":"a1-{{d}}"}""");
        }
        // Globex: 4 of 10 seats on 10 days.
        for (var d = 1; d <= 10; d++)
        {
            usage.Add($$"""{"account_id":"A2","occurred_at":"{{At(d)}}","event":"login","user_id":"a2-u{{d % 4}}","event_id":"a2-{{d}}"}""");
        }
        // Initech: busy a month ago, one login this month.
        for (var d = 35; d < 55; d++)
        {
            usage.Add($$"""{"account_id":"A3","occurred_at":"{{At(d)}}","event":"login","user_id":"a3-u{{d % 6}}","event_id":"a3-{{d}}"}""");
        }
        usage.Add($$"""{"account_id":"A3","occurred_at":"{{At(5)}}","event":"login","user_id":"a3-u1","event_id":"a3-5"}""");
        var u = await ingest.PostJson("/api/v1/ingest/usage", "[" + string.Join(",", usage) + "]");
        u.GetProperty("accepted").GetInt32().ShouldBe(usage.Count);

        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""
            [{"account_id":"A1","kind":"nps","score":10,"responded_at":"{{At(5)}}","response_id":"s1"},
             {"account_id":"A1","kind":"nps","score":6,"responded_at":"{{At(6)}}","response_id":"s2"},
             {"account_id":"A2","kind":"nps","score":8,"responded_at":"{{At(4)}}","response_id":"s3"},
             {"account_id":"A3","kind":"nps","score":0,"responded_at":"{{At(3)}}","response_id":"s4"}]
            """);
        await ingest.PostJson("/api/v1/ingest/tickets",
            $$"""
            [{"ticket_id":"T1","account_id":"A3","opened_at":"{{At(3)}}","priority":"urgent","status":"open","escalated":true},
             {"ticket_id":"T2","account_id":"A3","opened_at":"{{At(4)}}","priority":"urgent","status":"open","escalated":true},
             {"ticket_id":"T3","account_id":"A3","opened_at":"{{At(5)}}","priority":"high","status":"open","escalated":true},
             {"ticket_id":"T4","account_id":"A3","opened_at":"{{At(6)}}","priority":"high","status":"pending"}]
            """);
        await ingest.PostJson("/api/v1/ingest/invoices",
            $$"""
            [{"invoice_id":"I1","account_id":"A1","amount":10000,"issued_on":"{{Day(40)}}","due_on":"{{Day(10)}}","paid_on":"{{Day(12)}}","status":"paid"},
             {"invoice_id":"I2","account_id":"A3","amount":2500,"issued_on":"{{Day(90)}}","due_on":"{{Day(60)}}","status":"open"}]
            """);
        var summary = app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
        summary.ShouldNotBeNull();
        summary.AsOf.ShouldBe(Day(0));
        summary.AccountsScored.ShouldBe(3);
    }

    /// <summary>Scores a past day as well (`chs score --as-of`), so that accounts have a history.</summary>
    private void ScorePastDay(int daysAgo)
    {
        using var db = app.OpenStore();
        new ScoringRun(db, new ModelVersions(db, TimeProvider.System)).ScoreRange(Today.AddDays(-daysAgo), Today.AddDays(-daysAgo), 1);
    }

    private static List<string> Ids(JsonElement list) => list.EnumerateArray().Select(a => a.GetProperty("account_id").GetString()!).ToList();

    private async Task<(List<string> Ids, int Total)> List(string query)
    {
        var r = await app.KeyClient("read").GetAsync("/api/v1/accounts" + query);
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.OK, body.ToString());
        r.Headers.TryGetValues("X-Total-Count", out var total).ShouldBeTrue();
        return (Ids(body), int.Parse(total!.Single(), CultureInfo.InvariantCulture));
    }

    private async Task Expect(string query, string[] ids, int total)
    {
        var (actual, count) = await List(query);
        actual.ShouldBe(ids, false, query);
        count.ShouldBe(total, customMessage: query);
    }

    [Fact]
    public async Task List_NoFilter_ReturnsEveryAccountWithItsScoreAndGrade()
    {
        await Seed();
        var body = await app.KeyClient("read").GetJson("/api/v1/accounts");
        var byId = body.EnumerateArray().ToDictionary(a => a.GetProperty("account_id").GetString()!);
        byId.Keys.Order().ShouldBe(["A1", "A2", "A3", "A4"]);
        byId["A1"].GetProperty("grade").GetString().ShouldBe("green");
        byId["A2"].GetProperty("grade").GetString().ShouldBe("yellow");
        byId["A3"].GetProperty("grade").GetString().ShouldBe("red");
        byId["A4"].GetProperty("score").ValueKind.ShouldBe(JsonValueKind.Null);
        byId["A4"].GetProperty("grade").ValueKind.ShouldBe(JsonValueKind.Null);
        var acme = byId["A1"];
        acme.GetProperty("name").GetString().ShouldBe("Acme");
        acme.GetProperty("segment").GetString().ShouldBe("Enterprise");
        acme.GetProperty("owner").GetString().ShouldBe("alice@example.com");
        acme.GetProperty("arr").GetDouble().ShouldBe(120000);
        acme.GetProperty("score").GetDouble().ShouldBeInRange(70, 100);
        acme.GetProperty("scored_on").GetString().ShouldBe(Day(0));
        acme.TryGetProperty("trend", out _).ShouldBeTrue();
        acme.TryGetProperty("direction", out _).ShouldBeTrue();
    }

    [Fact]
    public async Task List_FilterByGrade_ReturnsOnlyThatGradeAndCountsIt()
    {
        await Seed();
        await Expect("?grade=red", ["A3"], 1);
        await Expect("?grade=green", ["A1"], 1);
        await Expect("?grade=yellow", ["A2"], 1);
    }

    [Fact]
    public async Task List_FilterBySegmentAndOwner_CombinesTheFilters()
    {
        await Seed();
        await Expect("?segment=SMB", ["A2", "A3", "A4"], 3);
        await Expect("?owner=alice%40example.com", ["A1", "A3"], 2);
        await Expect("?segment=SMB&owner=alice%40example.com", ["A3"], 1);
        await Expect("?segment=Nonprofit", [], 0);
    }

    [Fact]
    public async Task List_Search_MatchesNameOrIdIgnoringCase()
    {
        await Seed();
        await Expect("?q=GLOB", ["A2"], 1);
        await Expect("?q=a4", ["A4"], 1);
        await Expect("?q=zzz", [], 0);
    }

    [Fact]
    public async Task List_Sort_OrdersByScoreBothWaysAndByNameWithUnscoredLast()
    {
        await Seed();
        (await List("?sort=score")).Ids.ShouldBe(["A3", "A2", "A1", "A4"]);
        (await List("?sort=-score")).Ids.ShouldBe(["A1", "A2", "A3", "A4"]);
        (await List("?sort=name")).Ids.ShouldBe(["A1", "A2", "A4", "A3"]);
    }

    [Fact]
    public async Task List_LimitAndOffset_PageThroughWithTheTotalInTheHeader()
    {
        await Seed();
        await Expect("?sort=name&limit=2", ["A1", "A2"], 4);
        await Expect("?sort=name&limit=2&offset=2", ["A4", "A3"], 4);
        await Expect("?sort=name&limit=2&offset=4", [], 4);
        await Expect("?grade=red&limit=1", ["A3"], 1);
    }

    [Fact]
    public async Task List_UnknownSort_Returns400NamingSort()
    {
        var body = await app.KeyClient("read").GetJson("/api/v1/accounts?sort=happiness", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("sort");
        body.GetProperty("detail").GetString()!.ShouldContain("happiness");
    }

    [Fact]
    public async Task List_LimitZero_Returns400NamingLimit()
    {
        var body = await app.KeyClient("read").GetJson("/api/v1/accounts?limit=0", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("limit");
    }

    [Fact]
    public async Task Show_AsOfTheFirstDayOfTheCalendar_AnswersWithoutATrend()
    {
        await Seed();
        // The trend looks back 30 days from as_of: from the calendar's first day there is no such day.
        var r = await app.KeyClient("read").GetAsync("/api/v1/accounts/A1?as_of=0001-01-01");
        ((int)r.StatusCode).ShouldBeLessThan(500);
    }

    [Fact]
    public async Task Show_ScoredAccount_HasTheShowJsonShapeAndContributionsAddUpToTheScore()
    {
        await Seed();
        var read = app.KeyClient("read");
        var model = await read.GetJson("/api/v1/model");
        var a1 = await read.GetJson("/api/v1/accounts/A1");
        a1.GetProperty("account_id").GetString().ShouldBe("A1");
        a1.GetProperty("name").GetString().ShouldBe("Acme");
        a1.GetProperty("grade").GetString().ShouldBe("green");
        a1.GetProperty("scorecard").GetString().ShouldBe("default");
        a1.GetProperty("model_version").GetString().ShouldBe(model.GetProperty("version_id").GetString());
        a1.GetProperty("as_of").GetString().ShouldBe(Day(0));
        var score = a1.GetProperty("score").GetDouble();

        var dimensions = a1.GetProperty("dimensions").EnumerateArray().ToList();
        dimensions.Select(d => d.GetProperty("id").GetString()).ShouldBe(["adoption", "voice", "support", "billing", "relationship"]);
        double total = 0, weights = 0;
        foreach (var d in dimensions)
        {
            d.TryGetProperty("score", out _).ShouldBeTrue();
            var measures = d.GetProperty("measures").EnumerateArray().ToList();
            measures.ShouldNotBeEmpty();
            double dimContribution = 0;
            foreach (var m in measures)
            {
                foreach (var field in new[] { "id", "value", "score", "effective_weight", "contribution", "missing", "stale" })
                {
                    m.TryGetProperty(field, out _).ShouldBeTrue($"measure {m} has no `{field}`");
                }
                var contribution = m.GetProperty("contribution").GetDouble();
                var weight = m.GetProperty("effective_weight").GetDouble();
                if (m.GetProperty("missing").GetBoolean())
                {
                    weight.ShouldBe(0);
                    contribution.ShouldBe(0);
                }
                else
                {
                    contribution.ShouldBe(weight * m.GetProperty("score").GetDouble(), 1e-6);
                }
                dimContribution += contribution;
                weights += weight;
            }
            d.GetProperty("contribution").GetDouble().ShouldBe(dimContribution, 1e-6);
            total += dimContribution;
        }
        total.ShouldBe(score, 0.05);
        weights.ShouldBe(1, 1e-6);
        // Acme has no tickets: the support measures are missing and their weight goes to the others.
        var support = dimensions.Single(d => d.GetProperty("id").GetString() == "support");
        support.GetProperty("measures").EnumerateArray().ShouldAllBe(m => m.GetProperty("missing").GetBoolean());
        support.GetProperty("effective_weight").GetDouble().ShouldBe(0);

        var a2 = await read.GetJson("/api/v1/accounts/A2");
        a2.GetProperty("scorecard").GetString().ShouldBe("onboarding");
        a2.GetProperty("grade").GetString().ShouldBe("yellow");
    }

    [Fact]
    public async Task Show_UnknownAccount_Returns404Problem()
    {
        var r = await app.KeyClient("read").GetAsync("/api/v1/accounts/NO-SUCH-ACCOUNT");
        r.StatusCode.ShouldBe(HttpStatusCode.NotFound);
        r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var body = await r.ReadJson();
        body.GetProperty("status").GetInt32().ShouldBe(404);
        body.GetProperty("detail").GetString()!.ShouldContain("NO-SUCH-ACCOUNT");
    }

    [Fact]
    public async Task History_TwoScoredDays_ListsBothInOrder()
    {
        await Seed();
        ScorePastDay(10);
        var read = app.KeyClient("read");
        var history = (await read.GetJson("/api/v1/accounts/A1/history")).EnumerateArray().ToList();
        history.Select(h => h.GetProperty("as_of").GetString()).ShouldBe([Day(10), Day(0)]);
        history.ShouldAllBe(h => h.GetProperty("model_changed").GetBoolean() == false);
        var show = await read.GetJson("/api/v1/accounts/A1");
        history[^1].GetProperty("score").GetDouble().ShouldBe(show.GetProperty("score").GetDouble(), 1e-9);
        history[0].GetProperty("model_version").GetString().ShouldBe(show.GetProperty("model_version").GetString());
        await read.GetJson("/api/v1/accounts/NO-SUCH-ACCOUNT/history", 404);
    }

    [Fact]
    public async Task Explain_BetweenTwoScoredDays_ContributionChangesAddUpToTheScoreChange()
    {
        await Seed();
        ScorePastDay(10);
        var body = await app.KeyClient("read").GetJson($"/api/v1/accounts/A1/explain?from={Day(10)}&to={Day(0)}");
        body.GetProperty("from").GetString().ShouldBe(Day(10));
        body.GetProperty("to").GetString().ShouldBe(Day(0));
        var change = body.GetProperty("change").GetDouble();
        change.ShouldBe(body.GetProperty("to_score").GetDouble() - body.GetProperty("from_score").GetDouble(), 1e-9);
        body.GetProperty("model_changed").GetBoolean().ShouldBeFalse();
        var changes = body.GetProperty("changes").EnumerateArray().ToList();
        changes.ShouldNotBeEmpty();
        // The parts add up to the change exactly, and each says its cause (null for a measure's own move).
        changes.Sum(c => c.GetProperty("change").GetDouble()).ShouldBe(change, 1e-9);
        changes.Count(c => c.TryGetProperty("cause", out var _)).ShouldBe(changes.Count);
        var sizes = changes.Select(c => Math.Abs(c.GetProperty("change").GetDouble())).ToList();
        sizes.ShouldBe(sizes.OrderByDescending(x => x).ToList());
    }

    [Fact]
    public async Task Explain_MissingFrom_Returns400NamingFrom()
    {
        await Seed();
        var body = await app.KeyClient("read").GetJson($"/api/v1/accounts/A1/explain?to={Day(0)}", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("from");
    }

    [Fact]
    public async Task Explain_BadDate_Returns400NamingTheParameter()
    {
        await Seed();
        var read = app.KeyClient("read");
        var body = await read.GetJson($"/api/v1/accounts/A1/explain?from=2025-02-30&to={Day(0)}", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("from");
        body.GetProperty("detail").GetString()!.ShouldContain("2025-02-30");
        var to = await read.GetJson($"/api/v1/accounts/A1/explain?from={Day(0)}&to=yesterday", 400);
        to.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("to");
    }

    [Fact]
    public async Task Portfolio_ByGradeCounts_AddUpToTheScoredAccounts()
    {
        await Seed();
        var body = await app.KeyClient("read").GetJson("/api/v1/portfolio");
        body.GetProperty("accounts").GetInt32().ShouldBe(4);
        body.GetProperty("scored").GetInt32().ShouldBe(3);
        body.GetProperty("unscored").GetInt32().ShouldBe(1);
        body.GetProperty("scored_on").GetString().ShouldBe(Day(0));
        var byGrade = body.GetProperty("by_grade").EnumerateArray().ToDictionary(g => g.GetProperty("grade").GetString()!, g => g.GetProperty("accounts").GetInt32());
        byGrade.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Value}").ShouldBe(["green=1", "red=1", "yellow=1"]);
        byGrade.Values.Sum().ShouldBe(body.GetProperty("scored").GetInt32());
        body.GetProperty("arr").GetDouble().ShouldBe(167000);
        var list = await app.KeyClient("read").GetJson("/api/v1/accounts");
        var average = list.EnumerateArray().Where(a => a.GetProperty("score").ValueKind == JsonValueKind.Number).Average(a => a.GetProperty("score").GetDouble());
        body.GetProperty("average_score").GetDouble().ShouldBe(Math.Round(average, 1), 0.051);
    }

    [Fact]
    public async Task Override_ByAdminKey_Returns201AndTheAccountShowsTheScoreAndReason()
    {
        await Seed();
        var read = app.KeyClient("read");
        var before = await read.GetJson("/api/v1/accounts/A3");
        var computed = before.GetProperty("score").GetDouble();
        computed.ShouldBeLessThan(40);

        var until = Today.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var created = await app.KeyClient("admin").PostJson("/api/v1/accounts/A3/override",
            $$"""{"score": 75, "reason": "New executive sponsor committed to the renewal", "until": "{{until}}"}""", 201);
        created.GetProperty("score").GetDouble().ShouldBe(75);
        created.GetProperty("override_reason").GetString().ShouldBe("New executive sponsor committed to the renewal");

        var after = await read.GetJson("/api/v1/accounts/A3");
        after.GetProperty("score").GetDouble().ShouldBe(75);
        after.GetProperty("grade").GetString().ShouldBe("green");
        after.GetProperty("override_reason").GetString().ShouldBe("New executive sponsor committed to the renewal");
        after.GetProperty("computed_score").GetDouble().ShouldBe(computed, 1e-9);
        (await List("?grade=green")).Ids.ShouldBe(["A1", "A3"]);
        Count("overrides").ShouldBe(1);
    }

    [Fact]
    public async Task Override_WithoutReason_Returns400NamingReason()
    {
        await Seed();
        var until = Today.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var body = await app.KeyClient("admin").PostJson("/api/v1/accounts/A3/override", $$"""{"score": 75, "until": "{{until}}"}""", 400);
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("reason");
        Count("overrides").ShouldBe(0);
        (await app.KeyClient("read").GetJson("/api/v1/accounts/A3")).GetProperty("override_reason").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Override_ByReadKey_Returns403()
    {
        await Seed();
        var until = Today.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var r = await app.KeyClient("read").PostAsync("/api/v1/accounts/A3/override",
            new StringContent($$"""{"score": 75, "reason": "r", "until": "{{until}}"}""", Encoding.UTF8, "application/json"));
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        Count("overrides").ShouldBe(0);
    }

    [Fact]
    public async Task Sentiment_Red_Returns200AndStoresARow()
    {
        await Seed();
        var body = await app.KeyClient("admin").PostJson("/api/v1/accounts/A2/sentiment",
            """{"rating": "red", "note": "Champion left; the new VP is evaluating a competitor"}""");
        body.GetProperty("accepted").GetInt32().ShouldBe(1);
        using (var db = app.OpenStore())
        {
            var rows = db.Connection.Query<(string AccountId, long Rating, string? Note)>(
                "SELECT a.account_id, s.rating, s.note FROM sentiment s JOIN accounts a ON a.account_key = s.account_key").ToList();
            rows.ShouldBe([("A2", 1L, "Champion left; the new VP is evaluating a competitor")]);
        }

        // Rescored, the red rating (1 of 5) counts in Globex's relationship dimension and lowers its score.
        var before = (await app.KeyClient("read").GetJson("/api/v1/accounts/A2")).GetProperty("score").GetDouble();
        app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
        var a2 = await app.KeyClient("read").GetJson("/api/v1/accounts/A2");
        var sentiment = a2.GetProperty("dimensions").EnumerateArray().SelectMany(d => d.GetProperty("measures").EnumerateArray())
            .Single(m => m.GetProperty("id").GetString() == "csm_sentiment");
        sentiment.GetProperty("missing").GetBoolean().ShouldBeFalse();
        sentiment.GetProperty("value").GetDouble().ShouldBe(1);
        a2.GetProperty("score").GetDouble().ShouldBeLessThan(before);
    }

    [Fact]
    public async Task Sentiment_UnknownAccount_Returns404AndStoresNothing()
    {
        await app.KeyClient("admin").PostJson("/api/v1/accounts/NO-SUCH-ACCOUNT/sentiment", """{"rating": "green", "note": "fine"}""", 404);
        Count("sentiment").ShouldBe(0);
        Count("accounts").ShouldBe(0);
    }

    /// <summary>Runs an action on the scoring thread, at the point where a day's snapshots have just been stored.</summary>
    private sealed class WhenStored(Action action) : IProgress<double>
    {
        public void Report(double value) => action();
    }

    [Fact]
    public async Task Sentiment_AcceptedWhileAScoringPassRuns_IsInTheScoreAfterTheNextRescore()
    {
        await Seed();
        // Globex gets a survey answer: it is marked for rescoring.
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/surveys",
            $$"""[{"account_id":"A2","kind":"csat","score":5,"responded_at":"{{At(2)}}","response_id":"s5"}]""");
        // A full scoring pass (the daily run, `chs score`) reads the signals and stores today's scores; just then, before
        // it finishes, the CSM's red rating of Globex is accepted.
        await Task.Run(() =>
        {
            using var db = app.OpenStore();
            new ScoringRun(db, new ModelVersions(db, TimeProvider.System)).ScoreRange(Today, Today, 1, progress: new WhenStored(() =>
                app.KeyClient("admin").PostJson("/api/v1/accounts/A2/sentiment", """{"rating": "red", "note": "Champion left"}""").GetAwaiter().GetResult()));
        });
        Count("sentiment").ShouldBe(1);
        // The live rescoring then runs, as it does after every accepted signal: the rating must be in the score.
        app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
        var a2 = await app.KeyClient("read").GetJson("/api/v1/accounts/A2");
        var sentiment = a2.GetProperty("dimensions").EnumerateArray().SelectMany(d => d.GetProperty("measures").EnumerateArray())
            .Single(m => m.GetProperty("id").GetString() == "csm_sentiment");
        sentiment.GetProperty("missing").GetBoolean().ShouldBeFalse($"the red rating accepted during the pass is not in Globex's score: {sentiment}");
        sentiment.GetProperty("value").GetDouble().ShouldBe(1);
    }
}

public sealed class AccountsApiTestsOnSqlite() : AccountsApiTests(TestEngine.Sqlite);

public sealed class AccountsApiTestsOnPostgres() : AccountsApiTests(TestEngine.Postgres);
