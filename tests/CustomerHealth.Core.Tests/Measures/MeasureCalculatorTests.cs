using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Model;

namespace CustomerHealth.Core.Tests.Measures;

public class MeasureCalculatorTests
{
    /// <summary>The as-of day D: 2025-06-30. Every fixture is written relative to it.</summary>
    private static readonly int D = new DateOnly(2025, 6, 30).DayNumber;

    private const int Login = 1, Export = 2, Report = 3;

    private static int? EventId(string name) => name switch { "login" => Login, "export" => Export, "report" => Report, _ => null };

    private static ValueSpec Spec(SignalKind signal, string aggregate, int? window = null) => new() { Signal = signal, Aggregate = aggregate, WindowDays = window };

    private static MeasureValue At(ValueSpec spec, AccountData a, int day, int? validFor = null) =>
        MeasureCalculator.Compute(new CompiledValue(spec, validFor, EventId), a, day);

    private static MeasureValue Value(ValueSpec spec, AccountData a, int? validFor = null) => At(spec, a, D, validFor);

    private static void ShouldBeNumber(MeasureValue v, double expected)
    {
        v.IsMissing.ShouldBeFalse();
        v.IsStale.ShouldBeFalse();
        v.IsText.ShouldBeFalse();
        v.Number.ShouldBe(expected, 1e-9);
    }

    private static void ShouldBeMissing(MeasureValue v)
    {
        v.IsMissing.ShouldBeTrue();
        v.IsStale.ShouldBeFalse();
    }

    private static AccountData Empty() => new() { Key = 1, AccountId = "empty" };

    // ---------------------------------------------------------------- usage

    // Usage rolled up per day and event (window 30d = D-29..D; the window before it = D-59..D-30):
    //   D-40 login  count 4  sum 0     (previous window)
    //   D-35 export count 2  sum 10    (previous window)
    //   D-20 login  count 3  sum 0
    //   D-10 login  count 5  sum 0
    //   D-10 export count 1  sum 7.5
    //   D    report count 2  sum 2.5
    //   D+1  login  count 100 sum 100  (after D: never read as of D)
    // User days:
    //   D-40 login u1 | D-20 login u1 | D-20 login u2 | D-10 export u3 | D report u2 | D+1 login u9
    private static AccountData UsageAccount(double? seats = 4) => new()
    {
        Key = 1,
        AccountId = "u",
        Seats = seats,
        Usage = new UsageDay[]
        {
            new(D - 40, Login, 4, 0), new(D - 35, Export, 2, 10), new(D - 20, Login, 3, 0), new(D - 10, Login, 5, 0),
            new(D - 10, Export, 1, 7.5), new(D, Report, 2, 2.5), new(D + 1, Login, 100, 100),
        },
        UserDays = new UserDay[]
        {
            new(D - 40, Login, 1), new(D - 20, Login, 1), new(D - 20, Login, 2), new(D - 10, Export, 3), new(D, Report, 2), new(D + 1, Login, 9),
        },
    };

