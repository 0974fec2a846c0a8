using System.Data.Common;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// What differs between the two databases the store runs on, SQLite and PostgreSQL: schema bookkeeping, the bulk
/// paths (usage staging, reading every signal, writing snapshots) and a few pieces of SQL.
/// </summary>
internal interface IStoreEngine
{
    /// <summary>Opens a connection to the store at a `--db` address (creating an SQLite file); the path is what <see cref="StoreDb.Path"/> keeps.</summary>
    (DbConnection Connection, string Path) Connect(string target);

    /// <summary>Whether the address names a store file that does not exist (a server's store is created by the first open).</summary>
    bool IsMissing(string target);

    /// <summary>Removes a store the product made and no one else uses (the demo's file, rebuilt on each run), with its side files.</summary>
    void Remove(string target);

    /// <summary>How to name the store at <see cref="StoreDb.Path"/> to a person (never a password).</summary>
    string DisplayName(string path);

    /// <summary>How the writers of one process share the store.</summary>
    StoreWriting Writing { get; }

    /// <summary>
    /// Sets a connection up as the process's busy writer (see <see cref="StoreWriting"/>): with
    /// <see cref="StoreWriting.Checkpoints"/> it leaves copying the write-ahead log to <see cref="Checkpoint"/>.
    /// </summary>
    void TuneForBusyWriter(DbConnection c);

    /// <summary>Copies the write-ahead log into the store without waiting for its readers or writer, where the engine keeps one for that.</summary>
    void Checkpoint(DbConnection c);

    /// <summary>The folder of the migrations under Schema/.</summary>
    string SchemaFolder { get; }

    /// <summary>
    /// A number that moves with every committed change to the accounts, their current scores, their score history and
    /// their subscriptions (what the Portfolio's figures are computed from; migrations 0017 and 0019 keep it).
    /// </summary>
    long PortfolioChanges(DbConnection c);

    /// <summary>Begins a transaction whose reads all see one state of the store, and write nothing.</summary>
    DbTransaction BeginSnapshot(DbConnection c);

    /// <summary>
    /// The rows of the Portfolio's log (migration 0019) committed since <paramref name="mark"/> as of the snapshot of
    /// <paramref name="tx"/> (<see cref="BeginSnapshot"/>, its first statement), and the mark of that snapshot. The rows
    /// are null, to say everything must be read again, without a mark, when some of them were pruned, or when there are
    /// more than <paramref name="most"/>. With <paramref name="before"/> (a day), only the rows without a day (accounts)
    /// and of days before it are returned; the others still count towards <paramref name="most"/>.
    /// </summary>
    PortfolioLogRead ReadPortfolioLog(DbConnection c, DbTransaction tx, string? mark, int most, string? before = null);

    int SchemaVersion(DbConnection c, DbTransaction? tx);

    void SetSchemaVersion(DbConnection c, DbTransaction tx, int version);

    /// <summary>
    /// Whether several servers may work on the store at once and share the accounts (<see cref="Sharing.ShareKeeper"/>);
    /// when not, a server holds every share.
    /// </summary>
    bool SharesWork { get; }

    /// <summary>Says on this connection, for as long as it lives, that a server works on the store (a shared lock the servers count).</summary>
    void JoinServers(DbConnection c);

    /// <summary>How many connections say a server works on the store.</summary>
    int Servers(DbConnection c);

    /// <summary>The shares of the accounts held by any connection.</summary>
    IReadOnlySet<int> TakenShares(DbConnection c);

    /// <summary>Takes a share for this connection, for as long as it lives, unless another holds it; true when taken.</summary>
    bool TryTakeShare(DbConnection c, int share);

    /// <summary>Gives back a share this connection holds.</summary>
    void GiveBackShare(DbConnection c, int share);

    /// <summary>Gives back every share and the presence this connection holds (before it goes back to a pool that keeps it open).</summary>
    void LeaveServers(DbConnection c);

