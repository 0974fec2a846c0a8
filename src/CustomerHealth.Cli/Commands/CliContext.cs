using System.CommandLine;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using CustomerHealth.Store;
using CustomerHealth.Store.Models;
using Spectre.Console;

namespace CustomerHealth.Cli.Commands;

/// <summary>What every verb needs: the clock, opening the store, JSON and progress output.</summary>
internal sealed class CliContext(TimeProvider clock)
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public TimeProvider Clock { get; } = clock;

    public DateOnly Today => DateOnly.FromDateTime(Clock.GetUtcNow().UtcDateTime);

    public StoreDb Open(ParseResult p, bool mustExist = true)
    {
        var path = Chs.DbPath(p);
        if (mustExist && StoreDb.IsMissingFile(path))
        {
            throw new StoreException($"no store at {Secrets.Redact(path)}: run `chs init` first (or pass --db / set CHS_DB)");
        }
        return StoreDb.Open(path);
    }

    public ModelVersions Models(StoreDb db) => new(db, Clock);

    public static void WriteJson<T>(T value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    /// <summary>Runs work with a progress bar when a person watches a terminal, silently otherwise.</summary>
    public static T WithProgress<T>(string label, Func<IProgress<double>?, T> work)
    {
        if (Console.IsOutputRedirected || Console.IsErrorRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
        {
            return work(null);
        }
        T result = default!;
        AnsiConsole.Progress().AutoClear(true).Start(ctx =>
        {
            var task = ctx.AddTask(Markup.Escape(label), maxValue: 1);
            result = work(new Progress<double>(v => task.Value = v));
        });
        return result;
    }

    private const int MinYear = 1900;
    private const int MaxYear = 2999;

    public static DateOnly ParseDate(string text, string option)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            // Windows and histories reach years before and after a day: the calendar's first and last years would overflow.
            if (d.Year is < MinYear or > MaxYear)
            {
                throw new UsageException($"{option} must be a day between {MinYear}-01-01 and {MaxYear}-12-31, got '{text}'");
            }
            return d;
        }
        throw new UsageException($"{option} must be a date as YYYY-MM-DD, got '{text}'");
    }

    public static string Num(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "—";
}
