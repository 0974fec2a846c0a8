using Dapper;

namespace CustomerHealth.Store.Tests.Engines;

/// <summary>Removing a store the product made (the demo's file, rebuilt on each run): the engine knows its side files.</summary>
public sealed class RemoveStoreTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("chs-remove-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Remove_AnSqliteStore_TakesItsWriteAheadLogWithIt()
    {
        var path = Path.Combine(dir, "demo.db");
        var open = StoreDb.Open(path);
        open.Connection.Execute("INSERT INTO settings (key, value) VALUES ('probe', 'x')");
        // Still open: the write-ahead log and its index are there beside the file.
        File.Exists(path + "-wal").ShouldBeTrue();

        open.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        StoreDb.Remove(path);

        Directory.GetFiles(dir).ShouldBeEmpty();
        StoreDb.IsMissingFile(path).ShouldBeTrue();
    }

    [Fact]
    public void Remove_APostgresDatabase_IsRefusedWithoutItsPassword() =>
        Should.Throw<StoreException>(() => StoreDb.Remove("postgres://chs:s3cret@127.0.0.1:1/health"))
            .Message.ShouldSatisfyAllConditions(
                m => m.ShouldContain("drop it there"),
                m => m.ShouldNotContain("s3cret"));
}
