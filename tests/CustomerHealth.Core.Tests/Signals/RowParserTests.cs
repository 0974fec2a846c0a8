using CustomerHealth.Core.Signals;

namespace CustomerHealth.Core.Tests.Signals;

public class RowParserTests
{
    private static Dictionary<string, string?> Row(params (string Key, string? Value)[] fields) =>
        fields.ToDictionary(f => f.Key, f => f.Value);

    private static T Valid<T>(ImportKind kind, Dictionary<string, string?> row)
    {
        var errors = new List<FieldError>();
        var record = RowParser.Parse(kind, row, errors);
        errors.ShouldBeEmpty();
        return record.ShouldBeOfType<T>();
    }

    private static List<FieldError> Invalid(ImportKind kind, Dictionary<string, string?> row)
    {
        var errors = new List<FieldError>();
        RowParser.Parse(kind, row, errors).ShouldBeNull();
        errors.ShouldNotBeEmpty();
        return errors;
    }

    private static DateTimeOffset Utc(int y, int mo, int d, int h = 0, int mi = 0, int s = 0) => new(y, mo, d, h, mi, s, TimeSpan.Zero);

    public static TheoryData<ImportKind> Kinds() => [.. Enum.GetValues<ImportKind>()];

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Parse_EveryKind_GivesItsOwnRecordNamingTheAccount(ImportKind kind)
    {
        // The smallest valid row of each kind: its required fields only.
        var row = kind switch
        {
            ImportKind.Accounts => Row(("account_id", "acme")),
            ImportKind.Usage => Row(("account_id", "acme"), ("occurred_at", "2025-01-02T03:04:05Z"), ("event", "login")),
            ImportKind.Surveys => Row(("account_id", "acme"), ("kind", "nps"), ("score", "9"), ("responded_at", "2025-01-02")),
            ImportKind.Tickets => Row(("ticket_id", "t1"), ("account_id", "acme"), ("opened_at", "2025-01-02")),
            ImportKind.Invoices => Row(("invoice_id", "i1"), ("account_id", "acme"), ("amount", "10"), ("due_on", "2025-01-02")),
            ImportKind.Subscriptions => Row(("account_id", "acme"), ("kind", "started"), ("occurred_on", "2025-01-02")),
            ImportKind.Orders => Row(("order_id", "o1"), ("account_id", "acme"), ("placed_at", "2025-01-02"), ("amount", "10")),
            ImportKind.Metrics => Row(("account_id", "acme"), ("metric", "nrr"), ("date", "2025-01-02"), ("value", "1.1")),
            ImportKind.Sentiment => Row(("account_id", "acme"), ("rating", "3"), ("recorded_at", "2025-01-02")),
            ImportKind.Touches => Row(("account_id", "acme"), ("kind", "call"), ("occurred_at", "2025-01-02")),
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };
        var errors = new List<FieldError>();
        var record = RowParser.Parse(kind, row, errors);
        errors.ShouldBeEmpty();
        record.ShouldNotBeNull().ImportKind.ShouldBe(kind);
        record.AccountId.ShouldBe("acme");
        record.GetType().Name.ShouldBe(kind switch
        {
            ImportKind.Accounts => "AccountRecord", ImportKind.Usage => "UsageRecord", ImportKind.Surveys => "SurveyRecord",
            ImportKind.Tickets => "TicketRecord", ImportKind.Invoices => "InvoiceRecord", ImportKind.Subscriptions => "SubscriptionRecord",
            ImportKind.Orders => "OrderRecord", ImportKind.Metrics => "MetricRecord", ImportKind.Touches => "TouchRecord", _ => "SentimentRecord",
        });
    }