    /// <summary>
    /// Tells the other servers of the store, once the transaction commits, that accounts were marked or usage accepted
    /// (PostgreSQL's NOTIFY); nothing where one server works on the store.
    /// </summary>
    void AnnounceWork(DbConnection c, DbTransaction tx);

    /// <summary>
    /// Hears what <see cref="AnnounceWork"/> tells, on a connection of its own to <paramref name="store"/>, calling
    /// <paramref name="heard"/> (on another thread) each time, until disposed; null where one server works on the store.
    /// A connection lost is opened again after a pause.
    /// </summary>
    IDisposable? HearWork(string store, Action heard);

    /// <summary>Keeps two processes from migrating the same store at once.</summary>
    void LockForMigration(DbConnection c, DbTransaction tx);

    /// <summary>
    /// Makes imports into one store take turns, so that concurrent imports can neither lose nor double-count a
    /// signal: each sees everything the one before it committed.
    /// </summary>
    void LockForImport(DbConnection c, DbTransaction tx);

    /// <summary>SQL that is true when two row values differ (NULLs compare as values).</summary>
    string Differs(string left, string right);

    /// <summary>SQL that is true when two row values are the same (NULLs compare as values).</summary>
    string Same(string left, string right);

    /// <summary>
    /// SQL that is true when the lower-cased name or id of account `a` contains the search, given as a LIKE pattern
    /// already lower-cased with ToLowerInvariant in the parameter; the text is passed too, so the engine may pick a
    /// faster form that gives the same answer.
    /// </summary>
    string AccountSearch(string parameter, string pattern);

    /// <summary>SQL that lower-cases a text expression as .NET's ToLowerInvariant does, for searches that ignore case.</summary>
    string Lower(string expression);

    /// <summary>SQL that removes every row of a table.</summary>
    string Empty(string table);

    /// <summary>
    /// What follows `INSERT` or `UPDATE` in a statement whose failure rolls back the whole transaction anyway: on SQLite
    /// ` OR FAIL`, so that SQLite keeps no statement journal for it — a journal that copies every page the statement
    /// changes first (64 KiB pages), which SQLite keeps for a statement that may fail half-way: one writing many rows,
    /// or one row of a table with triggers (accounts, subscriptions, current scores, snapshots; migration 0017). A
    /// failure still throws and the transaction is not committed. An upsert keeps its journal whatever it says.
    /// Nothing on PostgreSQL.
    /// </summary>
    string OrFail { get; }

    /// <summary>
    /// A statement run without compiling its plan: PostgreSQL's JIT compiles the plan of any statement it estimates
    /// costly, 100–200 ms each time for the current scores' refresh of 100,000 accounts, which then runs no faster. The
    /// statement unchanged on SQLite.
    /// </summary>
    string WithoutCompiling(string sql);

    /// <summary>An aggregate that packs a group's user keys (NULLs left out) into a <see cref="UserSet"/>; NULL without any.</summary>
    string PackUsers(string column);

    /// <summary>SQL for a `YYYY-MM-DD` text date minus a number of days, as `YYYY-MM-DD` text.</summary>
    string DaysBefore(string dateExpression, string daysParameter);

    /// <summary>The LIMIT parameter meaning "no limit".</summary>
    object? NoLimit { get; }

    /// <summary>SQL that is true when an expression is one of a list's values, given as a parameter made by <see cref="ListParameter"/>.</summary>
    string AmongList(string expression, string parameter);

    /// <summary>The value of a list parameter for <see cref="AmongList"/> (long or text values), however long the list.</summary>
    object ListParameter<T>(IReadOnlyCollection<T> values);

    /// <summary>
    /// SQL that counts the rows of <paramref name="rows"/> (a table with its alias) that meet <paramref name="condition"/> and
    /// whose <paramref name="key"/> (never NULL) is not among those <paramref name="leftOut"/> selects, in the form the
    /// engine's planner counts fastest.
    /// </summary>
    string CountLeavingOut(string rows, string condition, string key, string leftOut);

    /// <summary>SQL that takes the planner's statistics of the tables (all when none are named) again, or null when the engine keeps none here.</summary>
    string? Analyze(params string[] tables);

