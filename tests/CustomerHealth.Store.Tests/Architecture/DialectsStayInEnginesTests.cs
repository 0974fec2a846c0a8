using System.Reflection;
using System.Text.RegularExpressions;

namespace CustomerHealth.Store.Tests.Architecture;

/// <summary>
/// What differs between SQLite and PostgreSQL lives in src/CustomerHealth.Store/Engines behind IStoreEngine
/// (docs/architecture.md, "Stores and dialects"): no other source asks which database it runs on or names a driver,
/// one place picks the engine, and the hosts run no SQL of their own.
/// </summary>
public sealed class DialectsStayInEnginesTests
{
    private const string Engines = "src/CustomerHealth.Store/Engines/";

    /// <summary>
    /// External engines that compute sources where the data lives (a warehouse's PostgreSQL, DuckDB): not the store's
    /// own database, so their drivers and dialect table live apart, in Pushdown (PushdownSql, PushdownSession).
    /// </summary>
    private const string ExternalEngines = "src/CustomerHealth.Store/Pushdown/";

    /// <summary>Names that mean code is branching on the database or using a driver's own types.</summary>
    private static readonly Regex DriverOrBranch = new(@"IsPostgres|Npgsql|Microsoft\.Data\.Sqlite|SqliteConnection|SQLitePCL", RegexOptions.CultureInvariant);

    /// <summary>The engine classes themselves: naming one outside Engines is choosing an engine.</summary>
    private static readonly Regex EngineClass = new(@"\b(PostgresEngine|SqliteEngine)\b", RegexOptions.CultureInvariant);

    /// <summary>A host reaching the database itself rather than calling a store operation.</summary>
    private static readonly Regex OwnSql = new(@"\bDapper\b|\bDbConnection\b|\bDbCommand\b|\bSystem\.Data\b|\.Connection\.(Execute|Query|BeginTransaction|CreateCommand)", RegexOptions.CultureInvariant);

    /// <summary>The composition root: the files outside Engines that may name an engine class, and why.</summary>
    private static readonly Dictionary<string, string> PicksTheEngine = new(StringComparer.Ordinal)
    {
        ["src/CustomerHealth.Store/StoreDb.cs"] = "opening a store picks its engine from the address, and a full disk is recognised by asking each engine",
    };

    [Fact]
    public void Sources_OutsideEngines_NameNoDriverNorBranchOnTheDatabase()
    {
        var found = Find(DriverOrBranch, file => !file.StartsWith(Engines, StringComparison.Ordinal) && !file.StartsWith(ExternalEngines, StringComparison.Ordinal));

        found.ShouldBeEmpty("move what differs by database behind IStoreEngine in " + Engines + ":\n" + string.Join("\n", found));
    }

    [Fact]
    public void Sources_OutsideEngines_PickAnEngineOnlyInTheCompositionRoot()
    {
        var found = Find(EngineClass, file => !file.StartsWith(Engines, StringComparison.Ordinal) && !PicksTheEngine.ContainsKey(file));

        found.ShouldBeEmpty("only StoreDb's opening picks an engine; elsewhere ask the engine (IStoreEngine):\n" + string.Join("\n", found));
    }

    [Fact]
    public void Hosts_RunNoSqlOfTheirOwn()
    {
        var found = Find(OwnSql, file => !file.StartsWith("src/CustomerHealth.Store/", StringComparison.Ordinal));

        found.ShouldBeEmpty("SQL lives in the Store project; give Store an operation for what the host needs:\n" + string.Join("\n", found));
    }

    [Fact]
    public void CompositionRoot_ListsOnlyFilesThatExist()
    {
        var root = RepositoryRoot();

        PicksTheEngine.Keys.Where(f => !File.Exists(Path.Combine(root, f))).ShouldBeEmpty();
    }

    [Fact]
    public void StoreDb_Connection_IsNotPublic()
    {
        var connection = typeof(StoreDb).GetProperty("Connection", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic);

        connection.ShouldNotBeNull("StoreDb keeps its shared connection as Connection");
        connection.GetMethod!.IsPublic.ShouldBeFalse("the hosts call store operations, never the connection");
    }

    [Fact]
    public void StorePublicApi_ExposesNoDriverOrAdoNetTypes()
    {
        var exposed = new List<string>();
        foreach (var type in typeof(StoreDb).Assembly.GetExportedTypes())
        {
            foreach (var member in type.GetMembers(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            {
                var types = member switch
                {
                    PropertyInfo p => [p.PropertyType],
                    FieldInfo f => [f.FieldType],
                    MethodInfo m => [m.ReturnType, .. m.GetParameters().Select(p => p.ParameterType)],
                    ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType).ToArray(),
                    _ => Array.Empty<Type>(),
                };
                exposed.AddRange(types.Where(IsDriverType).Select(t => $"{type.Name}.{member.Name}: {t.FullName}"));
            }
        }

        exposed.ShouldBeEmpty();
    }

    private static bool IsDriverType(Type t)
    {
        var ns = (t.IsArray || t.IsByRef ? t.GetElementType()! : t).Namespace ?? "";
        return ns.StartsWith("Npgsql", StringComparison.Ordinal) || ns.StartsWith("Microsoft.Data.Sqlite", StringComparison.Ordinal)
            || ns.StartsWith("SQLitePCL", StringComparison.Ordinal) || ns.StartsWith("System.Data", StringComparison.Ordinal);
    }

    /// <summary>Each line of src/'s C# and Razor sources that matches, as `file:line: text`, among the files <paramref name="applies"/> keeps.</summary>
    private static List<string> Find(Regex pattern, Func<string, bool> applies)
    {
        var root = RepositoryRoot();
        var found = new List<string>();
        var files = Directory.EnumerateFiles(Path.Combine(root, "src"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Contains("/bin/", StringComparison.Ordinal) && !f.Contains("/obj/", StringComparison.Ordinal))
            .ToList();
        files.Count.ShouldBeGreaterThan(100, "the sources under src/ were not found");
        foreach (var file in files.Where(applies).Order(StringComparer.Ordinal))
        {
            var lines = File.ReadAllLines(Path.Combine(root, file));
            for (var i = 0; i < lines.Length; i++)
            {
                if (pattern.IsMatch(lines[i]))
                {
                    found.Add($"{file}:{i + 1}: {lines[i].Trim()}");
                }
            }
        }
        return found;
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CustomerHealth.slnx")))
        {
            dir = dir.Parent;
        }
        return dir?.FullName ?? throw new InvalidOperationException("the repository root (CustomerHealth.slnx) is not above " + AppContext.BaseDirectory);
    }
}
