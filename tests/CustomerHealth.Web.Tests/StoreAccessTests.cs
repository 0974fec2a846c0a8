using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests;

/// <summary>The server's connections to an SQLite store take turns at writing, all the same turns; PostgreSQL's take none.</summary>
public sealed class StoreAccessTests
{
    [Theory]
    [InlineData(TestEngine.Sqlite)]
    [InlineData(TestEngine.Postgres)]
    public void Open_ConnectionsToAnSqliteStore_ShareTheProcessTurnsAtWriting(TestEngine engine)
    {
        using var app = TestApp.Quiet(engine);
        var access = app.Services.GetRequiredService<StoreAccess>();
        using var one = access.Open();
        using var two = access.Open();

        if (engine == TestEngine.Sqlite)
        {
            one.Turns.ShouldNotBeNull();
            two.Turns.ShouldBeSameAs(one.Turns);
        }
        else
        {
            one.Turns.ShouldBeNull();
            two.Turns.ShouldBeNull();
        }
    }
}