    /// <summary>Marks accounts (given in order, each once) as touched since they were last scored, in one or a few statements.</summary>
    void MarkTouched(DbConnection c, DbTransaction tx, IReadOnlyList<long> accounts);

    /// <summary>Lets the set-wise merges of a transaction sort and hash in memory.</summary>
    void MemoryForMerges(DbConnection c, DbTransaction tx);

    /// <summary>
    /// Deletes the rows of a table whose two columns hold one of the pairs, in the order given (callers that lock rows
    /// order them).
    /// </summary>
    void DeletePairs(DbConnection c, DbTransaction tx, string table, string first, string second, IReadOnlyList<(long First, long Second)> pairs);

    /// <summary>
    /// How many rows a writer looks up one by one before reading the whole table pays off (a look-up is a network
    /// round trip on a server).
    /// </summary>
    int LookupsBeforeReadingAll { get; }

    /// <summary>
    /// Keys for <paramref name="count"/> accounts a writer will create together (<see cref="CreateAccounts"/>), in
    /// increasing order; null where creating each account as it is met costs no round trip (the writer does that).
    /// </summary>
    long[]? ReserveAccountKeys(DbConnection c, DbTransaction tx, int count);

    /// <summary>
    /// Creates accounts with the keys <see cref="ReserveAccountKeys"/> gave, in one statement: bare, or with the row an
    /// accounts file gave the account (<paramref name="rows"/>, by key).
    /// </summary>
    void CreateAccounts(DbConnection c, DbTransaction tx, IReadOnlyList<(long Key, string Id)> accounts, IReadOnlyDictionary<long, AccountRow> rows);

    /// <summary>Writes stored accounts' rows as <see cref="AccountRow.Apply"/> left them, in one or a few statements.</summary>
    void UpdateAccounts(DbConnection c, DbTransaction tx, IReadOnlyList<(long Key, AccountRow Row)> accounts);

    /// <summary>
    /// A writer of one entity kind's rows in the import's transaction, which writes each row at once or holds the rows
    /// and writes them in bulk.
    /// </summary>
    /// <param name="db">The store.</param>
    /// <param name="tx">The import's transaction.</param>
    /// <param name="upsert">The entity kind: its table, its columns, its key and the columns an update writes.</param>
    /// <param name="changed">Called, as held rows are written, with the account key of each that added or changed something.</param>
    IEntityWriter OpenEntityWriter(StoreDb db, DbTransaction tx, EntityUpsert upsert, Action<long> changed);

    /// <summary>A stage for usage events in the import's transaction, held in memory and merged into the store (or the inbox) a batch at a time.</summary>
    /// <param name="db">The store.</param>
    /// <param name="tx">The import's transaction.</param>
    /// <param name="inbox">The stage's events go to the inbox when merged (see <see cref="UsageMerge"/>).</param>
    IUsageStage OpenUsageStage(StoreDb db, DbTransaction tx, bool inbox = false);

    /// <summary>Streams the rows of a query, on a connection of its own (so that several tables can be read at once).</summary>
    IEnumerable<IRowReader> ReadRows(StoreDb db, string sql);

    /// <summary>The usage blocks as a merge reads and writes them, on its connection and in its transaction (which holds the import lock).</summary>
    IUsageBlockStore OpenUsageBlocks(DbConnection c, DbTransaction tx);

    /// <summary>
    /// Writes (or replaces) snapshots of one day, <paramref name="asOf"/>, in one transaction. A snapshot the same as the
    /// one stored for its account and day is left as it is: a day scored again, as the live rescoring and the daily
    /// rescore do, writes only the scores that moved. A day no snapshot is stored for yet (a new day's first scoring)
    /// takes its snapshots without looking for stored ones. Returns how many snapshots were written (new or changed).
    /// </summary>
    int WriteSnapshots(StoreDb db, string asOf, IEnumerable<SnapshotRecord> snapshots);

    void Backup(StoreDb db, string file);
}

