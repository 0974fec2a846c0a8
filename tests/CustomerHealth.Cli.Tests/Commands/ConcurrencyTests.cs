using System.Globalization;
using System.Text;

namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>Two `chs import` processes and a `chs score` at the same time on one store lose nothing and count nothing twice.</summary>
public abstract class ConcurrencyTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    [Fact]
    public async Task ImportsAndScore_AtTheSameTime_EveryEventStoredOnceAndRolledUpOnce()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var rnd = new Random(3);
        var expected = new Dictionary<string, (int Count, bool HasUser)>();
        string Line(string id, int n)
        {
            // Events are spread over 600 accounts that neither file creates first: both imports create them as they go.
            var account = $"C{n % 600}";
            var count = 1 + n % 3;
            var user = n % 5 == 0 ? "" : $"{account}-u{n % 13}";
            expected[id] = (count, user.Length > 0);
            return string.Create(CultureInfo.InvariantCulture, $"{account},2025-06-{1 + n % 28:00}T10:00:00Z,ev{n % 4},{user},{id},{count}\n");
        }
        var a = new StringBuilder("account_id,occurred_at,event,user_id,event_id,count\n");
        var b = new StringBuilder("account_id,occurred_at,event,user_id,event_id,count\n");
        for (var i = 0; i < 120_000; i++)
        {
            a.Append(Line($"a-{i}", rnd.Next()));
            b.Append(Line($"b-{i}", rnd.Next()));
        }
        for (var i = 0; i < 40_000; i++)
        {
            // The same events in both files: stored once whichever import comes first.
            var line = Line($"s-{i}", i);
            a.Append(line);
            b.Append(line);
        }
        var fileA = chs.Write("a.csv", a.ToString());
        var fileB = chs.Write("b.csv", b.ToString());

        using var importA = chs.Start(null, "import", "usage", fileA);
        using var importB = chs.Start(null, "import", "usage", fileB);
        using var score = chs.Start(null, "score", "--as-of", "2025-06-30");
        var outputs = new[] { importA, importB, score }.Select(p => (p, Out: p.StandardOutput.ReadToEndAsync(), Err: p.StandardError.ReadToEndAsync())).ToList();
        foreach (var (p, output, error) in outputs)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await p.WaitForExitAsync(timeout.Token);
            p.ExitCode.ShouldBe(0, await output + await error);
        }

        chs.Count("SELECT COUNT(*) FROM usage_events").ShouldBe(expected.Count);
        chs.Count("SELECT SUM(count) FROM usage_events").ShouldBe(expected.Values.Sum(e => e.Count));
        var cells = chs.UsageCells();
        cells.Sum(c => c.Count).ShouldBe(expected.Values.Sum(e => e.Count));
        cells.Sum(c => c.Users.Sum(u => u.N)).ShouldBe(expected.Values.Count(e => e.HasUser));
        chs.Count("SELECT COUNT(*) FROM accounts").ShouldBe(600);
        chs.Count("SELECT COUNT(DISTINCT account_id) FROM accounts").ShouldBe(600);

        // A score after both imports sees all of it.
        chs.Run("score", "--as-of", "2025-06-30", "--json").Json.GetProperty("accounts_scored").GetInt32().ShouldBe(600);
    }
}

public sealed class ConcurrencyTestsOnSqlite() : ConcurrencyTests(TestEngine.Sqlite);

public sealed class ConcurrencyTestsOnPostgres() : ConcurrencyTests(TestEngine.Postgres);
