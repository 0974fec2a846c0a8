using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Dapper;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store.Engines;

namespace CustomerHealth.Store.Import;

/// <summary>
/// Writes validated records inside one transaction, each kind by its identity rule: a new identity inserts, a
/// known one updates only when something differs. Usage events are also rolled up per account, day and event.
/// </summary>
internal sealed class SignalWriter
{
    private readonly StoreDb db;
    private readonly DbConnection c;
    private readonly DbTransaction tx;
    private readonly TimeProvider clock;
    private readonly Dictionary<string, long> accountKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> eventKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DbCommand> commands = [];
    private readonly TimeZoneInfo usageZone;

    // How many usage events are staged before they are merged into the store (see Importer.UsageStageLimit).
    private readonly int stageLimit;

    private IUsageStage? stage;

    /// <summary>Rows of usage that were new or changed what was stored (known after <see cref="Finish"/>).</summary>
    public int UsageChanged { get; private set; }

    // Several batches in one transaction (group commit): usage is still merged once, at the end, but each staged
    // event remembers its batch, so that each batch's usage changes are counted as if it had been merged alone
    // after the batches before it. Null while the writer serves one batch.
    private List<(int Batch, StagedEvent Event)>? batchEvents;
    private readonly List<int> usageChangedByBatch = [];

    /// <summary>
    /// Usage goes to the inbox (see <see cref="UsageInbox"/>), counted against the inbox's pending versions and the
    /// stored events; otherwise the inbox is merged first and usage is merged into the store.
    /// </summary>
    public bool ToInbox { get; init; }

    /// <summary>The records written from now on belong to the next batch (numbered from 0).</summary>
    public void StartBatch()
    {
        batchEvents ??= [];
        usageChangedByBatch.Add(0);
    }

    /// <summary>Rows of usage of a batch that were new or changed what was stored before it (known after <see cref="Finish"/>).</summary>
    public int UsageChangedIn(int batch) => usageChangedByBatch[batch];

    /// <param name="db">The store.</param>
    /// <param name="tx">The transaction everything is written in.</param>
    /// <param name="clock">Gives the day an account that becomes churned churned on.</param>
    /// <param name="stageLimit">How many usage events are staged before they are merged into the store (a merge writes them in the stored events' order).</param>
    public SignalWriter(StoreDb db, DbTransaction tx, TimeProvider clock, int stageLimit = Importer.DefaultUsageStageLimit)
    {
        this.stageLimit = stageLimit;
        this.db = db;
        c = db.Connection;
        this.tx = tx;
        this.clock = clock;
        usageZone = TimeZoneInfo.FindSystemTimeZoneById(db.Setting("usage_timezone") ?? "UTC");
        keyedUsers = db.KnownKeys is null ? null : [];
        Load("SELECT name, event_key FROM event_names", eventKeys);
    }

    // Account keys are looked up one by one while few are needed (an HTTP batch names a handful of accounts), and
    // all read at once when an import turns out to name many (a file): neither pays for the other's case. When
    // reading them all pays off is the engine's (a lookup is a network round trip on a server).
    private int LookupsBeforeLoadingAll => db.Engine.LookupsBeforeReadingAll;
    private int accountLookups;
    private bool allAccountsLoaded;

    private void Load(string sql, Dictionary<string, long> into)
    {
        CreateNewAccounts();
        using var cmd = c.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        using var r = cmd.ExecuteReader();
        while (r.Read())
        {
            into[r.GetString(0)] = r.GetInt64(1);
        }
    }

    /// <summary>Writes the entity rows still held back, so that their changes are counted and later writes see them.</summary>
    public void FlushEntities()
    {
        WriteHeldAccounts();
        foreach (var writer in entityWriters.Values)
        {
            writer.Flush();
        }
    }

    // The users keyed by this transaction's merges, learned by the connection once it commits.
    private readonly List<(string UserId, long Key)>? keyedUsers;

    /// <summary>After the transaction has committed: a connection that keeps keys learns those of the accounts and users it wrote.</summary>
    public void Committed() => db.KnownKeys?.Learn(keyedUsers!, accountKeys);

