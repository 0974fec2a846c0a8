using BenchmarkDotNet.Running;
using CustomerHealth.Benchmarks;

// `rescore [ACCOUNTS] [USAGE_EVENTS]` runs the end-to-end rescore (then the same model as SQL in DuckDB, side by side), `pushdown [ACCOUNTS] [USAGE_EVENTS]` the rescore with usage computed in PostgreSQL and DuckDB beside the built-in engine, `import [EVENTS]` the import comparison,
// `http [ACCOUNTS]` HTTP ingest and freshness, `pages [ACCOUNTS] [WEEKS]` the Accounts and Account pages, `backtest [ACCOUNTS] [USAGE_EVENTS]` a year of weekly backtest dates, `predict [ACCOUNTS] [USAGE_EVENTS]` the learned predictors fitted on them;
// anything else goes to BenchmarkDotNet.
if (args.Length > 0 && args[0] == "import")
{
    ImportComparison.Run(args.Length > 1 ? long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000);
    return 0;
}
if (args.Length > 0 && args[0] == "rescore")
{
    var accounts = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    var events = args.Length > 2 && !args[2].StartsWith('-') ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : accounts * 20L;
    var backfill = args.Contains("--backfill");
    FullRescore.Run(accounts, events, Environment.GetEnvironmentVariable("CHS_BENCH_STORE"), backfill);
    return 0;
}
if (args.Length > 0 && args[0] == "pushdown")
{
    var accounts = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    var events = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : accounts * 20L;
    PushdownRescore.Run(accounts, events);
    return 0;
}
if (args.Length > 0 && args[0] is "backtest" or "predict")
{
    var accounts = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    var events = args.Length > 2 ? long.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : accounts * 100L;
    BacktestBench.Run(accounts, events, Environment.GetEnvironmentVariable("CHS_BENCH_STORE"), predict: args[0] == "predict");
    return 0;
}
if (args.Length > 0 && args[0] == "http")
{
    var accounts = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 10_000;
    await HttpIngest.Run(accounts, Environment.GetEnvironmentVariable("CHS_BENCH_STORE"));
    return 0;
}
if (args.Length > 0 && args[0] == "pages")
{
    var accounts = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 100_000;
    var weeks = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 26;
    await PagesBench.Run(accounts, weeks, Environment.GetEnvironmentVariable("CHS_BENCH_STORE"));
    return 0;
}
BenchmarkSwitcher.FromAssembly(typeof(ScoringBenchmarks).Assembly).Run(args);
return 0;
