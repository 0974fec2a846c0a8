using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using CustomerHealth.Core.Model;
using CustomerHealth.Store.Models;
using CustomerHealth.Web.Jobs;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests.Api;

/// <summary>
/// The health model through the HTTP API: reading it and its versions, publishing a new one (errors point at the
/// YAML's lines), and previewing a draft on today's scores without publishing it.
/// </summary>
public abstract class ModelApiTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);

    public void Dispose() => app.Dispose();

    /// <summary>A model with two mistakes: a weight that is not a number, and a misspelt key.</summary>
    private const string InvalidModel =
        """
        name: Broken
        grades:
          - { id: green, label: Healthy, min: 70, color: "#2e7d32" }
          - { id: red, label: At risk, min: 0, color: "#c62828" }
        dimensions:
          - id: adoption
            weight: heavy
            measures:
              - id: logins
                weight: 1
                colour: blue
                value: { signal: usage, event: login, aggregate: count, window: 30d }
                score: { range: { worst: 0, best: 20 } }
        """;

    /// <summary>The 1-based line and column where <paramref name="text"/> first appears in <paramref name="yaml"/>.</summary>
    private static (int Line, int Column) Position(string yaml, string text)
    {
        var at = yaml.IndexOf(text, StringComparison.Ordinal);
        at.ShouldBeGreaterThanOrEqualTo(0);
        var line = yaml[..at].Count(c => c == '\n') + 1;
        var column = at - (yaml.LastIndexOf('\n', Math.Max(at - 1, 0)) + 1) + 1;
        return (line, column);
    }

    private static StringContent Yaml(string yaml) => new(yaml, Encoding.UTF8, "application/yaml");

    private static List<(int Line, int Column, string Message)> Errors(JsonElement problem) =>
        problem.GetProperty("errors").EnumerateArray()
            .Select(e => (e.GetProperty("line").GetInt32(), e.GetProperty("column").GetInt32(), e.GetProperty("message").GetString()!)).ToList();

    private static string Day(int daysAgo) => TimeProvider.System.Today().AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string At(int daysAgo) => Day(daysAgo) + "T10:00:00Z";

    /// <summary>
    /// Acme (about 87: green), Globex (yellow; its invoice puts enough of the model's weight on data for a grade) and
    /// Hooli (no signals: unscored), sent through the ingest API and scored as of today.
    /// </summary>
    private async Task Seed()
    {
        var ingest = app.KeyClient("ingest");
        await ingest.PostJson("/api/v1/ingest/accounts",
            """
            [{"account_id":"A1","name":"Acme","seats":10,"arr":120000},
             {"account_id":"A2","name":"Globex","seats":10,"arr":12000},
             {"account_id":"A3","name":"Hooli","seats":5,"arr":5000}]
            """);
        var usage = new List<string>();
        for (var d = 1; d <= 20; d++)
        {
            usage.Add($$"""{"account_id":"A1","occurred_at":"{{At(d)}}","event":"login","user_id":"a1-u{{d % 8}}","event_id":"a1-{{d}}"}""");
        }
        for (var d = 1; d <= 10; d++)
        {
            usage.Add($$"""{"account_id":"A2","occurred_at":"{{At(d)}}","event":"login","user_id":"a2-u{{d % 4}}","event_id":"a2-{{d}}"}""");
        }
        await ingest.PostJson("/api/v1/ingest/usage", "[" + string.Join(",", usage) + "]");
        await ingest.PostJson("/api/v1/ingest/surveys",
            $$"""
            [{"account_id":"A1","kind":"nps","score":10,"responded_at":"{{At(5)}}","response_id":"s1"},
             {"account_id":"A1","kind":"nps","score":6,"responded_at":"{{At(6)}}","response_id":"s2"},
             {"account_id":"A2","kind":"nps","score":8,"responded_at":"{{At(4)}}","response_id":"s3"}]
            """);
        await ingest.PostJson("/api/v1/ingest/invoices",
            $$"""[{"invoice_id":"I1","account_id":"A1","amount":10000,"issued_on":"{{Day(40)}}","due_on":"{{Day(10)}}","paid_on":"{{Day(12)}}","status":"paid"},{"invoice_id":"I2","account_id":"A2","amount":1000,"issued_on":"{{Day(40)}}","due_on":"{{Day(10)}}","paid_on":"{{Day(12)}}","status":"paid"}]""");
        var summary = app.Services.GetRequiredService<RescoreQueue>().RescoreToday();
        summary.ShouldNotBeNull();
        summary.AccountsScored.ShouldBe(2);
        summary.Unscored.ShouldBe(1);
        summary.ByGrade.GetValueOrDefault("green").ShouldBe(1);
        summary.ByGrade.GetValueOrDefault("yellow").ShouldBe(1);
    }

    private async Task<List<string>> VersionIds() =>
        (await app.KeyClient("read").GetJson("/api/v1/model/versions")).EnumerateArray().Select(v => v.GetProperty("version_id").GetString()!).ToList();

    [Fact]
    public async Task Put_SameModelWithAComment_SaysAlreadyPublishedAndAddsNoVersion()
    {
        var before = await VersionIds();
        var r = await app.KeyClient("admin").PutAsync("/api/v1/model?note=again", Yaml("# unchanged\n" + ModelVersions.Builtin("saas")));
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.OK, body.ToString());
        body.GetProperty("already_published").GetBoolean().ShouldBeTrue();
        body.GetProperty("version_id").GetString().ShouldBe(before[^1]);
        (await VersionIds()).ShouldBe(before);
    }

    [Fact]
    public async Task Get_Model_ReturnsTheCurrentYamlAndItsVersion()
    {
        var body = await app.KeyClient("read").GetJson("/api/v1/model");
        var yaml = body.GetProperty("yaml").GetString()!;
        yaml.ShouldBe(ModelVersions.Builtin("saas"));
        body.GetProperty("name").GetString().ShouldBe("SaaS default");
        body.GetProperty("version_id").GetString().ShouldBe(ModelLoader.VersionId(yaml));
        body.GetProperty("current").GetBoolean().ShouldBeTrue();
        body.GetProperty("note").GetString().ShouldBe("default");
    }

    [Fact]
    public async Task Get_Versions_ListsThePublishedVersionWithoutItsYaml()
    {
        var current = (await app.KeyClient("read").GetJson("/api/v1/model")).GetProperty("version_id").GetString();
        var versions = (await app.KeyClient("read").GetJson("/api/v1/model/versions")).EnumerateArray().ToList();
        versions.Count.ShouldBe(1);
        versions[0].GetProperty("version_id").GetString().ShouldBe(current);
        versions[0].GetProperty("current").GetBoolean().ShouldBeTrue();
        versions[0].GetProperty("yaml").ValueKind.ShouldBe(JsonValueKind.Null);
    }

    [Fact]
    public async Task Put_InvalidYaml_Returns422WithTheLineAndColumnOfEachProblem()
    {
        var before = await VersionIds();
        var r = await app.KeyClient("admin").PutAsync("/api/v1/model", Yaml(InvalidModel));
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToString());
        r.Content.Headers.ContentType!.MediaType.ShouldBe("application/problem+json");
        var errors = Errors(body);
        errors.Count.ShouldBe(2, body.ToString());
        var weight = Position(InvalidModel, "heavy");
        weight.ShouldBe((7, 13));
        (errors[0].Line, errors[0].Column).ShouldBe(weight);
        errors[0].Message.ShouldContain("weight");
        var colour = Position(InvalidModel, "colour:");
        colour.ShouldBe((11, 9));
        (errors[1].Line, errors[1].Column).ShouldBe(colour);
        errors[1].Message.ShouldContain("unknown key `colour`");
        body.GetProperty("detail").GetString()!.ShouldContain("model.yaml:7:13:");
        (await VersionIds()).ShouldBe(before);
    }

    [Fact]
    public async Task Put_ValidChangedModel_PublishesANewCurrentVersion()
    {
        var read = app.KeyClient("read");
        var current = await read.GetJson("/api/v1/model");
        var oldId = current.GetProperty("version_id").GetString()!;
        var yaml = current.GetProperty("yaml").GetString()!;
        const string green = "{ id: green,  label: Healthy,         min: 70,";
        yaml.ShouldContain(green);
        var changed = yaml.Replace(green, "{ id: green,  label: Healthy,         min: 75,", StringComparison.Ordinal)
            .Replace("        weight: 60\n        value: { signal: surveys, kind: nps", "        weight: 70\n        value: { signal: surveys, kind: nps", StringComparison.Ordinal);
        changed.ShouldNotBe(yaml);

        var r = await app.KeyClient("admin").PutAsync("/api/v1/model?note=stricter%20green", Yaml(changed));
        var published = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.OK, published.ToString());
        var newId = published.GetProperty("version_id").GetString()!;
        newId.ShouldNotBe(oldId);
        newId.ShouldBe(ModelLoader.VersionId(changed));
        published.GetProperty("current").GetBoolean().ShouldBeTrue();
        published.GetProperty("note").GetString().ShouldBe("stricter green");

        var now = await read.GetJson("/api/v1/model");
        now.GetProperty("version_id").GetString().ShouldBe(newId);
        now.GetProperty("yaml").GetString().ShouldBe(changed);
        var versions = (await read.GetJson("/api/v1/model/versions")).EnumerateArray().ToList();
        versions.Select(v => v.GetProperty("version_id").GetString()).ShouldBe([oldId, newId]);
        versions.Select(v => v.GetProperty("current").GetBoolean()).ShouldBe([false, true]);
    }

    [Fact]
    public async Task Put_ReadKey_Returns403AndPublishesNothing()
    {
        var yaml = (await app.KeyClient("read").GetJson("/api/v1/model")).GetProperty("yaml").GetString()!;
        var before = await VersionIds();
        var r = await app.KeyClient("read").PutAsync("/api/v1/model", Yaml(yaml.Replace("min: 70", "min: 80", StringComparison.Ordinal)));
        r.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await VersionIds()).ShouldBe(before);
    }

    [Fact]
    public async Task Preview_DraftRaisingTheGreenThreshold_ListsTheGradeChangesAndPublishesNothing()
    {
        await Seed();
        var read = app.KeyClient("read");
        var current = await read.GetJson("/api/v1/model");
        var acme = await read.GetJson("/api/v1/accounts/A1");
        var acmeScore = acme.GetProperty("score").GetDouble();
        acmeScore.ShouldBeInRange(70, 90);
        var draft = current.GetProperty("yaml").GetString()!.Replace("min: 70", "min: 90", StringComparison.Ordinal);
        var before = await VersionIds();

        var r = await app.KeyClient("admin").PostAsync("/api/v1/model/preview", Yaml(draft));
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.OK, body.ToString());
        body.GetProperty("as_of").GetString().ShouldBe(Day(0));
        body.GetProperty("current_version").GetString().ShouldBe(current.GetProperty("version_id").GetString());
        body.GetProperty("draft_version").GetString().ShouldBe(ModelLoader.VersionId(draft));

        var changes = body.GetProperty("grade_changes").EnumerateArray().ToList();
        changes.Count.ShouldBe(1, body.ToString());
        body.GetProperty("grade_changes_count").GetInt32().ShouldBe(1);
        changes[0].GetProperty("account_id").GetString().ShouldBe("A1");
        changes[0].GetProperty("name").GetString().ShouldBe("Acme");
        changes[0].GetProperty("from_grade").GetString().ShouldBe("green");
        changes[0].GetProperty("to_grade").GetString().ShouldBe("yellow");
        changes[0].GetProperty("from_score").GetDouble().ShouldBe(acmeScore, 1e-6);
        changes[0].GetProperty("to_score").GetDouble().ShouldBe(acmeScore, 1e-6);

        var now = body.GetProperty("current");
        var then = body.GetProperty("draft");
        now.GetProperty("by_grade").GetProperty("green").GetInt32().ShouldBe(1);
        now.GetProperty("by_grade").GetProperty("yellow").GetInt32().ShouldBe(1);
        now.GetProperty("by_grade").GetProperty("red").GetInt32().ShouldBe(0);
        then.GetProperty("by_grade").GetProperty("green").GetInt32().ShouldBe(0);
        then.GetProperty("by_grade").GetProperty("yellow").GetInt32().ShouldBe(2);
        then.GetProperty("by_grade").GetProperty("red").GetInt32().ShouldBe(0);
        foreach (var distribution in new[] { now, then })
        {
            var histogram = distribution.GetProperty("histogram").EnumerateArray().Select(b => b.GetInt32()).ToList();
            histogram.Count.ShouldBe(10);
            histogram.Sum().ShouldBe(2);
            histogram[(int)(acmeScore / 10)].ShouldBeGreaterThanOrEqualTo(1);
            distribution.GetProperty("average_score").GetDouble().ShouldBeInRange(40, 90);
        }

        // Nothing was published: the versions and the current model are as they were.
        (await VersionIds()).ShouldBe(before);
        (await read.GetJson("/api/v1/model")).GetProperty("version_id").GetString().ShouldBe(current.GetProperty("version_id").GetString());
        (await read.GetJson("/api/v1/accounts/A1")).GetProperty("grade").GetString().ShouldBe("green");
    }

    [Fact]
    public async Task Preview_PortfolioWithAnUnscoredAccount_HistogramsSumToAccountsScored()
    {
        await Seed();
        var draft = (await app.KeyClient("read").GetJson("/api/v1/model")).GetProperty("yaml").GetString()!.Replace("min: 70", "min: 90", StringComparison.Ordinal);
        var r = await app.KeyClient("admin").PostAsync("/api/v1/model/preview", Yaml(draft));
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.OK, body.ToString());
        var portfolio = await app.KeyClient("read").GetJson("/api/v1/portfolio");
        portfolio.GetProperty("scored").GetInt32().ShouldBe(2);
        portfolio.GetProperty("unscored").GetInt32().ShouldBe(1);
        foreach (var side in new[] { "current", "draft" })
        {
            var histogram = body.GetProperty(side).GetProperty("histogram").EnumerateArray().Sum(b => b.GetInt32());
            histogram.ShouldBe(body.GetProperty("accounts_scored").GetInt32(), $"{side}: {body}");
        }
        body.GetProperty("accounts_scored").GetInt32().ShouldBe(portfolio.GetProperty("scored").GetInt32());
    }

    [Fact]
    public async Task Preview_AsOfAfterToday_Refused400NamingAsOf()
    {
        var r = await app.KeyClient("admin").PostAsync($"/api/v1/model/preview?as_of={Day(-2)}", Yaml(ModelVersions.Builtin("saas")));
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.BadRequest, body.ToString());
        body.GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("as_of");
        body.GetProperty("detail").GetString()!.ShouldContain("after today");
        var today = await app.KeyClient("admin").PostAsync($"/api/v1/model/preview?as_of={Day(0)}", Yaml(ModelVersions.Builtin("saas")));
        today.StatusCode.ShouldBe(HttpStatusCode.OK, (await today.ReadJson()).ToString());
    }

    [Fact]
    public async Task Preview_InvalidYaml_Returns422WithLineNumbers()
    {
        var before = await VersionIds();
        var r = await app.KeyClient("admin").PostAsync("/api/v1/model/preview", Yaml(InvalidModel));
        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToString());
        Errors(body).Select(e => (e.Line, e.Column)).ShouldBe([Position(InvalidModel, "heavy"), Position(InvalidModel, "colour:")]);
        (await VersionIds()).ShouldBe(before);
    }

    /// <summary>`dimensions: ` then 40,000 `[` and as many `]`: building it into nodes used to overflow the stack and end the server.</summary>
    private static readonly string DeepModel = "name: x\ndimensions: " + new string('[', 40_000) + new string(']', 40_000) + "\n";

    [Fact]
    public async Task PutAndPreview_YamlNested40000Deep_Refused422AtTheLineAndColumnAndTheServerStillAnswers()
    {
        var before = await VersionIds();
        var manager = await app.SignedIn("manager");
        var preview = await manager.PostAsync("/api/v1/model/preview", Yaml(DeepModel));
        var put = await app.KeyClient("admin").PutAsync("/api/v1/model", Yaml(DeepModel));

        foreach (var r in new[] { preview, put })
        {
            var body = await r.ReadJson();
            r.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToString());
            var error = Errors(body).ShouldHaveSingleItem();
            (error.Line, error.Column).ShouldBe((2, 13 + YamlLimits.MaxDepth - 1));
            error.Message.ShouldContain($"nesting deeper than {YamlLimits.MaxDepth} levels");
            body.GetProperty("detail").GetString()!.ShouldContain($"model.yaml:2:{13 + YamlLimits.MaxDepth - 1}: nesting deeper than");
        }
        (await VersionIds()).ShouldBe(before);
        (await app.KeyClient("read").GetJson("/api/v1/model")).GetProperty("name").GetString().ShouldBe("SaaS default");
    }

    /// <summary>Scores the seeded accounts, then sends one more usage event: it waits in the inbox, which a preview merges first.</summary>
    private async Task SeedWithUsageWaiting()
    {
        await Seed();
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/usage",
            $$"""[{"account_id":"A1","occurred_at":"{{At(0)}}","event":"login","user_id":"a1-u1","event_id":"a1-late"}]""");
        using var db = app.OpenStore();
        Store.Engines.UsageInbox.Pending(db).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Preview_ClientLeaves_TheWorkStopsStoresNothingAndTheNextPreviewRuns()
    {
        await SeedWithUsageWaiting();
        var runs = app.Services.GetRequiredService<DraftRuns>();
        var manager = await app.SignedIn("manager");
        var draft = ModelVersions.Builtin("saas").Replace("min: 70", "min: 90", StringComparison.Ordinal);
        long snapshots;
        using (var db = app.OpenStore())
        {
            snapshots = db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM snapshots");
        }

        using var leaving = new CancellationTokenSource();
        Task<HttpResponseMessage> preview;
        using (new HeldWrites(app.Services))
        {
            preview = manager.PostAsync("/api/v1/model/preview", Yaml(draft), leaving.Token);
            await HeldWrites.Until(() => runs.Running == 1, "the preview did not start");
            await leaving.CancelAsync();
        }
        await Should.ThrowAsync<OperationCanceledException>(preview);

        await HeldWrites.Until(() => runs.Running == 0, "the preview went on after its client left");
        runs.Stopped.ShouldBe(1);
        using (var db = app.OpenStore())
        {
            db.Connection.ExecuteScalar<long>("SELECT COUNT(*) FROM snapshots").ShouldBe(snapshots);
        }
        var next = await manager.PostAsync("/api/v1/model/preview", Yaml(draft));
        next.StatusCode.ShouldBe(HttpStatusCode.OK, (await next.ReadJson()).ToString());
    }

    [Fact]
    public async Task Preview_SecondAtOnceBySameCaller_Refused429WhileAnotherCallersRuns()
    {
        await SeedWithUsageWaiting();
        var runs = app.Services.GetRequiredService<DraftRuns>();
        var manager = await app.SignedIn("manager");
        var draft = ModelVersions.Builtin("saas").Replace("min: 70", "min: 90", StringComparison.Ordinal);
        Task<HttpResponseMessage> first, others;

        using (new HeldWrites(app.Services))
        {
            first = manager.PostAsync("/api/v1/model/preview", Yaml(draft));
            await HeldWrites.Until(() => runs.Running == 1, "the first preview did not start");

            var second = await manager.PostAsync("/api/v1/model/preview", Yaml(draft));
            var problem = await second.ReadJson();
            second.StatusCode.ShouldBe(HttpStatusCode.TooManyRequests, problem.ToString());
            problem.GetProperty("detail").GetString()!.ShouldContain("a preview or backtest of yours is already running");

            others = app.KeyClient("admin").PostAsync("/api/v1/model/preview", Yaml(draft));
            await HeldWrites.Until(() => runs.Running == 2, "another caller's preview was not let in beside the first");
        }

        (await first).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await others).StatusCode.ShouldBe(HttpStatusCode.OK);
        runs.Running.ShouldBe(0);
        (await manager.PostAsync("/api/v1/model/preview", Yaml(draft))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Preview_BodyOverTheModelSize_Refused413BeforeItIsRead()
    {
        var huge = "name: x\ndescription: \"" + new string('x', YamlLimits.MaxBytes) + "\"\n";

        var r = await app.KeyClient("admin").PostAsync("/api/v1/model/preview", Yaml(huge));

        var body = await r.ReadJson();
        r.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge, body.ToString());
        body.GetProperty("detail").GetString()!.ShouldContain($"a model is at most {YamlLimits.MaxBytes / 1024} KB and {YamlLimits.MaxMeasures} measures");
    }

    [Fact]
    public async Task PreviewAndPut_MoreMeasuresThanTheLimit_Refused422AtTheFirstOneOver()
    {
        var yaml = new StringBuilder("name: Many\ngrades: [{ id: ok, min: 0 }]\ndimensions:\n  - id: d\n    measures:\n");
        for (var i = 0; i <= YamlLimits.MaxMeasures; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"      - {{ id: m{i}, value: {{ signal: sentiment, aggregate: latest }}, score: {{ range: {{ worst: 1, best: 5 }} }} }}\n");
        }
        var before = await VersionIds();

        foreach (var r in new[]
        {
            await app.KeyClient("admin").PostAsync("/api/v1/model/preview", Yaml(yaml.ToString())),
            await app.KeyClient("admin").PutAsync("/api/v1/model", Yaml(yaml.ToString())),
        })
        {
            var body = await r.ReadJson();
            r.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity, body.ToString());
            var error = Errors(body).ShouldHaveSingleItem();
            error.Message.ShouldBe($"more than {YamlLimits.MaxMeasures} measures in the model; at most {YamlLimits.MaxMeasures} are read");
            error.Line.ShouldBe(6 + YamlLimits.MaxMeasures);
        }
        (await VersionIds()).ShouldBe(before);
    }
}

public sealed class ModelApiTestsOnSqlite() : ModelApiTests(TestEngine.Sqlite);

public sealed class ModelApiTestsOnPostgres() : ModelApiTests(TestEngine.Postgres);
