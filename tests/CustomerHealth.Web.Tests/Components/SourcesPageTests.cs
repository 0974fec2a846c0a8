using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Pushdown;
using Dapper;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>
/// The Sources page's sources computed where the data lives: an admin adds a DuckDB source over an exported file,
/// tests it and removes it, with every refusal said and the connection never shown; other roles see the list only and
/// are refused on the posted form, not only by its absence.
/// </summary>
public abstract partial class SourcesPageTests(TestEngine engine) : IDisposable
{
    private readonly TestApp app = TestApp.Quiet(engine);
    private readonly string dir = Directory.CreateTempSubdirectory("chs-sources-page-").FullName;

    public void Dispose()
    {
        app.Dispose();
        Directory.Delete(dir, recursive: true);
        GC.SuppressFinalize(this);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private static string Day(int daysAgo) => TimeProvider.System.Today().AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>Posts one of the page's forms as the browser does.</summary>
    private static async Task<(HttpStatusCode Status, string Html)> Post(HttpClient client, string handler, Dictionary<string, string> fields)
    {
        var html = await TestApp.Page(client, "/sources");
        fields["__RequestVerificationToken"] = TokenPattern().Match(html).Groups[1].Value;
        fields["_handler"] = handler;
        var r = await client.PostAsync("/sources", new FormUrlEncodedContent(fields));
        return (r.StatusCode, WebUtility.HtmlDecode(await r.Content.ReadAsStringAsync()));
    }

    [Fact]
    public async Task AnAdmin_AddsTestsAndRemovesASourceOverAFile_AndEveryRefusalSaysWhy()
    {
        using (var db = app.OpenStore())
        {
            new ModelVersions(db, TimeProvider.System).Publish(ModelVersions.Builtin("saas"), "saas.yaml", null);
        }
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"A1","name":"Acme"},{"account_id":"A2","name":"Beta"}]""");
        var file = Path.Combine(dir, "events.csv");
        await File.WriteAllTextAsync(file, "account_id,occurred_at,event,user_id\n" +
            string.Concat(Enumerable.Range(0, 12).Select(d => $"A{d % 2 + 1},{Day(d)}T10:00:00Z,login,u{d % 3}\n")));
        var admin = await app.SignedIn("admin");

        var none = await TestApp.Page(admin, "/sources");
        none.ShouldContain("data-testid=\"no-external\"");
        none.ShouldContain("data-testid=\"external-add\"");

        var refused = await Post(admin, "external", new() { ["act"] = "add", ["name"] = "bad name!", ["engine"] = "duckdb", ["what"] = "files", ["relation"] = file, ["connection"] = "" });
        refused.Status.ShouldBe(HttpStatusCode.BadRequest);
        refused.Html.ShouldContain("Source name `bad name!`: use 1 to 40 letters");
        refused.Html.ShouldContain(file, customMessage: "what was typed is shown again");

        var pg = await Post(admin, "external", new() { ["act"] = "add", ["name"] = "wh", ["engine"] = "postgres", ["what"] = "files", ["relation"] = file, ["connection"] = "Host=h;Password=pg-secret-99" });
        pg.Status.ShouldBe(HttpStatusCode.BadRequest);
        pg.Html.ShouldContain("--files is for DuckDB sources");
        pg.Html.ShouldNotContain("pg-secret-99");

        var added = await Post(admin, "external", new() { ["act"] = "add", ["name"] = "lake", ["engine"] = "duckdb", ["what"] = "files", ["relation"] = file, ["connection"] = "", ["columns"] = "" });
        added.Status.ShouldBe(HttpStatusCode.OK);
        added.Html.ShouldContain("Added “lake”: the product usage measures are now computed in duckdb");
        added.Html.ShouldContain("data-source=\"lake\"");
        added.Html.ShouldContain("Computed where the data lives: lake (duckdb)");

        // The kind is chosen on the form: support tickets from a helpdesk's file; a kind no source computes is refused, saying which do.
        added.Html.ShouldContain("<option value=\"tickets\"");
        var tickets = Path.Combine(dir, "tickets.csv");
        await File.WriteAllTextAsync(tickets, $"ticket_id,account_id,opened_at,priority,status\nT-1,A1,{Day(3)}T09:00:00Z,high,open\n");
        var surveys = await Post(admin, "external", new() { ["act"] = "add", ["name"] = "voice", ["kind"] = "sentiment", ["engine"] = "duckdb", ["what"] = "files", ["relation"] = tickets, ["connection"] = "" });
        surveys.Status.ShouldBe(HttpStatusCode.BadRequest);
        surveys.Html.ShouldContain("a source computes the measures of usage, tickets, invoices, orders, surveys, metrics (other kinds are imported)");
        var helpdesk = await Post(admin, "external", new() { ["act"] = "add", ["name"] = "helpdesk", ["kind"] = "tickets", ["engine"] = "duckdb", ["what"] = "files", ["relation"] = tickets, ["connection"] = "" });
        helpdesk.Status.ShouldBe(HttpStatusCode.OK);
        helpdesk.Html.ShouldContain("Added “helpdesk”: the support tickets measures are now computed in duckdb");
        (await Post(admin, "external-helpdesk", new() { ["act"] = "test" })).Html.ShouldContain("“helpdesk” works: 1 row of 1 of your 2 accounts");
        var gone = await Post(admin, "external-helpdesk", new() { ["act"] = "remove" });
        gone.Html.ShouldContain("Removed “helpdesk”: the support tickets measures read imported rows again");

        var tested = await Post(admin, "external-lake", new() { ["act"] = "test" });
        tested.Status.ShouldBe(HttpStatusCode.OK);
        tested.Html.ShouldContain("“lake” works: 12 rows of 2 of your 2 accounts, from " + Day(11) + " to " + Day(0));
        tested.Html.ShouldContain("Worked (");

        // A viewer sees the list, not the forms, and a posted form is refused.
        var viewer = await app.SignedIn("viewer");
        var seen = await TestApp.Page(viewer, "/sources");
        seen.ShouldContain("data-source=\"lake\"");
        seen.ShouldNotContain("data-testid=\"external-add\"");
        // (The forms are not on a viewer's page, so the framework refuses them before the page's own admin check.)
        var forbidden = await Post(viewer, "external", new() { ["act"] = "add", ["name"] = "mine", ["engine"] = "duckdb", ["what"] = "files", ["relation"] = file });
        forbidden.Status.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.Forbidden);
        (await Post(viewer, "external-lake", new() { ["act"] = "remove" })).Status.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.Forbidden);
        using (var db = app.OpenStore())
        {
            new ExternalSources(db, TimeProvider.System).List().Select(x => x.Name).ShouldBe(["lake"]);
        }
        var manager = await app.SignedIn("manager");
        (await Post(manager, "external-lake", new() { ["act"] = "remove" })).Status.ShouldBeOneOf(HttpStatusCode.BadRequest, HttpStatusCode.Forbidden);

        var removed = await Post(admin, "external-lake", new() { ["act"] = "remove" });
        removed.Status.ShouldBe(HttpStatusCode.OK);
        removed.Html.ShouldContain("Removed “lake”");
        removed.Html.ShouldContain("data-testid=\"no-external\"");
        using var check = app.OpenStore();
        new ExternalSources(check, TimeProvider.System).List().ShouldBeEmpty();
        check.Connection.Query<string>("SELECT name FROM secrets").ShouldNotContain("source:lake");
    }

    [Fact]
    public async Task ASourceThatCannotBeRead_MarksTheLatestScoreAsNotCurrent_OnTheAccountPageAndInTheApi()
    {
        await app.KeyClient("ingest").PostJson("/api/v1/ingest/accounts", """[{"account_id":"A1","name":"Acme"},{"account_id":"A2","name":"Beta"}]""");
        var file = Path.Combine(dir, "events.csv");
        await File.WriteAllTextAsync(file, "account_id,occurred_at,event,user_id\n" +
            string.Concat(Enumerable.Range(1, 12).Select(d => $"A{d % 2 + 1},{Day(d)}T10:00:00Z,login,u{d % 3}\n")));
        var today = TimeProvider.System.Today();
        using (var db = app.OpenStore())
        {
            var models = new ModelVersions(db, TimeProvider.System);
            models.Publish(ModelVersions.Builtin("saas"), "saas.yaml", null);
            new ExternalSources(db, TimeProvider.System).Add("lake", "usage", "duckdb", "", RelationType.Files, file, null, "test");
            var run = new CustomerHealth.Store.Scoring.ScoringRun(db, models);
            run.Score(today.AddDays(-1));
            File.Delete(file);
            Should.Throw<CustomerHealth.Store.StoreException>(() => run.Score(today)).Message.ShouldContain("source `lake` (duckdb)");
        }
        var viewer = await app.SignedIn("viewer");
        var page = WebUtility.HtmlDecode(await TestApp.Page(viewer, "/accounts/A1"));
        page.ShouldContain("data-testid=\"stale-source\"");
        page.ShouldContain("Not current.");
        page.ShouldContain("could not be read");
        page.ShouldContain("as of " + Day(1));
        var api = await app.KeyClient("read").GetJson("/api/v1/accounts/A1");
        api.GetProperty("as_of").GetString().ShouldBe(Day(1));
        var stale = api.GetProperty("stale_source");
        stale.GetProperty("source").GetString().ShouldBe("lake");
        stale.GetProperty("engine").GetString().ShouldBe("duckdb");
        stale.GetProperty("error").GetString()!.ShouldContain("source `lake` (duckdb), measure `");
        stale.GetProperty("measures").GetArrayLength().ShouldBeGreaterThan(0);
        // Read again: no longer marked.
        await File.WriteAllTextAsync(file, "account_id,occurred_at,event,user_id\nA1," + Day(0) + "T10:00:00Z,login,u1\n");
        using (var db = app.OpenStore())
        {
            new CustomerHealth.Store.Scoring.ScoringRun(db, new ModelVersions(db, TimeProvider.System)).Score(today);
        }
        (await TestApp.Page(viewer, "/accounts/A1")).ShouldNotContain("data-testid=\"stale-source\"");
        var again = await app.KeyClient("read").GetJson("/api/v1/accounts/A1");
        (!again.TryGetProperty("stale_source", out var none) || none.ValueKind == System.Text.Json.JsonValueKind.Null).ShouldBeTrue();
    }
}

public sealed class SourcesPageTestsOnSqlite() : SourcesPageTests(TestEngine.Sqlite);

public sealed class SourcesPageTestsOnPostgres() : SourcesPageTests(TestEngine.Postgres);