    public void Finish()
    {
        FlushEntities();
        if (stage is { Count: > 0 })
        {
            MergeStage();
        }
        if (touched.Count > 0)
        {
            // In one statement (a file of thousands of accounts would otherwise cost a statement each).
            CreateNewAccounts();
            db.Engine.MarkTouched(c, tx, touched.Order().ToList());
        }
        if (touched.Count > 0 || UsageChanged > 0)
        {
            // The server that holds an account's share hears of it at once, not at its next look.
            db.Engine.AnnounceWork(c, tx);
        }
        stage?.Dispose();
        stage = null;
        Array.Fill(userKeysBySlot, NoKey);
        foreach (var writer in entityWriters.Values)
        {
            writer.Dispose();
        }
        entityWriters.Clear();
        foreach (var cmd in commands.Values)
        {
            cmd.Dispose();
        }
        commands.Clear();
    }

    // Accounts whose signals this import changed: scoring the day already scored rescores only them.
    private readonly HashSet<long> touched = [];

    /// <summary>Writes a record; true when it added or changed something.</summary>
    public bool Write(SignalRecord record)
    {
        var changed = WriteRecord(record);
        if (changed && record is not UsageRecord)
        {
            touched.Add(Account(record.AccountId));
        }
        return changed;
    }

    private static readonly EntityUpsert Surveys = new("surveys",
        ["identity", "account_key", "kind", "score", "responded_at", "response_id", "contact", "comment", "properties"], Keys: ["identity"],
        Updated: ["account_key", "kind", "score", "responded_at", "contact", "comment", "properties"]);

    private static readonly EntityUpsert Tickets = new("tickets",
        ["ticket_id", "account_key", "opened_at", "priority", "status", "first_response_at", "closed_at", "escalated", "satisfaction", "properties"], Keys: ["ticket_id"],
        Updated: ["account_key", "opened_at", "priority", "status", "first_response_at", "closed_at", "escalated", "satisfaction", "properties"]);

    private static readonly EntityUpsert Invoices = new("invoices",
        ["invoice_id", "account_key", "amount", "due_on", "issued_on", "paid_on", "status", "currency", "properties"], Keys: ["invoice_id"],
        Updated: ["account_key", "amount", "due_on", "issued_on", "paid_on", "status", "currency", "properties"]);

    private static readonly EntityUpsert Subscriptions = new("subscriptions",
        ["identity", "account_key", "kind", "occurred_on", "arr_delta", "event_id", "properties"], Keys: ["identity"],
        Updated: ["account_key", "kind", "occurred_on", "arr_delta", "properties"]);

    private static readonly EntityUpsert Orders = new("orders",
        ["order_id", "account_key", "placed_at", "amount", "returned_amount", "status", "properties"], Keys: ["order_id"],
        Updated: ["account_key", "placed_at", "amount", "returned_amount", "status", "properties"]);

    private static readonly EntityUpsert Metrics = new("metrics",
        ["account_key", "metric", "date", "value", "properties"], Keys: ["account_key", "metric", "date"],
        Updated: ["value", "properties"]);

    private static readonly EntityUpsert Sentiment = new("sentiment",
        ["account_key", "author", "recorded_at", "rating", "note", "properties"], Keys: ["account_key", "author", "recorded_at"],
        Updated: ["rating", "note", "properties"]);

    private static readonly EntityUpsert Touches = new("touches",
        ["identity", "account_key", "touch_id", "kind", "occurred_at", "author", "text", "properties"], Keys: ["identity"],
        Updated: ["account_key", "kind", "occurred_at", "author", "text", "properties"]);

