namespace CustomerHealth.Store;

/// <summary>How the writers of one process share a store, known from its address before it is opened (<see cref="StoreDb.Writing"/>).</summary>
/// <param name="TakeTurns">
/// The process's connections take turns at writing (<see cref="WriteTurns"/>): an SQLite store has one writer at a time,
/// and a write that waited for its lock would wait for a gap between a busy writer's transactions.
/// </param>
/// <param name="Checkpoints">
/// A busy writer leaves copying the write-ahead log into the store to another connection (<see cref="StoreDb.Checkpoint"/>),
/// so that it writes the next transaction meanwhile.
/// </param>
/// <param name="InboxEvents">
/// After how many usage events appended to the inbox a busy writer merges it: on SQLite a larger merge writes each page
/// it changes once for more events; on PostgreSQL a merge costs about the same per event at any size, and a smaller
/// inbox keeps short the merge that a rescoring pass waits for.
/// </param>
public sealed record StoreWriting(bool TakeTurns, bool Checkpoints, int InboxEvents);
