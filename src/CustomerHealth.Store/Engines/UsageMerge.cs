namespace CustomerHealth.Store.Engines;

/// <summary>
/// The merge of staged usage events, shared by both engines: each event is new (0), changed (1) or unchanged (2)
/// against the stored events; the changed events' old values are read summed per account, day and event (to take them
/// back), the events written, and the new values added to the usage blocks (<see cref="UsageBlocks"/>). A batch merged
/// into the store has its states found by the engine (<see cref="RunKnown"/>: only its changed events are staged).
/// Staged events can instead go to the inbox (usage_inbox): the whole batch staged, marked set-wise against the stored
/// events and then against the inbox's pending versions, the new and changed ones are appended there (one row per
/// identity, the latest version replacing a pending one), keyed and with their state against the stored events (new
/// or changed: unchanged from the stored event once more, it is a change that changes nothing); the inbox is later
/// merged as a stage of its own (<see cref="MergeInbox"/>).
/// </summary>
internal sealed class UsageMerge
{
    public const string StageColumns = "identity, account_key, day, event_key, user_key, count, value, occurred_at, properties";

    private readonly string stage;
    private readonly IUsageBlockStore blocks;
    private readonly string dedupe, insertNew, takeBack, markTaken, correct;
    private readonly string againstStored, againstInbox, toInbox, emptyInbox;

    // An account marked again when it is marked already.
    public const string MarkAgain = "ON CONFLICT (account_key) DO UPDATE SET mark = dirty_accounts.mark + 1";

    /// <param name="engine">Supplies the row comparisons.</param>
    /// <param name="stage">The stage table's name (with its schema where the engine needs one).</param>
    /// <param name="events">The stored events table's name.</param>
    /// <param name="blocks">The usage blocks, in the merge's transaction.</param>
    public UsageMerge(IStoreEngine engine, string stage, string events, IUsageBlockStore blocks)
    {
        this.stage = stage;
        this.blocks = blocks;
        emptyInbox = engine.Empty("usage_inbox");
        var same = engine.Same(Row("e"), Row("s"));
        var sameAsPending = engine.Same(Row("i"), Row("s"));
        // An identity appended again replaces its pending version.
        var replacePending = $"ON CONFLICT (identity) DO UPDATE SET {Assign("excluded")}";
        // An event sent twice in one batch: its last version stands.
        dedupe = $"DELETE FROM {stage} WHERE seq NOT IN (SELECT MAX(seq) FROM {stage} GROUP BY identity)";
        againstStored = $"UPDATE{engine.OrFail} {stage} AS s SET state = CASE WHEN {same} THEN 2 ELSE 1 END, stored = 1 FROM {events} AS e WHERE e.identity = s.identity";
        // The rows of a roll-up (as RolledUpEvents): account, day, event, count, sum, users.
        takeBack =
            $"""
            SELECT e.account_key, e.day, e.event_key, CAST(-SUM(e.count) AS BIGINT), -SUM(COALESCE(e.value, 0)), {engine.PackUsers("e.user_key")}
            FROM {stage} s JOIN {events} e ON e.identity = s.identity WHERE s.state = 1 GROUP BY e.account_key, e.day, e.event_key
            """;
        markTaken = $"INSERT INTO dirty_accounts (account_key, mark) SELECT DISTINCT e.account_key, 0 FROM {stage} s JOIN {events} e ON e.identity = s.identity WHERE s.state = 1 {MarkAgain}";
        correct =
            $"""
            UPDATE{engine.OrFail} {events} AS e SET {Assign("s")}
            FROM {stage} AS s WHERE s.identity = e.identity AND s.state = 1
            """;
        insertNew = $"INSERT{engine.OrFail} INTO {events} ({StageColumns}) SELECT {StageColumns} FROM {stage} WHERE state = 0 ORDER BY identity";
        againstInbox = $"UPDATE{engine.OrFail} {stage} AS s SET state = CASE WHEN {sameAsPending} THEN 2 ELSE 1 END FROM usage_inbox AS i WHERE i.identity = s.identity";
        // The pending version of an identity is known from the look-up: it is replaced in place, and the others are
        // plain inserts (an insert that must be ready for a conflict costs about twice as much; the import lock keeps
        // other writers out meanwhile).
        MarkAndAppend =
            $"""
            WITH marked AS MATERIALIZED (
              SELECT s.seq, s.identity, {Columns("s")}, CASE WHEN e.identity IS NULL THEN 0 ELSE 1 END AS stored,
                i.identity IS NOT NULL AS pending,
                CASE WHEN i.identity IS NOT NULL THEN CASE WHEN {sameAsPending} THEN 2 ELSE 1 END
                     WHEN e.identity IS NOT NULL THEN CASE WHEN {same} THEN 2 ELSE 1 END
                     ELSE 0 END AS state
              FROM {stage} AS s LEFT JOIN usage_inbox AS i ON i.identity = s.identity LEFT JOIN {events} AS e ON e.identity = s.identity),
            latest AS (SELECT DISTINCT ON (identity) * FROM marked ORDER BY identity, seq DESC),
            appended AS (
              INSERT INTO usage_inbox ({StageColumns}, state)
              SELECT {StageColumns}, stored FROM latest WHERE state < 2 AND NOT pending
              RETURNING 1),
            replaced AS (
              UPDATE usage_inbox AS i SET {Assign("l")} FROM latest AS l WHERE l.pending AND l.state < 2 AND i.identity = l.identity
              RETURNING 1)
            SELECT seq, state FROM marked WHERE state <> 0
            UNION ALL SELECT -1, (SELECT COUNT(*) FROM appended) + (SELECT COUNT(*) FROM replaced)
            """;
        toInbox =
            $"""
            INSERT INTO usage_inbox ({StageColumns}, state) SELECT {StageColumns}, stored FROM {stage} WHERE state < 2 ORDER BY seq
            {replacePending}
            """;
    }

