using CustomerHealth.Store.Access;
using Dapper;

namespace CustomerHealth.Store.Tests.Access;

public abstract class SingleSignOnUsersTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine);

    public void Dispose() => store.Dispose();

    private AccessBook Book => new(store.Db, store.Clock);

    [Fact]
    public void AddSingleSignOnUser_NewEmail_StoresTheRoleAndNoPassword()
    {
        Book.AddSingleSignOnUser(" Ann@Example.com ", Roles.Viewer).ShouldBeTrue();

        var user = Book.User("ann@example.com").ShouldNotBeNull();
        user.Role.ShouldBe(Roles.Viewer);
        user.Disabled.ShouldBeFalse();
        user.PasswordHash.ShouldBe(AccessBook.NoPassword);
    }

    [Fact]
    public void AddSingleSignOnUser_ExistingUser_LeavesRolePasswordAndDisabledAlone()
    {
        Book.SaveUser("bob@example.com", Roles.Manager, "hash-of-bob");
        store.Db.Connection.Execute("UPDATE app_users SET disabled = 1 WHERE email = 'bob@example.com'");

        Book.AddSingleSignOnUser("bob@example.com", Roles.Viewer).ShouldBeFalse();

        var user = Book.User("bob@example.com").ShouldNotBeNull();
        (user.Role, user.PasswordHash, user.Disabled).ShouldBe((Roles.Manager, "hash-of-bob", true));
    }

    [Fact]
    public void AddSingleSignOnUser_UnknownRoleOrNoEmail_IsRefusedAndStoresNothing()
    {
        Should.Throw<StoreException>(() => Book.AddSingleSignOnUser("carol@example.com", "owner")).Message.ShouldContain("unknown role `owner`");
        Should.Throw<StoreException>(() => Book.AddSingleSignOnUser("carol", Roles.Viewer)).Message.ShouldContain("not an e-mail address");

        Book.Users().ShouldBeEmpty();
    }

    [Fact]
    public void SetRole_DisabledUser_ChangesOnlyTheRole()
    {
        Book.SaveUser("dan@example.com", Roles.Viewer, "hash-of-dan");
        store.Db.Connection.Execute("UPDATE app_users SET disabled = 1 WHERE email = 'dan@example.com'");

        Book.SetRole("DAN@example.com", Roles.Csm).ShouldBeTrue();

        var user = Book.User("dan@example.com").ShouldNotBeNull();
        (user.Role, user.PasswordHash, user.Disabled).ShouldBe((Roles.Csm, "hash-of-dan", true));
    }

    [Fact]
    public void SetRole_NoSuchUserOrUnknownRole_ChangesNothing()
    {
        Book.SaveUser("erin@example.com", Roles.Viewer, "hash");

        Book.SetRole("nobody@example.com", Roles.Admin).ShouldBeFalse();
        Should.Throw<StoreException>(() => Book.SetRole("erin@example.com", "root"));

        Book.Users().Select(u => (u.Email, u.Role)).ShouldBe([("erin@example.com", Roles.Viewer)]);
    }
}

public sealed class SingleSignOnUsersTestsOnSqlite() : SingleSignOnUsersTests(TestEngine.Sqlite);

public sealed class SingleSignOnUsersTestsOnPostgres() : SingleSignOnUsersTests(TestEngine.Postgres);
