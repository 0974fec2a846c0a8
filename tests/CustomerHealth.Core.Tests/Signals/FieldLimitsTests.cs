using CustomerHealth.Core.Signals;

namespace CustomerHealth.Core.Tests.Signals;

public class FieldLimitsTests
{
    private static List<FieldError> Errors(ImportKind kind, params (string Key, string? Value)[] fields)
    {
        var errors = new List<FieldError>();
        RowParser.Parse(kind, fields.ToDictionary(f => f.Key, f => f.Value), errors).ShouldBeNull();
        return errors;
    }

    [Theory]
    [InlineData("ACC\u00001")]
    [InlineData("ACC\u001b[31m")]
    [InlineData("ACC\n2")]
    [InlineData("AC\u0085C")]
    public void Parse_IdWithAControlCharacter_IsRefusedNamingTheField(string id)
    {
        var errors = Errors(ImportKind.Accounts, ("account_id", id));

        var e = errors.ShouldHaveSingleItem();
        e.Field.ShouldBe("account_id");
        e.Error.ShouldContain("must not contain");
    }

    [Fact]
    public void Parse_IdLongerThanTheLimit_IsRefusedWithTheLimit()
    {
        var e = Errors(ImportKind.Usage, ("account_id", new string('a', FieldLimits.Id + 1)), ("occurred_at", "2025-01-01"), ("event", "login")).ShouldHaveSingleItem();

        e.Field.ShouldBe("account_id");
        e.Error.ShouldBe("must be at most 200 characters, got 201");
    }

    [Fact]
    public void Parse_IdAtTheLimit_IsAccepted()
    {
        var errors = new List<FieldError>();
        var record = RowParser.Parse(ImportKind.Accounts, new Dictionary<string, string?> { ["account_id"] = new string('a', FieldLimits.Id) }, errors);

        errors.ShouldBeEmpty();
        record.ShouldBeOfType<AccountRecord>().AccountId.Length.ShouldBe(FieldLimits.Id);
    }

    [Fact]
    public void Parse_HugeNameAndTaskSizedText_AreRefused()
    {
        var errors = Errors(ImportKind.Accounts, ("account_id", "A1"), ("name", new string('n', 20_000_000)));

        errors.ShouldHaveSingleItem().Field.ShouldBe("name");
        errors[0].Error.ShouldBe("must be at most 500 characters, got 20,000,000");
    }

    [Fact]
    public void Parse_NoteWithLinesAndTabs_IsAcceptedButNotWithANul()
    {
        var ok = new List<FieldError>();
        RowParser.Parse(ImportKind.Sentiment, new Dictionary<string, string?>
        {
            ["account_id"] = "A1", ["rating"] = "red", ["recorded_at"] = "2025-01-01", ["note"] = "first line\n\tsecond line",
        }, ok).ShouldNotBeNull();
        ok.ShouldBeEmpty();

        var e = Errors(ImportKind.Sentiment, ("account_id", "A1"), ("rating", "red"), ("recorded_at", "2025-01-01"), ("note", "bad\0note")).ShouldHaveSingleItem();
        e.Field.ShouldBe("note");
        e.Error.ShouldContain("NUL");
    }

    [Fact]
    public void Parse_NoteOverTheTextLimit_IsRefused()
    {
        var e = Errors(ImportKind.Surveys, ("account_id", "A1"), ("kind", "nps"), ("score", "5"), ("responded_at", "2025-01-01"),
            ("comment", new string('c', FieldLimits.Text + 1))).ShouldHaveSingleItem();

        e.Field.ShouldBe("comment");
        e.Error.ShouldContain("10,000");
    }

    [Fact]
    public void Parse_UnknownColumnWithANulOrAControlInItsName_IsRefused()
    {
        Errors(ImportKind.Accounts, ("account_id", "A1"), ("tier", "gold\0")).ShouldHaveSingleItem().Field.ShouldBe("tier");
        Errors(ImportKind.Accounts, ("account_id", "A1"), ("ti\u0007er", "gold")).ShouldHaveSingleItem().Error.ShouldStartWith("the column name must not contain");
    }

    [Fact]
    public void Task_TooManyStepsOrALongStep_NamesTheStep()
    {
        FieldLimits.Task("Call", "csm@example.com", [.. Enumerable.Repeat("x", FieldLimits.Steps + 1)], null)!.Field.ShouldBe("steps");
        FieldLimits.Task("Call", null, ["ok", new string('s', FieldLimits.Label + 1)], null)!.Field.ShouldBe("steps[1]");
        FieldLimits.Task(new string('t', 5_000_000), null, null, null)!.ShouldBe(new FieldLimits.Refusal("title", "must be at most 500 characters, got 5,000,000"));
        FieldLimits.Task("Call", "a\0@example.com", null, null)!.Field.ShouldBe("assignee");
        FieldLimits.Task("Call the champion", "csm@example.com", ["Book the call", "Send notes"], "Renewed\nfor two years").ShouldBeNull();
    }

    [Fact]
    public void OverrideReason_OverItsLimit_IsRefused()
    {
        FieldLimits.OverrideReason(new string('r', FieldLimits.Reason)).ShouldBeNull();
        FieldLimits.OverrideReason(new string('r', FieldLimits.Reason + 1))!.Problem.ShouldBe("must be at most 2,000 characters, got 2,001");
    }
}