    [Theory]
    [InlineData("12,5", true, 12.5)]
    [InlineData("0,25", true, 0.25)]
    [InlineData("12.5", true, 12.5)]
    [InlineData("1,5e3", true, 1500.0)]
    [InlineData("1.234,5", true, null)]
    [InlineData("1,234,5", true, null)]
    [InlineData("12,5", false, null)]
    [InlineData("12.5", false, 12.5)]
    public void Parse_ADecimalComma_OnlyWhereTheFileAllowsIt(string arr, bool decimalComma, double? expected)
    {
        var errors = new List<FieldError>();
        var record = RowParser.Parse(ImportKind.Accounts, Row(("account_id", "acme"), ("arr", arr)), errors, decimalComma) as AccountRecord;

        if (expected is { } value)
        {
            errors.ShouldBeEmpty();
            record.ShouldNotBeNull().Arr.ShouldBe(value);
        }
        else
        {
            record.ShouldBeNull();
            errors.ShouldHaveSingleItem().Field.ShouldBe("arr");
        }
    }

    [Fact]
    public void Parse_Account_ReadsEveryField()
    {
        var a = Valid<AccountRecord>(ImportKind.Accounts, Row(
            ("account_id", "acme"), ("name", "Acme Inc"), ("segment", "Enterprise"), ("lifecycle_stage", "onboarding"),
            ("owner", "csm@example.com"), ("arr", "120000.5"), ("seats", "40"), ("plan", "pro"), ("started_on", "2024-02-29"),
            ("renewal_on", "2025-02-28"), ("parent_id", "acme-group"), ("status", "Active")));

        a.AccountId.ShouldBe("acme");
        a.Name.ShouldBe("Acme Inc");
        a.Segment.ShouldBe("Enterprise");
        a.LifecycleStage.ShouldBe("onboarding");
        a.Owner.ShouldBe("csm@example.com");
        a.Arr.ShouldBe(120000.5);
        a.Seats.ShouldBe(40);
        a.Plan.ShouldBe("pro");
        a.StartedOn.ShouldBe(new DateOnly(2024, 2, 29));
        a.RenewalOn.ShouldBe(new DateOnly(2025, 2, 28));
        a.ParentId.ShouldBe("acme-group");
        a.Status.ShouldBe("active");
        a.Attributes.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_AccountWithUnknownColumns_KeepsThemAsAttributes()
    {
        var a = Valid<AccountRecord>(ImportKind.Accounts, Row(
            ("account_id", "acme"), ("tier", "gold"), ("region", "EMEA"), ("empty", ""), ("_error", "kept out")));

        a.Attributes.Count.ShouldBe(2);
        a.Attributes["tier"].ShouldBe("gold");
        a.Attributes["region"].ShouldBe("EMEA");
        a.Name.ShouldBeNull();
        a.Arr.ShouldBeNull();
    }

    [Fact]
    public void Parse_AccountGivenFields_ListsOnlyNonBlankOnes()
    {
        var a = Valid<AccountRecord>(ImportKind.Accounts, Row(("account_id", "acme"), ("name", " "), ("arr", "5"), ("tier", "x")));

        a.Given.ShouldBe(new HashSet<string> { "account_id", "arr", "tier" }, ignoreOrder: true);
    }

    [Fact]
    public void Parse_AccountWithNegativeSeats_IsRefused()
    {
        var errors = Invalid(ImportKind.Accounts, Row(("account_id", "a"), ("seats", "-1"), ("arr", "-5")));
        errors.Select(e => e.Field).ShouldBe(["arr", "seats"], ignoreOrder: true);
        errors.ShouldAllBe(e => e.Error == "must not be negative");
    }

    [Fact]
    public void Parse_AccountWithBadStatus_NamesTheField()
    {
        var error = Invalid(ImportKind.Accounts, Row(("account_id", "a"), ("status", "paused"))).ShouldHaveSingleItem();
        error.Field.ShouldBe("status");
        error.Error.ShouldBe("must be one of active, churned, got 'paused'");
    }

    [Fact]
    public void Parse_Usage_ReadsEveryFieldAndDefaultsCountToOne()
    {
        var u = Valid<UsageRecord>(ImportKind.Usage, Row(
            ("account_id", "acme"), ("occurred_at", "2025-03-01T14:30:00Z"), ("event", "login"), ("user_id", "u1"),
            ("event_id", "e1"), ("value", "2.5"), ("browser", "firefox")));

        u.AccountId.ShouldBe("acme");
        u.OccurredAt.ShouldBe(Utc(2025, 3, 1, 14, 30));
        u.Event.ShouldBe("login");
        u.UserId.ShouldBe("u1");
        u.EventId.ShouldBe("e1");
        u.Count.ShouldBe(1);
        u.Value.ShouldBe(2.5);
        u.Properties.ShouldBe(new Dictionary<string, string> { ["browser"] = "firefox" });
    }

    [Fact]
    public void Parse_UsageWithCount_ReadsIt()
    {
        Valid<UsageRecord>(ImportKind.Usage, Row(("account_id", "a"), ("occurred_at", "2025-03-01"), ("event", "x"), ("count", "17")))
            .Count.ShouldBe(17);
    }

    [Fact]
    public void Parse_UsageMissingRequiredFields_NamesEachOne()
    {
        var errors = Invalid(ImportKind.Usage, Row(("account_id", ""), ("user_id", "u1")));

        errors.Select(e => e.Field).ShouldBe(["account_id", "occurred_at", "event"], ignoreOrder: true);
        errors.ShouldAllBe(e => e.Error == "is required");
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("1.5")]
    [InlineData("many")]
    public void Parse_UsageWithBadCount_NamesCount(string count)
    {
        var error = Invalid(ImportKind.Usage, Row(("account_id", "a"), ("occurred_at", "2025-03-01"), ("event", "x"), ("count", count)))
            .ShouldHaveSingleItem();
        error.Field.ShouldBe("count");
        error.Error.ShouldContain(count);
    }

    [Fact]
    public void Parse_NumberWithDecimalComma_IsRefused()
    {
        var error = Invalid(ImportKind.Usage, Row(("account_id", "a"), ("occurred_at", "2025-03-01"), ("event", "x"), ("value", "1,5")))
            .ShouldHaveSingleItem();
        error.Field.ShouldBe("value");
        error.Error.ShouldBe("must be a number with '.' as decimal point, got '1,5'");
    }

    [Theory]
    [InlineData("2025-03-01T14:30:00", 14, 30, 0)]
    [InlineData("2025-03-01 14:30", 14, 30, 0)]
    [InlineData("2025-03-01T14:30:00.250", 14, 30, 0)]
    [InlineData("2025-03-01", 0, 0, 0)]
    public void Parse_TimestampWithoutOffset_IsUtc(string text, int hour, int minute, int second)
    {
        var u = Valid<UsageRecord>(ImportKind.Usage, Row(("account_id", "a"), ("occurred_at", text), ("event", "x")));

        u.OccurredAt.Offset.ShouldBe(TimeSpan.Zero);
        u.OccurredAt.UtcDateTime.ShouldBe(new DateTime(2025, 3, 1, hour, minute, second, DateTimeKind.Utc).AddMilliseconds(text.EndsWith(".250", StringComparison.Ordinal) ? 250 : 0));
    }

    [Theory]
    [InlineData("2025-03-01T01:30:00+02:00")]
    [InlineData("2025-03-01T01:30:00+0200")]
    [InlineData("2025-03-01T01:30:00.000+02:00")]
    public void Parse_TimestampWithOffset_IsTheSameInstantInUtc(string text)
    {
        var u = Valid<UsageRecord>(ImportKind.Usage, Row(("account_id", "a"), ("occurred_at", text), ("event", "x")));

        // 01:30 at +02:00 is 23:30 UTC the day before.
        u.OccurredAt.ShouldBe(Utc(2025, 2, 28, 23, 30));
        u.OccurredAt.Offset.ShouldBe(TimeSpan.Zero);
    }

    [Theory]
    [InlineData("01/03/2025")]
    [InlineData("2025-13-01T00:00:00Z")]
    [InlineData("yesterday")]
    public void Parse_BadTimestamp_NamesTheField(string text)
    {
        var error = Invalid(ImportKind.Usage, Row(("account_id", "a"), ("occurred_at", text), ("event", "x"))).ShouldHaveSingleItem();
        error.Field.ShouldBe("occurred_at");
        error.Error.ShouldContain("ISO 8601");
        error.Error.ShouldContain(text);
    }

    [Fact]
    public void Parse_Survey_ReadsEveryField()
    {
        var s = Valid<SurveyRecord>(ImportKind.Surveys, Row(
            ("account_id", "a"), ("kind", "NPS"), ("score", "9"), ("responded_at", "2025-03-01T10:00:00Z"), ("response_id", "r1"),
            ("contact", "x@y.z"), ("comment", "great"), ("channel", "email")));

        s.Kind.ShouldBe("nps");
        s.Score.ShouldBe(9);
        s.RespondedAt.ShouldBe(Utc(2025, 3, 1, 10));
        s.ResponseId.ShouldBe("r1");
        s.Contact.ShouldBe("x@y.z");
        s.Comment.ShouldBe("great");
        s.Properties["channel"].ShouldBe("email");
    }

    [Theory]
    [InlineData("nps", "0")]
    [InlineData("nps", "10")]
    [InlineData("csat", "1")]
    [InlineData("csat", "5")]
    [InlineData("ces", "1")]
    [InlineData("ces", "7")]
    public void Parse_SurveyScoreAtTheEdgeOfItsRange_IsAccepted(string kind, string score)
    {
        Valid<SurveyRecord>(ImportKind.Surveys, Row(("account_id", "a"), ("kind", kind), ("score", score), ("responded_at", "2025-03-01")))
            .Score.ShouldBe(double.Parse(score, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("nps", "11", "a nps score must be between 0 and 10, got 11")]
    [InlineData("nps", "-1", "a nps score must be between 0 and 10, got -1")]
    [InlineData("csat", "0", "a csat score must be between 1 and 5, got 0")]
    [InlineData("csat", "6", "a csat score must be between 1 and 5, got 6")]
    [InlineData("ces", "7.5", "a ces score must be between 1 and 7, got 7.5")]
    public void Parse_SurveyScoreOutOfRange_NamesScore(string kind, string score, string message)
    {
        var error = Invalid(ImportKind.Surveys, Row(("account_id", "a"), ("kind", kind), ("score", score), ("responded_at", "2025-03-01")))
            .ShouldHaveSingleItem();
        error.Field.ShouldBe("score");
        error.Error.ShouldBe(message);
    }

    [Fact]
    public void Parse_SurveyWithUnknownKind_NamesKind()
    {
        var error = Invalid(ImportKind.Surveys, Row(("account_id", "a"), ("kind", "stars"), ("score", "3"), ("responded_at", "2025-03-01")))
            .ShouldHaveSingleItem();
        error.Field.ShouldBe("kind");
        error.Error.ShouldBe("must be one of nps, csat, ces, got 'stars'");
    }

    [Fact]
    public void Parse_Ticket_ReadsEveryField()
    {
        var t = Valid<TicketRecord>(ImportKind.Tickets, Row(
            ("ticket_id", "t1"), ("account_id", "a"), ("opened_at", "2025-03-01T08:00:00Z"), ("priority", "Urgent"), ("status", "solved"),
            ("first_response_at", "2025-03-01T09:00:00Z"), ("closed_at", "2025-03-02T08:00:00Z"), ("escalated", "true"),
            ("satisfaction", "good"), ("queue", "billing")));

        t.TicketId.ShouldBe("t1");
        t.OpenedAt.ShouldBe(Utc(2025, 3, 1, 8));
        t.Priority.ShouldBe("urgent");
        t.Status.ShouldBe("solved");
        t.FirstResponseAt.ShouldBe(Utc(2025, 3, 1, 9));
        t.ClosedAt.ShouldBe(Utc(2025, 3, 2, 8));
        t.Escalated.ShouldBeTrue();
        t.Satisfaction.ShouldBe("good");
        t.Properties["queue"].ShouldBe("billing");
    }

    [Fact]
    public void Parse_TicketWithOnlyRequiredFields_UsesDefaults()
    {
        var t = Valid<TicketRecord>(ImportKind.Tickets, Row(("ticket_id", "t1"), ("account_id", "a"), ("opened_at", "2025-03-01")));

        t.Priority.ShouldBe("normal");
        t.Status.ShouldBe("open");
        t.Escalated.ShouldBeFalse();
        t.Satisfaction.ShouldBeNull();
        t.FirstResponseAt.ShouldBeNull();
        t.ClosedAt.ShouldBeNull();
    }

    [Fact]
    public void Parse_TicketWithBadEnumValues_NamesEachField()
    {
        var errors = Invalid(ImportKind.Tickets, Row(
            ("ticket_id", "t1"), ("account_id", "a"), ("opened_at", "2025-03-01"), ("priority", "critical"), ("status", "new"),
            ("escalated", "maybe"), ("satisfaction", "meh")));

        errors.Select(e => e.Field).ShouldBe(["priority", "status", "escalated", "satisfaction"], ignoreOrder: true);
        errors.Single(e => e.Field == "priority").Error.ShouldBe("must be one of low, normal, high, urgent, got 'critical'");
        errors.Single(e => e.Field == "escalated").Error.ShouldBe("must be true or false, got 'maybe'");
    }

    [Fact]
    public void Parse_Invoice_ReadsEveryField()
    {
        var i = Valid<InvoiceRecord>(ImportKind.Invoices, Row(
            ("invoice_id", "i1"), ("account_id", "a"), ("amount", "1250.75"), ("due_on", "2025-03-31"), ("issued_on", "2025-03-01"),
            ("paid_on", "2025-03-30"), ("status", "PAID"), ("currency", "EUR")));

        i.InvoiceId.ShouldBe("i1");
        i.Amount.ShouldBe(1250.75);
        i.DueOn.ShouldBe(new DateOnly(2025, 3, 31));
        i.IssuedOn.ShouldBe(new DateOnly(2025, 3, 1));
        i.PaidOn.ShouldBe(new DateOnly(2025, 3, 30));
        i.Status.ShouldBe("paid");
        i.Currency.ShouldBe("EUR");
    }

    [Theory]
    [InlineData("2025-03-30", "paid")]
    [InlineData(null, "open")]
    public void Parse_InvoiceWithoutStatus_InfersItFromPaidOn(string? paidOn, string status)
    {
        Valid<InvoiceRecord>(ImportKind.Invoices, Row(("invoice_id", "i1"), ("account_id", "a"), ("amount", "1"), ("due_on", "2025-03-31"), ("paid_on", paidOn)))
            .Status.ShouldBe(status);
    }

    [Theory]
    [InlineData("2025-3-31")]
    [InlineData("31/03/2025")]
    [InlineData("2025-02-30")]
    [InlineData("2025-03-31T00:00:00Z")]
    public void Parse_InvoiceWithBadDate_NamesTheField(string due)
    {
        var error = Invalid(ImportKind.Invoices, Row(("invoice_id", "i1"), ("account_id", "a"), ("amount", "1"), ("due_on", due)))
            .ShouldHaveSingleItem();
        error.Field.ShouldBe("due_on");
        error.Error.ShouldBe($"must be a date as YYYY-MM-DD, got '{due}'");
    }

    [Fact]
    public void Parse_InvoiceMissingAmountAndBadStatus_ReportsBoth()
    {
        var errors = Invalid(ImportKind.Invoices, Row(("invoice_id", "i1"), ("account_id", "a"), ("due_on", "2025-03-31"), ("status", "late")));
        errors.Select(e => e.Field).ShouldBe(["amount", "status"], ignoreOrder: true);
    }

    [Fact]
    public void Parse_Subscription_ReadsEveryField()
    {
        var s = Valid<SubscriptionRecord>(ImportKind.Subscriptions, Row(
            ("account_id", "a"), ("kind", "expanded"), ("occurred_on", "2025-03-01"), ("arr_delta", "-2000"), ("event_id", "s1"), ("source", "crm")));

        s.Kind.ShouldBe("expanded");
        s.OccurredOn.ShouldBe(new DateOnly(2025, 3, 1));
        s.ArrDelta.ShouldBe(-2000);
        s.EventId.ShouldBe("s1");
        s.Properties["source"].ShouldBe("crm");
    }

    [Fact]
    public void Parse_SubscriptionWithUnknownKind_NamesKind()
    {
        var error = Invalid(ImportKind.Subscriptions, Row(("account_id", "a"), ("kind", "paused"), ("occurred_on", "2025-03-01"))).ShouldHaveSingleItem();
        error.Field.ShouldBe("kind");
        error.Error.ShouldContain("reactivated");
    }

    [Fact]
    public void Parse_Order_ReadsEveryFieldAndDefaultsReturnedToZero()
    {
        var o = Valid<OrderRecord>(ImportKind.Orders, Row(
            ("order_id", "o1"), ("account_id", "a"), ("placed_at", "2025-03-01T12:00:00Z"), ("amount", "99.90"), ("status", "shipped")));

        o.OrderId.ShouldBe("o1");
        o.PlacedAt.ShouldBe(Utc(2025, 3, 1, 12));
        o.Amount.ShouldBe(99.9);
        o.ReturnedAmount.ShouldBe(0);
        o.Status.ShouldBe("shipped");
    }

    [Fact]
    public void Parse_OrderWithNegativeReturn_NamesReturnedAmount()
    {
        var error = Invalid(ImportKind.Orders, Row(("order_id", "o1"), ("account_id", "a"), ("placed_at", "2025-03-01"), ("amount", "10"), ("returned_amount", "-1")))
            .ShouldHaveSingleItem();
        error.Field.ShouldBe("returned_amount");
    }

    [Fact]
    public void Parse_Metric_ReadsEveryField()
    {
        var m = Valid<MetricRecord>(ImportKind.Metrics, Row(("account_id", "a"), ("metric", "mrr"), ("date", "2025-03-01"), ("value", "1.5e3")));

        m.Metric.ShouldBe("mrr");
        m.Date.ShouldBe(new DateOnly(2025, 3, 1));
        m.Value.ShouldBe(1500);
        m.Properties.ShouldBeEmpty();
    }

    [Fact]
    public void Parse_MetricMissingEverything_NamesEveryRequiredField()
    {
        var errors = Invalid(ImportKind.Metrics, Row(("note", "x")));
        errors.Select(e => e.Field).ShouldBe(["account_id", "metric", "date", "value"], ignoreOrder: true);
    }

    [Theory]
    [InlineData("red", 1)]
    [InlineData("Yellow", 3)]
    [InlineData("GREEN", 5)]
    [InlineData("1", 1)]
    [InlineData("4", 4)]
    public void Parse_SentimentRating_IsOneToFive(string rating, int expected)
    {
        var s = Valid<SentimentRecord>(ImportKind.Sentiment, Row(
            ("account_id", "a"), ("rating", rating), ("recorded_at", "2025-03-01T09:00:00Z"), ("author", "csm"), ("note", "fine")));

        s.Rating.ShouldBe(expected);
        s.Author.ShouldBe("csm");
        s.Note.ShouldBe("fine");
        s.RecordedAt.ShouldBe(Utc(2025, 3, 1, 9));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("6")]
    [InlineData("orange")]
    [InlineData("2.5")]
    public void Parse_SentimentWithBadRating_NamesRating(string rating)
    {
        var error = Invalid(ImportKind.Sentiment, Row(("account_id", "a"), ("rating", rating), ("recorded_at", "2025-03-01"))).ShouldHaveSingleItem();
        error.Field.ShouldBe("rating");
        error.Error.ShouldContain(rating);
    }

    [Fact]
    public void Parse_Touch_ReadsItsFieldsAndLowerCasesTheKind()
    {
        var t = Valid<TouchRecord>(ImportKind.Touches, Row(
            ("touch_id", "T-9"), ("account_id", "a"), ("kind", "Meeting"), ("occurred_at", "2025-03-01T09:00:00Z"), ("author", "ann@example.com"),
            ("text", "QBR:\nrenewal at risk")));

        t.TouchId.ShouldBe("T-9");
        t.Kind.ShouldBe("meeting");
        t.OccurredAt.ShouldBe(Utc(2025, 3, 1, 9));
        t.Author.ShouldBe("ann@example.com");
        t.Text.ShouldBe("QBR:\nrenewal at risk");
    }

    [Theory]
    [InlineData("visit")]
    [InlineData("phone")]
    public void Parse_TouchOfAnotherKind_NamesTheKinds(string kind)
    {
        var error = Invalid(ImportKind.Touches, Row(("account_id", "a"), ("kind", kind), ("occurred_at", "2025-03-01"))).ShouldHaveSingleItem();
        error.Field.ShouldBe("kind");
        error.Error.ShouldBe($"must be one of note, call, meeting, email, got '{kind}'");
    }

    [Fact]
    public void Parse_TouchWithoutKindOrDay_NamesBoth()
    {
        var errors = Invalid(ImportKind.Touches, Row(("account_id", "a"), ("text", "hello")));
        errors.Select(e => e.Field).ShouldBe(["kind", "occurred_at"], ignoreOrder: true);
    }

    [Fact]
    public void Parse_ValuesWithSurroundingSpace_AreTrimmed()
    {
        var m = Valid<MetricRecord>(ImportKind.Metrics, Row(("account_id", " a "), ("metric", " mrr"), ("date", " 2025-03-01 "), ("value", " 7 ")));
        m.AccountId.ShouldBe("a");
        m.Metric.ShouldBe("mrr");
        m.Value.ShouldBe(7);
    }

    [Theory]
    [InlineData("usage", ImportKind.Usage)]
    [InlineData("sentiment", ImportKind.Sentiment)]
    [InlineData("touches", ImportKind.Touches)]
    public void TryParseKind_LowercaseName_IsAccepted(string text, ImportKind kind)
    {
        RowParser.TryParseKind(text, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(kind);
        parsed.Name().ShouldBe(text);
    }

    [Theory]
    [InlineData("Usage")]
    [InlineData("1")]
    [InlineData("events")]
    public void TryParseKind_OtherText_IsRefused(string text)
    {
        RowParser.TryParseKind(text, out _).ShouldBeFalse();
    }

    [Fact]
    public void FieldsOf_EveryKind_StartsWithItsSpecFields()
    {
        RowParser.FieldsOf(ImportKind.Orders).ShouldBe(["order_id", "account_id", "placed_at", "amount", "returned_amount", "status"]);
        RowParser.FieldsOf(ImportKind.Sentiment).ShouldBe(["account_id", "rating", "recorded_at", "author", "note"]);
        RowParser.FieldsOf(ImportKind.Touches).ShouldBe(["touch_id", "account_id", "kind", "occurred_at", "author", "text"]);
        RowParser.RequiredOf(ImportKind.Touches).ShouldBe(["account_id", "kind", "occurred_at"]);
    }
}
