using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CustomerHealth.Web.Tests.Browser;

/// <summary>
/// The work people do in the dashboard, in a real browser: working through the alerts inbox and a task, changing the
/// model with its preview and publishing it, and what a viewer sees. Each saves a screenshot; one visits every page
/// for the screenshots the README shows.
/// </summary>
[Collection(BrowserApp.Collection)]
public sealed class WorkflowBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task Alerts_AManagerAcknowledgesAnAlert_AndCompletesATaskWithAnOutcome()
    {
        var page = await app.SignIn("manager");
        await page.GetByRole(AriaRole.Link, new() { Name = "Alerts & tasks" }).ClickAsync();
        await BrowserApp.Arrive(page, new Regex("/alerts"));
        // The inbox: one line per account; two chosen and acknowledged at once.
        var rows = page.GetByTestId("inbox-row");
        (await rows.CountAsync()).ShouldBeInRange(2, 25);
        var height = await page.EvaluateAsync<int>("document.documentElement.scrollHeight");
        var tasksTop = await page.EvaluateAsync<int>("document.getElementById('tasks-heading').getBoundingClientRect().top + window.scrollY");
        Console.WriteLine($"alerts page: {await rows.CountAsync()} rows, document height {height} px, tasks heading at {tasksTop} px");
        tasksTop.ShouldBeLessThan(1000, "the tasks sit beside the inbox, not below it");
        var first = await rows.Nth(0).GetAttributeAsync("data-account-id");
        var second = await rows.Nth(1).GetAttributeAsync("data-account-id");
        await rows.Nth(0).GetByTestId("inbox-choose").CheckAsync();
        await rows.Nth(1).GetByTestId("inbox-choose").CheckAsync();
        await page.GetByTestId("bulk-action").SelectOptionAsync("acknowledge");
        await page.GetByTestId("bulk-submit").ClickAsync();
        await page.GetByTestId("done").WaitForAsync();
        foreach (var id in new[] { first, second })
        {
            var states = await page.Locator($"[data-testid=inbox-row][data-account-id='{id}'] + tr [data-testid=alert]").EvaluateAllAsync<string[]>("els => els.map(e => e.dataset.state)");
            states.ShouldNotBeEmpty();
            states.ShouldAllBe(s => s == "acknowledged");
        }
        await BrowserApp.Screenshot(page, "alerts");

        var task = page.Locator("[data-testid=task]").First;
        var taskId = await task.GetAttributeAsync("data-task-id");
        await task.GetByTestId("task-details").Locator("summary").ClickAsync();
        await task.GetByTestId("task-status").SelectOptionAsync("done");
        await task.GetByTestId("task-outcome").FillAsync("Called the sponsor; a training session is booked");
        await task.GetByTestId("task-save").ClickAsync();
        await page.GetByTestId("done").WaitForAsync();
        (await page.GetByTestId("done").TextContentAsync())!.ShouldContain("saved");
        (await page.Locator($"[data-testid=task][data-task-id='{taskId}']").CountAsync()).ShouldBe(0, "a done task leaves the open list");
    }

    [Fact]
    public async Task Model_AnAdminBuildsAChangeWithTheForm_TheYamlFollowsBothWays_AndPublishesIt()
    {
        var page = await app.SignIn("admin", bypassCsp: true);
        await page.GotoAsync(app.Url + "/model");
        await page.Locator("[data-testid=model-editor][data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        var yaml = page.GetByTestId("model-yaml");
        var form = page.GetByTestId("model-form");

        // A part weighs more: the slider rewrites the file.
        await form.GetByLabel("Weight 20: ", new() { Exact = false }).FillAsync("30");
        await Assertions.Expect(form.Locator("[data-testid=form-dimension][data-id=voice] label[for=dim-weight-voice]")).ToContainTextAsync("Weight 30");
        (await yaml.InputValueAsync()).ShouldContain("weight: 30");

        // A new part, its measure reading the days since the last note or call.
        await form.GetByRole(AriaRole.Button, new() { Name = "Add a part" }).ClickAsync();
        var part = form.Locator("[data-testid=form-dimension][data-id=part_1]");
        await part.WaitForAsync();
        await part.GetByLabel("Name").FillAsync("Relationship");
        await part.GetByLabel("Name").PressAsync("Tab");
        await Assertions.Expect(part.Locator("legend")).ToHaveTextAsync("Part “Relationship”");
        await part.GetByLabel("Signal").SelectOptionAsync("Touches");
        await Assertions.Expect(part.GetByLabel("Aggregate")).ToHaveValueAsync("count");
        await part.GetByLabel("Aggregate").SelectOptionAsync("days_since_last");
        await part.GetByLabel("Worst value (0)").FillAsync("60");
        await part.GetByLabel("Worst value (0)").PressAsync("Tab");
        await part.GetByLabel("Best value (100)").FillAsync("0");
        await part.GetByLabel("Best value (100)").PressAsync("Tab");
        await Assertions.Expect(part.GetByTestId("form-sentence")).ToContainTextAsync("the days since the last note, call, meeting or e-mail");
        await Assertions.Expect(yaml).ToHaveValueAsync(new Regex(@"score: \{ range: \{ worst: 60, best: 0 \} \}"));
        await page.Locator("[data-testid=model-status][data-valid=true]").WaitForAsync();
        var written = await yaml.InputValueAsync();
        written.ShouldContain("signal: touches, aggregate: days_since_last");

        // An edit of the file shows in the form.
        await yaml.FillAsync(written.Replace("label: \"Customer voice\"", "label: Voice of the customer", StringComparison.Ordinal));
        await Assertions.Expect(form.Locator("[data-testid=form-dimension][data-id=voice] legend")).ToHaveTextAsync("Part “Voice of the customer”");

        // By keyboard: a slider steps with the arrow keys, a button answers Enter.
        await form.Locator("#dim-weight-voice").FocusAsync();
        await page.Keyboard.PressAsync("ArrowRight");
        await Assertions.Expect(form.Locator("label[for=dim-weight-voice]")).ToContainTextAsync("Weight 31");

        // Each measure's curve is drawn over the values the accounts have now, and told in words.
        var seats = form.Locator("[data-testid=curve][data-id=adoption-active_seats]");
        await seats.WaitForAsync(new() { Timeout = 30_000 });
        (await seats.Locator("[data-testid=curve-sentence]").TextContentAsync())!.ShouldMatch(@"Of the \d+ accounts with a value, \d+ score 0, \d+ score between 0 and 100, and \d+ score 100");
        (await seats.Locator("rect.curve-bar").CountAsync()).ShouldBe(20);
        (await seats.Locator("polyline.curve-line").CountAsync()).ShouldBe(1);

        // The new measure scored in steps: bands instead of a straight line.
        var measure = part.Locator("[data-testid=form-measure]");
        await measure.GetByLabel("Score curve").SelectOptionAsync("Bands");
        await Assertions.Expect(measure.GetByTestId("form-bands")).ToBeVisibleAsync();
        await measure.GetByLabel("Band 2 of New measure: score").FillAsync("40");
        await measure.GetByLabel("Band 2 of New measure: score").PressAsync("Tab");
        await Assertions.Expect(yaml).ToHaveValueAsync(new Regex(@"bands: \[.*score: 40"));
        await Assertions.Expect(measure.GetByTestId("form-sentence")).ToContainTextAsync("scored in steps");

        // A grade added by keyboard and named; a grade put above the one before it is refused, with why.
        await form.GetByRole(AriaRole.Button, new() { Name = "Add a grade" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(form.GetByTestId("form-grade")).ToHaveCountAsync(4);
        await form.GetByLabel("Name of grade grade_1").FillAsync("Watch");
        await form.GetByLabel("Name of grade grade_1").PressAsync("Tab");
        await Assertions.Expect(yaml).ToHaveValueAsync(new Regex(@"id: grade_1, label: Watch, min: 20"));
        await form.GetByLabel("Score grade yellow starts from").FillAsync("90");
        await form.GetByLabel("Score grade yellow starts from").PressAsync("Tab");
        await Assertions.Expect(form.GetByTestId("form-problem")).ToContainTextAsync("grades must be listed highest `min` first");
        (await yaml.InputValueAsync()).ShouldContain("id: yellow, label: \"Needs attention\", min: 40");

        // A scorecard for enterprise accounts where support weighs more.
        await form.GetByRole(AriaRole.Button, new() { Name = "Add a scorecard" }).ClickAsync();
        var card = form.Locator("[data-testid=form-scorecard][data-id=scorecard_1]");
        await card.GetByLabel("Account field of a condition of scorecard scorecard_1").FillAsync("segment");
        await card.GetByLabel("Account field of a condition of scorecard scorecard_1").PressAsync("Tab");
        await card.GetByLabel("Values of segment for scorecard scorecard_1", new() { Exact = false }).FillAsync("Enterprise");
        await card.GetByLabel("Values of segment for scorecard scorecard_1", new() { Exact = false }).PressAsync("Tab");
        await card.Locator("#card-w-scorecard_1-support").FillAsync("40");
        await card.Locator("#card-w-scorecard_1-support").PressAsync("Tab");
        await Assertions.Expect(yaml).ToHaveValueAsync(new Regex(@"when: \{ segment: \[Enterprise\] \}\s+weights: \{ support: 40 \}"));
        await page.Locator("[data-testid=model-status][data-valid=true]").WaitForAsync();
        // The preview followed the changes on its own: today's scores under the draft.
        await page.GetByTestId("preview-result").WaitForAsync(new() { Timeout = 60_000 });

        await BrowserApp.Screenshot(page, "model-builder-page");
        await BrowserApp.ScreenshotOf(form.Locator("[data-testid=form-dimension][data-id=adoption]"), "model-builder");
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();

        await page.GetByTestId("model-note").FillAsync("Relationship part from the form");
        await page.GetByTestId("model-publish").ClickAsync();
        await BrowserApp.Arrive(page, new Regex("published="));
        (await page.GetByTestId("model-versions").TextContentAsync())!.ShouldContain("Relationship part from the form");
        using var db = app.Services.GetRequiredService<StoreAccess>().Open();
        var versions = new CustomerHealth.Store.Models.ModelVersions(db, TimeProvider.System);
        versions.Current()!.Model.Dimensions.Select(d => d.Label).ShouldContain("Relationship");
        // The app is shared by the browser tests: the others start from the shipped model's file, comments and defaults included.
        versions.Publish(CustomerHealth.Store.Models.ModelVersions.Builtin("saas"), "saas.yaml", "default SaaS model");
    }

    [Fact]
    public async Task Model_AnAdminEditsWithValidationAsTheyType_PreviewsAndPublishesWithANote()
    {
        var page = await app.SignIn("admin");
        await page.GotoAsync(app.Url + "/model");
        await page.Locator("[data-testid=model-editor][data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        var yaml = page.GetByTestId("model-yaml");
        var published = await yaml.InputValueAsync();
        // A typo is caught as it is typed, at its line.
        await yaml.FillAsync(published.Replace("missing: reweight", "missing: rewieght", StringComparison.Ordinal));
        await page.Locator("[data-testid=model-error]").First.WaitForAsync();
        (await page.Locator("[data-testid=model-error]").First.GetAttributeAsync("data-line")).ShouldBe("4");
        // Adoption weighs more: valid, previewed, published.
        var draft = Regex.Replace(published, @"weight: 40", "weight: 60", RegexOptions.None, TimeSpan.FromSeconds(1));
        await yaml.FillAsync(draft);
        await page.Locator("[data-testid=model-status][data-valid=true]").WaitForAsync();
        await page.GetByTestId("model-preview").ClickAsync();
        await page.GetByTestId("preview-result").WaitForAsync(new() { Timeout = 60_000 });
        await BrowserApp.Screenshot(page, "model-preview");
        await page.GetByTestId("model-note").FillAsync("Adoption weighs more");
        await page.GetByTestId("model-publish").ClickAsync();
        await BrowserApp.Arrive(page, new Regex("published="));
        (await page.GetByTestId("published").TextContentAsync())!.ShouldNotBeNullOrWhiteSpace();
        (await page.GetByTestId("model-versions").TextContentAsync())!.ShouldContain("Adoption weighs more");
        await BrowserApp.Screenshot(page, "model");
    }

    [Fact]
    public async Task Model_PreviewWhileTheSameAdminsPreviewRuns_SaysOneIsRunningAndRunsOnceItEnds()
    {
        var runs = app.Services.GetRequiredService<CustomerHealth.Web.Jobs.DraftRuns>();
        var page = await app.SignIn("admin");
        await page.GotoAsync(app.Url + "/model");
        await page.Locator("[data-testid=model-editor][data-interactive=true]").WaitForAsync(new() { Timeout = 30_000 });
        await page.Locator("[data-testid=model-status][data-valid=true]").WaitForAsync();

        // As if this admin's preview through the API were under way.
        using (var other = runs.TryStart("admin@example.com").ShouldNotBeNull())
        {
            await page.GetByTestId("model-preview").ClickAsync();
            await page.GetByTestId("editor-error").WaitForAsync();
            (await page.GetByTestId("editor-error").TextContentAsync())!.ShouldContain("a preview or backtest of yours is already running");
            (await page.GetByTestId("preview-result").CountAsync()).ShouldBe(0);
        }

        await page.GetByTestId("model-preview").ClickAsync();
        await page.GetByTestId("preview-result").WaitForAsync(new() { Timeout = 60_000 });
        (await page.GetByTestId("editor-error").CountAsync()).ShouldBe(0);
        runs.Running.ShouldBe(0);
    }

    [Fact]
    public async Task AlertRules_AnAdminReplaysTheRulesInForce_ThenTestsTheShippedRulesAsADraft_AndThePagePassesTheAccessibilityCheck()
    {
        var page = await app.SignIn("admin", bypassCsp: true);
        await page.GotoAsync(app.Url + "/alerts");
        await page.GetByTestId("rules-link").ClickAsync();
        await BrowserApp.Arrive(page, new Regex("/alerts/rules$"));
        (await page.GetByTestId("rule-sentence").CountAsync()).ShouldBe(6, "the shipped rules are in force");
        (await page.GetByTestId("rule-sentence").First.TextContentAsync())!.ShouldContain("entered-red: Alerts when the grade becomes At risk (red)");

        // The default range: the last 26 weeks of scored history up to the latest scored day.
        (await page.GetByLabel("To", new() { Exact = true }).InputValueAsync()).ShouldBe(BrowserApp.Today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Replay the rules in force" }).ClickAsync();
        await page.GetByTestId("replay-result").WaitForAsync();
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Replay of the rules in force" }).CountAsync()).ShouldBe(1);
        (await page.GetByTestId("replay-span").TextContentAsync())!.ShouldContain("17 scored days");
        (await page.GetByTestId("outcome-row").CountAsync()).ShouldBe(6);
        (await page.GetByTestId("outcome-all").TextContentAsync())!.ShouldContain("all rules");
        (await page.GetByTestId("outcome-explained").TextContentAsync())!.ShouldContain("Lift: precision divided by the churn rate of all scored accounts");
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();
        await BrowserApp.Screenshot(page, "alert-rules-replay");

        // A draft: the shipped rules with one rule fewer, replayed; what is in force stays.
        await page.GetByRole(AriaRole.Button, new() { Name = "Start from the shipped rules" }).ClickAsync();
        await page.GetByTestId("notice").WaitForAsync();
        var draft = await page.GetByLabel("Rules file (YAML)").InputValueAsync();
        draft.ShouldContain("id: sentiment-stale");
        await page.GetByLabel("Rules file (YAML)").FillAsync(draft[..draft.IndexOf("  # Nobody has recorded", StringComparison.Ordinal)]);
        await page.GetByRole(AriaRole.Button, new() { Name = "Test these rules" }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Replay of the draft (nothing was changed)" }).WaitForAsync();
        (await page.GetByTestId("outcome-row").CountAsync()).ShouldBe(5);
        (await page.GetByTestId("rule-sentence").CountAsync()).ShouldBe(6, "testing a draft changes nothing");

        // A broken draft: the problem at its line, the draft kept to be fixed.
        await page.GetByLabel("Rules file (YAML)").FillAsync("rules:\n  - id: x\n    when: { score_below: 40 }\n    severity: huge\n");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test these rules" }).ClickAsync();
        (await page.GetByTestId("problems").TextContentAsync())!.ShouldContain("line 4, column 15: `severity` must be `low`, `medium` or `high`");
        (await page.GetByLabel("Rules file (YAML)").InputValueAsync()).ShouldContain("severity: huge");
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();
        await BrowserApp.Screenshot(page, "alert-rules-draft-refused");
    }

    [Fact]
    public async Task Viewer_HasNoFormsOnAlertsOrAlertRulesAndNoModelEditor()
    {
        var page = await app.SignIn("viewer");
        await page.GotoAsync(app.Url + "/alerts/rules");
        (await page.GetByTestId("rule-sentence").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("form[method=post]").CountAsync()).ShouldBe(1, "only signing out");
        await page.GotoAsync(app.Url + "/alerts");
        (await page.Locator("[data-testid=alert]").CountAsync()).ShouldBeGreaterThan(0);
        (await page.Locator("form[method=post]").CountAsync()).ShouldBe(1, "only signing out");
        await page.GotoAsync(app.Url + "/model");
        (await page.GetByTestId("model-sentences").CountAsync()).ShouldBe(1);
        (await page.GetByTestId("model-editor").CountAsync()).ShouldBe(0);
        (await page.Locator("textarea, button[type=submit]:not(:has-text('Sign out'))").CountAsync()).ShouldBe(0);
    }

    [Fact]
    public async Task Sources_AStoppedSourceAndThinMeasuresAreFlagged_TheQuietDaysComeFromTheAddress()
    {
        var page = await app.SignIn("viewer");
        await page.GotoAsync(app.Url + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sources" }).ClickAsync();
        await page.WaitForURLAsync(app.Url + "/sources", BrowserApp.Loaded);
        // Every account uses the product daily up to today; the surveys came 20 to 100 days ago, about daily.
        (await page.Locator("tr[data-kind=usage] [data-testid=state]").TextContentAsync())!.ShouldBe("Arriving");
        (await page.Locator("tr[data-kind=surveys] [data-testid=state]").TextContentAsync())!.ShouldStartWith("Stopped: nothing from any account for 20 days");
        (await page.Locator("tr[data-kind=orders] [data-testid=state]").TextContentAsync())!.ShouldBe("No data");
        // The model's ticket measures read tickets, which few of the accounts have.
        (await page.GetByTestId("low-coverage").TextContentAsync())!.ShouldContain("support tickets");
        await BrowserApp.Screenshot(page, "sources-flagged");

        await page.GetByLabel("Quiet after (days)").FillAsync("21");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await page.WaitForURLAsync(app.Url + "/sources?quiet_days=21", BrowserApp.Loaded);
        (await page.Locator("tr[data-kind=surveys] [data-testid=state]").TextContentAsync())!.ShouldBe("Arriving");
        await page.GotoAsync(app.Url + "/sources?quiet_days=lots");
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("not a number of days between 1 and 365");
    }

    [Fact]
    public async Task Import_ASemicolonExportIsMatchedByHand_SavedAsAMapping_AndTheNextExportUsesIt()
    {
        var page = await app.SignIn("manager", bypassCsp: true);
        await page.GotoAsync(app.Url + "/");
        await page.GetByRole(AriaRole.Link, new() { Name = "Import", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(app.Url + "/import", BrowserApp.Loaded);
        await page.Locator("[data-testid=import-wizard][data-interactive=true]").WaitForAsync();
        await page.GetByLabel("What it holds").SelectOptionAsync("tickets");

        // Not a file the import reads: said before anything is read.
        await page.GetByLabel("File (").SetInputFilesAsync(new FilePayload { Name = "tickets.pdf", MimeType = "application/pdf", Buffer = "%PDF-1.4"u8.ToArray() });
        (await page.GetByTestId("import-error").TextContentAsync())!.ShouldContain("“tickets.pdf” is not a file the import reads");

        const string header = "Nr;Kunde;Erstellt am;Priorität;Betreff\n";
        await page.GetByLabel("File (").SetInputFilesAsync(new FilePayload
        {
            Name = "helpdesk-1.csv", MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes(header + "H-1;B01;2026-11-20 10:00;normal;Login\nH-2;B02;gestern;high;Export\nH-3;B03;2026-11-21 09:30;low;Frage\n"),
        });
        await page.GetByTestId("import-columns").WaitForAsync();
        (await page.GetByTestId("import-unmapped").TextContentAsync())!.ShouldContain("ticket_id, account_id, opened_at");
        await Assertions.Expect(page.GetByTestId("import-go")).ToBeDisabledAsync();
        await page.GetByLabel("ticket_id *").SelectOptionAsync("Nr");
        await page.GetByLabel("account_id *").SelectOptionAsync("Kunde");
        await page.GetByLabel("opened_at *").SelectOptionAsync("Erstellt am");
        // The page answers each choice over its connection: wait for the answer, never count before it.
        await Assertions.Expect(page.GetByTestId("import-unmapped")).ToHaveCountAsync(0);
        // The row with a day that is not one is shown with its problem before anything lands.
        await Assertions.Expect(page.Locator("[data-testid=import-preview] tr[data-problems='1']")).ToContainTextAsync("opened_at: must be an ISO 8601 timestamp");
        await BrowserApp.Screenshot(page, "import-mapping");
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();

        await page.GetByLabel("Import the valid rows").CheckAsync();
        await page.GetByLabel("Save these columns as").FillAsync("Helpdesk DE");
        await page.GetByTestId("import-go").ClickAsync();
        var outcome = page.GetByTestId("import-outcome");
        await outcome.WaitForAsync();
        (await outcome.TextContentAsync())!.ShouldContain("Imported 3 tickets rows: 2 new or updated, 0 already stored, 1 skipped as invalid. The columns are saved as “Helpdesk DE”.");
        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download the rejected rows" }).ClickAsync());
        var rejected = await File.ReadAllTextAsync((await download.PathAsync())!);
        rejected.ShouldContain("H-2;B02;gestern");

        // The next export of the same tool: the saved mapping matches it at once.
        await page.GetByLabel("File (").SetInputFilesAsync(new FilePayload
        {
            Name = "helpdesk-2.csv", MimeType = "text/csv", Buffer = System.Text.Encoding.UTF8.GetBytes(header + "H-4;B04;2026-11-22 08:00;urgent;Ausfall\n"),
        });
        // The new file is read (its name shown) before the saved mapping is chosen for it.
        await page.GetByText("“helpdesk-2.csv”").WaitForAsync();
        await page.GetByTestId("import-saved").SelectOptionAsync("Helpdesk DE");
        await Assertions.Expect(page.GetByLabel("opened_at *")).ToHaveValueAsync("Erstellt am");
        await page.GetByTestId("import-go").ClickAsync();
        await page.GetByText("Imported 1 tickets rows: 1 new or updated").WaitForAsync();
        using var db = app.Services.GetRequiredService<StoreAccess>().Open();
        new CustomerHealth.Store.Import.ImportMappings(db, TimeProvider.System).Find("helpdesk de").ShouldNotBeNull();
    }

    [Fact]
    public async Task Notes_AManagerWritesDownACallWithAFollowUp_ThenFindsItByAWordOnTheNotesPage()
    {
        var page = await app.SignIn("manager", bypassCsp: true);
        await page.GotoAsync(app.Url + "/accounts/B07");
        var form = page.GetByTestId("touch-form");
        await form.GetByLabel("What", new() { Exact = true }).SelectOptionAsync("call");
        await form.GetByLabel("What was said or agreed").FillAsync("Spoke with the new CFO: procurement wants a multi-year quote");
        await form.GetByLabel("Follow-up task").FillAsync("Send the multi-year quote");
        await form.GetByRole(AriaRole.Button, new() { Name = "Save the note" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/accounts/B07\\?saved=touch-task$"), BrowserApp.Loaded);
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("with its follow-up task");
        (await page.GetByTestId("timeline").TextContentAsync())!.ShouldContain("procurement wants a multi-year quote");
        (await page.GetByTestId("account-tasks").TextContentAsync())!.ShouldContain("Send the multi-year quote");
        (await page.GetByTestId("account-tasks").TextContentAsync())!.ShouldContain("manager@example.com");

        await page.GetByRole(AriaRole.Link, new() { Name = "Notes", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(app.Url + "/notes", BrowserApp.Loaded);
        await page.GetByLabel("Words").FillAsync("PROCUREMENT");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/notes\\?q=PROCUREMENT"), BrowserApp.Loaded);
        var rows = page.GetByTestId("notes").Locator("tbody tr");
        (await rows.CountAsync()).ShouldBe(1);
        (await rows.First.TextContentAsync())!.ShouldContain("Call");
        (await rows.First.TextContentAsync())!.ShouldContain("manager@example.com");
        await BrowserApp.Screenshot(page, "notes-found");
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();

        await page.GetByLabel("Words").FillAsync("no such words anywhere");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/notes\\?q=no"), BrowserApp.Loaded);
        (await page.GetByText("Nothing matches").CountAsync()).ShouldBe(1);
    }

    [Theory]
    [InlineData("/", "portfolio")]
    [InlineData("/team", "team")]
    [InlineData("/segments", "segments")]
    [InlineData("/surveys", "surveys")]
    [InlineData("/sources", "sources")]
    [InlineData("/alerts", "alerts-inbox")]
    [InlineData("/model", "model-sentences")]
    public async Task Pages_RenderTheirChartsAndPassTheAccessibilityCheck(string path, string screenshot)
    {
        var page = await app.SignIn("manager", bypassCsp: true);
        await page.GotoAsync(app.Url + path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        var charts = page.Locator(".chart");
        for (var i = 0; i < await charts.CountAsync(); i++)
        {
            await charts.Nth(i).Locator("svg").WaitForAsync();
        }
        await BrowserApp.Screenshot(page, screenshot);
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Sources_AnAdminSeesTheFormToAddASourceComputedWhereTheDataLives_AndItPassesTheAccessibilityCheck()
    {
        var page = await app.SignIn("admin", bypassCsp: true);
        await page.GotoAsync(app.Url + "/sources");
        (await page.GetByTestId("no-external").TextContentAsync())!.ShouldContain("every measure reads imported data");
        await page.GetByText("Add a source").ClickAsync();
        await page.GetByLabel("The files' path, the table's name, or the query").WaitForAsync();
        (await page.GetByLabel("Connection (kept sealed, never shown again)").GetAttributeAsync("type")).ShouldBe("password");
        await BrowserApp.Screenshot(page, "sources-external");
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();
    }

    [Fact]
    public async Task SignInPage_HasTheDashboardsLook_WithoutBreakingTheContentSecurityPolicy()
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 900 } });
        var page = await context.NewPageAsync();
        var refused = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || m.Text.Contains("Failed to load", StringComparison.OrdinalIgnoreCase))
            {
                refused.Add(m.Text);
            }
        };

        await page.GotoAsync(app.Url + "/signin");
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

        // Bootstrap's primary button and form controls, as on the dashboard's own forms.
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Sign in" });
        (await button.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor")).ShouldBe("rgb(13, 110, 253)");
        (await page.GetByLabel("E-mail").EvaluateAsync<string>("e => getComputedStyle(e).borderRadius")).ShouldNotBe("0px");
        (await page.Locator("script").CountAsync()).ShouldBe(0);
        refused.ShouldBeEmpty();
        await BrowserApp.Screenshot(page, "sign-in");
        (await BrowserApp.AccessibilityProblems(await Unrestricted(app.Url + "/signin"))).ShouldBeEmpty();
        await context.CloseAsync();
    }

    [Fact]
    public async Task Segments_GroupTablesFitTheirColumns_TheMixBarIsWhole()
    {
        var page = await app.SignIn("viewer");
        await page.GotoAsync(app.Url + "/segments");

        foreach (var id in new[] { "by-segment", "by-plan", "by-stage" })
        {
            var table = page.GetByTestId(id);
            // No horizontal scrolling inside the table's box at a desktop width, and every bar ends inside it.
            var fits = await table.EvaluateAsync<bool>("t => { const box = t.parentElement; return box.scrollWidth <= box.clientWidth; }");
            fits.ShouldBeTrue($"{id} is wider than its column");
            var clipped = await table.EvaluateAsync<int>(
                "t => { const r = t.parentElement.getBoundingClientRect(); return [...t.querySelectorAll('.grade-mix-bar')].filter(b => { const x = b.getBoundingClientRect(); return x.width < 60 || x.right > r.right + 0.5; }).length; }");
            clipped.ShouldBe(0, $"{id}: grade-mix bars cut off or squeezed");
        }
        await BrowserApp.Screenshot(page, "segments-fit");
    }

    [Fact]
    public async Task Team_StrengthAndCoachingCells_AreColoredDespiteTheTableStyle()
    {
        var page = await app.SignIn("viewer");
        await page.GotoAsync(app.Url + "/team");

        var strengths = page.GetByTestId("dimensions").Locator("td.dimension-strength");
        (await strengths.CountAsync()).ShouldBeGreaterThan(0);
        (await strengths.First.EvaluateAsync<string>("e => getComputedStyle(e).backgroundColor")).ShouldBe("rgb(209, 231, 221)");
        (await strengths.First.EvaluateAsync<string>("e => getComputedStyle(e).color")).ShouldBe("rgb(15, 81, 50)");
        // The coaching color as a cell would get it, on the same table.
        var coach = await page.GetByTestId("dimensions").EvaluateAsync<string>(
            "t => { const c = t.querySelector('tbody td').cloneNode(true); c.className = 'num dimension-coach'; t.querySelector('tbody tr').appendChild(c); return getComputedStyle(c).backgroundColor; }");
        coach.ShouldBe("rgb(248, 215, 218)");
        await BrowserApp.Screenshot(page, "team-colors");
    }

    /// <summary>A page without the Content-Security-Policy, so that the accessibility checker can be injected.</summary>
    private async Task<IPage> Unrestricted(string url)
    {
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions { BypassCSP = true });
        var page = await context.NewPageAsync();
        await page.GotoAsync(url);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        return page;
    }
}