    private bool WriteRecord(SignalRecord record) => record switch
    {
        AccountRecord a => WriteAccount(a),
        UsageRecord u => WriteUsage(u),
        SurveyRecord s => Upsert(Surveys,
            s.ResponseId is { } rid ? "r:" + rid : Identity.HashText(Identity.Join(s.AccountId, s.Kind, s.Score, s.RespondedAt, s.Contact, s.Comment, s.Properties)),
            Account(s.AccountId), s.Kind, s.Score, Time(s.RespondedAt), s.ResponseId, s.Contact, s.Comment, Props(s.Properties)),
        TicketRecord t => Upsert(Tickets,
            t.TicketId, Account(t.AccountId), Time(t.OpenedAt), t.Priority, t.Status, Time(t.FirstResponseAt), Time(t.ClosedAt), t.Escalated ? 1 : 0, t.Satisfaction,
            Props(t.Properties)),
        InvoiceRecord i => Upsert(Invoices,
            i.InvoiceId, Account(i.AccountId), i.Amount, StoredDates.Text(i.DueOn), StoredDates.Text(i.IssuedOn), StoredDates.Text(i.PaidOn), i.Status, i.Currency, Props(i.Properties)),
        SubscriptionRecord s => Upsert(Subscriptions,
            s.EventId is { } eid ? "e:" + eid : "k:" + s.AccountId + "\u001e" + s.Kind + "\u001e" + StoredDates.Text(s.OccurredOn),
            Account(s.AccountId), s.Kind, StoredDates.Text(s.OccurredOn), s.ArrDelta, s.EventId, Props(s.Properties)),
        OrderRecord o => Upsert(Orders, o.OrderId, Account(o.AccountId), Time(o.PlacedAt), o.Amount, o.ReturnedAmount, o.Status, Props(o.Properties)),
        MetricRecord m => Upsert(Metrics, Account(m.AccountId), m.Metric, StoredDates.Text(m.Date), m.Value, Props(m.Properties)),
        SentimentRecord s => Upsert(Sentiment, Account(s.AccountId), s.Author ?? "", Time(s.RecordedAt), s.Rating, s.Note, Props(s.Properties)),
        TouchRecord t => Upsert(Touches,
            t.TouchId is { } tid ? "t:" + tid : Identity.HashText(Identity.Join(t.AccountId, t.Kind, t.OccurredAt, t.Author, t.Text, t.Properties)),
            Account(t.AccountId), t.TouchId, t.Kind, Time(t.OccurredAt), t.Author, t.Text, Props(t.Properties)),
        _ => throw new ArgumentException($"unexpected record {record.GetType().Name}", nameof(record)),
    };

    // How an accounts row changes an account is AccountRow.Apply's, for a new account and a stored one alike, applied
    // to the account's row in memory: a new account's row is the columns' defaults; a stored account's row is read with
    // the others' when the writer's rows are flushed (FlushEntities), until then its accounts rows are held. The stored
    // accounts the rows changed are written together then; new ones are created with their rows (CreateNewAccounts).
    private readonly List<(long Key, AccountRecord Row)> heldAccountRows = [];

    // The rows of the accounts this writer has created or read, as the rows applied so far left them.
    private readonly Dictionary<long, AccountRow> accountRows = [];

    // Stored accounts whose rows changed since they were last written.
    private readonly HashSet<long> changedAccounts = [];

    /// <summary>Applies an accounts row, or holds it until its account's stored row is read (then it is counted in <see cref="EntityChanged"/>).</summary>
    private bool WriteAccount(AccountRecord a)
    {
        var key = Account(a.AccountId, out var existed);
        if (!accountRows.TryGetValue(key, out var row))
        {
            if (existed && !creating.Contains(key))
            {
                heldAccountRows.Add((key, a));
                return false;
            }
            accountRows[key] = row = new AccountRow();
        }
        return Apply(key, row, a) || !existed;
    }

    private bool Apply(long key, AccountRow row, AccountRecord a)
    {
        var changed = row.Apply(a, Today);
        if (changed && !creating.Contains(key))
        {
            changedAccounts.Add(key);
        }
        return changed;
    }

    /// <summary>Stages a usage event; whether it changed anything is known when the stage is merged.</summary>
    private bool WriteUsage(UsageRecord u)
    {
        var identity = u.EventId is { } eid ? Identity.OfEventId(eid) : Identity.Hash(Identity.Join(u.AccountId, u.OccurredAt, u.Event, u.UserId, u.Count, u.Value, u.Properties));
        Stage(identity, Account(u.AccountId), Intern(eventKeys, "event_names", "name", "event_key", u.Event), u.UserId, u.OccurredAt, u.Count, u.Value, Props(u.Properties));
        return false;
    }

    // Account and event keys by their text, looked up without making a string of each row's.
    private Dictionary<string, long>.AlternateLookup<ReadOnlySpan<char>>? accountsByText, eventsByText;

    /// <summary>
    /// A usage row of the plain lane made ready to stage, on whichever thread reads it: its identity, as
    /// <see cref="WriteUsage(UsageRecord)"/> gives the record <see cref="RowParser.Parse"/> makes of the same row (a
    /// plain row has no properties), with the user's id as the given string.
    /// </summary>
    /// <param name="u">The row.</param>
    /// <param name="user">Its user's id, one string per id.</param>
    /// <param name="userSlot">Its user's number among those of the file (from 0, as met), -1 without a user.</param>
    public static PreparedUsage Prepare(in PlainUsage u, string? user, int userSlot)
    {
        var identity = !u.EventId.IsEmpty ? Identity.OfEventId(u.EventId.Span)
            : Identity.Hash(Identity.Join(u.AccountId.ToString(), u.OccurredAt, u.Event.ToString(), user, u.Count, u.Value, NoProperties));
        return new PreparedUsage(u, identity, user, userSlot);
    }

