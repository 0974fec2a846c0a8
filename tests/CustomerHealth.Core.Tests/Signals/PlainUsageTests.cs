using System.Globalization;
using CustomerHealth.Core.Signals;

namespace CustomerHealth.Core.Tests.Signals;

/// <summary>
/// The plain reading of usage rows (<see cref="RowParser.TryParsePlainUsage"/>) reads a row exactly as the general one
/// (<see cref="RowParser.Parse"/>) does, or leaves it to it.
/// </summary>
public class PlainUsageTests
{
    private static readonly string[] Accounts = ["A1", " A2 ", "A3\t", "", "   ", "A\u00014", new string('a', 200), new string('a', 201), "Ünïcode"];
    private static readonly string[] Times =
        ["2025-05-01T10:00:00Z", " 2025-05-01T23:59:59Z ", "2025-05-01 10:00:00", "2025-05-01T10:00:00+02:00", "2025-05-01", "2025-02-30T10:00:00Z", "yesterday", "", "2025-05-01T24:00:00Z"];
    private static readonly string[] Events = ["login", " view ", "", "x\u0007y", new string('e', 500), new string('e', 501), "é"];
    private static readonly string[] Users = ["", "u1", " u2 ", "   ", "u\u00023", new string('u', 201)];
    private static readonly string[] EventIds = ["", "e1", " e2 ", "e\u00003", new string('i', 200), new string('i', 300)];
    private static readonly string[] Counts = ["", "1", "3", "007", " 4 ", "+2", "-1", "0", "1.5", "99999999999999999999", "123456789012345678", "x"];
    private static readonly string[] Values = ["", "1.5", "-2e3", "1,5", "NaN", "1e400", " 4 ", "+0.25", ".5", "5.", "1_0", "Infinity", "0x10", "1e-5"];

    [Fact]
    public void EveryRowReadPlainly_IsReadTheSameByTheGeneralReading_AndTheOthersAreLeftToIt()
    {
        var rnd = new Random(19);
        int plain = 0, left = 0;
        for (var n = 0; n < 20_000; n++)
        {
            string[] row = [Pick(rnd, Accounts), Pick(rnd, Times), Pick(rnd, Events), Pick(rnd, Users), Pick(rnd, EventIds), Pick(rnd, Counts), Pick(rnd, Values)];
            var fields = row.Select(f => f.AsMemory()).ToArray();
            foreach (var decimalComma in new[] { false, true })
            {
                var errors = new List<FieldError>();
                var dict = RowParser.FieldsOf(ImportKind.Usage).Select((name, i) => (name, row[i])).ToDictionary(p => p.name, p => (string?)p.Item2);
                var record = (UsageRecord?)RowParser.Parse(ImportKind.Usage, dict, errors, decimalComma);
                if (!RowParser.TryParsePlainUsage(fields, out var usage))
                {
                    left++;
                    continue;
                }
                plain++;
                var description = string.Join(" | ", row);
                errors.ShouldBeEmpty(description);
                record.ShouldNotBeNull();
                usage.AccountId.ToString().ShouldBe(record.AccountId, description);
                usage.OccurredAt.ShouldBe(record.OccurredAt, description);
                usage.OccurredAt.Offset.ShouldBe(record.OccurredAt.Offset, description);
                usage.Event.ToString().ShouldBe(record.Event, description);
                (usage.UserId.IsEmpty ? null : usage.UserId.ToString()).ShouldBe(record.UserId, description);
                (usage.EventId.IsEmpty ? null : usage.EventId.ToString()).ShouldBe(record.EventId, description);
                usage.Count.ShouldBe(record.Count, description);
                usage.Value.ShouldBe(record.Value, description);
                record.Properties.ShouldBeEmpty();
            }
        }
        // Both sides are exercised: the plain rows and those left to the general reading.
        plain.ShouldBeGreaterThan(1_000);
        left.ShouldBeGreaterThan(1_000);
    }

    [Theory]
    [InlineData("A1", "2025-05-01T10:00:00Z", "login", "u1", "e1", "2", "1.5")]
    [InlineData(" A1 ", "2025-05-01T10:00:00Z", "login", "", "", "", "")]
    public void APlainRow_IsReadPlainly(string account, string at, string ev, string user, string id, string count, string value)
    {
        ReadOnlyMemory<char>[] fields = [account.AsMemory(), at.AsMemory(), ev.AsMemory(), user.AsMemory(), id.AsMemory(), count.AsMemory(), value.AsMemory()];
        RowParser.TryParsePlainUsage(fields, out var usage).ShouldBeTrue();
        usage.AccountId.ToString().ShouldBe("A1");
        usage.Count.ShouldBe(count.Length == 0 ? 1 : long.Parse(count, CultureInfo.InvariantCulture));
    }

    private static string Pick(Random rnd, string[] choices) =>
        // Mostly the first (plain) choices, so that plain rows are common.
        choices[rnd.Next(3) == 0 ? rnd.Next(choices.Length) : rnd.Next(Math.Min(3, choices.Length))];
}
