using CustomerHealth.Store.Engines;
using Npgsql;

namespace CustomerHealth.Store.Tests.Engines;

public sealed class PostgresEngineTests
{
    [Fact]
    public void ConnectionString_PostgresUrl_BecomesNpgsqlKeywords()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("postgres://cs%20team:p%40ss@db.example:6543/health?sslmode=require"));

        b.Host.ShouldBe("db.example");
        b.Port.ShouldBe(6543);
        b.Username.ShouldBe("cs team");
        b.Password.ShouldBe("p@ss");
        b.Database.ShouldBe("health");
        b.SslMode.ShouldBe(SslMode.Require);
    }

    [Fact]
    public void ConnectionString_KeywordForm_IsKept()
    {
        var b = new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("Host=127.0.0.1;Port=5433;Username=chs;Database=portfolio"));

        (b.Host, b.Port, b.Username, b.Database).ShouldBe(("127.0.0.1", 5433, "chs", "portfolio"));
    }

    [Fact]
    public void ConnectionString_NoCommandTimeoutUnlessGiven()
    {
        // A 50-million-event import runs merge statements far longer than Npgsql's default 30 seconds.
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("Host=h;Database=d")).CommandTimeout.ShouldBe(0);
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("postgres://u@h/d")).CommandTimeout.ShouldBe(0);
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("Host=h;Database=d;Command Timeout=45")).CommandTimeout.ShouldBe(45);
        new NpgsqlConnectionStringBuilder(PostgresEngine.ConnectionString("postgres://u@h/d?command_timeout=60")).CommandTimeout.ShouldBe(60);
    }

    [Fact]
    public void Describe_NeverShowsThePassword()
    {
        var text = PostgresEngine.Describe("Host=db;Port=5432;Username=u;Password=secret;Database=d");

        text.ShouldBe("db:5432/d");
        text.ShouldNotContain("secret");
    }

    [Theory]
    [InlineData("postgres://u@h/d", true)]
    [InlineData("postgresql://u@h/d", true)]
    [InlineData("Host=h;Database=d", true)]
    [InlineData("chs.db", false)]
    [InlineData("/data/host=1.db", false)]
    public void IsPostgresTarget_TellsServersFromFiles(string target, bool expected) => StoreDb.IsPostgresTarget(target).ShouldBe(expected);

    [Fact]
    public void Open_UnreachableServer_SaysWhereWithoutThePassword()
    {
        var e = Should.Throw<StoreException>(() => StoreDb.Open("Host=127.0.0.1;Port=1;Username=u;Password=secret;Database=d;Timeout=2"));

        e.Message.ShouldContain("127.0.0.1:1/d");
        e.Message.ShouldNotContain("secret");
    }
}
