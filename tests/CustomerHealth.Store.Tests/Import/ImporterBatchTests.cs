using System.Globalization;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Import;
using Dapper;

namespace CustomerHealth.Store.Tests.Import;

/// <summary>
/// Several checked batches written in one transaction (the HTTP ingest's group commit): each is counted as if it
/// had been imported alone after the ones before it, a batch that does not land writes nothing, and a failed
/// transaction lands none of them. Their usage goes to the inbox and is stored once the inbox is merged.
/// </summary>
public abstract class ImporterBatchTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine);

    public void Dispose() => store.Dispose();

    private static readonly ImportOptions Atomic = new();

    private static CheckedRows Usage(params string[] lines) => Check(ImportKind.Usage, Atomic, lines);

    private static CheckedRows Check(ImportKind kind, ImportOptions options, params string[] lines) =>
        Importer.Check(kind, lines.Select((l, i) => new SourceRow(i + 1, RowSource.ParseObject(l, i + 1), null, l)), "request", options);

    private static string Event(string id, int count = 1, string account = "A1", string user = "u1") =>
        $$"""{"account_id":"{{account}}","occurred_at":"2025-05-01T10:00:00Z","event":"login","user_id":"{{user}}","event_id":"{{id}}","count":{{count}}}""";

    private static (int Accepted, int Duplicates) Counts(ImportResult r) => (r.Changed, r.Unchanged);

    /// <summary>Batches of events on four accounts with ids, counts and users from small pools, so that they repeat and change each other's events.</summary>
    private static List<string[]> RandomBatches(Random rnd, int batches, int size, int ids, int counts, int users) =>
        Enumerable.Range(0, batches).Select(_ => Enumerable.Range(0, size).Select(_ =>
            Event("e" + rnd.Next(ids), count: 1 + rnd.Next(counts), account: "A" + rnd.Next(4), user: "u" + rnd.Next(users))).ToArray()).ToList();

    [Fact]
    public void Import_SeveralBatches_CountsEachAsIfImportedAloneAfterTheOnesBefore()
    {
        store.ImportJsonl(ImportKind.Usage, Event("stored")).Changed.ShouldBe(1);

        var results = store.Importer.Import(
        [
            Usage(Event("e1"), Event("e2"), Event("stored")),
            // A client re-sending e2, and e1 changed.
            Usage(Event("e2"), Event("e1", count: 3)),
            Usage(Event("e1", count: 3), Event("e3"), Event("e3")),
        ]);

        results.Select(Counts).ShouldBe([(2, 1), (1, 1), (1, 2)]);
        results.ShouldAllBe(r => r.Applied);
        // e1 (its latest version), e2 and e3 wait in the inbox; the stored event was re-sent unchanged.
        UsageInbox.Pending(store.Db).ShouldBe(3);
        store.Count("usage_events").ShouldBe(1);
        UsageInbox.Settle(store.Db);
        UsageInbox.Pending(store.Db).ShouldBe(0);
        store.Count("usage_events").ShouldBe(4);
        // stored 1, e1 3 (its first version taken back), e2 1, e3 1
        store.UsageCells().Single().Count.ShouldBe(6);
    }

    [Fact]
    public void Import_ABatchWithABadRowAndNoSkipInvalid_WritesNothingOfItAndTheOthersLand()
    {
        var bad = Usage(Event("x1"), """{"account_id":"A1","occurred_at":"yesterday","event":"login"}""");
        bad.Lands.ShouldBeFalse();
        bad.Errors.ShouldHaveSingleItem().Field.ShouldBe("occurred_at");
        var partial = Check(ImportKind.Usage, new ImportOptions(SkipInvalid: true), Event("p1"), """{"account_id":"A1","event":"login"}""");

        var results = store.Importer.Import([Usage(Event("e1")), bad, partial]);

        results.Select(r => r.Applied).ShouldBe([true, false, true]);
        results.Select(Counts).ShouldBe([(1, 0), (0, 0), (1, 0)]);
        results[2].Rejected.ShouldBe(1);
        UsageInbox.Settle(store.Db);
        store.Query<string>("SELECT a.account_id FROM usage_events e JOIN accounts a ON a.account_key = e.account_key").ShouldBe(["A1", "A1"]);
        store.Count("usage_events").ShouldBe(2);
    }

    [Fact]
    public void Import_EntitiesSentByTwoBatches_AreNewInTheFirstAndDuplicatesInTheSecond()
    {
        string[] accounts = ["""{"account_id":"A1","name":"Acme"}""", """{"account_id":"A2","name":"Globex"}"""];
        string[] surveys = ["""{"account_id":"A1","kind":"nps","score":9,"responded_at":"2025-05-01T10:00:00Z","response_id":"r1"}"""];

        var results = store.Importer.Import(
        [
            Check(ImportKind.Accounts, Atomic, accounts), Check(ImportKind.Surveys, Atomic, surveys),
            Check(ImportKind.Accounts, Atomic, accounts[0], """{"account_id":"A2","name":"Globex Corp"}"""), Check(ImportKind.Surveys, Atomic, surveys),
        ]);

        results.Select(Counts).ShouldBe([(2, 0), (1, 0), (1, 1), (0, 1)]);
        store.Scalar<string>("SELECT name FROM accounts WHERE account_id = 'A2'").ShouldBe("Globex Corp");
        store.Count("surveys").ShouldBe(1);
    }

    [Fact]
    public void Import_BatchesWithRepeatsAndChanges_CountAndStoreTheSameAsImportingThemOneByOne()
    {
        // Event ids from a small pool, so that batches repeat, re-send and change each other's events.
        var rnd = new Random(7);
        var batches = RandomBatches(rnd, 6, 150, ids: 120, counts: 2, users: 5);
        using var alone = new TestStore(engine);
        alone.ImportJsonl(ImportKind.Usage, batches[5][..40]);
        store.ImportJsonl(ImportKind.Usage, batches[5][..40]);

        var grouped = store.Importer.Import(batches.Select(b => Usage(b)).ToList()).Select(Counts).ToList();
        var oneByOne = batches.Select(b => Counts(alone.Importer.Import(ImportKind.Usage,
            b.Select((l, i) => new SourceRow(i + 1, RowSource.ParseObject(l, i + 1), null, l)), "request", Atomic))).ToList();

        ShouldMatchOneByOne(alone, grouped, oneByOne, accepted: 120, duplicates: 100);
    }

    [Fact]
    public void Import_WithKeysKept_CountsAndStoresTheSameAsWithout()
    {
        var rnd = new Random(11);
        var batches = RandomBatches(rnd, 6, 100, ids: 150, counts: 2, users: 30);
        using var plain = new TestStore(engine);
        store.Db.KeepKeys();

        // Three transactions of two batches: the later ones stage most events with keys learned from the earlier ones.
        var kept = batches.Chunk(2).SelectMany(pair => store.Importer.Import(pair.Select(b => Usage(b)).ToList())).Select(Counts).ToList();
        var without = batches.Chunk(2).SelectMany(pair => plain.Importer.Import(pair.Select(b => Usage(b)).ToList())).Select(Counts).ToList();
        UsageInbox.Settle(store.Db);
        UsageInbox.Settle(plain.Db);

        kept.ShouldBe(without);
        store.Count("users").ShouldBe(plain.Count("users"));
        StoredUsageShouldBeTheSame(store, plain);
    }

    [Fact]
    public void Import_WithKeysKept_AFailedTransactionTeachesNoKey()
    {
        store.Db.KeepKeys();
        store.Importer.Import([Usage(Event("e0", user: "known"))]);
        RefuseCount666();
        // The account and user created by the failed transaction are rolled back with it.
        Should.Throw<Exception>(() => store.Importer.Import([Usage(Event("e1", account: "Z9", user: "new")), Usage(Event("e2", count: 666, user: "new"))]));
        store.Db.Connection.Execute("DROP TRIGGER refuse" + (store.Engine == TestEngine.Postgres ? " ON usage_inbox" : ""));

        store.Importer.Import([Usage(Event("e1", account: "Z9", user: "new"), Event("e3", user: "known"))]).Single().Changed.ShouldBe(2);
        UsageInbox.Settle(store.Db);

        store.Query<string>("SELECT user_id FROM users ORDER BY user_id").ShouldBe(["known", "new"]);
        store.Query<string>("SELECT account_id FROM accounts ORDER BY account_id").ShouldBe(["A1", "Z9"]);
        store.Scalar<long>("SELECT COUNT(*) FROM usage_events e LEFT JOIN accounts a ON a.account_key = e.account_key WHERE a.account_id IS NULL").ShouldBe(0);
        store.Scalar<long>("SELECT COUNT(*) FROM usage_events e LEFT JOIN users u ON u.user_key = e.user_key WHERE u.user_id IS NULL").ShouldBe(0);
        store.UsageUsers().Select(u => u.User).Order(StringComparer.Ordinal).ShouldBe(["known", "new"]);
        store.UsageUsers().Single(u => u.User == "known").N.ShouldBe(2);
    }

    [Fact]
    public void Import_ABatchNamingManyNewAccountsThenAnAccountsBatch_StoresTheAccountsRowOnTheAccountTheEventsCreated()
    {
        // Past the look-ups a writer makes one by one, the events' new accounts are created together (on PostgreSQL
        // with keys reserved ahead): the accounts batch after them in the same transaction updates the created row.
        var events = Enumerable.Range(0, 200).Select(i => Event("m" + i, account: $"M{i:000}")).ToArray();
        var accounts = Check(ImportKind.Accounts, Atomic, """{"account_id":"M150","name":"Named"}""", """{"account_id":"M999","name":"Alone"}""");

        var results = store.Importer.Import([Usage(events), accounts]);

        results.Select(r => r.Changed).ShouldBe([200, 2]);
        UsageInbox.Settle(store.Db);
        store.Count("accounts").ShouldBe(201);
        store.Scalar<string>("SELECT name FROM accounts WHERE account_id = 'M150'").ShouldBe("Named");
        store.Scalar<string>("SELECT name FROM accounts WHERE account_id = 'M999'").ShouldBe("Alone");
        store.Scalar<long>("SELECT COUNT(*) FROM usage_events e JOIN accounts a ON a.account_key = e.account_key").ShouldBe(200);
        store.UsageDaily().Select(d => d.Account).Order(StringComparer.Ordinal).ShouldBe(Enumerable.Range(0, 200).Select(i => $"M{i:000}"));
    }

    [Fact]
    public async Task Import_AUserAnotherWriterCreatesMeanwhile_IsKeyedByThatWritersRow()
    {
        store.Importer.Import([Usage(Event("e0", user: "known"))]);
        // Another writer creates the user "late" and commits while this import waits for it: the import neither creates
        // the user again nor misses it (on PostgreSQL its statement that creates users reads them as they were when it
        // started, so it reads the other's row again).
        using var other = StoreDb.Open(store.Target);
        long lateKey;
        Task<IReadOnlyList<ImportResult>> importing;
        using (var tx = other.Connection.BeginTransaction())
        {
            other.Connection.Execute("INSERT INTO users (user_id) VALUES ('late')", transaction: tx);
            lateKey = other.Connection.ExecuteScalar<long>("SELECT user_key FROM users WHERE user_id = 'late'", transaction: tx);
            importing = Task.Run(() => store.Importer.Import([Usage(Event("e1", user: "late"), Event("e2", user: "known"))]));
            await Task.Delay(500);
            importing.IsCompleted.ShouldBeFalse("the import waits for the other writer");
            tx.Commit();
        }
        (await importing.WaitAsync(TimeSpan.FromSeconds(60))).Single().Changed.ShouldBe(2);
        UsageInbox.Settle(store.Db);

        store.Query<string>("SELECT user_id FROM users ORDER BY user_id").ShouldBe(["known", "late"]);
        store.Scalar<long>("SELECT user_key FROM users WHERE user_id = 'late'").ShouldBe(lateKey);
        store.UsageUsers().Select(u => u.User).Order(StringComparer.Ordinal).ShouldBe(["known", "late"]);
    }

    [Fact]
    public void Import_WhenTheTransactionFails_NothingOfAnyBatchLands()
    {
        // A trigger stands in for a database error on one batch's rows.
        RefuseCount666();

        Should.Throw<Exception>(() => store.Importer.Import(
            [Check(ImportKind.Accounts, Atomic, """{"account_id":"A9","name":"Acme"}"""), Usage(Event("e1")), Usage(Event("e2", count: 666))]))
            .Message.ShouldContain("refused");

        store.Count("usage_inbox").ShouldBe(0);
        UsageInbox.Settle(store.Db);
        store.Count("usage_events").ShouldBe(0);
        store.Count("usage_blocks").ShouldBe(0);
        store.Count("accounts").ShouldBe(0);
        store.Count("dirty_accounts").ShouldBe(0);
        // The store is usable afterwards.
        store.Importer.Import([Usage(Event("e1"))])[0].Changed.ShouldBe(1);
    }

    [Fact]
    public void Import_LandedBatches_MarkTheirAccountsForRescoring()
    {
        store.Importer.Import([Usage(Event("e1", account: "A1")), Check(ImportKind.Surveys, Atomic,
            """{"account_id":"A2","kind":"nps","score":9,"responded_at":"2025-05-01T10:00:00Z"}""")]);
        // The survey's account at once; the usage's when the inbox is merged (which scoring does first).
        store.Query<string>("SELECT a.account_id FROM dirty_accounts d JOIN accounts a ON a.account_key = d.account_key").ShouldBe(["A2"]);
        UsageInbox.Settle(store.Db);

        store.Query<string>("SELECT a.account_id FROM dirty_accounts d JOIN accounts a ON a.account_key = d.account_key ORDER BY a.account_id")
            .ShouldBe(["A1", "A2"]);
    }

    [Fact]
    public void Import_TransactionsWithTheInboxMergedAtRandomAndFileImportsBetween_CountAndStoreTheSameAsImportingOneByOne()
    {
        // Event ids from a small pool: transactions re-send and change events that wait in the inbox, that were
        // merged already, or that a file import (which merges the inbox first) wrote in between.
        var rnd = new Random(5);
        var batches = RandomBatches(rnd, 16, 80, ids: 100, counts: 3, users: 6);
        using var alone = new TestStore(engine);
        var grouped = new List<(int Accepted, int Duplicates)>();
        var oneByOne = new List<(int Accepted, int Duplicates)>();
        foreach (var pair in batches.Chunk(2))
        {
            if (rnd.Next(3) == 0)
            {
                // A file of the pair's first batch, imported directly into both stores.
                grouped.Add(Counts(store.ImportJsonl(ImportKind.Usage, pair[0])));
                oneByOne.Add(Counts(alone.ImportJsonl(ImportKind.Usage, pair[0])));
                grouped.AddRange(store.Importer.Import([Usage(pair[1])]).Select(Counts));
            }
            else
            {
                grouped.AddRange(store.Importer.Import(pair.Select(b => Usage(b)).ToList()).Select(Counts));
                oneByOne.Add(Counts(alone.ImportJsonl(ImportKind.Usage, pair[0])));
            }
            oneByOne.Add(Counts(alone.ImportJsonl(ImportKind.Usage, pair[1])));
            if (rnd.Next(2) == 0)
            {
                UsageInbox.Settle(store.Db);
            }
        }

        ShouldMatchOneByOne(alone, grouped, oneByOne, accepted: 150, duplicates: 150);
    }

    [Fact]
    public void Import_AnEventChangedInTheInboxAndChangedBack_IsStoredAsFirstStoredAndCountedAsAChangeEachTime()
    {
        store.ImportJsonl(ImportKind.Usage, Event("e1")).Changed.ShouldBe(1);

        store.Importer.Import([Usage(Event("e1", count: 5))]).Single().Changed.ShouldBe(1);
        store.Importer.Import([Usage(Event("e1", count: 5))]).Single().Unchanged.ShouldBe(1);
        store.Importer.Import([Usage(Event("e1"))]).Single().Changed.ShouldBe(1);
        UsageInbox.Pending(store.Db).ShouldBe(1);
        UsageInbox.Settle(store.Db);

        store.Scalar<long>("SELECT count FROM usage_events").ShouldBe(1);
        store.UsageCells().Single().Count.ShouldBe(1);
        store.UsageUsers().Single().N.ShouldBe(1);
    }

    [Fact]
    public void Scoring_MergesTheInboxFirst_SoThatAcceptedUsageCountsAtOnce()
    {
        store.Importer.Import([Usage(Event("e1", account: "A1"), Event("e2", account: "A1", count: 4))]);

        store.Publish();
        new CustomerHealth.Store.Scoring.ScoringRun(store.Db, store.Models).Score(new DateOnly(2025, 5, 2));

        UsageInbox.Pending(store.Db).ShouldBe(0);
        store.UsageCells().Sum(c => c.Count).ShouldBe(5);
    }

    /// <summary>A trigger that stands in for a database error: an event with count 666 fails its transaction.</summary>
    private void RefuseCount666() =>
        store.Db.Connection.Execute(store.Engine == TestEngine.Postgres
            ? """
              CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.count = 666 THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;
              CREATE TRIGGER refuse BEFORE INSERT ON usage_inbox FOR EACH ROW EXECUTE FUNCTION refuse();
              """
            : "CREATE TRIGGER refuse BEFORE INSERT ON usage_inbox WHEN NEW.count = 666 BEGIN SELECT RAISE(ABORT, 'refused'); END");

    /// <summary>
    /// The grouped imports were counted as importing the same batches one by one into <paramref name="alone"/> was (with
    /// more than so many of each count, so that the comparison means something), and once the inbox is merged both stores
    /// hold the same usage.
    /// </summary>
    private void ShouldMatchOneByOne(TestStore alone, List<(int Accepted, int Duplicates)> grouped, List<(int Accepted, int Duplicates)> oneByOne, int accepted, int duplicates)
    {
        UsageInbox.Settle(store.Db);
        grouped.ShouldBe(oneByOne);
        grouped.Sum(c => c.Accepted).ShouldBeGreaterThan(accepted);
        grouped.Sum(c => c.Duplicates).ShouldBeGreaterThan(duplicates);
        StoredUsageShouldBeTheSame(store, alone);
    }

    /// <summary>Both stores hold the same usage events (by identity), daily roll-ups and per-day users.</summary>
    private static void StoredUsageShouldBeTheSame(TestStore store, TestStore other)
    {
        foreach (var sql in new[]
        {
            "SELECT e.identity, e.account_key, e.day, e.event_key, u.user_id, e.count, e.occurred_at FROM usage_events e LEFT JOIN users u ON u.user_key = e.user_key",
        })
        {
            Rows(store, sql).ShouldBe(Rows(other, sql), sql);
        }
        store.UsageDaily().ShouldBe(other.UsageDaily());
        store.UsageUsers().ShouldBe(other.UsageUsers());
    }

    private static List<string> Rows(TestStore s, string sql) =>
        s.Rows(sql).Select(r => string.Join("|", r.Values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).Order(StringComparer.Ordinal).ToList();
}

public sealed class ImporterBatchTestsOnSqlite() : ImporterBatchTests(TestEngine.Sqlite);

public sealed class ImporterBatchTestsOnPostgres() : ImporterBatchTests(TestEngine.Postgres);