    /// <summary>
    /// PostgreSQL's way to the inbox, in one statement and with no write to the stage: each staged event's state
    /// (against the inbox's pending version, else the stored one) and whether its identity is stored, then the latest
    /// version of each identity appended when it is new or changed (replacing its pending version, if any). Returns the position and state of each staged event
    /// that is not new (most are new: their rows would be most of what the statement sends), then a row of position -1
    /// with how many events were appended.
    /// </summary>
    public string MarkAndAppend { get; }

    /// <summary>Whether the inbox holds events: `1` or `0`.</summary>
    public const string InboxHasEvents = "SELECT COUNT(*) FROM (SELECT 1 FROM usage_inbox LIMIT 1) AS pending";

    /// <summary>Each staged event's position and its state against the store.</summary>
    public string States => $"SELECT seq, state FROM {stage}";

    /// <summary>
    /// Appends the new and changed events of a filled stage to the inbox (their states count the inbox's pending
    /// versions as stored); returns how many were appended.
    /// </summary>
    /// <param name="repeats">Whether an identity was staged more than once.</param>
    /// <param name="execute">Runs a statement in the import's transaction.</param>
    /// <param name="count">Runs a `SELECT COUNT(*)` in the import's transaction.</param>
    /// <param name="readStates">When given, runs <see cref="States"/> after every staged event's state is known and before repeats are dropped.</param>
    public int RunToInbox(bool repeats, Action<string> execute, Func<string, long> count, Action<string>? readStates)
    {
        // Each staged event marked new, changed or unchanged against the stored events, then against the inbox's
        // pending versions; the earlier versions of an identity staged more than once dropped (after the states are read).
        if (repeats && readStates is null)
        {
            execute(dedupe);
        }
        execute(againstStored);
        execute(againstInbox);
        if (readStates is not null)
        {
            readStates(States);
            if (repeats)
            {
                execute(dedupe);
            }
        }
        execute(toInbox);
        return (int)count(CountChanges);
    }

    /// <summary>
    /// Runs the merge of a batch into the store once the engine has found each event's state against the stored events
    /// (looking the batch's identities up, and comparing the stored rows with <see cref="StagedBatch.SameAsStored"/>): the
    /// last version of each identity is written straight into the stored events when it is new, and put on the empty
    /// stage (<paramref name="stageCorrections"/>, with state 1) when it changed, to be corrected set-wise — the old
    /// versions' roll-ups taken back, their accounts marked, the stored events updated. Returns how many events were new
    /// or changed.
    /// </summary>
    /// <param name="batch">The staged events, by their positions in the batch.</param>
    /// <param name="identityOrder">The batch's positions in identity order (<see cref="StagedBatch.IdentityOrder"/>).</param>
    /// <param name="repeats">Whether an identity was staged more than once.</param>
    /// <param name="states">Each event's state against the stored events (repeats included).</param>
    /// <param name="told">When given, filled with those states (see <see cref="IUsageStage.Merge"/>).</param>
    /// <param name="stageCorrections">Writes the given events to the stage, each with state 1.</param>
    /// <param name="insertNew">Writes the given events, in identity order, into the stored events.</param>
    /// <param name="execute">Runs a statement in the import's transaction.</param>
    /// <param name="markTouched">Marks accounts (given in order, each once) as touched since they were last scored.</param>
    public int RunKnown(StagedBatch batch, int[] identityOrder, bool repeats, int[] states, int[]? told, Action<List<int>> stageCorrections,
        Action<List<int>> insertNew, Action<string> execute, Action<IReadOnlyList<long>> markTouched)
    {
        if (told is not null)
        {
            states.CopyTo(told, 0);
        }
        var changing = batch.Changing(identityOrder, states, repeats);
        var added = new List<int>(changing.Count);
        var corrections = new List<int>();
        foreach (var seq in changing)
        {
            (states[seq] == 0 ? added : corrections).Add(seq);
        }
        if (corrections.Count > 0)
        {
            stageCorrections(corrections);
        }
        Apply(execute, corrections.Count > 0, () => insertNew(added), markTouched, () => batch.RollUp(changing));
        return changing.Count;
    }

