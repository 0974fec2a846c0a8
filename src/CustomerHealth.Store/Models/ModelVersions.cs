using System.Globalization;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using Dapper;

namespace CustomerHealth.Store.Models;

/// <summary>One published model version.</summary>
public sealed record ModelVersion(string VersionId, int Seq, string Name, string Yaml, DateTimeOffset PublishedAt, string? Note)
{
    public HealthModel Model => ModelLoader.LoadPublished(Yaml, VersionId);
}

/// <summary>The published model versions: content-derived ids, the newest publication is the current model.</summary>
public sealed class ModelVersions(StoreDb db, TimeProvider clock)
{
    /// <summary>The clock the versions are stamped with (and what works with them records its times by).</summary>
    public TimeProvider Clock => clock;

    private readonly Dictionary<string, HealthModel> parsed = [];
    private readonly Dictionary<string, ScoringPlan> plans = [];

    /// <summary>The shipped default models, by name (`saas`, `ecommerce`).</summary>
    public static string Builtin(string name) => StoreDb.EmbeddedText($".Models.{name}.yaml");

    public static IReadOnlyList<string> BuiltinNames { get; } = ["saas", "ecommerce"];

    /// <summary>Validates and publishes; publishing the text of an older version makes it current again.</summary>
    public ModelVersion Publish(string yaml, string file, string? note = null) => Publish(yaml, file, note, out _);

    /// <summary>
    /// Validates and publishes, unless the model means the same as the current one (comments, key order and layout
    /// aside): then nothing changes, the current version is returned and <paramref name="alreadyCurrent"/> is true.
    /// A model that means the same as an older version makes that version current again.
    /// </summary>
    public ModelVersion Publish(string yaml, string file, string? note, out bool alreadyCurrent)
    {
        var model = ModelLoader.Load(yaml, file);
        var id = ModelLoader.VersionId(model);
        // The current version may carry an id from before ids were derived from the meaning: compare meanings.
        if (Current() is { } current && (current.VersionId == id || ModelLoader.VersionId(current.Model) == id))
        {
            alreadyCurrent = true;
            return current;
        }
        alreadyCurrent = false;
        var now = clock.GetUtcNow();
        var seq = db.Connection.ExecuteScalar<int>("SELECT COALESCE(MAX(seq), 0) + 1 FROM model_versions");
        db.Connection.Execute(
            """
            INSERT INTO model_versions (version_id, seq, name, yaml, published_at, note) VALUES (@id, @seq, @name, @yaml, @at, @note)
            ON CONFLICT (version_id) DO UPDATE SET seq = excluded.seq, published_at = excluded.published_at, note = COALESCE(excluded.note, model_versions.note)
            """,
            new { id, seq, name = model.Name, yaml, at = now.ToString("o", CultureInfo.InvariantCulture), note });
        return Get(id)!;
    }

    public ModelVersion? Current() => Map(db.Connection.QueryFirstOrDefault<Row>("SELECT * FROM model_versions ORDER BY seq DESC LIMIT 1"));

    public ModelVersion? Get(string id) => Map(db.Connection.QueryFirstOrDefault<Row>("SELECT * FROM model_versions WHERE version_id = @id", new { id }));

    public IReadOnlyList<ModelVersion> All() => db.Connection.Query<Row>("SELECT * FROM model_versions ORDER BY seq").Select(r => Map(r)!).ToList();

    /// <summary>The parsed model of a version, cached: snapshots name versions and are decoded with them.</summary>
    public HealthModel ModelOf(string id)
    {
        if (!parsed.TryGetValue(id, out var model))
        {
            var v = Get(id) ?? throw new StoreException($"model version {id} is not in this store");
            parsed[id] = model = v.Model;
        }
        return model;
    }

    /// <summary>The scoring plan of a version, cached like <see cref="ModelOf"/>: reading many accounts' snapshots builds it once.</summary>
    public ScoringPlan PlanOf(string id)
    {
        if (!plans.TryGetValue(id, out var plan))
        {
            plans[id] = plan = new ScoringPlan(ModelOf(id));
        }
        return plan;
    }

    /// <summary>Today in the timezone of a model version (default: the current one): the latest day that can be scored.</summary>
    public DateOnly Today(string? versionId = null) => ScoringDays.Today(clock.GetUtcNow(), VersionOrCurrent(versionId).Model.Timezone);

    /// <summary>Why a day cannot be scored or previewed with a version (default: the current one), or null when it can.</summary>
    public string? FutureDayRefusal(DateOnly day, string? versionId = null) => ScoringDays.Refusal(day, clock.GetUtcNow(), VersionOrCurrent(versionId).Model.Timezone);

    private ModelVersion VersionOrCurrent(string? versionId) =>
        versionId is null ? RequireCurrent() : Get(versionId) ?? throw new StoreException($"model version {versionId} is not in this store");

    public ModelVersion RequireCurrent() => Current() ?? throw new StoreException("no model is published yet: run `chs init` or `chs model publish FILE`");

    private static ModelVersion? Map(Row? r) => r is null ? null :
        new ModelVersion(r.version_id, (int)r.seq, r.name, r.yaml, DateTimeOffset.Parse(r.published_at, CultureInfo.InvariantCulture), r.note);

#pragma warning disable IDE1006 // column names
    private sealed record Row(string version_id, long seq, string name, string yaml, string published_at, string? note);
#pragma warning restore IDE1006
}
