namespace CustomerHealth.Store.Engines;

/// <summary>
/// How the rows of one entity kind are written: a row with a new key inserts; one whose key is stored updates the
/// <see cref="Updated"/> columns, and only when one of them differs (so that an unchanged row counts as unchanged).
/// Every entity kind has an account_key column.
/// </summary>
internal sealed record EntityUpsert(string Table, string[] Columns, string[] Keys, string[] Updated)
{
    /// <summary>The conflict clause of an insert into the table, in the engine's SQL.</summary>
    public string OnConflict(IStoreEngine engine) =>
        $"ON CONFLICT ({string.Join(", ", Keys)}) DO UPDATE SET {string.Join(", ", Updated.Select(c => $"{c} = excluded.{c}"))} " +
        $"WHERE {engine.Differs($"({string.Join(", ", Updated.Select(c => $"{Table}.{c}"))})", $"({string.Join(", ", Updated.Select(c => $"excluded.{c}"))})")}";
}