    /// <summary>
    /// Merges the events of the inbox into the store and empties it (under the import lock, so that nothing is
    /// appended meanwhile); the merge must have been made with usage_inbox as its stage.
    /// </summary>
    /// <param name="execute">Runs a statement in the import's transaction.</param>
    /// <param name="count">Runs a `SELECT COUNT(*)` in the import's transaction.</param>
    /// <param name="markTouched">Marks accounts (given in order, each once) as touched since they were last scored.</param>
    /// <param name="beforeCorrections">Run first when some events correct stored ones (they are joined with the stored events then).</param>
    public void MergeInbox(Action<string> execute, Func<string, long> count, Action<IReadOnlyList<long>> markTouched, string? beforeCorrections = null)
    {
        // The inbox holds one version of each identity, each new or changed (each changes the store): read once, it is
        // summed here (on another core while the store writes the events) rather than grouped by the store.
        var batch = new StagedBatch();
        foreach (var r in blocks.Rows($"SELECT identity, account_key, day, event_key, user_key, count, value FROM {stage}"))
        {
            batch.Add(new StagedEvent(r.GetBytes(0).ToArray(), r.GetInt64(1), r.GetInt32(2), r.GetInt64(3), null, r.IsDBNull(4) ? null : r.GetInt64(4),
                r.GetInt64(5), r.IsDBNull(6) ? null : r.GetDouble(6), 0, null));
        }
        var order = batch.IdentityOrder(out _);
        Apply(execute, count($"SELECT COUNT(*) FROM {stage} WHERE state = 1") > 0, () => execute(insertNew), markTouched,
            () => batch.RollUp(order), beforeCorrections);
        execute(emptyInbox);
    }

    // What an event stores besides its identity.
    private static readonly string[] Values = StageColumns.Split(", ")[1..];

    /// <summary>A stored event's columns (identity first, as <see cref="StageColumns"/>) from a table alias.</summary>
    public static string StoredColumns(string alias) => $"{alias}.identity, {Columns(alias)}";

    /// <summary>An event's stored values from a table alias, as a list.</summary>
    private static string Columns(string alias) => string.Join(", ", Values.Select(c => $"{alias}.{c}"));

    /// <summary>An event's stored values from a table alias, as a row value (for comparisons).</summary>
    private static string Row(string alias) => $"({Columns(alias)})";

    /// <summary>`SET` assignments of every stored value from a table alias.</summary>
    private static string Assign(string alias) => string.Join(", ", Values.Select(c => $"{c} = {alias}.{c}"));

    /// <summary>How many staged events are new or changed, once they are marked (and repeats dropped).</summary>
    private string CountChanges => $"SELECT COUNT(*) FROM {stage} WHERE state < 2";

    /// <summary>Writes the marked events and adds them to the usage blocks.</summary>
    /// <param name="execute">Runs a statement in the import's transaction.</param>
    /// <param name="corrected">Whether the stage holds changed events (state 1), which correct stored ones.</param>
    /// <param name="insertNew">Writes the new events into the stored events.</param>
    /// <param name="markTouched">Marks the accounts of the new and changed events (given in order, each once) as touched since they were last scored.</param>
    /// <param name="sum">
    /// Sums the roll-ups of the new and changed events (the last version of each identity, summed per account, day and
    /// event) from the events held in memory: on another core while the store writes the events (the store would sort
    /// the whole stage again for a `GROUP BY`).
    /// </param>
    /// <param name="beforeCorrections">Run first when some events correct stored ones.</param>
    private void Apply(Action<string> execute, bool corrected, Action insertNew, Action<IReadOnlyList<long>> markTouched,
        Func<IReadOnlyList<RolledUpEvents>> sum, string? beforeCorrections = null)
    {
        // It reads only the events in memory and the states already read.
        var summing = Task.Run(sum);
        IReadOnlyList<RolledUpEvents> taken = [];
        if (corrected)
        {
            if (beforeCorrections is not null)
            {
                execute(beforeCorrections);
            }
            // The old versions' roll-ups, read before the events change.
            taken = Read(takeBack);
            execute(markTaken);
            execute(correct);
        }
        insertNew();
        var added = summing.GetAwaiter().GetResult();
        // The accounts the roll-ups name, in their key order (rather than the store finding them again in the stage).
        var accounts = new List<long>();
        foreach (var g in added)
        {
            if (accounts.Count == 0 || accounts[^1] != g.Account)
            {
                accounts.Add(g.Account);
            }
        }
        markTouched(accounts);
        UsageBlocks.Merge(blocks, taken, added);
    }

    /// <summary>The roll-ups a query gives (account, day, event, count, sum, users).</summary>
    private List<RolledUpEvents> Read(string sql)
    {
        var rows = new List<RolledUpEvents>();
        foreach (var r in blocks.Rows(sql))
        {
            rows.Add(new RolledUpEvents(r.GetInt64(0), r.GetInt32(1), r.GetInt64(2), r.GetInt64(3), r.GetDouble(4), r.IsDBNull(5) ? null : r.GetBytes(5).ToArray()));
        }
        return rows;
    }
}
