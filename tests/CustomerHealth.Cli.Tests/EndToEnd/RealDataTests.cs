using System.Globalization;
using System.Text;
using System.Text.Json;

namespace CustomerHealth.Cli.Tests.EndToEnd;

/// <summary>
/// The real public data sets of ../shared/datasets, converted to import files as a user would, imported, scored,
/// and checked against figures the test computes itself from the raw files.
/// </summary>
public abstract class RealDataTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    private sealed record CdnowOrder(string Customer, DateOnly Date, int Cds, double Dollars);

    private static List<CdnowOrder> ReadCdnow()
    {
        var orders = new List<CdnowOrder>();
        foreach (var line in File.ReadLines(Path.Combine(ChsRunner.DatasetsDir, "cdnow", "CDNOW_master.txt")).Skip(1))
        {
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 4)
            {
                continue;
            }
            orders.Add(new CdnowOrder(f[0], DateOnly.ParseExact(f[1], "yyyyMMdd", CultureInfo.InvariantCulture), int.Parse(f[2], CultureInfo.InvariantCulture),
                double.Parse(f[3], CultureInfo.InvariantCulture)));
        }
        return orders;
    }

    [Fact]
    public void Cdnow_ImportedAsOrdersAndScored_MatchesFiguresComputedFromTheRawFile()
    {
        var orders = ReadCdnow();
        orders.Count.ShouldBe(69_659);
        var csv = new StringBuilder("order_id,account_id,placed_at,amount\n");
        foreach (var g in orders.GroupBy(o => (o.Customer, o.Date)))
        {
            var k = 0;
            foreach (var o in g)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{o.Customer}-{o.Date:yyyyMMdd}-{k++},C{o.Customer},{o.Date:yyyy-MM-dd},{o.Dollars.ToString("R", CultureInfo.InvariantCulture)}\n");
            }
        }
        var file = chs.Write("orders.csv", csv.ToString());
        chs.Run("init", "--model", "ecommerce").ExitCode.ShouldBe(0);
        var import = chs.Run("import", "orders", file, "--json");
        import.ExitCode.ShouldBe(0, import.ToString());
        import.Json[0].GetProperty("changed").GetInt32().ShouldBe(69_659);

        var asOf = new DateOnly(1998, 6, 30);
        var score = chs.Run("score", "--as-of", "1998-06-30", "--json");
        score.ExitCode.ShouldBe(0, score.ToString());
        var customers = orders.Select(o => o.Customer).Distinct().Count();
        customers.ShouldBe(23_570);
        score.Json.GetProperty("accounts_scored").GetInt32().ShouldBe(customers);
        score.Json.GetProperty("by_grade").EnumerateObject().Sum(g => g.Value.GetInt32()).ShouldBe(customers);

        // Independent figures for a spread of customers: recency, frequency, spend and its percentile among all customers.
        var spend365 = orders.Where(o => o.Date > asOf.AddDays(-365)).GroupBy(o => o.Customer).ToDictionary(g => g.Key, g => g.Sum(o => o.Dollars));
        var allSpend = orders.Select(o => o.Customer).Distinct().Select(c => spend365.GetValueOrDefault(c)).OrderBy(x => x).ToArray();
        foreach (var id in new[] { "00001", "00002", "00100", "07592", "12345", "23570" })
        {
            var mine = orders.Where(o => o.Customer == id).ToList();
            var show = chs.Run("show", "C" + id, "--json");
            show.ExitCode.ShouldBe(0, show.ToString());
            var measures = show.Json.GetProperty("dimensions").EnumerateArray().SelectMany(d => d.GetProperty("measures").EnumerateArray())
                .ToDictionary(m => m.GetProperty("id").GetString()!);
            Value(measures["days_since_order"]).ShouldBe(asOf.DayNumber - mine.Max(o => o.Date).DayNumber);
            Value(measures["orders_180d"]).ShouldBe(mine.Count(o => o.Date > asOf.AddDays(-180)));
            Value(measures["orders_365d"]).ShouldBe(mine.Count(o => o.Date > asOf.AddDays(-365)));
            var spend = spend365.GetValueOrDefault(id);
            Value(measures["spend_365d"]).ShouldBe(spend, 1e-6);
            var below = allSpend.Count(x => x < spend);
            var equal = allSpend.Count(x => x == spend);
            var midRank = below + (equal + 1) / 2.0;
            var percentile = 100 * (midRank - 1) / (allSpend.Length - 1);
            measures["spend_365d"].GetProperty("score").GetDouble().ShouldBe(percentile, 1e-6);
            var alive = Value(measures["p_alive"]);
            alive.ShouldBeInRange(0, 1);
            if (mine.Select(o => o.Date).Distinct().Count() == 1)
            {
                // BG/NBD: a customer who never bought again is taken as alive.
                alive.ShouldBe(1);
            }
            var contributions = measures.Values.Sum(m => m.GetProperty("contribution").GetDouble());
            contributions.ShouldBe(show.Json.GetProperty("score").GetDouble(), 1e-9);
        }

        // A lapse backtest observes exactly the customers active at each date and labels exactly those who lapse,
        // as counted here from the raw file.
        var backtest = chs.Run("backtest", "--from", "1997-06-30", "--to", "1997-08-29", "--every", "30d", "--horizon", "90d", "--lapse", "90d", "--json");
        backtest.ExitCode.ShouldBe(0, backtest.ToString());
        int observed = 0, lapsed = 0;
        foreach (var t in new[] { new DateOnly(1997, 6, 30), new DateOnly(1997, 7, 30), new DateOnly(1997, 8, 29) })
        {
            foreach (var c in orders.GroupBy(o => o.Customer))
            {
                if (c.Any(o => o.Date > t.AddDays(-90) && o.Date <= t))
                {
                    observed++;
                    lapsed += c.Any(o => o.Date > t && o.Date <= t.AddDays(90)) ? 0 : 1;
                }
            }
        }
        backtest.Json.GetProperty("observations").GetInt32().ShouldBe(observed);
        backtest.Json.GetProperty("churned").GetInt32().ShouldBe(lapsed);
        backtest.Json.GetProperty("churn").GetString().ShouldBe("lapse 90d (orders)");
        backtest.Json.GetProperty("auc").GetDouble().ShouldBeInRange(0.6, 0.8);

        // Suggested weights, fitted on the earlier dates and judged on the later ones, written as a valid model.
        var suggest = chs.Run("suggest", "--from", "1997-06-30", "--to", "1998-03-31", "--every", "30d", "--horizon", "90d", "--lapse", "90d", "--out", "suggested.yaml", "--json");
        suggest.ExitCode.ShouldBe(0, suggest.ToString());
        var trainDates = suggest.Json.GetProperty("train_dates").EnumerateArray().Select(d => d.GetString()!).ToList();
        var testDates = suggest.Json.GetProperty("test_dates").EnumerateArray().Select(d => d.GetString()!).ToList();
        // The last training date's 90-day horizon ends before the first test date.
        DateOnly.Parse(trainDates[^1], CultureInfo.InvariantCulture).AddDays(90).ShouldBeLessThanOrEqualTo(DateOnly.Parse(testDates[0], CultureInfo.InvariantCulture));
        suggest.Json.GetProperty("suggested_auc").GetDouble().ShouldBeInRange(0.6, 0.9);
        suggest.Json.GetProperty("current_auc").GetDouble().ShouldBeInRange(0.6, 0.9);
        suggest.Json.GetProperty("weights").EnumerateObject().Sum(w => w.Value.GetDouble()).ShouldBe(1, 0.001);
        chs.Run("model", "validate", "suggested.yaml").ExitCode.ShouldBe(0);
        var againstSuggested = chs.Run("backtest", "--model", "suggested.yaml", "--from", testDates[0], "--to", "1998-03-31", "--every", "30d", "--horizon", "90d", "--lapse", "90d", "--json");
        againstSuggested.Json.GetProperty("auc").GetDouble().ShouldBe(suggest.Json.GetProperty("suggested_auc").GetDouble(), 1e-9);

        // The learned predictors on the same observations and the same time split as `suggest`.
        var predict = chs.Run("predict", "fit", "--from", "1997-06-30", "--to", "1998-03-31", "--every", "30d", "--horizon", "90d", "--lapse", "90d", "--json");
        predict.ExitCode.ShouldBe(0, predict.ToString());
        var p = predict.Json;
        p.GetProperty("validation").GetString().ShouldBe("time");
        var wide = chs.Run("backtest", "--from", "1997-06-30", "--to", "1998-03-31", "--every", "30d", "--horizon", "90d", "--lapse", "90d", "--json");
        p.GetProperty("observations").GetInt32().ShouldBe(wide.Json.GetProperty("observations").GetInt32());
        p.GetProperty("test_dates").EnumerateArray().Select(d => d.GetString()!).ShouldBe(testDates);
        p.GetProperty("train_observations").GetInt32().ShouldBe(suggest.Json.GetProperty("train_observations").GetInt32());
        p.GetProperty("test_observations").GetInt32().ShouldBe(suggest.Json.GetProperty("test_observations").GetInt32());
        // The current score's AUC does not depend on its calibration (a rising curve keeps the order): it is the backtest's on the test dates.
        p.GetProperty("auc").GetProperty("score").GetDouble().ShouldBe(suggest.Json.GetProperty("current_auc").GetDouble(), 1e-9);
        foreach (var which in new[] { "score", "logistic", "boosted" })
        {
            p.GetProperty("brier").GetProperty(which).GetDouble().ShouldBeInRange(0, 0.25);
            p.GetProperty("reliability").GetProperty(which).EnumerateArray().Sum(b => b.GetProperty("observations").GetInt32()).ShouldBe(p.GetProperty("test_observations").GetInt32());
        }
        p.GetProperty("importance").EnumerateArray().Sum(f => f.GetProperty("importance").GetDouble()).ShouldBe(1, 0.001);
    }

    [Fact]
    public void IranianChurn_ImportedAsMetricsAndChurnEvents_ScoresChurnersLowerAndFreezesThem()
    {
        var lines = File.ReadAllLines(Path.Combine(ChsRunner.DatasetsDir, "iranian-churn", "Customer_Churn.csv"));
        var header = lines[0].Split(',').Select(h => string.Join('_', h.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries))).ToArray();
        var rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToList();
        rows.Count.ShouldBe(3150);
        var churnCol = Array.IndexOf(header, "churn");
        var features = new[] { "call_failure", "complains", "subscription_length", "seconds_of_use", "frequency_of_use", "frequency_of_sms", "distinct_called_numbers", "customer_value" };
        var accounts = new StringBuilder("account_id,plan,segment\n");
        var metrics = new StringBuilder("account_id,metric,date,value\n");
        var subscriptions = new StringBuilder("account_id,kind,occurred_on\n");
        for (var i = 0; i < rows.Count; i++)
        {
            var id = $"IR{i + 1:0000}";
            accounts.Append(CultureInfo.InvariantCulture, $"{id},tariff-{rows[i][Array.IndexOf(header, "tariff_plan")]},age-{rows[i][Array.IndexOf(header, "age_group")]}\n");
            foreach (var f in features)
            {
                metrics.Append(CultureInfo.InvariantCulture, $"{id},{f},2025-09-30,{rows[i][Array.IndexOf(header, f)]}\n");
            }
            subscriptions.Append(CultureInfo.InvariantCulture, $"{id},started,2025-01-01\n");
            if (rows[i][churnCol] == "1")
            {
                subscriptions.Append(CultureInfo.InvariantCulture, $"{id},churned,2025-12-31\n");
            }
        }
        chs.Write("data/accounts.csv", accounts.ToString());
        chs.Write("data/metrics.csv", metrics.ToString());
        chs.Write("data/subscriptions.csv", subscriptions.ToString());
        var model = chs.Write("telecom.yaml", """
            name: Telecom
            grades:
              - { id: green, min: 60, color: "#2e7d32" }
              - { id: yellow, min: 35, color: "#f9a825" }
              - { id: red, min: 0, color: "#c62828" }
            dimensions:
              - id: usage
                weight: 50
                measures:
                  - { id: seconds, value: { signal: metrics, metric: seconds_of_use, aggregate: latest }, score: { percentile: { better: higher } } }
                  - { id: calls, value: { signal: metrics, metric: frequency_of_use, aggregate: latest }, score: { percentile: { better: higher } } }
                  - { id: contacts, value: { signal: metrics, metric: distinct_called_numbers, aggregate: latest }, score: { percentile: { better: higher } } }
              - id: experience
                weight: 50
                measures:
                  - { id: complaints, weight: 70, value: { signal: metrics, metric: complains, aggregate: latest }, score: { bands: [ { below: 1, score: 100 }, { score: 0 } ] } }
                  - { id: failures, weight: 30, value: { signal: metrics, metric: call_failure, aggregate: latest }, score: { range: { worst: 20, best: 0 } } }
            """);
        chs.Run("init").ExitCode.ShouldBe(0);
        chs.Run("model", "publish", model).ExitCode.ShouldBe(0);
        var import = chs.Run("import", "data");
        import.ExitCode.ShouldBe(0, import.ToString());

        var before = chs.Run("score", "--as-of", "2025-09-30", "--json").Json;
        before.GetProperty("accounts_scored").GetInt32().ShouldBe(3150);
        var churners = rows.Select((r, i) => (Id: $"IR{i + 1:0000}", Churn: r[churnCol] == "1")).ToList();
        churners.Count(c => c.Churn).ShouldBe(495);

        var list = chs.Run("accounts", "--json", "--include-churned").Json.EnumerateArray().ToDictionary(a => a.GetProperty("account_id").GetString()!, a => a.GetProperty("score").GetDouble());
        var churnMean = churners.Where(c => c.Churn).Average(c => list[c.Id]);
        var stayMean = churners.Where(c => !c.Churn).Average(c => list[c.Id]);
        churnMean.ShouldBeLessThan(stayMean - 10, $"churners {churnMean:0.0} vs others {stayMean:0.0}");

        // The backtest's AUC is the share of (churner, stayer) pairs where the churner scored lower, ties half:
        // counted here pair by pair from the listed scores.
        var backtest = chs.Run("backtest", "--from", "2025-09-30", "--to", "2025-09-30", "--horizon", "92d", "--json");
        backtest.ExitCode.ShouldBe(0, backtest.ToString());
        backtest.Json.GetProperty("observations").GetInt32().ShouldBe(3150);
        backtest.Json.GetProperty("churned").GetInt32().ShouldBe(495);
        double wins = 0;
        var churnScores = churners.Where(c => c.Churn).Select(c => list[c.Id]).ToList();
        var stayScores = churners.Where(c => !c.Churn).Select(c => list[c.Id]).ToList();
        foreach (var a in churnScores)
        {
            foreach (var b in stayScores)
            {
                wins += a < b ? 1 : a == b ? 0.5 : 0;
            }
        }
        backtest.Json.GetProperty("auc").GetDouble().ShouldBe(wins / (churnScores.Count * (double)stayScores.Count), 1e-9);
        // The learned predictors, cross-validated on the single date: the trees find what a straight line over the
        // same features misses (docs/validation.md reports these figures).
        var predict = chs.Run("predict", "fit", "--from", "2025-09-30", "--to", "2025-09-30", "--horizon", "92d", "--json");
        predict.ExitCode.ShouldBe(0, predict.ToString());
        var p = predict.Json;
        p.GetProperty("validation").GetString().ShouldBe("cross-validation");
        (p.GetProperty("observations").GetInt32(), p.GetProperty("test_observations").GetInt32()).ShouldBe((3150, 3150));
        p.GetProperty("test_dates").EnumerateArray().Single().GetString().ShouldBe("2025-09-30");
        // Each fold calibrates the score with its own curve, so the pooled order can differ a little from the score's.
        p.GetProperty("auc").GetProperty("score").GetDouble().ShouldBe(backtest.Json.GetProperty("auc").GetDouble(), 0.002);
        p.GetProperty("auc").GetProperty("boosted").GetDouble().ShouldBeGreaterThan(p.GetProperty("auc").GetProperty("logistic").GetDouble() + 0.02);
        p.GetProperty("importance")[0].GetProperty("feature").GetString()!.ShouldStartWith("experience.complaints");
        // Kept with its figures; its measures as of the training day have not moved.
        var status = chs.Run("predict", "status", "--json");
        status.ExitCode.ShouldBe(0, status.ToString());
        var latest = status.Json.GetProperty("latest");
        latest.GetProperty("predictor_id").GetString().ShouldBe(p.GetProperty("predictor_id").GetString());
        latest.GetProperty("figures").GetProperty("boosted").GetProperty("auc").GetDouble().ShouldBe(p.GetProperty("auc").GetProperty("boosted").GetDouble(), 1e-12);
        status.Json.GetProperty("drift").GetArrayLength().ShouldBe(5);
        var calibrated = chs.Run("show", churners.First(c => c.Churn).Id, "--json").Json;
        calibrated.GetProperty("churn_probability").GetDouble().ShouldBeInRange(0, 1);
        calibrated.GetProperty("churn_horizon_days").GetInt32().ShouldBe(92);
        calibrated.GetProperty("churn_predictor").ValueKind.ShouldBe(JsonValueKind.Null);

        // Put in force: every account's probability is the trees', with an interval and its drivers; churners rank far above the others.
        var published = chs.Run("predict", "publish", "latest", "--json");
        published.ExitCode.ShouldBe(0, published.ToString());
        (published.Json.GetProperty("predictor_id").GetString(), published.Json.GetProperty("as_of").GetString(), published.Json.GetProperty("predicted").GetInt32())
            .ShouldBe((p.GetProperty("predictor_id").GetString(), "2025-09-30", 3150));
        var predicted = chs.Run("accounts", "--json", "--include-churned").Json.EnumerateArray()
            .ToDictionary(a => a.GetProperty("account_id").GetString()!, a => a);
        predicted.Values.ShouldAllBe(a => a.GetProperty("churn_predictor").GetString() == p.GetProperty("predictor_id").GetString());
        var churnRisk = churners.Where(c => c.Churn).Average(c => predicted[c.Id].GetProperty("churn_probability").GetDouble());
        var stayRisk = churners.Where(c => !c.Churn).Average(c => predicted[c.Id].GetProperty("churn_probability").GetDouble());
        churnRisk.ShouldBeGreaterThan(stayRisk + 0.3, $"churners {churnRisk:0.000} vs others {stayRisk:0.000}");
        var risky = predicted.Values.OrderByDescending(a => a.GetProperty("churn_probability").GetDouble()).First();
        var interval = risky.GetProperty("churn_interval");
        risky.GetProperty("churn_probability").GetDouble().ShouldBeInRange(interval.GetProperty("low").GetDouble() - 1e-4, interval.GetProperty("high").GetDouble() + 1e-4);
        risky.GetProperty("churn_drivers").GetArrayLength().ShouldBeInRange(1, 3);
        chs.Run("show", risky.GetProperty("account_id").GetString()!).Out.ShouldContain("points of risk");
        chs.Run("predict", "status").Out.ShouldContain($"In force: predictor {p.GetProperty("predictor_id").GetString()} (published ");

        // The complaints value of a customer is the raw file's, and their account is churned only after month 12.
        var complainer = rows.FindIndex(r => r[Array.IndexOf(header, "complains")] == "1");
        var shown = chs.Run("show", $"IR{complainer + 1:0000}", "--json").Json;
        var complaints = shown.GetProperty("dimensions").EnumerateArray().SelectMany(d => d.GetProperty("measures").EnumerateArray()).Single(m => m.GetProperty("id").GetString() == "complaints");
        complaints.GetProperty("value").GetDouble().ShouldBe(1);
        complaints.GetProperty("score").GetDouble().ShouldBe(0);

        var after = chs.Run("score", "--as-of", "2026-01-15", "--json").Json;
        after.GetProperty("accounts_scored").GetInt32().ShouldBe(3150 - 495);
        var churnedId = churners.First(c => c.Churn).Id;
        var history = chs.Run("history", churnedId, "--json").Json;
        history.GetArrayLength().ShouldBe(1);
        history[0].GetProperty("as_of").GetString().ShouldBe("2025-09-30");
    }

    private static double Value(JsonElement measure) => measure.GetProperty("value").GetDouble();
}

public sealed class RealDataTestsOnSqlite() : RealDataTests(TestEngine.Sqlite);

public sealed class RealDataTestsOnPostgres() : RealDataTests(TestEngine.Postgres);
