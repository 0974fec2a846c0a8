using System.CommandLine;
using System.Security.Cryptography;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using Microsoft.AspNetCore.Identity;

namespace CustomerHealth.Cli.Commands;

/// <summary>`user add|list|role|disable|enable|remove` and `apikey create|list|revoke` (SPEC §10): who may sign in and which machines may call.</summary>
internal static class AccessCommands
{
    public static void Add(RootCommand root, CliContext ctx)
    {
        var user = new Command("user", "People who sign in to the web app");
        var email = new Argument<string>("EMAIL") { Description = "The person's e-mail address (their sign-in name)" };
        var role = new Option<string>("--role") { Description = "admin, manager, csm or viewer", Required = true };
        var password = new Option<string?>("--password") { Description = "The password (default: a random one, printed once)" };
        var add = new Command("add", "Add a user, or change an existing user's role and password") { email, role, password };
        add.SetAction(p =>
        {
            var r = p.GetValue(role)!;
            if (!Roles.All.Contains(r))
            {
                throw new UsageException($"--role must be one of {string.Join(", ", Roles.All)}");
            }
            using var db = ctx.Open(p);
            var (address, secret) = AddUser(db, ctx.Clock, p.GetValue(email)!, r, p.GetValue(password));
            Console.WriteLine($"{address} can sign in as {r}.");
            if (p.GetValue(password) is null)
            {
                Console.WriteLine($"Password: {secret}   (shown once; change it with `chs user add {address} --role {r} --password ...`)");
            }
            return 0;
        });
        user.Subcommands.Add(add);
        var json = Chs.Json;
        var list = new Command("list", "The users and their roles") { json };
        list.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var users = new AccessBook(db, ctx.Clock).Users();
            if (p.GetValue(json))
            {
                CliContext.WriteJson(users.Select(u => new { u.Email, u.Role, u.CreatedAt, u.Disabled }));
                return 0;
            }
            foreach (var u in users)
            {
                Console.WriteLine($"{u.Email,-40} {u.Role,-8} since {u.CreatedAt}{(u.Disabled ? "  (disabled)" : "")}");
            }
            return 0;
        });
        user.Subcommands.Add(list);
        user.Subcommands.Add(Change(ctx, "disable", "Stop a user signing in and end their sessions (undo with enable)", (book, address) => book.Disable(address), "can no longer sign in; their sessions have ended"));
        user.Subcommands.Add(Change(ctx, "enable", "Let a disabled user sign in again", (book, address) => book.Enable(address), "can sign in again"));
        user.Subcommands.Add(Change(ctx, "remove", "Remove a user and end their sessions (what they wrote keeps their name)", (book, address) => book.Remove(address), "is removed; their sessions have ended"));
        var roleEmail = new Argument<string>("EMAIL") { Description = "The user's e-mail address" };
        var newRole = new Argument<string>("ROLE") { Description = "admin, manager, csm or viewer" };
        var roleCommand = new Command("role", "Change a user's role; their sessions end, so the new role applies when they sign in again") { roleEmail, newRole };
        roleCommand.SetAction(p =>
        {
            var r = p.GetValue(newRole)!;
            if (!Roles.All.Contains(r))
            {
                throw new UsageException($"ROLE must be one of {string.Join(", ", Roles.All)}");
            }
            using var db = ctx.Open(p);
            var address = AccessBook.NormalizeEmail(p.GetValue(roleEmail)!);
            if (!new AccessBook(db, ctx.Clock).SetRole(address, r))
            {
                Console.Error.WriteLine($"error: no user {address}; add one with `chs user add {address} --role {r}`");
                return 1;
            }
            Console.WriteLine($"{address} is now {r}; their sessions have ended.");
            return 0;
        });
        user.Subcommands.Add(roleCommand);
        root.Subcommands.Add(user);

        var apikey = new Command("apikey", "Keys for machines calling the API");
        var name = new Argument<string>("NAME") { Description = "What the key is for, e.g. \"segment\" or \"crm sync\"" };
        var scope = new Option<string[]>("--scope") { Description = "ingest, read or admin (repeat for several)", Required = true, AllowMultipleArgumentsPerToken = true };
        var create = new Command("create", "Create a key; it is printed once, and only its hash is kept") { name, scope };
        create.SetAction(p =>
        {
            var scopes = p.GetValue(scope)!.SelectMany(s => s.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            foreach (var s in scopes.Where(s => !Scopes.All.Contains(s)))
            {
                throw new UsageException($"--scope must be among {string.Join(", ", Scopes.All)}, got `{s}`");
            }
            using var db = ctx.Open(p);
            var (key, secret) = new AccessBook(db, ctx.Clock).CreateKey(p.GetValue(name)!, scopes);
            // The key alone on standard output (KEY=$(chs apikey create ...)); what it is, for a person, on standard error.
            Console.Error.WriteLine($"Created the API key \"{key.Name}\" ({key.KeyId}) with scope {string.Join(", ", key.Scopes)}:");
            Console.WriteLine(secret);
            Console.Error.WriteLine("Keep it now: it is not shown again. Send it as `Authorization: Bearer KEY` (Segment-compatible calls: as the write key).");
            return 0;
        });
        apikey.Subcommands.Add(create);
        var keysJson = Chs.Json;
        var keys = new Command("list", "The keys (never their secrets)") { keysJson };
        keys.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var all = new AccessBook(db, ctx.Clock).Keys();
            if (p.GetValue(keysJson))
            {
                CliContext.WriteJson(all);
                return 0;
            }
            foreach (var k in all)
            {
                Console.WriteLine($"{k.KeyId}  {k.Name,-24} {string.Join(",", k.Scopes),-20} created {k.CreatedAt}{(k.RevokedAt is null ? "" : ", revoked " + k.RevokedAt)}");
            }
            return 0;
        });
        apikey.Subcommands.Add(keys);
        var id = new Argument<string>("KEY_ID") { Description = "The key's id, as `chs apikey list` shows it" };
        var revoke = new Command("revoke", "Revoke a key at once") { id };
        revoke.SetAction(p =>
        {
            using var db = ctx.Open(p);
            if (!new AccessBook(db, ctx.Clock).Revoke(p.GetValue(id)!))
            {
                throw new StoreException($"no live key `{p.GetValue(id)}`");
            }
            Console.WriteLine($"Revoked {p.GetValue(id)}.");
            return 0;
        });
        apikey.Subcommands.Add(revoke);
        root.Subcommands.Add(apikey);
    }

    /// <summary>Adds a user with a hashed password (a random one when none is given); returns the address and the password.</summary>
    public static (string Email, string Password) AddUser(StoreDb db, TimeProvider clock, string email, string role, string? password)
    {
        if (password is { Length: < 8 })
        {
            throw new UsageException("--password must have at least 8 characters");
        }
        var secret = password ?? RandomNumberGenerator.GetString("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 16);
        var book = new AccessBook(db, clock);
        var address = AccessBook.NormalizeEmail(email);
        var hash = new PasswordHasher<AppUser>().HashPassword(new AppUser(address, role, "", "", false), secret);
        book.SaveUser(address, role, hash);
        return (address, secret);
    }

    /// <summary>A `user VERB EMAIL` that changes one user, saying so, or exits 1 when there is no such user.</summary>
    private static Command Change(CliContext ctx, string verb, string description, Func<AccessBook, string, bool> change, string done)
    {
        var email = new Argument<string>("EMAIL") { Description = "The user's e-mail address" };
        var command = new Command(verb, description) { email };
        command.SetAction(p =>
        {
            using var db = ctx.Open(p);
            var address = AccessBook.NormalizeEmail(p.GetValue(email)!);
            if (!change(new AccessBook(db, ctx.Clock), address))
            {
                Console.Error.WriteLine($"error: no user {address} (see `chs user list`)");
                return 1;
            }
            Console.WriteLine($"{address} {done}.");
            return 0;
        });
        return command;
    }
}
