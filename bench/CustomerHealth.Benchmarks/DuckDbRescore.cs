using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using DuckDB.NET.Data;

namespace CustomerHealth.Benchmarks;

/// <summary>
/// The reference for the full rescore: the same 20-measure model written as SQL (DuckDb/model.sql) and run by DuckDB
/// over the same CSV files, loaded with DuckDB's own CSV reader into an in-memory database. The model runs twice: over
/// the raw usage events, and over daily roll-ups of them built in DuckDB (the shape the product keeps). Each run's
/// scores and grades are checked against the product's for the same day before any time is compared.
/// </summary>
internal static class DuckDbRescore
{
    /// <summary>Scores may differ by the order of floating-point additions only.</summary>
    public const double Tolerance = 1e-9;

    /// <summary>One run of the model's SQL: its statement times, and whether every account's score and grade matched.</summary>
    public sealed record ModelRun(IReadOnlyList<double> StatementSeconds, double ReadSeconds, Comparison Comparison)
    {
        public double Median => Stats.Median(StatementSeconds);
    }

    /// <summary>How DuckDB's scores compare with the product's, account by account.</summary>
    /// <param name="Accounts">The accounts either side scored.</param>
    /// <param name="Matched">Those scored on both sides with scores within <see cref="Tolerance"/> (or both unscored) and the same grade.</param>
    /// <param name="LargestDifference">The largest score difference among the accounts scored on both sides.</param>
    /// <param name="Examples">A few accounts that did not match, as text.</param>
    public sealed record Comparison(int Accounts, int Matched, double LargestDifference, IReadOnlyList<string> Examples)
    {
        public bool AllMatch => Matched == Accounts && Accounts > 0;
    }

    public sealed record Figures(string Version, double LoadSeconds, double UsageLoadSeconds, long LoadedMegabytes, ModelRun Raw, double RollupSeconds, long RollupRows, long RollupUserRows, ModelRun Rollups)
    {
        public bool AllMatch => Raw.Comparison.AllMatch && Rollups.Comparison.AllMatch;
    }

    /// <param name="dir">The folder of the portfolio's CSV files.</param>
    /// <param name="asOf">The day the product scored.</param>
    /// <param name="product">The product's score and grade of every account it scored that day.</param>
    /// <param name="runs">How many times each model statement runs.</param>
    public static Figures Run(string dir, DateOnly asOf, IReadOnlyDictionary<string, (double? Score, string? Grade)> product, int runs = 3)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        // A timestamp without an offset is UTC, as in the product's imports.
        Execute(db, "SET TimeZone = 'UTC'");
        Execute(db, $"SET file_search_path = '{dir.Replace("'", "''", StringComparison.Ordinal)}'");
        Execute(db, $"SET VARIABLE as_of = DATE '{asOf:yyyy-MM-dd}'");
        Execute(db, Sql("macros.sql"));

        var watch = Stopwatch.StartNew();
        // One statement a file: the usage file's load is timed apart from the others'.
        var usageLoad = 0.0;
        foreach (var statement in Sql("load.sql").Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var t = Stopwatch.StartNew();
            Execute(db, statement);
            usageLoad += statement.Contains("'usage.csv'", StringComparison.Ordinal) ? t.Elapsed.TotalSeconds : 0;
        }
        var load = watch.Elapsed.TotalSeconds;
        var loadedMb = Scalar<long>(db, "SELECT CAST(sum(memory_usage_bytes) / 1048576 AS BIGINT) FROM duckdb_memory()");

        Execute(db, Sql("usage-raw.sql"));
        var raw = RunModel(db, product, runs);

        watch.Restart();
        Execute(db, Sql("usage-rollups.sql"));
        var rollup = watch.Elapsed.TotalSeconds;
        var rollups = RunModel(db, product, runs);
        return new Figures(Scalar<string>(db, "SELECT version()"), load, usageLoad, loadedMb, raw, rollup,
            Scalar<long>(db, "SELECT count(*) FROM usage_daily"), Scalar<long>(db, "SELECT count(*) FROM usage_users"), rollups);
    }

    private static ModelRun RunModel(DuckDBConnection db, IReadOnlyDictionary<string, (double? Score, string? Grade)> product, int runs)
    {
        var model = Sql("model.sql");
        var times = new List<double>();
        var watch = new Stopwatch();
        for (var i = 0; i < runs; i++)
        {
            watch.Restart();
            Execute(db, model);
            times.Add(watch.Elapsed.TotalSeconds);
        }
        watch.Restart();
        var scores = new Dictionary<string, (double? Score, string? Grade)>(StringComparer.Ordinal);
        using (var cmd = db.CreateCommand())
        {
            cmd.CommandText = "SELECT account_id, score, grade FROM duck_scores";
            using var r = cmd.ExecuteReader();
            while (r.Read())
            {
                scores[r.GetString(0)] = (r.IsDBNull(1) ? null : r.GetDouble(1), r.IsDBNull(2) ? null : r.GetString(2));
            }
        }
        var read = watch.Elapsed.TotalSeconds;
        return new ModelRun(times, read, Compare(product, scores));
    }

    /// <summary>Account by account: the same accounts scored, scores within <see cref="Tolerance"/>, the same grades.</summary>
    public static Comparison Compare(IReadOnlyDictionary<string, (double? Score, string? Grade)> product, IReadOnlyDictionary<string, (double? Score, string? Grade)> duck)
    {
        var ids = product.Keys.Union(duck.Keys).Order(StringComparer.Ordinal).ToList();
        var matched = 0;
        double largest = 0;
        var examples = new List<string>();
        foreach (var id in ids)
        {
            var inProduct = product.TryGetValue(id, out var p);
            var inDuck = duck.TryGetValue(id, out var d);
            var same = inProduct && inDuck && p.Grade == d.Grade;
            if (same && p.Score is { } ps && d.Score is { } ds)
            {
                var diff = Math.Abs(ps - ds);
                largest = Math.Max(largest, diff);
                same = diff <= Tolerance;
            }
            else if (same)
            {
                same = p.Score is null && d.Score is null;
            }
            if (same)
            {
                matched++;
            }
            else if (examples.Count < 5)
            {
                examples.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{id}: chs {(inProduct ? $"{p.Score?.ToString("R", CultureInfo.InvariantCulture) ?? "unscored"} {p.Grade ?? "(no grade)"}" : "not scored")}, DuckDB {(inDuck ? $"{d.Score?.ToString("R", CultureInfo.InvariantCulture) ?? "unscored"} {d.Grade ?? "(no grade)"}" : "not scored")}"));
            }
        }
        return new Comparison(ids.Count, matched, largest, examples);
    }

    private static void Execute(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private static T Scalar<T>(DuckDBConnection db, string sql)
    {
        using var cmd = db.CreateCommand();
        cmd.CommandText = sql;
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }

    private static string Sql(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("DuckDb." + name)
            ?? throw new InvalidOperationException($"DuckDb/{name} is not embedded");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
