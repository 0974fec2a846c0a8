using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace CustomerHealth.Cli.Tests.Docs;

/// <summary>Where the docs' commands keep their store: as written (./chs.db), or PostgreSQL given in CHS_DB in one of its two forms.</summary>
public enum DocsStore
{
    Sqlite,
    PostgresUrl,
    PostgresHost,
}

/// <summary>
/// A newcomer's shell, as the docs address it: a fresh home folder, the repository as the folder it starts in, and
/// the state one command leaves for the next (the current folder, exported and set variables). Each command runs
/// in bash exactly as the doc shows it, with two changes a machine running tests needs: the web app's port 5000 is
/// a free port (in `chs serve` and in the addresses the commands call), and a `postgres://` address a command gives
/// points at the test's PostgreSQL server, at a new database made for it (owned by the user named, with the password
/// given). `chs serve` is started beside the other commands and stopped when the doc ends.
/// </summary>
internal sealed partial class DocsSession : IDisposable
{
    private readonly string root;
    private readonly string state;
    private readonly DocsStore store;
    private readonly List<string> databases = [];
    private readonly List<Process> servers = [];
    private readonly int port = FreePort();
    private readonly string password = "pw-" + Guid.NewGuid().ToString("N")[..12];
    private readonly string role = "chs_docs_" + Guid.NewGuid().ToString("N")[..8];

