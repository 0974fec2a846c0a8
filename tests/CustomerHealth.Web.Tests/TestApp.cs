using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using CustomerHealth.Store;
using CustomerHealth.Store.Access;
using CustomerHealth.Store.Models;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CustomerHealth.Web.Tests;

/// <summary>
/// The web app on a store of its own (an SQLite file, or a new PostgreSQL database) with the SaaS model published,
/// a user of each role (password "password-ROLE") and an API key of each scope. Settings can be given per test.
/// </summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    public const string Password = "password-";

    private readonly string dir;
    private readonly string? postgres;
    private readonly Dictionary<string, string?> settings;

    public TestApp(TestEngine engine, Dictionary<string, string?>? settings = null, TimeProvider? clock = null)
    {
        Clock = clock;
        Engine = engine;
        dir = Path.Combine(Path.GetTempPath(), "chs-web-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        postgres = engine == TestEngine.Postgres ? TestPostgres.CreateDatabase() : null;
        Target = postgres ?? Path.Combine(dir, "chs.db");
        this.settings = settings ?? [];
        using var db = StoreDb.Open(Target);
        new ModelVersions(db, TimeProvider.System).Publish(ModelVersions.Builtin("saas"), "saas.yaml", "default");
        var book = new AccessBook(db, TimeProvider.System);
        var hasher = new PasswordHasher<AppUser>();
        foreach (var role in Roles.All)
        {
            book.SaveUser($"{role}@example.com", role, hasher.HashPassword(null!, Password + role));
        }
        foreach (var scope in Scopes.All)
        {
            Keys[scope] = book.CreateKey(scope + " key", [scope]).Secret;
        }
    }

    public TestEngine Engine { get; }

    /// <summary>
    /// The app with its background scoring held back (the daily run counted as done today, the live rescoring's
    /// debounce longer than any test), so that a test scores when it says so and reads what it scored.
    /// </summary>
    public static TestApp Quiet(TestEngine engine)
    {
        var app = new TestApp(engine, new() { ["Scoring:DebounceMilliseconds"] = "600000" });
        using var db = app.OpenStore();
        db.SetSetting("daily_rescore_last", TimeProvider.System.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        return app;
    }

    /// <summary>The clock the app reads, when the test gives one.</summary>
    public TimeProvider? Clock { get; }

    /// <summary>The store the app runs on.</summary>
    public string Target { get; }

    /// <summary>A live API key of each scope.</summary>
    public Dictionary<string, string> Keys { get; } = [];

    public StoreDb OpenStore() => StoreDb.Open(Target);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Db", Target);
        builder.UseSetting("Scoring:DebounceMilliseconds", "200");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
        if (Clock is not null)
        {
            builder.ConfigureServices(s => s.AddSingleton(Clock));
        }
    }

    /// <summary>A client that sends the key of a scope as a bearer token.</summary>
    public HttpClient KeyClient(string scope)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Keys[scope]);
        return client;
    }

    public HttpClient Anonymous() => CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

    /// <summary>A browser-like client signed in with the sign-in form as the test user of a role; it keeps its cookies.</summary>
    public async Task<HttpClient> SignedIn(string role)
    {
        var client = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        await SignIn(client, role);
        return client;
    }

    /// <summary>Signs a client that keeps its cookies (and follows no redirects) in with the sign-in form as the test user of a role.</summary>
    public static async Task SignIn(HttpClient client, string role)
    {
        var form = await client.GetStringAsync("/signin");
        var token = System.Text.RegularExpressions.Regex.Match(form, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value;
        var r = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token, ["email"] = $"{role}@example.com", ["password"] = Password + role, ["returnUrl"] = "/",
        }));
        ((int)r.StatusCode).ShouldBe(302, $"signing in as {role}");
    }

    /// <summary>A page's HTML as a signed-in person sees it; fails unless the page answers 200.</summary>
    public static async Task<string> Page(HttpClient client, string url)
    {
        var r = await client.GetAsync(url);
        var html = await r.Content.ReadAsStringAsync();
        ((int)r.StatusCode).ShouldBe(200, $"{url}: {html}");
        return html;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (postgres is not null)
        {
            TestPostgres.DropDatabase(postgres);
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a stopping background job; the temporary folder is cleaned by the system.
        }
    }
}

/// <summary>Small helpers for requests and JSON.</summary>
internal static class Http
{
    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonElement> ReadJson(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        try
        {
            return JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            throw new InvalidOperationException($"not JSON ({(int)response.StatusCode}): {text}");
        }
    }

    public static async Task<JsonElement> PostJson(this HttpClient client, string url, string json, int expected = 200)
    {
        var r = await client.PostAsync(url, Json(json));
        var body = await r.ReadJson();
        ((int)r.StatusCode).ShouldBe(expected, body.ToString());
        return body;
    }

    public static async Task<JsonElement> GetJson(this HttpClient client, string url, int expected = 200)
    {
        var r = await client.GetAsync(url);
        var body = await r.ReadJson();
        ((int)r.StatusCode).ShouldBe(expected, body.ToString());
        return body;
    }

    public static Task<HttpResponseMessage> PostJsonObject<T>(this HttpClient client, string url, T value) => client.PostAsJsonAsync(url, value);
}
