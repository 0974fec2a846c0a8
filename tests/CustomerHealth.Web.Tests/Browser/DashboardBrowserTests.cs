using System.Text.RegularExpressions;
using Microsoft.Playwright;

namespace CustomerHealth.Web.Tests.Browser;

/// <summary>
/// A customer success team's day in the dashboard, in a real browser (Debian's Chromium through Playwright) against
/// the real app on a loopback port. Each test saves a screenshot.
/// </summary>
[Collection(BrowserApp.Collection)]
public sealed partial class DashboardBrowserTests(BrowserApp app) : IClassFixture<BrowserApp>
{
    [Fact]
    public async Task SignIn_WrongPasswordIsRefused_ThenTheRightOneOpensThePortfolio()
    {
        var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.Url + "/accounts");
        await page.WaitForURLAsync("**/signin**", BrowserApp.Loaded);
        await page.GetByLabel("E-mail").FillAsync("viewer@example.com");
        await page.GetByLabel("Password").FillAsync("wrong");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("do not match");
        await page.GetByLabel("Password").FillAsync("password-viewer");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // Back where the person was going.
        await page.WaitForURLAsync(app.Url + "/accounts", BrowserApp.Loaded);
        (await page.GetByTestId("who").TextContentAsync())!.ShouldContain("viewer@example.com (viewer)");
        await BrowserApp.Screenshot(page, "signed-in-accounts");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Accounts_FilterBySegmentAndSort_TheAddressKeepsTheChoices()
    {
        var page = await app.SignIn("manager");
        await page.GetByRole(AriaRole.Link, new() { Name = "Accounts", Exact = true }).ClickAsync();
        await page.WaitForURLAsync("**/accounts", BrowserApp.Loaded);
        (await page.GetByTestId("count").TextContentAsync())!.ShouldContain("40 accounts");
        await page.GetByLabel("Segment").SelectOptionAsync("Enterprise");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await BrowserApp.Arrive(page, new Regex("segment=Enterprise"));
        (await page.GetByTestId("count").TextContentAsync())!.ShouldContain("13 accounts match");
        // Least healthy first by default; the Score header turns the order round.
        var scores = await page.Locator("table tbody tr td:nth-child(5)").AllTextContentsAsync();
        scores.Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ShouldBeInOrder(SortDirection.Ascending);
        await page.GetByRole(AriaRole.Link, new() { Name = "Score" }).ClickAsync();
        await BrowserApp.Arrive(page, new Regex("sort=-score"));
        scores = await page.Locator("table tbody tr td:nth-child(5)").AllTextContentsAsync();
        scores.Select(s => double.Parse(s, System.Globalization.CultureInfo.InvariantCulture)).ShouldBeInOrder(SortDirection.Descending);
        // The address is shareable: opened afresh it shows the same list.
        var again = await page.Context.NewPageAsync();
        await again.GotoAsync(page.Url);
        (await again.GetByTestId("count").TextContentAsync())!.ShouldContain("13 accounts match");
        await BrowserApp.Screenshot(page, "accounts");
    }