    public DocsSession(string repositoryRoot, DocsStore store)
    {
        RepositoryRoot = repositoryRoot;
        this.store = store;
        root = Path.Combine(Path.GetTempPath(), "chs-docs-tests", Guid.NewGuid().ToString("N")[..10]);
        Home = Path.Combine(root, "home");
        state = Path.Combine(root, "state");
        Directory.CreateDirectory(Home);
        Directory.CreateDirectory(state);
        if (store != DocsStore.Sqlite)
        {
            Sql($"CREATE ROLE {role} LOGIN PASSWORD '{password}'");
        }
        var env = new StringBuilder();
        env.AppendLine("export HOME=" + Quote(Home));
        // The NuGet packages the build restored (a fresh home has none, and `dotnet publish` would fetch them again).
        env.AppendLine("export NUGET_PACKAGES=" + Quote(Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages")));
        File.WriteAllText(Path.Combine(state, "env"), env.ToString());
        File.WriteAllText(Path.Combine(state, "cwd"), repositoryRoot + "\n");
        NewStore();
        Saved = Save();
    }

    public string RepositoryRoot { get; }

    public string Home { get; }

    /// <summary>The state after the README, where each other doc starts (a reader of a doc has done the README).</summary>
    public (string Env, string Cwd) Saved { get; set; }

    public (string Env, string Cwd) Save() => (File.ReadAllText(Path.Combine(state, "env")), File.ReadAllText(Path.Combine(state, "cwd")));

    public void Restore((string Env, string Cwd) saved)
    {
        StopServers();
        File.WriteAllText(Path.Combine(state, "env"), saved.Env);
        File.WriteAllText(Path.Combine(state, "cwd"), saved.Cwd);
    }

    public void FromRepositoryRoot() => File.WriteAllText(Path.Combine(state, "cwd"), RepositoryRoot + "\n");

    /// <summary>The commands from here on use a new, empty store (for PostgreSQL a new database in CHS_DB; an SQLite store is ./chs.db where the doc is).</summary>
    public void NewStore()
    {
        if (store == DocsStore.Sqlite)
        {
            File.AppendAllText(Path.Combine(state, "env"), "unset CHS_DB\n");
            return;
        }
        var db = Database(role);
        var server = new NpgsqlConnectionStringBuilder(TestPostgres.Server);
        var cs = store == DocsStore.PostgresUrl
            ? $"postgres://{role}:{password}@{server.Host}:{server.Port}/{db}"
            : $"Host={server.Host};Port={server.Port};Username={role};Password={password};Database={db}";
        File.AppendAllText(Path.Combine(state, "env"), "export CHS_DB=" + Quote(cs) + "\n");
    }

    public void WriteFile(string name, string text)
    {
        var cwd = File.ReadAllText(Path.Combine(state, "cwd")).Trim();
        File.WriteAllText(Path.Combine(cwd, name), text);
    }

    public sealed record Outcome(int ExitCode, string Out, string Err);

    public async Task<Outcome> Run(DocCommand command)
    {
        var text = Adapt(command.Text);
        if (command.Serves)
        {
            return await Serve(text, command);
        }
        var script = $"""
            set -a
            . {Quote(Path.Combine(state, "env"))}
            cd "$(cat {Quote(Path.Combine(state, "cwd"))})"
            {text}
            rc=$?
            export -p > {Quote(Path.Combine(state, "env"))}
            pwd > {Quote(Path.Combine(state, "cwd"))}
            exit $rc
            """;
        using var p = Start(script);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        try
        {
            await p.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            p.Kill(entireProcessTree: true);
            return new Outcome(-1, await stdout, await stderr + $"\n{command.Where}: did not finish in 10 minutes");
        }
        return new Outcome(p.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts `chs serve` and waits for the address it prints; it keeps running until the doc ends.</summary>
    private async Task<Outcome> Serve(string text, DocCommand command)
    {
        StopServers(); // a reader stops one server (Ctrl+C) before starting another
        text = text.TrimEnd().TrimEnd('&').TrimEnd();
        if (!text.Contains("--urls", StringComparison.Ordinal))
        {
            text += $" --urls http://127.0.0.1:{port}";
        }
        var script = $"""
            set -a
            . {Quote(Path.Combine(state, "env"))}
            cd "$(cat {Quote(Path.Combine(state, "cwd"))})"
            exec {text}
            """;
        var p = Start(script);
        servers.Add(p);
        var output = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            while (await p.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                output.AppendLine(line);
                if (ServedAt().IsMatch(line))
                {
                    _ = p.StandardOutput.ReadToEndAsync(CancellationToken.None); // keep the pipe drained
                    _ = p.StandardError.ReadToEndAsync(CancellationToken.None);
                    return new Outcome(0, output.ToString(), "");
                }
            }
        }
        catch (OperationCanceledException)
        {
            output.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{command.Where}: printed no address in 2 minutes");
        }
        var exit = p.HasExited ? p.ExitCode : -1;
        if (exit == -1)
        {
            p.Kill(entireProcessTree: true);
        }
        var err = await p.StandardError.ReadToEndAsync(CancellationToken.None);
        StopServers();
        return new Outcome(exit, output.ToString(), err);
    }

    [GeneratedRegex(@"at https?://\S+")]
    private static partial Regex ServedAt();

    [GeneratedRegex(@"postgres(?:ql)?://(?<user>[A-Za-z_][A-Za-z0-9_]*):(?<password>[^@\s'""]+)@(?<host>[^/\s'""]+)/(?<db>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex PostgresAddress();

    private readonly Dictionary<string, string> addresses = [];

    private string Adapt(string text)
    {
        text = text.Replace(":5000", ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        return PostgresAddress().Replace(text, m =>
        {
            if (!addresses.TryGetValue(m.Value, out var adapted))
            {
                var user = m.Groups["user"].Value;
                Sql($"DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{user}') THEN CREATE ROLE {user} LOGIN PASSWORD '{m.Groups["password"].Value}'; END IF; END $$");
                var db = Database(user);
                var server = new NpgsqlConnectionStringBuilder(TestPostgres.Server);
                adapted = $"postgres://{user}:{m.Groups["password"].Value}@{server.Host}:{server.Port}/{db}";
                addresses[m.Value] = adapted;
            }
            return adapted;
        });
    }

    private string Database(string owner)
    {
        var name = "chs_docs_" + Guid.NewGuid().ToString("N")[..12];
        Sql($"CREATE DATABASE {name} OWNER {owner}");
        databases.Add(name);
        return name;
    }

    private static void Sql(string sql)
    {
        using var c = new NpgsqlConnection(TestPostgres.Server);
        c.Open();
        using var cmd = new NpgsqlCommand(sql, c);
        cmd.ExecuteNonQuery();
    }

    private Process Start(string script)
    {
        var psi = new ProcessStartInfo("bash")
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add(script);
        // A newcomer's environment: none of the tests' own settings.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("CHS_", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }
        var p = Process.Start(psi)!;
        p.StandardInput.Close();
        return p;
    }

    private void StopServers()
    {
        foreach (var s in servers)
        {
            try
            {
                if (!s.HasExited)
                {
                    s.Kill(entireProcessTree: true);
                    s.WaitForExit(10_000);
                }
            }
            catch (InvalidOperationException)
            {
                // already gone
            }
            s.Dispose();
        }
        servers.Clear();
    }

    public void EndDoc() => StopServers();

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public void Dispose()
    {
        StopServers();
        foreach (var db in databases)
        {
            try
            {
                Sql($"DROP DATABASE IF EXISTS {db} WITH (FORCE)");
            }
            catch (NpgsqlException)
            {
                // the server may be gone at the end of the run; scripts/test removes it
            }
        }
        if (store != DocsStore.Sqlite)
        {
            try
            {
                Sql($"DROP ROLE IF EXISTS {role}");
            }
            catch (NpgsqlException)
            {
                // a role still owning something is left to the throwaway server
            }
        }
        try
        {
            Directory.Delete(root, recursive: true);
        }
        catch (IOException)
        {
            // a stopped server may hold a file for a moment; the temp folder is cleaned by the OS
        }
        catch (UnauthorizedAccessException)
        {
            // as above
        }
    }
}
