using System.Data.Common;

namespace CustomerHealth.Store.Engines;

/// <summary>
/// What differs between the two databases the store runs on, SQLite and PostgreSQL: schema bookkeeping, the bulk
/// paths (usage staging, reading every signal, writing snapshots) and a few pieces of SQL.
/// </summary>
internal interface IStoreEngine
{
    /// <summary>The folder of the migrations under Schema/.</summary>
    string SchemaFolder { get; }

    int SchemaVersion(DbConnection c, DbTransaction? tx);

    void SetSchemaVersion(DbConnection c, DbTransaction tx, int version);

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

    /// <summary>SQL that removes every row of a table.</summary>
    string Empty(string table);

    /// <summary>SQL for a `YYYY-MM-DD` text date minus a number of days, as `YYYY-MM-DD` text.</summary>
    string DaysBefore(string dateExpression, string daysParameter);

    /// <summary>The LIMIT parameter meaning "no limit".</summary>
    object? NoLimit { get; }

    /// <summary>A stage for usage events in the import's transaction, merged into the store set-wise.</summary>
    /// <param name="inbox">The stage's events go to the inbox when merged (see <see cref="UsageMerge"/>).</param>
    IUsageStage OpenUsageStage(StoreDb db, DbTransaction tx, bool inbox = false);

    /// <summary>Streams the rows of a query, on a connection of its own (so that several tables can be read at once).</summary>
    IEnumerable<IRowReader> ReadRows(StoreDb db, string sql);

    /// <summary>Writes (or replaces) snapshots in one transaction.</summary>
    void WriteSnapshots(StoreDb db, IEnumerable<SnapshotRecord> snapshots);

    void Backup(StoreDb db, string file);
}

/// <summary>The current row of a query being read.</summary>
internal interface IRowReader
{
    long GetInt64(int i);

    int GetInt32(int i);

    double GetDouble(int i);

    string GetString(int i);

    bool IsDBNull(int i);
}

/// <summary>Usage events gathered in the import's transaction and merged into the store per batch.</summary>
internal interface IUsageStage : IDisposable
{
    int Count { get; }

    void Add(in StagedEvent e);

    /// <summary>Merges the staged events; returns how many were new or changed what was stored.</summary>
    /// <param name="repeats">Whether an identity was staged more than once (only its last version counts).</param>
    /// <param name="states">
    /// When given (as long as <see cref="Count"/>), filled before the merge with each staged event's state against the
    /// store, by its position: 0 new, 1 changed, 2 the same as stored; repeats included.
    /// </param>
    /// <param name="users">When given, filled with the users the merge created or looked up (their id and key).</param>
    int Merge(bool repeats, int[]? states = null, List<(string UserId, long Key)>? users = null);
}

/// <param name="User">The user id as sent when its key is not known yet: such users are created and keyed set-wise when the stage is merged.</param>
/// <param name="UserKey">The user's key when it is known (then <paramref name="User"/> is null).</param>
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

internal sealed record SnapshotRecord(
    long AccountKey, string AsOf, string ModelVersion, string Scorecard, double? Score, double? ComputedScore, string? Grade, string? OverrideReason,
    string? Note, byte[] Detail, double? Coverage);