    [Fact]
    public async Task Account_ShowsWhyItsScoreIsWhatItIs_AndWhatChangedBetweenTwoDates()
    {
        var page = await app.SignIn("csm");
        // B05 fades in the last weeks: fewer users, an unhappy NPS answer, an urgent ticket, an unpaid invoice.
        await page.GotoAsync(app.Url + "/accounts/B05");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Why this score" }).WaitForAsync();
        var breakdown = page.GetByTestId("breakdown");
        (await breakdown.TextContentAsync())!.ShouldContain("Adoption");
        (await breakdown.Locator("tbody tr").CountAsync()).ShouldBeGreaterThan(8);
        (await page.GetByTestId("timeline").TextContentAsync())!.ShouldContain("Support takes too long, thinking about alternatives");
        // The history chart is drawn (an SVG from ECharts).
        await page.Locator(".chart svg").First.WaitForAsync();

        var today = BrowserApp.Today;
        await page.GetByRole(AriaRole.Textbox, new() { Name = "From", Exact = true }).FillAsync(today.AddDays(-56).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Textbox, new() { Name = "To", Exact = true }).FillAsync(today.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await BrowserApp.Arrive(page, new Regex("from="));
        var summary = (await page.GetByTestId("change-summary").TextContentAsync())!;
        summary.ShouldContain("the score went from");
        SignedPoints().Match(summary).Groups[1].Value.ShouldStartWith("-");
        (await page.GetByTestId("changes").Locator("tbody tr").CountAsync()).ShouldBeGreaterThan(0);
        await BrowserApp.Screenshot(page, "account");
    }

    [GeneratedRegex(@"\(([+-]?\d+\.\d) points\)")]
    private static partial Regex SignedPoints();

    [Fact]
    public async Task Account_ACsmRecordsSentiment_ItJoinsTheTimeline()
    {
        var page = await app.SignIn("csm");
        await page.GotoAsync(app.Url + "/accounts/B12");
        await page.GetByLabel("2", new() { Exact = true }).CheckAsync();
        await page.GetByLabel("Note").FillAsync("Sponsor left; the new one has not logged in yet");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save sentiment" }).ClickAsync();
        await BrowserApp.Arrive(page, new Regex("saved=sentiment"));
        (await page.GetByRole(AriaRole.Alert).TextContentAsync())!.ShouldContain("Sentiment saved");
        (await page.GetByTestId("timeline").TextContentAsync())!.ShouldContain("Sponsor left; the new one has not logged in yet");
        // A CSM may not set scores by hand.
        (await page.GetByTestId("override-form").CountAsync()).ShouldBe(0);
        await BrowserApp.Screenshot(page, "account-sentiment");
    }

    [Fact]
    public async Task Viewer_FindsNoEditControls()
    {
        var page = await app.SignIn("viewer");
        await page.GotoAsync(app.Url + "/accounts/B05");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Why this score" }).WaitForAsync();
        (await page.GetByTestId("sentiment-form").CountAsync()).ShouldBe(0);
        (await page.GetByTestId("override-form").CountAsync()).ShouldBe(0);
        // The only form on the page besides the date comparison is signing out.
        var forms = await page.Locator("form[method=post]").AllAsync();
        forms.Count.ShouldBe(1);
        (await forms[0].GetAttributeAsync("action")).ShouldBe("/signout");
        await BrowserApp.Screenshot(page, "account-viewer");
    }

    [Fact]
    public async Task Today_ACsmLandsOnTheirDay_WithWhyAndTheNextStep()
    {
        var context = await app.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(app.Url + "/signin");
        await page.GetByLabel("E-mail").FillAsync("csm@example.com");
        await page.GetByLabel("Password").FillAsync("password-csm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        // A CSM starts the day on their own list, not the portfolio.
        await page.WaitForURLAsync(app.Url + "/today", BrowserApp.Loaded);
        (await page.GetByRole(AriaRole.Heading, new() { Name = "Today", Exact = true }).CountAsync()).ShouldBe(1);
        (await page.Locator("h2#focus-h").TextContentAsync())!.ShouldContain("csm@example.com");
        var rows = page.GetByTestId("today-accounts").Locator("tbody tr");
        if (await rows.CountAsync() > 0)
        {
            // Every account listed says why today and what to do next.
            foreach (var text in await rows.Locator("td:nth-child(6)").AllTextContentsAsync())
            {
                text.Trim().ShouldNotBeEmpty();
            }
        }
        await BrowserApp.Screenshot(page, "today");
        await context.CloseAsync();
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/today")]
    [InlineData("/accounts")]
    [InlineData("/accounts/B05")]
    [InlineData("/alerts/rules")]
    public async Task Pages_PassTheAccessibilityCheck(string path)
    {
        var page = await app.SignIn("manager", bypassCsp: true);
        await page.GotoAsync(app.Url + path);
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        (await BrowserApp.AccessibilityProblems(page)).ShouldBeEmpty();
    }

    [Fact]
    public async Task Keyboard_FocusStartsAtTheHeading_TheFiltersWorkWithoutAMouse_TheSkipLinkJumpsToTheContent()
    {
        var page = await app.SignIn("viewer");
        await page.GotoAsync(app.Url + "/accounts");
        // A page load puts the focus on its heading, so a screen reader starts there and Tab goes on to the filters.
        (await page.EvaluateAsync<string>("document.activeElement.tagName")).ShouldBe("H1");
        await page.Keyboard.PressAsync("Tab");
        (await page.EvaluateAsync<string>("document.activeElement.id")).ShouldBe("q");
        await page.Keyboard.TypeAsync("Globex");
        await page.Keyboard.PressAsync("Enter");
        await BrowserApp.Arrive(page, new Regex("q=Globex"));
        (await page.GetByTestId("count").TextContentAsync())!.ShouldContain("4 accounts match");
        var skip = page.GetByRole(AriaRole.Link, new() { Name = "Skip to the content" });
        await skip.FocusAsync();
        (await skip.BoundingBoxAsync())!.Width.ShouldBeGreaterThan(10);
        await page.Keyboard.PressAsync("Enter");
        (await page.EvaluateAsync<bool>("location.hash === '#main' || document.activeElement.id === 'main'")).ShouldBeTrue();
    }
}