    /// <summary>Stages a usage row of the plain lane made ready by <see cref="Prepare"/>.</summary>
    public void WriteUsage(in PreparedUsage prepared)
    {
        accountsByText ??= accountKeys.GetAlternateLookup<ReadOnlySpan<char>>();
        eventsByText ??= eventKeys.GetAlternateLookup<ReadOnlySpan<char>>();
        var u = prepared.Usage;
        var account = accountsByText.Value.TryGetValue(u.AccountId.Span, out var a) ? a : Account(u.AccountId.ToString());
        var ev = eventsByText.Value.TryGetValue(u.Event.Span, out var e) ? e : Intern(eventKeys, "event_names", "name", "event_key", u.Event.ToString());
        if (prepared.UserSlot < 0 || batchEvents is not null)
        {
            Stage(prepared.Identity, account, ev, prepared.User, u.OccurredAt, u.Count, u.Value, null);
            return;
        }
        Stage(prepared.Identity, account, ev, null, u.OccurredAt, u.Count, u.Value, null, UserKeyOf(prepared.UserSlot, prepared.User!));
    }

    // The key each user of a file's plain rows is staged with, by its slot (NoKey where not asked for since the last
    // merge, which may give the users it creates other keys).
    private const long NoKey = long.MinValue;
    private long[] userKeysBySlot = [];

    private long UserKeyOf(int slot, string user)
    {
        if (slot >= userKeysBySlot.Length)
        {
            var grown = new long[Math.Max(slot + 1, userKeysBySlot.Length * 2)];
            Array.Fill(grown, NoKey, userKeysBySlot.Length, grown.Length - userKeysBySlot.Length);
            userKeysBySlot.CopyTo(grown, 0);
            userKeysBySlot = grown;
        }
        ref var key = ref userKeysBySlot[slot];
        if (key == NoKey)
        {
            OpenStage();
            key = KnownUserKey(user) ?? stage.KeyOf(user);
        }
        return key;
    }

    // The key of a user the connection learned from an earlier import, if it keeps keys.
    private long? KnownUserKey(string user) => db.KnownKeys is { } known && known.TryGetUser(user, out var key) ? key : null;

