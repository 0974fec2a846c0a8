using CustomerHealth.Core.Model;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Tests.Models;

public abstract class ModelVersionsTests(TestEngine engine) : IDisposable
{
    private readonly TestStore store = new(engine, new DateOnly(2025, 3, 10));

    public void Dispose() => store.Dispose();

    private const string Invalid =
        """
        name: Broken
        grades:
          - { id: green, min: 70 }
          - { id: red, min: 10 }
        dimensions:
          - id: product
            weight: 1
            colour: blue
            measures:
              - id: health
                value: { signal: metrics, metric: health, aggregate: mode }
                score: { range: { worst: 0, best: 100 } }
        """;

    [Fact]
    public void Publish_SameText_GetsTheSameContentDerivedId()
    {
        using var other = new TestStore(engine);

        var a = store.Models.Publish(TestModels.Health, "a.yaml");
        var b = other.Models.Publish(TestModels.Health, "b.yaml");

        a.VersionId.ShouldBe(b.VersionId);
        a.VersionId.ShouldBe(ModelLoader.VersionId(TestModels.Health));
        a.VersionId.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Publish_LineEndingsAndTrailingBlankLines_DoNotChangeTheId()
    {
        var lf = store.Models.Publish(TestModels.Health, "a.yaml");
        var crlf = store.Models.Publish(TestModels.Health.Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n\r\n", "b.yaml");

        crlf.VersionId.ShouldBe(lf.VersionId);
        store.Count("model_versions").ShouldBe(1);
    }

    [Fact]
    public void Publish_DifferentText_GetsADifferentId()
    {
        var a = store.Models.Publish(TestModels.Health, "a.yaml");
        var b = store.Models.Publish(TestModels.HealthReweighted, "b.yaml");

        b.VersionId.ShouldNotBe(a.VersionId);
        store.Models.All().Select(v => v.VersionId).ShouldBe([a.VersionId, b.VersionId]);
    }

    [Fact]
    public void Publish_SameMeaningAsTheCurrentWithCommentsAndLayout_IsAlreadyCurrentAndAddsNoVersion()
    {
        var a = store.Models.Publish(TestModels.Health, "a.yaml", "first");
        var b = store.Models.Publish("# exported with chs model show\n" + TestModels.Health.Replace("\n", "   # note\n", StringComparison.Ordinal), "b.yaml", "again", out var alreadyCurrent);

        alreadyCurrent.ShouldBeTrue();
        b.VersionId.ShouldBe(a.VersionId);
        b.Note.ShouldBe("first");
        store.Models.All().Count.ShouldBe(1);
        store.Models.Publish(TestModels.HealthReweighted, "c.yaml", null, out var changed);
        changed.ShouldBeFalse();
        store.Models.All().Count.ShouldBe(2);
    }

    [Fact]
    public void Publish_SameMeaningAsACurrentVersionStoredWithAnOlderId_IsAlreadyCurrentAndTheOldIdResolves()
    {
        // Versions published before ids came from the meaning keep the id they were stored with.
        store.Db.Connection.Execute(
            "INSERT INTO model_versions (version_id, seq, name, yaml, published_at, note) VALUES ('0123456789ab', 1, 'Health test', @yaml, @at, NULL)",
            new { yaml = TestModels.Health, at = store.Clock.GetUtcNow().ToString("o", System.Globalization.CultureInfo.InvariantCulture) });

        var v = store.Models.Publish("# the same model\n" + TestModels.Health, "a.yaml", null, out var alreadyCurrent);

        alreadyCurrent.ShouldBeTrue();
        v.VersionId.ShouldBe("0123456789ab");
        store.Models.All().Count.ShouldBe(1);
        store.Models.Get("0123456789ab").ShouldNotBeNull().Model.Name.ShouldBe(ModelLoader.Load(TestModels.Health).Name);
    }

    [Fact]
    public void Publish_StoresTheTextNameTimeAndNote()
    {
        var v = store.Models.Publish(TestModels.Health, "a.yaml", "first cut");

        var stored = store.Models.Get(v.VersionId).ShouldNotBeNull();
        stored.Yaml.ShouldBe(TestModels.Health);
        stored.Name.ShouldBe("Health test");
        stored.Note.ShouldBe("first cut");
        stored.PublishedAt.ShouldBe(store.Clock.Now);
        stored.Model.Dimensions.Select(d => d.Id).ShouldBe(["product", "voice"]);
    }

    [Fact]
    public void Current_IsTheLatestPublication()
    {
        store.Models.Current().ShouldBeNull();
        var a = store.Models.Publish(TestModels.Health, "a.yaml");
        store.Models.Current().ShouldNotBeNull().VersionId.ShouldBe(a.VersionId);

        var b = store.Models.Publish(TestModels.HealthReweighted, "b.yaml");

        store.Models.Current().ShouldNotBeNull().VersionId.ShouldBe(b.VersionId);
        store.Models.RequireCurrent().VersionId.ShouldBe(b.VersionId);
    }

    [Fact]
    public void Publish_AnOlderTextAgain_MakesItCurrentWithoutDuplicating()
    {
        var a = store.Models.Publish(TestModels.Health, "a.yaml", "original note");
        store.Models.Publish(TestModels.HealthReweighted, "b.yaml");
        store.Clock.Now = store.Clock.Now.AddDays(1);

        var again = store.Models.Publish(TestModels.Health, "a.yaml");

        again.VersionId.ShouldBe(a.VersionId);
        store.Models.Current().ShouldNotBeNull().VersionId.ShouldBe(a.VersionId);
        store.Count("model_versions").ShouldBe(2);
        again.Seq.ShouldBeGreaterThan(a.Seq);
        again.PublishedAt.ShouldBe(store.Clock.Now);
        again.Note.ShouldBe("original note");
        store.Models.All().Last().VersionId.ShouldBe(a.VersionId);
    }

    [Fact]
    public void Publish_InvalidModel_IsRefusedWithEveryProblemAndNothingIsPublished()
    {
        var e = Should.Throw<ModelInvalidException>(() => store.Models.Publish(Invalid, "broken.yaml"));

        e.Errors.Count.ShouldBeGreaterThanOrEqualTo(3);
        e.Errors.ShouldAllBe(x => x.Line > 0 && x.Column > 0);
        e.Message.ShouldContain("broken.yaml:");
        e.Errors.ShouldContain(x => x.Message.Contains("colour"));
        e.Errors.ShouldContain(x => x.Message.Contains("unknown aggregate `mode`"));
        store.Count("model_versions").ShouldBe(0);
        store.Models.Current().ShouldBeNull();
    }

    [Fact]
    public void Publish_InvalidModelAfterAValidOne_LeavesTheCurrentModel()
    {
        var good = store.Models.Publish(TestModels.Health, "a.yaml");

        Should.Throw<ModelInvalidException>(() => store.Models.Publish(Invalid, "broken.yaml"));
        Should.Throw<ModelInvalidException>(() => store.Models.Publish("name: [unclosed", "yaml.yaml"));

        store.Count("model_versions").ShouldBe(1);
        store.Models.Current().ShouldNotBeNull().VersionId.ShouldBe(good.VersionId);
    }

    [Fact]
    public void Publish_OrdersPAliveMeasure_IsAccepted()
    {
        // SPEC §4.1 lists `p_alive` among the aggregates of `orders`.
        const string yaml =
            """
            name: Repeat purchase
            grades:
              - { id: green, min: 70 }
              - { id: red, min: 0 }
            dimensions:
              - id: loyalty
                weight: 1
                measures:
                  - id: alive
                    value: { signal: orders, aggregate: p_alive }
                    score: { range: { worst: 0.2, best: 0.9 } }
            """;

        var v = store.Models.Publish(yaml, "repeat.yaml");

        store.Models.Current().ShouldNotBeNull().VersionId.ShouldBe(v.VersionId);
    }

    [Fact]
    public void RequireCurrent_NothingPublished_Throws()
    {
        Should.Throw<StoreException>(() => store.Models.RequireCurrent());
    }

    [Fact]
    public void Get_UnknownId_IsNull()
    {
        store.Models.Get("000000000000").ShouldBeNull();
        Should.Throw<StoreException>(() => store.Models.ModelOf("000000000000"));
    }

    [Theory]
    [InlineData("saas")]
    [InlineData("ecommerce")]
    public void Publish_BuiltinModel_IsValid(string name)
    {
        ModelVersions.BuiltinNames.ShouldContain(name);

        var v = store.Models.Publish(ModelVersions.Builtin(name), name + ".yaml");

        store.Models.ModelOf(v.VersionId).Dimensions.ShouldNotBeEmpty();
    }

    [Fact]
    public void Current_StoredBeforeColorsAndLimitsWereChecked_StillLoadsAndScoresWithANeutralColorToShow()
    {
        // What an earlier version accepted: a CSS color; publishing it now is refused.
        var yaml = TestModels.Health.Replace("color: \"#c62828\"", "color: \"red;position:fixed\"", StringComparison.Ordinal);
        Should.Throw<ModelInvalidException>(() => store.Publish(yaml)).Errors.ShouldHaveSingleItem().Message.ShouldStartWith("`color` must be");
        store.Db.Connection.Execute(
            "INSERT INTO model_versions (version_id, seq, name, yaml, published_at, note) VALUES (@id, 1, 'Health test', @yaml, @at, NULL)",
            new { id = ModelLoader.VersionId(yaml), yaml, at = store.Clock.GetUtcNow().ToString("o", System.Globalization.CultureInfo.InvariantCulture) });
        store.Metric("A", new DateOnly(2025, 3, 1), 10);

        var red = store.Models.RequireCurrent().Model.FindGrade("red").ShouldNotBeNull();
        red.Color.ShouldBe("red;position:fixed");
        red.SafeColor.ShouldBe(Grade.NeutralColor);
        store.Scoring.Score(new DateOnly(2025, 3, 10)).ByGrade["red"].ShouldBe(1);
    }
}

public sealed class ModelVersionsTestsOnSqlite() : ModelVersionsTests(TestEngine.Sqlite);

public sealed class ModelVersionsTestsOnPostgres() : ModelVersionsTests(TestEngine.Postgres);
