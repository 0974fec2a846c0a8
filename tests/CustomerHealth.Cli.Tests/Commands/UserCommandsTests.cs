namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs user role|disable|enable|remove`: each changes the user and ends the sessions they had.</summary>
public abstract class UserCommandsTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    private void Session(string email)
    {
        using var c = chs.Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = $"INSERT INTO sessions (id, email, created_at, expires_at) VALUES ('{Guid.NewGuid():N}', '{email}', '2026-01-01T00:00:00Z', '2999-01-01T00:00:00Z')";
        cmd.ExecuteNonQuery();
    }

    private long Sessions() => chs.Count("SELECT COUNT(*) FROM sessions");

    [Fact]
    public void UserCommands_ChangeTheUserAndEndTheirSessions()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("user", "add", "ann@example.com", "--role", "csm").ExitCode.ShouldBe(0);

        Session("ann@example.com");
        var role = chs.Run("user", "role", "Ann@Example.com", "manager");
        role.ExitCode.ShouldBe(0, role.ToString());
        role.Out.ShouldContain("ann@example.com is now manager");
        Sessions().ShouldBe(0);
        chs.Run("user", "list", "--json").Json.EnumerateArray().Single().GetProperty("role").GetString().ShouldBe("manager");

        Session("ann@example.com");
        chs.Run("user", "disable", "ann@example.com").ExitCode.ShouldBe(0);
        Sessions().ShouldBe(0);
        chs.Run("user", "list").Out.ShouldContain("(disabled)");
        chs.Run("user", "list", "--json").Json.EnumerateArray().Single().GetProperty("disabled").GetBoolean().ShouldBeTrue();

        chs.Run("user", "enable", "ann@example.com").ExitCode.ShouldBe(0);
        chs.Run("user", "list", "--json").Json.EnumerateArray().Single().GetProperty("disabled").GetBoolean().ShouldBeFalse();

        Session("ann@example.com");
        var removed = chs.Run("user", "remove", "ann@example.com");
        removed.ExitCode.ShouldBe(0, removed.ToString());
        Sessions().ShouldBe(0);
        chs.Run("user", "list", "--json").Json.GetArrayLength().ShouldBe(0);
    }

    [Fact]
    public void UserCommands_UnknownUserOrRole_SayWhatIsWrong()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var missing = chs.Run("user", "disable", "nobody@example.com");
        missing.ExitCode.ShouldBe(1);
        missing.Err.ShouldContain("no user nobody@example.com");
        chs.Run("user", "role", "nobody@example.com", "viewer").ExitCode.ShouldBe(1);
        chs.Run("user", "add", "ann@example.com", "--role", "csm").ExitCode.ShouldBe(0);
        var bad = chs.Run("user", "role", "ann@example.com", "boss");
        bad.ExitCode.ShouldBe(2);
        bad.Err.ShouldContain("ROLE must be one of");
    }
}

public sealed class UserCommandsTestsOnSqlite() : UserCommandsTests(TestEngine.Sqlite);

public sealed class UserCommandsTestsOnPostgres() : UserCommandsTests(TestEngine.Postgres);
