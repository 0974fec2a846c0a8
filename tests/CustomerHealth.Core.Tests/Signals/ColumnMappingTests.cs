using CustomerHealth.Core.Signals;

namespace CustomerHealth.Core.Tests.Signals;

public sealed class ColumnMappingTests
{
    private static ColumnMapping Valid(ImportKind kind, params (string, string)[] pairs)
    {
        var problems = new List<string>();
        var m = ColumnMapping.Create(kind, pairs, problems);
        problems.ShouldBeEmpty();
        return m;
    }

    [Fact]
    public void Create_KeepsTheKindsFieldOrder_AndTrims()
    {
        var m = Valid(ImportKind.Tickets, ("opened_at ", " Created at"), ("ticket_id", "Id"), ("account_id", "Organization"));

        m.Columns.ShouldBe([("ticket_id", "Id"), ("account_id", "Organization"), ("opened_at", "Created at")]);
    }

    [Fact]
    public void Create_NamesEveryProblem()
    {
        var problems = new List<string>();

        ColumnMapping.Create(ImportKind.Tickets,
            [("foo", "Bar"), ("ticket_id", " "), ("account_id", "Org"), ("opened_at", "org"), ("account_id", "Other"), ("status", "bad\u0001name")], problems);

        problems.ShouldBe([
            "`foo` is not a field of tickets; its fields are ticket_id, account_id, opened_at, priority, status, first_response_at, closed_at, escalated, satisfaction",
            "ticket_id: the column's name is empty",
            "the column `org` feeds both account_id and opened_at; a column feeds one field",
            "account_id is given twice",
            "status: the column's name must not contain a control character (U+0001) (found at character 4); ids are printable text",
        ]);
        ColumnMapping.Create(ImportKind.Tickets, [], problems = []);
        problems.ShouldBe(["a mapping names at least one field and its column"]);
    }

    [Fact]
    public void Apply_RenamesMappedColumnsInAnyCase_KeepsOthers_AndSetsAsideAColumnNamedLikeAFedField()
    {
        var m = Valid(ImportKind.Tickets, ("ticket_id", "Id"), ("account_id", "Organization"));

        m.Apply(["ID", " organization ", "Ticket_ID", "priority", "Status", "Subject"])
            .ShouldBe(["ticket_id", "account_id", "Ticket_ID (not mapped)", "priority", "status", "Subject"]);
        m.MissingFrom(["id", "Subject"]).ShouldBe(["Organization"]);
    }

    [Theory]
    [InlineData(null, "a mapping needs a name")]
    [InlineData("  ", "a mapping needs a name")]
    [InlineData("zendesk\nx", "the mapping's name must not contain a control character (U+000A) (found at character 8); it is one line of printable text")]
    public void NameProblem_SaysWhatIsWrong(string? name, string problem)
    {
        ColumnMapping.NameProblem(name).ShouldBe(problem);
        ColumnMapping.NameProblem(new string('n', 101)).ShouldBe("a mapping's name is at most 100 characters");
        ColumnMapping.NameProblem("Zendesk tickets (EU)").ShouldBeNull();
    }
}
