using CustomerHealth.Store.Import;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>
/// A usage file read on another core (Import/UsagePipeline): the rows its plain lane takes and the others come to the
/// import's thread in file order, their text intact after the reading has gone on to later rows; what the reading
/// throws comes after the rows before it; an import that stops early stops the reading.
/// </summary>
public sealed class UsagePipelineTests
{
    private const string Header = "account_id,occurred_at,event,user_id,event_id,count,value";

    private static UsagePipeline Pipeline(string text, Action? afterHeader = null)
    {
        var lane = new PlainUsageLane();
        return new UsagePipeline(lane, take => RowSource.Csv(new StringReader(text), (names, used) =>
        {
            lane.Header(names, used);
            afterHeader?.Invoke();
        }, null, take), null);
    }

    [Fact]
    public void Rows_PlainAndOtherRowsOfManyBatches_ComeInFileOrderWithTheirText()
    {
        // Every seventh row is not plain (a quoted field): it goes the general way, between the plain ones.
        var lines = Enumerable.Range(0, 30_000).Select(i => i % 7 == 3
            ? $"\"A{i % 50}\",2025-05-01T10:00:00Z,login,u{i % 300},e{i},,"
            : $"A{i % 50},2025-05-0{1 + i % 9}T10:00:00Z,ev{i % 4},{(i % 5 == 0 ? "" : "u" + i % 300)},e{i},{1 + i % 3},").ToArray();
        using var pipeline = Pipeline(string.Join("\n", [Header, .. lines]) + "\n");
        var seen = new List<string>();
        var users = new Dictionary<string, string>();
        pipeline.Sink = usage =>
        {
            var u = usage.Usage;
            seen.Add($"A:{u.AccountId},{u.OccurredAt:yyyy-MM-dd},{u.Event},{u.UserId},{u.EventId},{u.Count}");
            usage.User.ShouldBe(u.UserId.IsEmpty ? null : u.UserId.ToString());
            // One string per user id.
            if (usage.User is { } user)
            {
                users.TryAdd(user, user);
                ReferenceEquals(users[user], user).ShouldBeTrue();
            }
            usage.Identity.ShouldBe(Identity.OfEventId(u.EventId.Span));
        };

        foreach (var row in pipeline.Rows())
        {
            seen.Add($"G:{row.Line}:{row.Fields["event_id"]}");
        }

        seen.Count.ShouldBe(lines.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            seen[i].ShouldBe(i % 7 == 3 ? $"G:{i + 2}:e{i}"
                : $"A:A{i % 50},2025-05-0{1 + i % 9},ev{i % 4},{(i % 5 == 0 ? "" : "u" + i % 300)},e{i},{1 + i % 3}");
        }
    }

    [Fact]
    public void Rows_WhatTheReadingThrows_ComesAfterTheRowsBeforeIt()
    {
        using var pipeline = Pipeline($"{Header}\nA1,2025-05-01T10:00:00Z,login,u1,e1,,\n", afterHeader: () => throw new StoreException("refused header"));
        var taken = 0;
        pipeline.Sink = _ => taken++;

        Should.Throw<StoreException>(() => pipeline.Rows().ToList()).Message.ShouldBe("refused header");
        taken.ShouldBe(0);
    }

    [Fact]
    public async Task Dispose_AnImportThatStopsEarly_StopsTheReadingWaitingToHandMoreOver()
    {
        // Far more rows than the batches the reading may run ahead by: it waits to hand more over when the import stops.
        var text = string.Join("\n", [Header, .. Enumerable.Range(0, 200_000).Select(i => $"A1,2025-05-01T10:00:00Z,login,u1,e{i},,")]) + "\n";
        var pipeline = Pipeline(text);
        pipeline.Sink = usage =>
        {
            if (usage.Usage.EventId.Span.SequenceEqual("e10"))
            {
                throw new InvalidOperationException("the import failed");
            }
        };
        Should.Throw<InvalidOperationException>(() => pipeline.Rows().ToList());

        await Task.Run(pipeline.Dispose).WaitAsync(TimeSpan.FromSeconds(30));
    }
}
