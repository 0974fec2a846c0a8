using System.Diagnostics;
using System.Text.Json;

namespace CustomerHealth.Cli.Tests;

/// <summary>Runs the real `chs` executable (the built chs.dll beside the tests) in a folder of its own.</summary>
internal sealed class ChsRunner : IDisposable
{
    private readonly string? postgres;

    public ChsRunner(TestEngine engine)
    {
        Engine = engine;
        Dir = Path.Combine(Path.GetTempPath(), "chs-cli-tests", Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(Dir);
        postgres = engine == TestEngine.Postgres ? TestPostgres.CreateDatabase() : null;
    }

    public TestEngine Engine { get; }

    public string Dir { get; }

    /// <summary>The cache folder the processes started are given (<c>XDG_CACHE_HOME</c>): what `chs` keeps for its next start goes there.</summary>
    public string CacheDir => Path.Combine(Dir, "cache");

    /// <summary>The store `chs` is pointed at (CHS_DB): an SQLite file in the folder, or a new PostgreSQL database.</summary>
    public string DbPath => postgres ?? Path.Combine(Dir, "chs.db");

    /// <summary>A connection to the store, for checking what `chs` wrote.</summary>
    public System.Data.Common.DbConnection Connect()
    {
        System.Data.Common.DbConnection c = postgres is null
            ? new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={DbPath};Pooling=false")
            : new Npgsql.NpgsqlConnection(postgres);
        c.Open();
        return c;
    }

    /// <summary>The usage as stored (every cell of the usage blocks).</summary>
    internal List<UsageCell> UsageCells()
    {
        using var c = Connect();
        return StoredUsage.Cells(c);
    }

    public long Count(string sql)
    {
        using var c = Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public static string Executable => Path.Combine(AppContext.BaseDirectory, "chs.dll");

    /// <summary>
    /// The address a started `chs serve` (or `demo`) prints it serves at; fails with what it printed when it prints none.
    /// The lines read until then are added to <paramref name="output"/> when given (a server's jobs may log before it listens).
    /// </summary>
    public static async Task<Uri> ServedAddress(Process server, System.Text.StringBuilder? output = null)
    {
        output ??= new System.Text.StringBuilder();
        var address = new System.Text.RegularExpressions.Regex(@"at (http://127\.0\.0\.1:\d+)");
        if (await NextLine(server, address.IsMatch, output) is { } line)
        {
            output.AppendLine(line);
            return new Uri(address.Match(line).Groups[1].Value);
        }
        throw new ShouldAssertException("serve printed no address:\n" + output + await server.StandardError.ReadToEndAsync());
    }

    /// <summary>
    /// The next line a started server prints that starts with <paramref name="start"/>, passing over the others (its jobs
    /// log while it starts); fails with what it printed when it prints none.
    /// </summary>
    public static async Task<string> PrintedLine(Process server, string start)
    {
        var output = new System.Text.StringBuilder();
        return await NextLine(server, line => line.StartsWith(start, StringComparison.Ordinal), output)
            ?? throw new ShouldAssertException($"the server printed no line starting with \"{start}\":\n{output}");
    }

    /// <summary>The next line a server prints that matches, the lines before it added to <paramref name="passed"/>; null when it stops printing first.</summary>
    private static async Task<string?> NextLine(Process server, Func<string, bool> match, System.Text.StringBuilder passed)
    {
        while (await server.StandardOutput.ReadLineAsync() is { } line)
        {
            if (match(line))
            {
                return line;
            }
            passed.AppendLine(line);
        }
        return null;
    }

    public sealed record Result(int ExitCode, string Out, string Err)
    {
        public JsonElement Json => JsonDocument.Parse(Out).RootElement;

        public override string ToString() => $"exit {ExitCode}\nstdout:\n{Out}\nstderr:\n{Err}";
    }

    public Result Run(params string[] args) => RunWithEnv(null, args);

    public Result RunWithEnv(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        using var p = Start(env, args);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            throw new TimeoutException($"chs {string.Join(' ', args)} did not finish in 5 minutes; it printed:\n{stdout.Result}\n{stderr.Result}");
        }
        return new Result(p.ExitCode, stdout.Result, stderr.Result);
    }

    public Process Start(IReadOnlyDictionary<string, string>? env, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Executable);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }
        psi.Environment["CHS_DB"] = DbPath;
        // What chs keeps for its next start (StartupProfile) stays with the test's folder.
        psi.Environment["XDG_CACHE_HOME"] = CacheDir;
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }
        return Process.Start(psi)!;
    }

    public string Write(string name, string content)
    {
        var path = Path.Combine(Dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content.ReplaceLineEndings("\n"));
        return path;
    }

    public void Dispose()
    {
        if (postgres is not null)
        {
            TestPostgres.DropDatabase(postgres);
        }
        try
        {
            Directory.Delete(Dir, recursive: true);
        }
        catch (IOException)
        {
            // a killed process may still hold a file for a moment; the temp folder is cleaned by the OS
        }
    }

    /// <summary>The shared data sets beside the checkout (../shared/datasets), as CI has them.</summary>
    public static string DatasetsDir
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CustomerHealth.slnx")))
            {
                dir = dir.Parent;
            }
            var path = dir is null ? null : Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets"));
            if (path is null || !Directory.Exists(path))
            {
                throw new InvalidOperationException("The real data sets are missing: ../shared/datasets must sit beside the checkout (see scripts/test).");
            }
            return path;
        }
    }
}
