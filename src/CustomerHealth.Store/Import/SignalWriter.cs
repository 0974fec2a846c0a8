using System.Data.Common;
using System.Globalization;
using System.Text.Json;
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
    // Usage is staged per batch and merged with set-based SQL: per row only an append, per batch a few sorted passes.
    private const int StageLimit = 1 << 20;
    private IUsageStage? stage;
    // The identities of the current batch, to know whether one was sent twice in it.
    private readonly HashSet<UInt128> batchIdentities = [];
    private bool batchRepeats;

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

    public SignalWriter(StoreDb db, DbTransaction tx, TimeProvider clock)
    {
        this.db = db;
        c = db.Connection;
        this.tx = tx;
        this.clock = clock;
        usageZone = TimeZoneInfo.FindSystemTimeZoneById(db.Setting("usage_timezone") ?? "UTC");
        keyedUsers = db.KnownKeys is null ? null : [];
        Load("SELECT name, event_key FROM event_names", eventKeys);
    }

    // Account keys are looked up one by one while few are needed (an HTTP batch names a handful of accounts), and
    // all read at once when an import turns out to name many (a file): neither pays for the other's case. A lookup
    // is a network round trip on PostgreSQL, so there reading them all pays off much sooner.
    private int LookupsBeforeLoadingAll => db.IsPostgres ? 64 : 2_000;
    private int accountLookups;
    private bool allAccountsLoaded;

    private void Load(string sql, Dictionary<string, long> into)
    {
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
        foreach (var batch in batches.Values)
        {
            Flush(batch);
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
        foreach (var key in touched)
        {
            Exec("touched", "INSERT INTO dirty_accounts (account_key) VALUES (@k) ON CONFLICT (account_key) DO UPDATE SET mark = dirty_accounts.mark + 1", ("@k", key));
        }
        stage?.Dispose();
        stage = null;
        foreach (var cmd in commands.Values)
        {
            cmd.Dispose();
        }
        commands.Clear();
    }

    // Accounts whose signals this import changed: scoring the day already scored rescores only them.
    private readonly HashSet<long> touched = [];

    /// <summary>Writes a record; true when it added or changed something.</summary>
    public bool Write(ImportKind kind, object record)
    {
        var changed = WriteRecord(record);
        if (changed && record is not UsageRecord)
        {
            touched.Add(Account(AccountIdOf(record)));
        }
        return changed;
    }

    private static string AccountIdOf(object record) => record switch
    {
        AccountRecord a => a.AccountId,
        SurveyRecord s => s.AccountId,
        TicketRecord t => t.AccountId,
        InvoiceRecord i => i.AccountId,
        SubscriptionRecord s => s.AccountId,
        OrderRecord o => o.AccountId,
        MetricRecord m => m.AccountId,
        SentimentRecord s => s.AccountId,
        _ => throw new ArgumentException($"unexpected record {record.GetType().Name}", nameof(record)),
    };

    private bool WriteRecord(object record) => record switch
    {
        AccountRecord a => WriteAccount(a),
        UsageRecord u => WriteUsage(u),
        SurveyRecord s => Exec("surveys",
            """
            INSERT INTO surveys (identity, account_key, kind, score, responded_at, response_id, contact, comment, properties)
            VALUES (@id, @a, @kind, @score, @at, @rid, @contact, @comment, @props)
            ON CONFLICT (identity) DO UPDATE SET account_key = excluded.account_key, kind = excluded.kind, score = excluded.score,
              responded_at = excluded.responded_at, contact = excluded.contact, comment = excluded.comment, properties = excluded.properties
            WHERE (surveys.account_key, surveys.kind, surveys.score, surveys.responded_at, surveys.contact, surveys.comment, surveys.properties)
              IS NOT (excluded.account_key, excluded.kind, excluded.score, excluded.responded_at, excluded.contact, excluded.comment, excluded.properties)
            """,
            ("@id", s.ResponseId is { } rid ? "r:" + rid : Identity.HashText(Identity.Join(s.AccountId, s.Kind, s.Score, s.RespondedAt, s.Contact, s.Comment, s.Properties))),
            ("@a", Account(s.AccountId)), ("@kind", s.Kind), ("@score", s.Score), ("@at", Time(s.RespondedAt)), ("@rid", s.ResponseId),
            ("@contact", s.Contact), ("@comment", s.Comment), ("@props", Props(s.Properties))),
        TicketRecord t => Exec("tickets",
            """
            INSERT INTO tickets (ticket_id, account_key, opened_at, priority, status, first_response_at, closed_at, escalated, satisfaction, properties)
            VALUES (@id, @a, @opened, @priority, @status, @fr, @closed, @esc, @sat, @props)
            ON CONFLICT (ticket_id) DO UPDATE SET account_key = excluded.account_key, opened_at = excluded.opened_at, priority = excluded.priority,
              status = excluded.status, first_response_at = excluded.first_response_at, closed_at = excluded.closed_at, escalated = excluded.escalated,
              satisfaction = excluded.satisfaction, properties = excluded.properties
            WHERE (tickets.account_key, tickets.opened_at, tickets.priority, tickets.status, tickets.first_response_at, tickets.closed_at, tickets.escalated, tickets.satisfaction, tickets.properties)
              IS NOT (excluded.account_key, excluded.opened_at, excluded.priority, excluded.status, excluded.first_response_at, excluded.closed_at, excluded.escalated, excluded.satisfaction, excluded.properties)
            """,
            ("@id", t.TicketId), ("@a", Account(t.AccountId)), ("@opened", Time(t.OpenedAt)), ("@priority", t.Priority), ("@status", t.Status),
            ("@fr", Time(t.FirstResponseAt)), ("@closed", Time(t.ClosedAt)), ("@esc", t.Escalated ? 1 : 0), ("@sat", t.Satisfaction), ("@props", Props(t.Properties))),
        InvoiceRecord i => Exec("invoices",
            """
            INSERT INTO invoices (invoice_id, account_key, amount, due_on, issued_on, paid_on, status, currency, properties)
            VALUES (@id, @a, @amount, @due, @issued, @paid, @status, @currency, @props)
            ON CONFLICT (invoice_id) DO UPDATE SET account_key = excluded.account_key, amount = excluded.amount, due_on = excluded.due_on,
              issued_on = excluded.issued_on, paid_on = excluded.paid_on, status = excluded.status, currency = excluded.currency, properties = excluded.properties
            WHERE (invoices.account_key, invoices.amount, invoices.due_on, invoices.issued_on, invoices.paid_on, invoices.status, invoices.currency, invoices.properties)
              IS NOT (excluded.account_key, excluded.amount, excluded.due_on, excluded.issued_on, excluded.paid_on, excluded.status, excluded.currency, excluded.properties)
            """,
            ("@id", i.InvoiceId), ("@a", Account(i.AccountId)), ("@amount", i.Amount), ("@due", Date(i.DueOn)), ("@issued", Date(i.IssuedOn)),
            ("@paid", Date(i.PaidOn)), ("@status", i.Status), ("@currency", i.Currency), ("@props", Props(i.Properties))),
        SubscriptionRecord s => Exec("subscriptions",
            """
            INSERT INTO subscriptions (identity, account_key, kind, occurred_on, arr_delta, event_id, properties)
            VALUES (@id, @a, @kind, @on, @delta, @eid, @props)
            ON CONFLICT (identity) DO UPDATE SET account_key = excluded.account_key, kind = excluded.kind, occurred_on = excluded.occurred_on,
              arr_delta = excluded.arr_delta, properties = excluded.properties
            WHERE (subscriptions.account_key, subscriptions.kind, subscriptions.occurred_on, subscriptions.arr_delta, subscriptions.properties)
              IS NOT (excluded.account_key, excluded.kind, excluded.occurred_on, excluded.arr_delta, excluded.properties)
            """,
            ("@id", s.EventId is { } eid ? "e:" + eid : "k:" + s.AccountId + "\u001e" + s.Kind + "\u001e" + Date(s.OccurredOn)),
            ("@a", Account(s.AccountId)), ("@kind", s.Kind), ("@on", Date(s.OccurredOn)), ("@delta", s.ArrDelta), ("@eid", s.EventId), ("@props", Props(s.Properties))),
        OrderRecord o => Exec("orders",
            """
            INSERT INTO orders (order_id, account_key, placed_at, amount, returned_amount, status, properties)
            VALUES (@id, @a, @at, @amount, @ret, @status, @props)
            ON CONFLICT (order_id) DO UPDATE SET account_key = excluded.account_key, placed_at = excluded.placed_at, amount = excluded.amount,
              returned_amount = excluded.returned_amount, status = excluded.status, properties = excluded.properties
            WHERE (orders.account_key, orders.placed_at, orders.amount, orders.returned_amount, orders.status, orders.properties)
              IS NOT (excluded.account_key, excluded.placed_at, excluded.amount, excluded.returned_amount, excluded.status, excluded.properties)
            """,
            ("@id", o.OrderId), ("@a", Account(o.AccountId)), ("@at", Time(o.PlacedAt)), ("@amount", o.Amount), ("@ret", o.ReturnedAmount),
            ("@status", o.Status), ("@props", Props(o.Properties))),
        MetricRecord m => Exec("metrics",
            """
            INSERT INTO metrics (account_key, metric, date, value, properties) VALUES (@a, @metric, @date, @value, @props)
            ON CONFLICT (account_key, metric, date) DO UPDATE SET value = excluded.value, properties = excluded.properties
            WHERE (metrics.value, metrics.properties) IS NOT (excluded.value, excluded.properties)
            """,
            ("@a", Account(m.AccountId)), ("@metric", m.Metric), ("@date", Date(m.Date)), ("@value", m.Value), ("@props", Props(m.Properties))),
        SentimentRecord s => Exec("sentiment",
            """
            INSERT INTO sentiment (account_key, author, recorded_at, rating, note, properties) VALUES (@a, @author, @at, @rating, @note, @props)
            ON CONFLICT (account_key, author, recorded_at) DO UPDATE SET rating = excluded.rating, note = excluded.note, properties = excluded.properties
            WHERE (sentiment.rating, sentiment.note, sentiment.properties) IS NOT (excluded.rating, excluded.note, excluded.properties)
            """,
            ("@a", Account(s.AccountId)), ("@author", s.Author ?? ""), ("@at", Time(s.RecordedAt)), ("@rating", s.Rating), ("@note", s.Note),
            ("@props", Props(s.Properties))),
        _ => throw new ArgumentException($"unexpected record {record.GetType().Name}", nameof(record)),
    };

    private bool WriteAccount(AccountRecord a)
    {
        var key = Account(a.AccountId, out var existing);
        string? attributes = null;
        if (a.Attributes.Count > 0)
        {
            var current = Scalar("SELECT attributes FROM accounts WHERE account_key = @k", ("@k", key)) as string;
            var merged = current is null ? [] : JsonSerializer.Deserialize<Dictionary<string, string>>(current) ?? [];
            foreach (var (k, v) in a.Attributes)
            {
                merged[k] = v;
            }
            attributes = JsonSerializer.Serialize(new SortedDictionary<string, string>(merged, StringComparer.Ordinal));
        }
        string? churnedOn = null;
        if (a.Status == "churned")
        {
            churnedOn = Scalar("SELECT status_churned_on FROM accounts WHERE account_key = @k", ("@k", key)) as string
                ?? Date(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));
        }
        var changed = Exec("account_update",
            """
            UPDATE accounts SET name = COALESCE(@name, name), segment = COALESCE(@segment, segment), lifecycle_stage = COALESCE(@stage, lifecycle_stage),
              owner = COALESCE(@owner, owner), arr = COALESCE(@arr, arr), seats = COALESCE(@seats, seats), plan = COALESCE(@plan, plan),
              started_on = COALESCE(@started, started_on), renewal_on = COALESCE(@renewal, renewal_on), parent_id = COALESCE(@parent, parent_id),
              status = COALESCE(@status, status),
              status_churned_on = CASE WHEN CAST(@status AS TEXT) IS NULL THEN status_churned_on WHEN CAST(@status AS TEXT) = 'churned' THEN CAST(@churnedOn AS TEXT) ELSE NULL END,
              attributes = COALESCE(@attrs, attributes)
            WHERE account_key = @k AND (name, segment, lifecycle_stage, owner, arr, seats, plan, started_on, renewal_on, parent_id, status, attributes)
              IS NOT (COALESCE(@name, name), COALESCE(@segment, segment), COALESCE(@stage, lifecycle_stage), COALESCE(@owner, owner),
                      COALESCE(@arr, arr), COALESCE(@seats, seats), COALESCE(@plan, plan), COALESCE(@started, started_on),
                      COALESCE(@renewal, renewal_on), COALESCE(@parent, parent_id), COALESCE(@status, status), COALESCE(@attrs, attributes))
            """,
            ("@k", key), ("@name", a.Name), ("@segment", a.Segment), ("@stage", a.LifecycleStage), ("@owner", a.Owner), ("@arr", a.Arr), ("@seats", a.Seats),
            ("@plan", a.Plan), ("@started", Date(a.StartedOn)), ("@renewal", Date(a.RenewalOn)), ("@parent", a.ParentId), ("@status", a.Status),
            ("@churnedOn", churnedOn), ("@attrs", attributes));
        return changed || !existing;
    }

    /// <summary>Stages a usage event; whether it changed anything is known when the stage is merged.</summary>
    private bool WriteUsage(UsageRecord u)
    {
        var account = Account(u.AccountId);
        var ev = Intern(eventKeys, "event_names", "name", "event_key", u.Event);
        var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(u.OccurredAt, usageZone).DateTime).DayNumber;
        var identity = u.EventId is { } eid ? Identity.Hash("id\u001e" + eid) : Identity.Hash(Identity.Join(u.AccountId, u.OccurredAt, u.Event, u.UserId, u.Count, u.Value, u.Properties));
        if (stage is null)
        {
            if (!ToInbox)
            {
                // Events merged now must come after those accepted before them and still in the inbox.
                UsageInbox.SettleWithin(db, tx);
            }
            stage = db.Engine.OpenUsageStage(db, tx, ToInbox);
        }
        batchRepeats |= !batchIdentities.Add(System.Buffers.Binary.BinaryPrimitives.ReadUInt128BigEndian(identity));
        long? userKey = u.UserId is { } user && db.KnownKeys is { } known && known.TryGetUser(user, out var k) ? k : null;
        var staged = new StagedEvent(identity, account, day, ev, userKey is null ? u.UserId : null, userKey, u.Count, u.Value, u.OccurredAt.ToUnixTimeMilliseconds(), Props(u.Properties));
        stage.Add(staged);
        if (batchEvents is not null)
        {
            // Batches are merged whole (they are bounded by the size of a request): the counting needs every version.
            batchEvents.Add((usageChangedByBatch.Count - 1, staged));
        }
        else if (stage.Count >= StageLimit)
        {
            MergeStage();
        }
        return false;
    }

    private void MergeStage()
    {
        if (batchEvents is null)
        {
            UsageChanged += stage!.Merge(batchRepeats, null, keyedUsers);
        }
        else
        {
            var states = new int[stage!.Count];
            UsageChanged += stage.Merge(batchRepeats, states, keyedUsers);
            CountByBatch(states);
            batchEvents.Clear();
        }
        batchIdentities.Clear();
        batchRepeats = false;
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

    /// <summary>The key of an account, creating a bare account for an id seen for the first time.</summary>
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
            key = Convert.ToInt64(Scalar("INSERT INTO accounts (account_id) VALUES (@id) RETURNING account_key", ("@id", id)), CultureInfo.InvariantCulture);
        }
        accountKeys[id] = key;
        return key;
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
        if (!commands.TryGetValue(name, out var cmd))
        {
            cmd = c.CreateCommand();
            cmd.Transaction = tx;
            // The statements compare row values with SQLite's `IS NOT`; PostgreSQL spells it `IS DISTINCT FROM`.
            cmd.CommandText = db.IsPostgres ? sql.Replace("IS NOT (", "IS DISTINCT FROM (", StringComparison.Ordinal) : sql;
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
        if (db.IsPostgres && BatchedKinds.Contains(name))
        {
            // On PostgreSQL a row is a network round trip: rows of a kind are sent by binary COPY and upserted set-wise.
            if (!batches.TryGetValue(name, out var batch))
            {
                batches[name] = batch = new EntityBatch(sql);
            }
            batch.Rows.Add(batch.Parameters.Select(p => args.First(a => a.Name == p).Value).ToArray());
            if (batch.Rows.Count >= BatchLimit)
            {
                Flush(batch);
            }
            return false;
        }
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

    private static readonly HashSet<string> BatchedKinds = ["surveys", "tickets", "invoices", "subscriptions", "orders", "metrics", "sentiment"];
    private const int BatchLimit = 50_000;
    private readonly Dictionary<string, EntityBatch> batches = [];

    /// <summary>Rows of entity kinds that were new or changed what was stored, when written in batches.</summary>
    public int EntityChanged { get; private set; }

    /// <summary>Rows of one kind waiting to be sent: the upsert `INSERT INTO t (cols) VALUES (@params) ON CONFLICT (keys) ...` taken apart.</summary>
    private sealed class EntityBatch
    {
        public EntityBatch(string sql)
        {
            var m = System.Text.RegularExpressions.Regex.Match(sql,
                @"INSERT INTO (\w+) \(([^)]*)\)\s*VALUES \(([^)]*)\)\s*(ON CONFLICT \(([^)]*)\).*)$", System.Text.RegularExpressions.RegexOptions.Singleline);
            if (!m.Success)
            {
                throw new InvalidOperationException("not an upsert of one row: " + sql);
            }
            Table = m.Groups[1].Value;
            Columns = m.Groups[2].Value;
            Parameters = m.Groups[3].Value.Split(',', StringSplitOptions.TrimEntries);
            Conflict = m.Groups[4].Value.Replace("IS NOT (", "IS DISTINCT FROM (", StringComparison.Ordinal);
            Keys = m.Groups[5].Value;
        }

        public string Table { get; }
        public string Columns { get; }
        public string[] Parameters { get; }
        public string Conflict { get; }
        public string Keys { get; }
        public List<object?[]> Rows { get; } = [];
    }

    private void Flush(EntityBatch batch)
    {
        if (batch.Rows.Count == 0)
        {
            return;
        }
        var npg = (Npgsql.NpgsqlConnection)c;
        var stageTable = "stage_" + batch.Table;
        using (var create = c.CreateCommand())
        {
            create.Transaction = tx;
            create.CommandText =
                $"CREATE TEMP TABLE IF NOT EXISTS {stageTable} AS SELECT {batch.Columns} FROM {batch.Table} WITH NO DATA; " +
                $"ALTER TABLE {stageTable} ADD COLUMN IF NOT EXISTS seq BIGINT; TRUNCATE {stageTable};";
            create.ExecuteNonQuery();
        }
        using (var copy = npg.BeginBinaryImport($"COPY {stageTable} ({batch.Columns}, seq) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < batch.Rows.Count; i++)
            {
                copy.StartRow();
                foreach (var value in batch.Rows[i])
                {
                    switch (value)
                    {
                        case null:
                            copy.WriteNull();
                            break;
                        case string text:
                            copy.Write(text, NpgsqlTypes.NpgsqlDbType.Text);
                            break;
                        case double d:
                            copy.Write(d, NpgsqlTypes.NpgsqlDbType.Double);
                            break;
                        default:
                            copy.Write(Convert.ToInt64(value, CultureInfo.InvariantCulture), NpgsqlTypes.NpgsqlDbType.Bigint);
                            break;
                    }
                }
                copy.Write((long)i, NpgsqlTypes.NpgsqlDbType.Bigint);
            }
            copy.Complete();
        }
        using var upsert = c.CreateCommand();
        upsert.Transaction = tx;
        // The last row of an identity in the batch stands, as it would row by row.
        upsert.CommandText =
            $"ANALYZE {stageTable}; INSERT INTO {batch.Table} ({batch.Columns}) SELECT DISTINCT ON ({batch.Keys}) {batch.Columns} FROM {stageTable} " +
            $"ORDER BY {batch.Keys}, seq DESC {batch.Conflict} RETURNING account_key";
        using (var r = upsert.ExecuteReader())
        {
            do
            {
                while (r.Read())
                {
                    if (r.FieldCount == 1)
                    {
                        EntityChanged++;
                        touched.Add(r.GetInt64(0));
                    }
                }
            }
            while (r.NextResult());
        }
        batch.Rows.Clear();
    }

    internal static string? Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    internal static string? Date(DateOnly? d) => d is { } day ? StoredDates.Text(day) : null;

    private static string? Props(IReadOnlyDictionary<string, string> props) =>
        props.Count == 0 ? null : JsonSerializer.Serialize(new SortedDictionary<string, string>(props.ToDictionary(), StringComparer.Ordinal));
}