    private static readonly IReadOnlyDictionary<string, string> NoProperties = new Dictionary<string, string>();

    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(stage))]
    private void OpenStage()
    {
        if (stage is null)
        {
            CreateNewAccounts();
            if (!ToInbox)
            {
                // Events merged now must come after those accepted before them and still in the inbox.
                UsageInbox.SettleWithin(db, tx);
            }
            stage = db.Engine.OpenUsageStage(db, tx, ToInbox);
        }
    }

    /// <summary>Stages a usage event, its user named by id (<paramref name="userId"/>) or by the key the stage gave it (<paramref name="stagedUserKey"/>).</summary>
    private void Stage(byte[] identity, long account, long ev, string? userId, DateTimeOffset occurredAt, long count, double? value, string? properties,
        long? stagedUserKey = null)
    {
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(occurredAt, usageZone).DateTime).DayNumber;
        OpenStage();
        var userKey = stagedUserKey ?? (userId is { } user ? KnownUserKey(user) : null);
        var staged = new StagedEvent(identity, account, day, ev, userKey is null ? userId : null, userKey, count, value, occurredAt.ToUnixTimeMilliseconds(), properties);
        stage.Add(staged);
        if (batchEvents is not null)
        {
            // Batches are merged whole (they are bounded by the size of a request): the counting needs every version.
            batchEvents.Add((usageChangedByBatch.Count - 1, staged));
        }
        else if (stage.Count >= stageLimit)
        {
            MergeStage();
        }
    }

    private void MergeStage()
    {
        // The merge may key the users it creates anew.
        Array.Fill(userKeysBySlot, NoKey);
        CreateNewAccounts();
        if (batchEvents is null)
        {
            UsageChanged += stage!.Merge(null, keyedUsers);
        }
        else
        {
            var states = new int[stage!.Count];
            UsageChanged += stage.Merge(states, keyedUsers);
            CountByBatch(states);
            batchEvents.Clear();
        }
    }

    /// <summary>
    /// Counts each batch's usage changes as a merge per batch would have: of an identity sent more than once in a
    /// batch only the last version counts, and it is a change when it differs from the version before it: that of
    /// the latest earlier batch that sent the identity, or else the stored one.
    /// </summary>
    private void CountByBatch(int[] states)
    {
        var events = batchEvents!;
        var earlier = new Dictionary<UInt128, StagedEvent>();
        var inBatch = new HashSet<UInt128>();
        for (var start = 0; start < events.Count;)
        {
            var batch = events[start].Batch;
            var end = start;
            while (end < events.Count && events[end].Batch == batch)
            {
                end++;
            }
            // Walking back, the first occurrence of an identity is its last version in the batch; the others are repeats.
            inBatch.Clear();
            for (var seq = end - 1; seq >= start; seq--)
            {
                var e = events[seq].Event;
                var identity = System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(e.Identity);
                if (!inBatch.Add(identity))
                {
                    continue;
                }
                if (earlier.TryGetValue(identity, out var before) ? !before.SameAs(e) : states[seq] < 2)
                {
                    usageChangedByBatch[batch]++;
                }
                earlier[identity] = e;
            }
            start = end;
        }
    }

    private long Account(string id) => Account(id, out _);

    /// <summary>
    /// The key of an account, creating a bare account for an id seen for the first time (with others before the
    /// transaction's next statement where the engine creates accounts in bulk).
    /// </summary>
    private long Account(string id, out bool existed)
    {
        existed = true;
        if (accountKeys.TryGetValue(id, out var key))
        {
            return key;
        }
        if (db.KnownKeys is { } known && known.TryGetAccount(id, out key))
        {
            accountKeys[id] = key;
            return key;
        }
        if (!allAccountsLoaded && ++accountLookups > LookupsBeforeLoadingAll)
        {
            Load("SELECT account_id, account_key FROM accounts", accountKeys);
            allAccountsLoaded = true;
            if (accountKeys.TryGetValue(id, out key))
            {
                return key;
            }
        }
        if (!allAccountsLoaded && Scalar("SELECT account_key FROM accounts WHERE account_id = @id", ("@id", id)) is { } found and not DBNull)
        {
            key = Convert.ToInt64(found, CultureInfo.InvariantCulture);
        }
        else
        {
            existed = false;
            if (allAccountsLoaded && NewAccountKey() is { } reserved)
            {
                key = reserved;
                newAccounts.Add((key, id));
                creating.Add(key);
            }
            else
            {
                key = Convert.ToInt64(Scalar($"INSERT{db.Engine.OrFail} INTO accounts (account_id) VALUES (@id) RETURNING account_key", ("@id", id)), CultureInfo.InvariantCulture);
            }
        }
        accountKeys[id] = key;
        return key;
    }

    private string Today => StoredDates.Text(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime))!;

    // Where the engine creates accounts in bulk, the accounts a file names for the first time (known to be new once all
    // were read) get keys reserved ahead and are created together before the transaction's next statement: keys handed
    // out and not used leave a gap, as a transaction rolled back does.
    private readonly List<(long Key, string Id)> newAccounts = [];
    private readonly HashSet<long> creating = [];
    private readonly Queue<long> reservedKeys = new();
    private bool keysInBulk = true;

    /// <summary>A reserved key for a new account, or null where the engine creates each account as it is met.</summary>
    private long? NewAccountKey()
    {
        if (reservedKeys.Count == 0 && keysInBulk)
        {
            // As many as were created so far (at least 16, at most 4,096): few unused for a file naming few.
            var keys = db.Engine.ReserveAccountKeys(c, tx, Math.Clamp(newAccounts.Count + accountsCreated, 16, 4096));
            keysInBulk = keys is not null;
            foreach (var k in keys ?? [])
            {
                reservedKeys.Enqueue(k);
            }
        }
        return reservedKeys.TryDequeue(out var key) ? key : null;
    }

    private int accountsCreated;

    /// <summary>Creates the new accounts keyed so far, with their rows (before any statement that could read them).</summary>
    private void CreateNewAccounts()
    {
        if (newAccounts.Count == 0)
        {
            return;
        }
        db.Engine.CreateAccounts(c, tx, newAccounts, accountRows);
        accountsCreated += newAccounts.Count;
        newAccounts.Clear();
        creating.Clear();
    }

    /// <summary>
    /// Applies the accounts rows held, their accounts' stored rows read in one statement, each row counted in turn, and
    /// writes the stored accounts whose rows changed.
    /// </summary>
    private void WriteHeldAccounts()
    {
        CreateNewAccounts();
        if (heldAccountRows.Count > 0)
        {
            var unread = heldAccountRows.Select(h => h.Key).Where(k => !accountRows.ContainsKey(k)).Distinct().ToList();
            using (var r = c.ExecuteReader(
                $"SELECT account_key, {AccountRow.Columns} FROM accounts WHERE {db.Engine.AmongList("account_key", "@keys")}",
                new { keys = db.Engine.ListParameter(unread) }, tx))
            {
                while (r.Read())
                {
                    accountRows[r.GetInt64(0)] = AccountRow.Read(r, 1);
                }
            }
            foreach (var (key, row) in heldAccountRows)
            {
                if (Apply(key, accountRows[key], row))
                {
                    EntityChanged++;
                    touched.Add(key);
                }
            }
            heldAccountRows.Clear();
        }
        if (changedAccounts.Count > 0)
        {
            db.Engine.UpdateAccounts(c, tx, changedAccounts.Order().Select(k => (k, accountRows[k])).ToList());
            changedAccounts.Clear();
        }
    }

    private long Intern(Dictionary<string, long> cache, string table, string column, string keyColumn, string value)
    {
        if (!cache.TryGetValue(value, out var key))
        {
            key = Convert.ToInt64(Scalar($"INSERT INTO {table} ({column}) VALUES (@v) ON CONFLICT ({column}) DO NOTHING RETURNING {keyColumn}", ("@v", value))
                ?? Scalar($"SELECT {keyColumn} FROM {table} WHERE {column} = @v", ("@v", value)), CultureInfo.InvariantCulture);
            cache[value] = key;
        }
        return key;
    }

    private DbCommand Command(string name, string sql)
    {
        CreateNewAccounts();
        if (!commands.TryGetValue(name, out var cmd))
        {
            cmd = c.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = sql;
            foreach (var p in ParameterNames(sql))
            {
                var parameter = cmd.CreateParameter();
                parameter.ParameterName = p;
                cmd.Parameters.Add(parameter);
            }
            commands[name] = cmd;
        }
        return cmd;
    }

    private static IEnumerable<string> ParameterNames(string sql) =>
        System.Text.RegularExpressions.Regex.Matches(sql, @"@[a-zA-Z]+").Select(m => m.Value).Distinct();

    private bool Exec(string name, string sql, params (string Name, object? Value)[] args)
    {
        var cmd = Command(name, sql);
        foreach (var (n, v) in args)
        {
            cmd.Parameters[n].Value = v ?? DBNull.Value;
        }
        return cmd.ExecuteNonQuery() > 0;
    }

    private object? Scalar(string sql, params (string Name, object? Value)[] args)
    {
        var cmd = Command(sql, sql);
        foreach (var (n, v) in args)
        {
            cmd.Parameters[n].Value = v ?? DBNull.Value;
        }
        var result = cmd.ExecuteScalar();
        return result is DBNull ? null : result;
    }

    /// <summary>Rows of accounts and entity kinds that were new or changed what was stored, when written in bulk (known after <see cref="FlushEntities"/>).</summary>
    public int EntityChanged { get; private set; }

    // One writer per entity kind, in the order the kinds were first written.
    private readonly Dictionary<EntityUpsert, IEntityWriter> entityWriters = new(ReferenceEqualityComparer.Instance);

    /// <summary>Writes an entity row (its values in the order of the kind's columns), or holds it for a bulk write.</summary>
    private bool Upsert(EntityUpsert upsert, params object?[] values)
    {
        if (!entityWriters.TryGetValue(upsert, out var writer))
        {
            entityWriters[upsert] = writer = db.Engine.OpenEntityWriter(db, tx, upsert, account =>
            {
                EntityChanged++;
                touched.Add(account);
            });
        }
        return writer.Write(values);
    }

    internal static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static string? Props(IReadOnlyDictionary<string, string> props) =>
        props.Count == 0 ? null : JsonSerializer.Serialize(new SortedDictionary<string, string>(props.ToDictionary(), StringComparer.Ordinal));
}

/// <summary>A usage row of the plain lane with its identity, its user's id as a string and its user's number in the file (<see cref="SignalWriter.Prepare"/>).</summary>
internal readonly record struct PreparedUsage(PlainUsage Usage, byte[] Identity, string? User, int UserSlot);
