using CustomerHealth.Core.Signals;

namespace CustomerHealth.Core.Tests.Signals;

public sealed class ColumnSuggestionsTests
{
    [Fact]
    public void Suggest_AZendeskTicketExport_MapsItsColumns_InTheKindsFieldOrder()
    {
        string[] header = ["Id", "Requester", "Subject", "Status", "Priority", "Created at", "Updated at", "Organization", "Solved at", "Satisfaction Score"];

        var mapping = ColumnSuggestions.Suggest(ImportKind.Tickets, header);

        mapping.ShouldBe([("ticket_id", "Id"), ("account_id", "Organization"), ("opened_at", "Created at"), ("priority", "Priority"),
            ("status", "Status"), ("closed_at", "Solved at"), ("satisfaction", "Satisfaction Score")]);
        ColumnSuggestions.Unmapped(ImportKind.Tickets, mapping).ShouldBeEmpty();
    }

    [Fact]
    public void Suggest_TheFieldsOwnNamesWinInAnyCaseOrSpacing_AndAColumnFeedsOneFieldOnly()
    {
        // `Account ID` is the field itself; `Customer ID` must not then be taken for it too.
        var mapping = ColumnSuggestions.Suggest(ImportKind.Invoices, ["Account ID", "Customer ID", "id", "AMOUNT_DUE", "Due Date (UTC)", "due on"]);

        mapping.ShouldBe([("invoice_id", "id"), ("account_id", "Account ID"), ("amount", "AMOUNT_DUE"), ("due_on", "due on")]);
    }

    [Fact]
    public void Suggest_HubSpotCompanies_AndStripeSubscriptions_LeaveWhatTheyLackUnmapped()
    {
        var companies = ColumnSuggestions.Suggest(ImportKind.Accounts, ["Record ID", "Company name", "Company owner", "Create Date", "Lifecycle Stage", "Industry"]);
        companies.ShouldBe([("account_id", "Record ID"), ("name", "Company name"), ("segment", "Industry"), ("lifecycle_stage", "Lifecycle Stage"),
            ("owner", "Company owner"), ("started_on", "Create Date")]);

        var subscriptions = ColumnSuggestions.Suggest(ImportKind.Subscriptions, ["id", "Customer ID", "Status", "Created (UTC)"]);
        // A Stripe status (active, canceled) is not an event kind: `kind` is left for the user.
        ColumnSuggestions.Unmapped(ImportKind.Subscriptions, subscriptions).ShouldBe(["kind"]);
        ColumnSuggestions.Suggest(ImportKind.Metrics, ["a", "b"]).ShouldBeEmpty();
    }

    [Fact]
    public void Suggest_ASalesforceActivityExport_MapsItToTouches()
    {
        string[] header = ["Activity ID", "Subject", "Type", "Activity Date", "Assigned To", "Account ID", "Comments"];

        var mapping = ColumnSuggestions.Suggest(ImportKind.Touches, header);

        mapping.ShouldBe([("touch_id", "Activity ID"), ("account_id", "Account ID"), ("kind", "Type"), ("occurred_at", "Activity Date"),
            ("author", "Assigned To"), ("text", "Comments")]);
        ColumnSuggestions.Unmapped(ImportKind.Touches, mapping).ShouldBeEmpty();
    }
}