    [Theory]
    [InlineData(new string[0], 11)] // 3 + 5 + 1 + 2
    [InlineData(new[] { "login" }, 8)] // 3 + 5
    [InlineData(new[] { "export" }, 1)]
    [InlineData(new[] { "login", "export" }, 9)] // 3 + 5 + 1
    [InlineData(new[] { "unknown" }, 0)]
    public void Compute_UsageCount_SumsCountsInWindowForTheEvents(string[] events, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "count", 30) with { Events = events }, UsageAccount()), expected);
    }

    [Fact]
    public void Compute_UsageCountWithoutWindow_CountsEverythingUpToD()
    {
        // 4 + 2 + 3 + 5 + 1 + 2 = 17; the 100 at D+1 is not read.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "count"), UsageAccount()), 17);
    }

    [Theory]
    [InlineData(new string[0], 10)] // 0 + 0 + 7.5 + 2.5
    [InlineData(new[] { "export" }, 7.5)]
    public void Compute_UsageSum_SumsValuesInWindow(string[] events, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "sum", 30) with { Events = events }, UsageAccount()), expected);
    }

    [Theory]
    [InlineData(new string[0], 3)] // D-20, D-10 (two events, one day), D
    [InlineData(new[] { "login" }, 2)] // D-20, D-10
    [InlineData(new[] { "report" }, 1)]
    public void Compute_UsageActiveDays_CountsDaysWithActivity(string[] events, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "active_days", 30) with { Events = events }, UsageAccount()), expected);
    }

    [Theory]
    [InlineData(new string[0], 3)] // login, export, report
    [InlineData(new[] { "login", "report" }, 2)]
    public void Compute_UsageDistinctEvents_CountsEventNames(string[] events, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_events", 30) with { Events = events }, UsageAccount()), expected);
    }

    [Theory]
    [InlineData(new string[0], 3)] // u1, u2, u3 (u1 twice on different days, u2 on two events)
    [InlineData(new[] { "login" }, 2)] // u1, u2
    [InlineData(new[] { "export" }, 1)] // u3
    public void Compute_UsageDistinctUsers_CountsUsersInWindow(string[] events, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_users", 30) with { Events = events }, UsageAccount()), expected);
    }

    [Theory]
    [InlineData("count")]
    [InlineData("sum")]
    [InlineData("active_days")]
    [InlineData("distinct_users")]
    [InlineData("distinct_events")]
    [InlineData("change")]
    [InlineData("days_since_last")]
    public void Compute_UsageASliceOfASharedArray_IsTheSameAsTheAccountsOwnArray(string aggregate)
    {
        // A store reading many accounts puts their rows in shared arrays: other accounts' rows before and after this
        // one's, whose days and events would change every aggregate were they read.
        var own = UsageAccount();
        UsageDay[] others = [new(D - 80, Login, 50, 50), new(D - 2, Export, 60, 60), new(D - 1, Report, 70, 70)];
        UserDay[] otherUsers = [new(D - 80, Login, 7), new(D - 2, Export, 8), new(D - 1, Report, 6)];
        var sharedUsage = others.Concat(own.Usage).Concat(others).ToArray();
        var sharedUsers = otherUsers.Concat(own.UserDays).Concat(otherUsers).ToArray();
        var sliced = new AccountData
        {
            Key = own.Key,
            AccountId = own.AccountId,
            Seats = own.Seats,
            Usage = new ArraySegment<UsageDay>(sharedUsage, others.Length, own.Usage.Count),
            UserDays = new ArraySegment<UserDay>(sharedUsers, otherUsers.Length, own.UserDays.Count),
        };
        foreach (var spec in new[]
        {
            Spec(SignalKind.Usage, aggregate, 30),
            Spec(SignalKind.Usage, aggregate, 7),
            Spec(SignalKind.Usage, aggregate, 30) with { Events = ["login"] },
            Spec(SignalKind.Usage, aggregate, 30) with { Events = ["export", "report"] },
            // Events the account did late or never: the rows around its own would be found instead.
            Spec(SignalKind.Usage, aggregate, 30) with { Events = ["report"] },
            Spec(SignalKind.Usage, aggregate, 30) with { Events = ["signup"] },
            Spec(SignalKind.Usage, aggregate, 20) with { PerSeats = aggregate is "count" or "sum" or "active_days" or "distinct_users" },
        })
        {
            foreach (var day in new[] { D - 41, D - 30, D - 10, D, D + 5 })
            {
                At(spec, sliced, day).ShouldBe(At(spec, own, day), $"{aggregate} as of {day - D}, window {spec.WindowDays}, events {string.Join(",", spec.Events)}");
            }
        }
    }

    [Theory]
    [InlineData(3)]
    [InlineData(40)]
    [InlineData(700)]
    public void Compute_UsageDistinctUsers_ManyUsersWithKeysFarApart_CountsEachOnce(int userCount)
    {
        // User keys are the store's (into the millions), spread and repeated over days and events; one account's
        // slice of a shared array, other accounts' rows around it.
        var rnd = new Random(userCount);
        var keys = Enumerable.Range(0, userCount).Select(i => i % 3 == 0 ? int.MaxValue - i * 7919 : rnd.Next(0, 2_000_000_000)).Distinct().ToArray();
        var rows = Enumerable.Range(0, 30).SelectMany(d => keys.Where((_, i) => (i + d) % 4 == 0).SelectMany(k => new[] { new UserDay(D - 29 + d, Login, k), new UserDay(D - 29 + d, Export, k) }))
            .ToList();
        var before = Enumerable.Range(0, 50).Select(i => new UserDay(D - 40, Login, i)).ToArray();
        var after = Enumerable.Range(0, 50).Select(i => new UserDay(D, Login, 1_000_000 + i)).ToArray();
        var shared = before.Concat(rows).Concat(after).ToArray();
        var account = new AccountData
        {
            Key = 1,
            AccountId = "many",
            Usage = new UsageDay[] { new(D - 29, Login, 1, 0), new(D, Login, 1, 0) },
            UserDays = new ArraySegment<UserDay>(shared, before.Length, rows.Count),
        };
        var expected = rows.Select(r => r.User).Distinct().Count();

        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_users", 30), account), expected);
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_users", 30) with { Events = ["export"] }, account), expected);
        // Counted again on the same thread: the same.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_users", 30), account), expected);
    }

    [Fact]
    public void Compute_UsageDistinctUsersWindow7_OnlyRecentUsers()
    {
        // D-6..D: only u2 (report at D).
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_users", 7), UsageAccount()), 1);
    }

    [Fact]
    public void Compute_UsageDistinctUsersPerSeats_DividesBySeats()
    {
        // 3 users / 4 seats.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "distinct_users", 30) with { PerSeats = true }, UsageAccount()), 0.75);
    }

    [Fact]
    public void Compute_UsageCountPerSeats_DividesBySeats()
    {
        // 11 / 4.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "count", 30) with { PerSeats = true }, UsageAccount()), 2.75);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(0.0)]
    public void Compute_UsagePerSeatsWithoutSeats_IsMissing(double? seats)
    {
        ShouldBeMissing(Value(Spec(SignalKind.Usage, "distinct_users", 30) with { PerSeats = true }, UsageAccount(seats)));
    }

    [Fact]
    public void Compute_UsagePerSeatsWithoutSeatsAndDefault_StaysMissingBecauseTheAccountHasUsage()
    {
        // `default` replaces a missing value only when there is no signal of the kind; this one cannot be computed.
        ShouldBeMissing(Value(Spec(SignalKind.Usage, "distinct_users", 30) with { PerSeats = true, Default = 0.5 }, UsageAccount(null)));
    }

    [Fact]
    public void Compute_UsageChange_ComparesWithTheWindowBefore()
    {
        // window 20d: now (D-19..D) = 5 + 1 + 2 = 8, before (D-39..D-20) = 2 + 3 = 5: (8 - 5) / 5.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "change", 20), UsageAccount()), 3.0 / 5);
        // window 10d: now (D-9..D) = 2, before (D-19..D-10) = 5 + 1 = 6: (2 - 6) / 6.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "change", 10), UsageAccount()), -4.0 / 6);
    }

    [Fact]
    public void Compute_UsageChangeForAnEvent_UsesOnlyThatEvent()
    {
        // login, 20d: now 5, before 3: (5 - 3) / 3.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "change", 20) with { Events = ["login"] }, UsageAccount()), 2.0 / 3);
    }

    [Fact]
    public void Compute_UsageChangeBeforeTheEarlierWindowIsObserved_IsMissing()
    {
        // 30d: the earlier window starts at D-59, before the first usage (D-40): a new account's first days are no rise.
        ShouldBeMissing(Value(Spec(SignalKind.Usage, "change", 30), UsageAccount()));
        // 5d: the earlier window (D-9..D-5) is observed but has no data.
        ShouldBeMissing(Value(Spec(SignalKind.Usage, "change", 5), UsageAccount()));
    }

    [Theory]
    [InlineData(new string[0], 0)] // report at D
    [InlineData(new[] { "login" }, 10)] // the login at D+1 is not read
    [InlineData(new[] { "export" }, 10)]
    [InlineData(new[] { "unknown" }, 40)] // never done: counted from the first usage (D-40)
    public void Compute_UsageDaysSinceLast_CountsFromTheLastMatchingDay(string[] events, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "days_since_last") with { Events = events }, UsageAccount()), expected);
    }

    [Theory]
    [InlineData("count")]
    [InlineData("sum")]
    [InlineData("active_days")]
    [InlineData("distinct_users")]
    [InlineData("distinct_events")]
    public void Compute_UsageWithSignalsBeforeButNoneInWindow_IsZero(string aggregate)
    {
        // As of D-1 with a 7-day window (D-7..D-1) there is no usage, but there is some before: no activity is information.
        ShouldBeNumber(At(Spec(SignalKind.Usage, aggregate, 7), UsageAccount(), D - 1), 0);
    }

    [Theory]
    [InlineData("count")]
    [InlineData("distinct_users")]
    [InlineData("days_since_last")]
    [InlineData("change")]
    public void Compute_UsageWithNoUsageAtAll_IsMissing(string aggregate)
    {
        ShouldBeMissing(Value(Spec(SignalKind.Usage, aggregate, 30), Empty()));
    }

    [Fact]
    public void Compute_UsageOnlyAfterD_IsMissing()
    {
        // The source was connected after D: as of D there is nothing.
        ShouldBeMissing(At(Spec(SignalKind.Usage, "count", 30), UsageAccount(), D - 41));
    }

    [Fact]
    public void Compute_UsageWithNoUsageAndDefault_GivesTheDefault()
    {
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "count", 30) with { Default = 5 }, Empty()), 5);
    }

    [Fact]
    public void Compute_UsageWithUsageAndDefault_IgnoresTheDefault()
    {
        ShouldBeNumber(At(Spec(SignalKind.Usage, "count", 7) with { Default = 5 }, UsageAccount(), D - 1), 0);
    }

    // -------------------------------------------------------------- surveys

    // nps: D-100 3 | D-20 10 | D-15 9 | D-10 7 | D-5 2 | D+1 0 (after D)
    // csat: D-3 4 | D-2 2     ces: D-1 6
    private static AccountData SurveyAccount() => new()
    {
        Key = 2,
        AccountId = "s",
        Surveys =
        [
            new(D - 100, SurveyKind.Nps, 3), new(D - 20, SurveyKind.Nps, 10), new(D - 15, SurveyKind.Nps, 9), new(D - 10, SurveyKind.Nps, 7),
            new(D - 5, SurveyKind.Nps, 2), new(D - 3, SurveyKind.Csat, 4), new(D - 2, SurveyKind.Csat, 2), new(D - 1, SurveyKind.Ces, 6),
            new(D + 1, SurveyKind.Nps, 0),
        ],
    };

    [Theory]
    // 30d nps answers 10, 9, 7, 2: promoters 2, detractors 1 (the 7 is passive).
    [InlineData("nps", "nps", 30, 25)] // 100 × (2 − 1) / 4
    [InlineData("average", "nps", 30, 7)] // (10 + 9 + 7 + 2) / 4
    [InlineData("latest", "nps", 30, 2)]
    [InlineData("count", "nps", 30, 4)]
    [InlineData("positive_share", "nps", 30, 50)] // 10 and 9 of 4
    // all time adds the 3 (a detractor): promoters 2, detractors 2 of 5
    [InlineData("nps", "nps", null, 0)]
    [InlineData("count", "nps", null, 5)]
    [InlineData("average", "nps", null, 6.2)] // 31 / 5
    [InlineData("average", "csat", 30, 3)] // (4 + 2) / 2
    [InlineData("positive_share", "csat", 30, 50)] // 4 is positive (4–5), 2 is not
    [InlineData("latest", "csat", 30, 2)]
    [InlineData("positive_share", "ces", 30, 100)] // 6 is positive (5–7)
    [InlineData("latest", "ces", null, 6)]
    public void Compute_Surveys_AggregatesAnswersOfTheKind(string aggregate, string kind, int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Surveys, aggregate, window) with { Kind = kind }, SurveyAccount()), expected);
    }

    [Fact]
    public void Compute_SurveysPositiveShareCesBoundary_FiveIsPositiveFourIsNot()
    {
        var a = new AccountData { Key = 1, AccountId = "c", Surveys = [new(D - 2, SurveyKind.Ces, 4), new(D - 1, SurveyKind.Ces, 5)] };
        ShouldBeNumber(Value(Spec(SignalKind.Surveys, "positive_share", 30) with { Kind = "ces" }, a), 50);
    }

    [Fact]
    public void Compute_SurveysNpsAllPromotersOrDetractors_IsPlusOrMinusHundred()
    {
        var promoters = new AccountData { Key = 1, AccountId = "p", Surveys = [new(D - 2, SurveyKind.Nps, 9), new(D - 1, SurveyKind.Nps, 10)] };
        var detractors = new AccountData { Key = 1, AccountId = "d", Surveys = [new(D - 2, SurveyKind.Nps, 0), new(D - 1, SurveyKind.Nps, 6)] };
        ShouldBeNumber(Value(Spec(SignalKind.Surveys, "nps", 30) with { Kind = "nps" }, promoters), 100);
        ShouldBeNumber(Value(Spec(SignalKind.Surveys, "nps", 30) with { Kind = "nps" }, detractors), -100);
    }

    [Fact]
    public void Compute_SurveysNoneInWindowButSomeBefore_CountIsZeroAndAveragesAreMissing()
    {
        // As of D-25 with 5 days (D-29..D-25): no answer, but the nps of D-100 exists.
        ShouldBeNumber(At(Spec(SignalKind.Surveys, "count", 5) with { Kind = "nps" }, SurveyAccount(), D - 25), 0);
        ShouldBeMissing(At(Spec(SignalKind.Surveys, "average", 5) with { Kind = "nps" }, SurveyAccount(), D - 25));
        ShouldBeMissing(At(Spec(SignalKind.Surveys, "nps", 5) with { Kind = "nps" }, SurveyAccount(), D - 25));
        ShouldBeMissing(At(Spec(SignalKind.Surveys, "latest", 5) with { Kind = "nps" }, SurveyAccount(), D - 25));
        ShouldBeMissing(At(Spec(SignalKind.Surveys, "positive_share", 5) with { Kind = "nps" }, SurveyAccount(), D - 25));
    }

    [Fact]
    public void Compute_SurveysOnlyOfAnotherKind_IsMissingOrTheDefault()
    {
        var csatOnly = new AccountData { Key = 1, AccountId = "c", Surveys = [new(D - 2, SurveyKind.Csat, 5)] };
        ShouldBeMissing(Value(Spec(SignalKind.Surveys, "count", 30) with { Kind = "nps" }, csatOnly));
        ShouldBeNumber(Value(Spec(SignalKind.Surveys, "count", 30) with { Kind = "nps", Default = 0 }, csatOnly), 0);
    }

    // -------------------------------------------------------------- tickets

    // T1 D-50 normal closed D-45 (120 h), first response D-50 (2 h), good
    // T2 D-20 high   closed D-18 (48 h),  first response D-20 (4 h), escalated, bad
    // T3 D-10 urgent open,                first response D-9 (10 h), escalated
    // T4 D-5  low    closed D-1 (24 h),   first response D-5 (1 h), good
    // T5 D-3  high   closed D+2 (after D), first response D-2 (6 h), good (rated when closed, after D)
    // T6 D+1  urgent (after D)
    private static AccountData TicketAccount() => new()
    {
        Key = 3,
        AccountId = "t",
        Tickets =
        [
            new(D - 50, TicketPriority.Normal, D - 45, D - 50, 120, 2, false, true),
            new(D - 20, TicketPriority.High, D - 18, D - 20, 48, 4, true, false),
            new(D - 10, TicketPriority.Urgent, null, D - 9, null, 10, true, null),
            new(D - 5, TicketPriority.Low, D - 1, D - 5, 24, 1, false, true),
            new(D - 3, TicketPriority.High, D + 2, D - 2, 100, 6, false, true),
            new(D + 1, TicketPriority.Urgent, null, null, null, null, true, null),
        ],
    };

    [Theory]
    [InlineData("count", 30, 4)] // T2..T5
    [InlineData("count", null, 5)] // T1..T5
    [InlineData("open_count", 30, 2)] // T3 never closed, T5 closed after D
    [InlineData("open_count", 5, 2)] // open at D: no window
    [InlineData("escalated_count", 30, 2)] // T2, T3
    [InlineData("avg_resolution_hours", 30, 36)] // closed in window: T2 48, T4 24
    [InlineData("avg_resolution_hours", null, 64)] // (120 + 48 + 24) / 3
    [InlineData("avg_first_response_hours", 30, 5.25)] // (4 + 10 + 1 + 6) / 4
    [InlineData("satisfaction", 30, 50)] // rated in window by D: T2 bad, T4 good
    public void Compute_Tickets_AggregatesAllPriorities(string aggregate, int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Tickets, aggregate, window), TicketAccount()), expected);
    }

    [Fact]
    public void Compute_TicketsSatisfactionAllTime_IsShareOfGood()
    {
        // T1 good, T2 bad, T4 good: 2 of 3.
        ShouldBeNumber(Value(Spec(SignalKind.Tickets, "satisfaction"), TicketAccount()), 200.0 / 3);
    }

    [Theory]
    [InlineData("count", 3)] // T2, T3, T5
    [InlineData("open_count", 2)] // T3, T5
    [InlineData("escalated_count", 2)] // T2, T3
    [InlineData("avg_resolution_hours", 48)] // T2
    [InlineData("avg_first_response_hours", 20.0 / 3)] // (4 + 10 + 6) / 3
    [InlineData("satisfaction", 0)] // T2 bad
    public void Compute_TicketsWherePriority_KeepsOnlyThosePriorities(string aggregate, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Tickets, aggregate, 30) with { Priorities = ["high", "urgent"] }, TicketAccount()), expected);
    }

    [Fact]
    public void Compute_TicketsNoneInWindow_CountsAreZeroAndAveragesMissing()
    {
        // As of D-30 with 7 days (D-36..D-30): only T1 exists before, closed at D-45.
        ShouldBeNumber(At(Spec(SignalKind.Tickets, "count", 7), TicketAccount(), D - 30), 0);
        ShouldBeNumber(At(Spec(SignalKind.Tickets, "open_count", 7), TicketAccount(), D - 30), 0);
        ShouldBeNumber(At(Spec(SignalKind.Tickets, "escalated_count", 7), TicketAccount(), D - 30), 0);
        ShouldBeMissing(At(Spec(SignalKind.Tickets, "avg_resolution_hours", 7), TicketAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Tickets, "satisfaction", 7), TicketAccount(), D - 30));
    }

    [Fact]
    public void Compute_TicketsOpenCountBeforeClosing_CountsTheTicketOpen()
    {
        // As of D-47 T1 is open (closed at D-45).
        ShouldBeNumber(At(Spec(SignalKind.Tickets, "open_count"), TicketAccount(), D - 47), 1);
    }

    [Fact]
    public void Compute_TicketsNone_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Tickets, "open_count"), Empty()));
        ShouldBeNumber(Value(Spec(SignalKind.Tickets, "open_count") with { Default = 0 }, Empty()), 0);
    }

    // ------------------------------------------------------------- invoices

    // (known from day, due, paid, state, amount), sorted by the day they are known from:
    //   I1 D-70 due D-60 paid D-62 paid   100  on time
    //   I2 D-40 due D-30 paid D-25 paid   200  late
    //   I7 D-30 due D-20 paid D+3  paid    50  unpaid at D: 20 days overdue
    //   I3 D-20 due D-10 —         open   300  10 days overdue
    //   I4 D-15 due D-5  —         failed 400  5 days overdue
    //   I5 D-10 due D+20 —         open   500  not due yet
    //   I6 D-8  due D-7  —         void   999  ignored
    private static AccountData InvoiceAccount() => new()
    {
        Key = 4,
        AccountId = "i",
        Invoices =
        [
            new(D - 70, D - 60, D - 62, InvoiceState.Paid, 100),
            new(D - 40, D - 30, D - 25, InvoiceState.Paid, 200),
            new(D - 30, D - 20, D + 3, InvoiceState.Paid, 50),
            new(D - 20, D - 10, null, InvoiceState.Open, 300),
            new(D - 15, D - 5, null, InvoiceState.Failed, 400),
            new(D - 10, D + 20, null, InvoiceState.Open, 500),
            new(D - 8, D - 7, null, InvoiceState.Void, 999),
        ],
    };

    [Theory]
    [InlineData("max_days_overdue", null, 20)] // max(20, 10, 5)
    [InlineData("overdue_amount", null, 750)] // 50 + 300 + 400
    [InlineData("failed_count", 30, 1)] // I4
    [InlineData("on_time_ratio", 90, 0.2)] // due in D-89..D (void aside): I1, I2, I7, I3, I4; on time: I1
    [InlineData("on_time_ratio", 30, 0)] // due in D-29..D: I7, I3, I4; none on time
    public void Compute_Invoices_AggregatesAsOfD(string aggregate, int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Invoices, aggregate, window), InvoiceAccount()), expected);
    }

    [Fact]
    public void Compute_InvoicesBeforePayment_CountsTheInvoiceOverdue()
    {
        // As of D-28, I2 (due D-30, paid D-25) is 2 days overdue; I1 is paid; the others are not due or not known yet.
        ShouldBeNumber(At(Spec(SignalKind.Invoices, "max_days_overdue"), InvoiceAccount(), D - 28), 2);
        ShouldBeNumber(At(Spec(SignalKind.Invoices, "overdue_amount"), InvoiceAccount(), D - 28), 200);
    }

    [Fact]
    public void Compute_InvoicesNoneOverdue_IsZero()
    {
        var a = new AccountData { Key = 1, AccountId = "x", Invoices = [new(D - 30, D - 20, D - 21, InvoiceState.Paid, 10), new(D - 5, D + 25, null, InvoiceState.Open, 10)] };
        ShouldBeNumber(Value(Spec(SignalKind.Invoices, "max_days_overdue"), a), 0);
        ShouldBeNumber(Value(Spec(SignalKind.Invoices, "overdue_amount"), a), 0);
        ShouldBeNumber(Value(Spec(SignalKind.Invoices, "failed_count", 30), a), 0);
    }

    [Fact]
    public void Compute_InvoicePaidWithoutPaymentDate_CountsAsPaidOnTime()
    {
        var a = new AccountData { Key = 1, AccountId = "x", Invoices = [new(D - 30, D - 20, null, InvoiceState.Paid, 10)] };
        ShouldBeNumber(Value(Spec(SignalKind.Invoices, "max_days_overdue"), a), 0);
        ShouldBeNumber(Value(Spec(SignalKind.Invoices, "on_time_ratio", 30), a), 1);
    }

    [Fact]
    public void Compute_InvoicesNoneDueInWindow_OnTimeRatioIsMissing()
    {
        var a = new AccountData { Key = 1, AccountId = "x", Invoices = [new(D - 5, D + 25, null, InvoiceState.Open, 10)] };
        ShouldBeMissing(Value(Spec(SignalKind.Invoices, "on_time_ratio", 30), a));
    }

    [Fact]
    public void Compute_InvoicesNone_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Invoices, "max_days_overdue"), Empty()));
    }

    // -------------------------------------------------------- subscriptions

    private static readonly int Started = new DateOnly(2024, 7, 15).DayNumber; // D - 350

    // started 2024-07-15 (+1000) | expanded D-20 (+500) | contracted D-10 (−200) | expanded D+5 (+10000, after D)
    private static AccountData SubscriptionAccount(int? startedDay = null, int? renewalDay = null) => new()
    {
        Key = 5,
        AccountId = "sub",
        StartedDay = startedDay,
        RenewalDay = renewalDay,
        Subscriptions =
        [
            new(Started, SubscriptionKind.Started, 1000), new(D - 20, SubscriptionKind.Expanded, 500),
            new(D - 10, SubscriptionKind.Contracted, -200), new(D + 5, SubscriptionKind.Expanded, 10000),
        ],
    };

    [Theory]
    [InlineData(30, 300)] // 500 − 200
    [InlineData(15, -200)]
    [InlineData(null, 1300)] // 1000 + 500 − 200
    public void Compute_SubscriptionsArrChange_SumsDeltasInWindow(int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Subscriptions, "arr_change", window), SubscriptionAccount()), expected);
    }

    [Fact]
    public void Compute_SubscriptionsArrChangeNoneInWindow_IsZero()
    {
        ShouldBeNumber(At(Spec(SignalKind.Subscriptions, "arr_change", 7), SubscriptionAccount(), D - 30), 0);
    }

    [Fact]
    public void Compute_SubscriptionsTenureDays_CountsFromTheStartEvent()
    {
        // 2024-07-15 to 2025-07-15 is 365 days (no 29 February between), so 2025-06-30 is 365 − 15 = 350 days after the start.
        (D - Started).ShouldBe(350);
        ShouldBeNumber(Value(Spec(SignalKind.Subscriptions, "tenure_days"), SubscriptionAccount()), 350);
    }

    [Fact]
    public void Compute_SubscriptionsTenureDays_PrefersTheAccountStartDate()
    {
        ShouldBeNumber(Value(Spec(SignalKind.Subscriptions, "tenure_days"), SubscriptionAccount(startedDay: D - 100)), 100);
    }

    [Fact]
    public void Compute_SubscriptionsTenureDaysBeforeStart_IsMissing()
    {
        ShouldBeMissing(At(Spec(SignalKind.Subscriptions, "tenure_days"), SubscriptionAccount(), Started - 1));
    }

    [Fact]
    public void Compute_SubscriptionsDaysToRenewal_IsAYearAfterTheStart()
    {
        // 2024-07-15 + 1 year = 2025-07-15, 15 days after 2025-06-30.
        ShouldBeNumber(Value(Spec(SignalKind.Subscriptions, "days_to_renewal"), SubscriptionAccount()), 15);
    }

    [Theory]
    [InlineData(2025, 8, 1, 32)] // 1 + 31
    [InlineData(2025, 6, 30, 0)] // renews on D
    [InlineData(2024, 8, 1, 32)] // passed: evergreen, renewed to 2025-08-01
    [InlineData(2023, 6, 1, 336)] // passed twice: 2025-06-01 is before D, so 2026-06-01 (365 − 29)
    public void Compute_SubscriptionsDaysToRenewal_UsesTheAccountRenewalDate(int y, int m, int d, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Subscriptions, "days_to_renewal"), SubscriptionAccount(renewalDay: new DateOnly(y, m, d).DayNumber)), expected);
    }

    [Fact]
    public void Compute_SubscriptionsNone_IsMissingOrTheDefault()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Subscriptions, "arr_change", 30), Empty()));
        ShouldBeMissing(Value(Spec(SignalKind.Subscriptions, "tenure_days"), Empty()));
        ShouldBeMissing(Value(Spec(SignalKind.Subscriptions, "days_to_renewal"), Empty()));
        ShouldBeNumber(Value(Spec(SignalKind.Subscriptions, "arr_change", 30) with { Default = 0 }, Empty()), 0);
    }

    // --------------------------------------------------------------- orders

    // D-60 100 (returned 0) | D-20 200 (returned 50) | D-5 300 | D+1 1000 (returned 1000, after D)
    private static AccountData OrderAccount() => new()
    {
        Key = 6,
        AccountId = "o",
        Orders = [new(D - 60, 100, 0), new(D - 20, 200, 50), new(D - 5, 300, 0), new(D + 1, 1000, 1000)],
    };

    [Theory]
    [InlineData("count", 30, 2)]
    [InlineData("sum", 30, 500)]
    [InlineData("average", 30, 250)]
    [InlineData("return_rate", 30, 0.1)] // 50 / 500
    [InlineData("days_since_last", null, 5)]
    [InlineData("count", null, 3)]
    [InlineData("sum", null, 600)]
    [InlineData("average", null, 200)]
    [InlineData("return_rate", null, 50.0 / 600)]
    public void Compute_Orders_AggregatesOrdersUpToD(string aggregate, int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Orders, aggregate, window), OrderAccount()), expected);
    }

    [Fact]
    public void Compute_OrdersNoneInWindow_CountAndSumZeroAverageMissing()
    {
        // As of D-30 with 7 days (D-36..D-30): the D-60 order exists before.
        ShouldBeNumber(At(Spec(SignalKind.Orders, "count", 7), OrderAccount(), D - 30), 0);
        ShouldBeNumber(At(Spec(SignalKind.Orders, "sum", 7), OrderAccount(), D - 30), 0);
        ShouldBeMissing(At(Spec(SignalKind.Orders, "average", 7), OrderAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Orders, "return_rate", 7), OrderAccount(), D - 30));
        ShouldBeNumber(At(Spec(SignalKind.Orders, "days_since_last"), OrderAccount(), D - 30), 30);
    }

    [Fact]
    public void Compute_OrdersNone_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Orders, "count", 30), Empty()));
    }

    [Theory]
    [InlineData(null, 200)] // 100, 200, 300 (the 1000 after D would make it 250)
    [InlineData(30, 250)] // D-29..D: 200, 300 → (200 + 300) / 2
    [InlineData(21, 250)] // D-20..D: the order of D-20 is the window's first day
    [InlineData(20, 300)] // D-19..D: the order of D-5 alone
    public void Compute_OrdersMedian_IsTheMiddleAmountInTheWindow(int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Orders, "median", window), OrderAccount()), expected);
    }

    // Amounts not in day order: D-9 80 | D-7 10 | D-6 50 | D-2 20 | D-1 35
    private static AccountData UnorderedAmounts() => new()
    {
        Key = 6,
        AccountId = "o2",
        Orders = [new(D - 9, 80, 0), new(D - 7, 10, 0), new(D - 6, 50, 0), new(D - 2, 20, 0), new(D - 1, 35, 0)],
    };

    [Theory]
    [InlineData(10, 35)] // 10, 20, 35, 50, 80: odd count, the middle one
    [InlineData(8, 27.5)] // 10, 20, 35, 50: even count, (20 + 35) / 2
    [InlineData(7, 35)] // 20, 35, 50
    [InlineData(2, 35)] // one order
    public void Compute_OrdersMedian_SortsTheAmounts(int window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Orders, "median", window), UnorderedAmounts()), expected);
    }

    [Fact]
    public void Compute_OrdersMedianNoneInWindow_IsMissingLikeTheAverage()
    {
        // As of D-30 with 7 days (D-36..D-30): the account has ordered before, but a median of nothing is missing, not 0.
        ShouldBeMissing(At(Spec(SignalKind.Orders, "median", 7), OrderAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Orders, "median", 7) with { Default = 5 }, OrderAccount(), D - 30));
    }

    [Fact]
    public void Compute_OrdersMedianWithoutOrders_IsMissingOrTheDefault()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Orders, "median", 30), Empty()));
        ShouldBeNumber(Value(Spec(SignalKind.Orders, "median", 30) with { Default = 5 }, Empty()), 5);
        // Before the first order the account has none yet.
        ShouldBeNumber(At(Spec(SignalKind.Orders, "median") with { Default = 5 }, OrderAccount(), D - 61), 5);
    }

    // -------------------------------------------------------------- metrics

    // mrr: D-45 10 | D-40 20 | D-20 30 | D-10 50 | D-5 40 | D+1 1000 (after D); seats_used: D-3 7
    private static AccountData MetricAccount() => new()
    {
        Key = 7,
        AccountId = "m",
        Metrics = new Dictionary<string, MetricPoint[]>
        {
            ["mrr"] = [new(D - 45, 10), new(D - 40, 20), new(D - 20, 30), new(D - 10, 50), new(D - 5, 40), new(D + 1, 1000)],
            ["seats_used"] = [new(D - 3, 7)],
        },
    };

    [Theory]
    [InlineData("latest", 30, 40)]
    [InlineData("average", 30, 40)] // (30 + 50 + 40) / 3
    [InlineData("sum", 30, 120)]
    [InlineData("min", 30, 30)]
    [InlineData("max", 30, 50)]
    [InlineData("change", 30, 25.0 / 15)] // average now 40, before (D-59..D-30) (10 + 20) / 2 = 15: (40 − 15) / 15
    [InlineData("latest", null, 40)]
    [InlineData("min", null, 10)]
    [InlineData("max", null, 50)]
    [InlineData("sum", null, 150)]
    [InlineData("average", null, 30)]
    public void Compute_Metrics_AggregatesTheNamedMetric(string aggregate, int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Metrics, aggregate, window) with { Metric = "mrr" }, MetricAccount()), expected);
    }

    [Fact]
    public void Compute_MetricsChangeWithSmallBase_DividesByAtLeastOne()
    {
        var a = new AccountData
        {
            Key = 1,
            AccountId = "x",
            Metrics = new Dictionary<string, MetricPoint[]> { ["m"] = [new(D - 15, 0.5), new(D - 2, 3)] },
        };
        // window 10d: now 3, before 0.5: (3 − 0.5) / max(0.5, 1).
        ShouldBeNumber(Value(Spec(SignalKind.Metrics, "change", 10) with { Metric = "m" }, a), 2.5);
    }

    [Fact]
    public void Compute_MetricsChangeWithoutTheWindowBefore_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Metrics, "change", 30) with { Metric = "seats_used" }, MetricAccount()));
    }

    [Fact]
    public void Compute_MetricsNoneInWindow_SumZeroOthersMissing()
    {
        // As of D-30 with 5 days (D-34..D-30): D-40 and D-45 are before.
        ShouldBeNumber(At(Spec(SignalKind.Metrics, "sum", 5) with { Metric = "mrr" }, MetricAccount(), D - 30), 0);
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "latest", 5) with { Metric = "mrr" }, MetricAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "average", 5) with { Metric = "mrr" }, MetricAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "min", 5) with { Metric = "mrr" }, MetricAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "max", 5) with { Metric = "mrr" }, MetricAccount(), D - 30));
    }

    [Fact]
    public void Compute_MetricsOfAnotherName_IsMissingOrTheDefault()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Metrics, "latest") with { Metric = "logins" }, MetricAccount()));
        ShouldBeNumber(Value(Spec(SignalKind.Metrics, "latest") with { Metric = "logins", Default = -1 }, MetricAccount()), -1);
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "latest") with { Metric = "seats_used" }, MetricAccount(), D - 4));
    }

    [Theory]
    [InlineData(null, 30)] // 10, 20, 30, 50, 40 → 30 (the 1000 after D is not read)
    [InlineData(30, 40)] // D-29..D: 30, 50, 40 → 40
    [InlineData(41, 35)] // D-40..D: 20, 30, 50, 40 → (30 + 40) / 2
    [InlineData(21, 40)] // D-20..D: the value of D-20 is the window's first day: 30, 50, 40
    [InlineData(20, 45)] // D-19..D: 50, 40 → (40 + 50) / 2
    [InlineData(6, 40)] // D-5..D: one value
    public void Compute_MetricsMedian_IsTheMiddleValueInTheWindow(int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Metrics, "median", window) with { Metric = "mrr" }, MetricAccount()), expected);
    }

    [Fact]
    public void Compute_MetricsMedianAsOfAnEarlierDay_SeesOnlyWhatWasKnownThen()
    {
        // As of D-20, 30 days (D-49..D-20): 10, 20, 30.
        ShouldBeNumber(At(Spec(SignalKind.Metrics, "median", 30) with { Metric = "mrr" }, MetricAccount(), D - 20), 20);
    }

    [Fact]
    public void Compute_MetricsMedianOfNegativeAndEqualValues_IsTheMiddleOne()
    {
        var a = new AccountData
        {
            Key = 1,
            AccountId = "x",
            Metrics = new Dictionary<string, MetricPoint[]> { ["m"] = [new(D - 3, -5), new(D - 2, 3), new(D - 1, -5), new(D, -1.5)] },
        };
        // -5, -5, -1.5, 3 → (-5 + -1.5) / 2; without the day D: -5, -5, 3 → -5.
        ShouldBeNumber(Value(Spec(SignalKind.Metrics, "median", 10) with { Metric = "m" }, a), -3.25);
        ShouldBeNumber(At(Spec(SignalKind.Metrics, "median", 10) with { Metric = "m" }, a, D - 1), -5);
    }

    [Fact]
    public void Compute_MetricsMedianNoneInWindow_IsMissingLikeTheAverage()
    {
        // As of D-30 with 5 days (D-34..D-30): D-40 and D-45 are before.
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "median", 5) with { Metric = "mrr" }, MetricAccount(), D - 30));
        ShouldBeMissing(At(Spec(SignalKind.Metrics, "median", 5) with { Metric = "mrr", Default = 5 }, MetricAccount(), D - 30));
    }

    [Fact]
    public void Compute_MetricsMedianOfAnotherMetric_IsMissingOrTheDefault()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Metrics, "median", 30) with { Metric = "logins" }, MetricAccount()));
        ShouldBeNumber(Value(Spec(SignalKind.Metrics, "median", 30) with { Metric = "logins", Default = 5 }, MetricAccount()), 5);
    }

    // ------------------------------------------------------------ touches

    // Two touches on one day, one 40 days before, one after D (not yet known on D).
    private static AccountData TouchAccount() => new()
    {
        Key = 9,
        AccountId = "to",
        Touches = [new(D - 40), new(D - 12), new(D - 12), new(D + 3)],
    };

    [Theory]
    [InlineData(null, 3)] // every touch up to D
    [InlineData(30, 2)] // the two on D-12
    [InlineData(12, 0)] // the window D-11..D holds none: 0, the account has touches
    [InlineData(13, 2)]
    public void Compute_TouchesCount_CountsTheWindowUpToD(int? window, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Touches, "count", window), TouchAccount()), expected);
    }

    [Fact]
    public void Compute_TouchesDaysSinceLast_IsFromTheLastTouchUpToD()
    {
        ShouldBeNumber(Value(Spec(SignalKind.Touches, "days_since_last"), TouchAccount()), 12);
        ShouldBeNumber(At(Spec(SignalKind.Touches, "days_since_last"), TouchAccount(), D - 20), 20);
        ShouldBeNumber(At(Spec(SignalKind.Touches, "days_since_last"), TouchAccount(), D + 5), 2);
    }

    [Fact]
    public void Compute_TouchesBeforeTheFirst_AreMissing()
    {
        ShouldBeMissing(At(Spec(SignalKind.Touches, "count", 30), TouchAccount(), D - 41));
        ShouldBeMissing(At(Spec(SignalKind.Touches, "days_since_last"), TouchAccount(), D - 41));
        ShouldBeMissing(Value(Spec(SignalKind.Touches, "days_since_last"), Empty()));
    }

    // ------------------------------------------------------------ sentiment

    private static AccountData SentimentAccount() => new()
    {
        Key = 8,
        AccountId = "se",
        Sentiments = [new(D - 90, 1), new(D - 20, 3), new(D + 1, 5)],
    };

    [Fact]
    public void Compute_SentimentLatest_IsTheLastRatingUpToD()
    {
        ShouldBeNumber(Value(Spec(SignalKind.Sentiment, "latest"), SentimentAccount()), 3);
        ShouldBeNumber(At(Spec(SignalKind.Sentiment, "latest"), SentimentAccount(), D - 21), 1);
    }

    [Fact]
    public void Compute_SentimentLatestOutsideWindow_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Sentiment, "latest", 10), SentimentAccount()));
        ShouldBeNumber(Value(Spec(SignalKind.Sentiment, "latest", 21), SentimentAccount()), 3);
    }

    [Theory]
    [InlineData(60, 3.0)] // 20 days old
    [InlineData(20, 3.0)] // exactly 20 days old: still valid
    public void Compute_ValidForNotExceeded_KeepsTheValue(int validFor, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Sentiment, "latest"), SentimentAccount(), validFor), expected);
    }

    [Fact]
    public void Compute_ValidForExceeded_IsStaleAndMissing()
    {
        // The last rating is 20 days old; valid for 19 days only.
        var v = Value(Spec(SignalKind.Sentiment, "latest"), SentimentAccount(), 19);
        v.IsMissing.ShouldBeTrue();
        v.IsStale.ShouldBeTrue();
    }

    [Fact]
    public void Compute_ValidForOnUsage_UsesTheLastMatchingActivity()
    {
        // count of all events: last activity at D, 0 days old. export: last at D-10.
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "count", 30), UsageAccount(), 5), 11);
        Value(Spec(SignalKind.Usage, "count", 30) with { Events = ["export"] }, UsageAccount(), 5).IsStale.ShouldBeTrue();
        ShouldBeNumber(Value(Spec(SignalKind.Usage, "count", 30) with { Events = ["export"] }, UsageAccount(), 10), 1);
    }

    [Fact]
    public void Compute_ValidForOnAnAccountWithoutTheSignal_IsMissingNotStale()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Sentiment, "latest"), Empty(), 30));
    }

    [Fact]
    public void Compute_SentimentNone_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Sentiment, "latest"), Empty()));
    }

    // -------------------------------------------------------------- account

    private static AccountData FieldAccount() => new()
    {
        Key = 9,
        AccountId = "f",
        Segment = "SMB",
        Arr = 12000,
        Seats = 10,
        StartedDay = D - 365,
        Attributes = new Dictionary<string, string> { ["tier"] = "gold", ["nps_goal"] = "42.5" },
    };

    [Theory]
    [InlineData("arr", 12000)]
    [InlineData("seats", 10)]
    [InlineData("tenure_days", 365)]
    [InlineData("nps_goal", 42.5)] // a numeric custom attribute
    public void Compute_AccountNumericField_IsItsValue(string field, double expected)
    {
        ShouldBeNumber(Value(Spec(SignalKind.Account, "value") with { Field = field }, FieldAccount()), expected);
    }

    [Theory]
    [InlineData("tier", "gold")]
    [InlineData("segment", "SMB")]
    public void Compute_AccountTextField_IsText(string field, string expected)
    {
        var v = Value(Spec(SignalKind.Account, "value") with { Field = field }, FieldAccount());
        v.IsMissing.ShouldBeFalse();
        v.IsText.ShouldBeTrue();
        v.Text.ShouldBe(expected);
    }

    [Theory]
    [InlineData("region")]
    [InlineData("plan")]
    public void Compute_AccountFieldNotSet_IsMissingOrTheDefault(string field)
    {
        ShouldBeMissing(Value(Spec(SignalKind.Account, "value") with { Field = field }, FieldAccount()));
        ShouldBeNumber(Value(Spec(SignalKind.Account, "value") with { Field = field, Default = 3 }, FieldAccount()), 3);
    }

    [Fact]
    public void Compute_AccountTenureWithoutStart_IsMissing()
    {
        ShouldBeMissing(Value(Spec(SignalKind.Account, "value") with { Field = "tenure_days" }, Empty()));
        ShouldBeMissing(Value(Spec(SignalKind.Account, "value") with { Field = "arr" }, Empty()));
    }

    // -------------------------------------------------------- point in time

    [Fact]
    public void Compute_SignalsAfterD_AreIgnored()
    {
        // Same account without the D+1 row gives the same values.
        var full = UsageAccount();
        var cut = new AccountData
        {
            Key = 1,
            AccountId = "u",
            Seats = 4,
            Usage = full.Usage.Where(u => u.Day <= D).ToArray(),
            UserDays = full.UserDays.Where(u => u.Day <= D).ToArray(),
        };
        foreach (var agg in new[] { "count", "sum", "active_days", "distinct_users", "distinct_events", "change", "days_since_last" })
        {
            var spec = Spec(SignalKind.Usage, agg, 30) with { Events = ["login"] };
            Value(spec, full).ShouldBe(Value(spec, cut), agg);
        }
    }

    [Fact]
    public void Compute_AsOfAnEarlierDay_SeesOnlyWhatWasKnownThen()
    {
        // As of D-15 (window D-44..D-15): login 4 (D-40) + export 2 (D-35) + login 3 (D-20) = 9.
        ShouldBeNumber(At(Spec(SignalKind.Usage, "count", 30), UsageAccount(), D - 15), 9);
        ShouldBeNumber(At(Spec(SignalKind.Surveys, "count", 30) with { Kind = "nps" }, SurveyAccount(), D - 15), 2); // 10 and 9
        ShouldBeNumber(At(Spec(SignalKind.Orders, "count"), OrderAccount(), D - 15), 2);
    }
}
