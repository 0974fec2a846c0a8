using System.Globalization;
using System.Security.Claims;
using System.Text;
using CustomerHealth.Core.Signals;
using CustomerHealth.Store;
using CustomerHealth.Store.Import;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using CustomerHealth.Web.Components;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace CustomerHealth.Web.Tests.Components;

/// <summary>
/// A store for the tests of the pages' models: an SQLite file of its own, the clock set to a day, and the readers a
/// page is given; the tests build a model on it as the page does, with no rendering and no web app.
/// </summary>
internal sealed class ModelStore : IDisposable
{
    /// <summary>The pages' test model (<see cref="PageBook.Model"/>): 0.6 × the latest `health` metric + 0.4 × the latest NPS × 10.</summary>
    public const string Model = PageBook.Model;

    /// <summary>The same measures counting points: 60 for the metric, 40 for NPS.</summary>
    public const string PointsModel = PageBook.PointsModel;

    private readonly string dir = Path.Combine(Path.GetTempPath(), "chs-web-models", Guid.NewGuid().ToString("N"));
    private int files;

    public ModelStore(DateOnly today)
    {
        Directory.CreateDirectory(dir);
        Target = Path.Combine(dir, "chs.db");
        Clock.SetDate(today);
        Db = StoreDb.Open(Target);
        Models = new ModelVersions(Db, Clock);
        Importer = new Importer(Db, Clock);
    }

    public string Target { get; }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.MinValue);

    public DateOnly Today => Clock.Today();

    public StoreDb Db { get; }

    public ModelVersions Models { get; }

    public Importer Importer { get; }

    /// <summary>What every page of a request shares, as the app makes it for a request.</summary>
    public Dashboard Dashboard() => new(Db, new ModelVersions(Db, Clock), Clock);

    /// <summary>The store as the app opens it for work that runs beside a request (the model editor's previews).</summary>
    public StoreAccess Access() =>
        new(ServerSettings.From(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Db"] = Target }).Build()));

    public ModelVersion Publish(string yaml = Model) => Models.Publish(yaml, "model.yaml", "test");

    /// <summary>Imports CSV lines (the header first) of a kind; every row must be taken.</summary>
    public void Import(ImportKind kind, params string[] lines)
    {
        var file = Path.Combine(dir, $"{kind.Name()}-{++files}.csv");
        File.WriteAllText(file, string.Concat(lines.Select(l => l + "\n")), new UTF8Encoding(false));
        var result = Importer.ImportFile(kind, file, new ImportOptions());
        result.Applied.ShouldBeTrue(string.Join("; ", result.Errors.Select(e => $"{e.Field}: {e.Reason}")));
    }

    /// <summary>The `health` metric of accounts on a day.</summary>
    public void Health(DateOnly day, params (string Account, double Value)[] values) =>
        Import(ImportKind.Metrics, ["account_id,metric,date,value", .. values.Select(v => $"{v.Account},health,{Day(day)},{v.Value.ToString(CultureInfo.InvariantCulture)}")]);

    public void Score(params DateOnly[] days)
    {
        foreach (var day in days)
        {
            new ScoringRun(Db, Models).Score(day);
        }
    }

    public static string Day(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A signed-in person of a role, as the sign-in makes them.</summary>
    public static ClaimsPrincipal Person(string role, string? email = null) =>
        new(new ClaimsIdentity([new Claim(ClaimTypes.Name, email ?? $"{role}@example.com"), new Claim(ClaimTypes.Role, role), new Claim(CustomerHealth.Web.Auth.Access.KindClaim, "user")], "test"));

    public void Dispose()
    {
        Db.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open; the temporary folder is cleaned by the system.
        }
    }
}