/// <summary>Writes the rows of one entity kind (<see cref="EntityUpsert"/>) in the import's transaction.</summary>
internal interface IEntityWriter : IDisposable
{
    /// <summary>
    /// Writes a row, its values in the order of <see cref="EntityUpsert.Columns"/>, or holds it: true when written now
    /// and it added or changed something; a held row is reported when written (see <see cref="Flush"/>).
    /// </summary>
    bool Write(object?[] values);

    /// <summary>Writes the rows held, in order: of rows with the same key the last one stands.</summary>
    void Flush();
}

/// <summary>The current row of a query being read.</summary>
internal interface IRowReader
{
    long GetInt64(int i);

    int GetInt32(int i);

    double GetDouble(int i);

    string GetString(int i);

    /// <summary>A binary value, valid until the next row is read.</summary>
    ReadOnlySpan<byte> GetBytes(int i);

    /// <summary>A text value's UTF-8 bytes, valid until the next row is read (for reading stored dates without a string).</summary>
    ReadOnlySpan<byte> GetUtf8(int i);

    bool IsDBNull(int i);
}

/// <summary>Usage events gathered in the import's transaction and merged into the store per batch.</summary>
internal interface IUsageStage : IDisposable
{
    int Count { get; }

    void Add(in StagedEvent e);

    /// <summary>
    /// The key a user's staged events are given until the next merge (what <see cref="Add"/> gives an event that names
    /// the user by id): its key, or a stand-in the merge replaces. An event staged with it and no user id is staged as
    /// one naming the user by id would be.
    /// </summary>
    long KeyOf(string user);

    /// <summary>Merges the staged events; returns how many were new or changed what was stored. Of an identity staged more than once only the last version counts.</summary>
    /// <param name="states">
    /// When given (as long as <see cref="Count"/>), filled before the merge with each staged event's state against the
    /// store, by its position: 0 new, 1 changed, 2 the same as stored; repeats included.
    /// </param>
    /// <param name="users">When given, filled with the users the merge created or looked up (their id and key).</param>
    int Merge(int[]? states = null, List<(string UserId, long Key)>? users = null);
}

/// <param name="Identity">The event's identity: the hash of its event id, or of its fields when it has none.</param>
/// <param name="Account">The account's key.</param>
/// <param name="Day">The day it occurred in the store's usage timezone (a <see cref="DateOnly.DayNumber"/>).</param>
/// <param name="Event">The event name's key.</param>
/// <param name="User">The user id as sent when its key is not known yet: such users are created and keyed set-wise when the stage is merged.</param>
/// <param name="UserKey">The user's key when it is known (then <paramref name="User"/> is null).</param>
/// <param name="Count">The event's count.</param>
/// <param name="Value">Its value, if it has one.</param>
/// <param name="OccurredAt">When it occurred, in Unix milliseconds (UTC).</param>
/// <param name="Properties">Its properties as JSON, keys in order; null without any.</param>
internal readonly record struct StagedEvent(byte[] Identity, long Account, int Day, long Event, string? User, long? UserKey, long Count, double? Value, long OccurredAt, string? Properties)
{
    /// <summary>
    /// Whether two versions of an event store the same (the merge's comparison). A user must be named the same way in
    /// both: by key in both (as stored), or as staged in one transaction (by its key when known before, else by its id).
    /// </summary>
    public bool SameAs(in StagedEvent other) =>
        Account == other.Account && Day == other.Day && Event == other.Event && User == other.User && UserKey == other.UserKey && Count == other.Count
        && Nullable.Equals(Value, other.Value) && OccurredAt == other.OccurredAt && Properties == other.Properties;
}

/// <summary>An account's snapshot of the day <see cref="IStoreEngine.WriteSnapshots"/> is given.</summary>
internal sealed record SnapshotRecord(
    long AccountKey, string ModelVersion, string Scorecard, double? Score, double? ComputedScore, string? Grade, string? OverrideReason,
    string? Note, byte[] Detail, double? Coverage);
