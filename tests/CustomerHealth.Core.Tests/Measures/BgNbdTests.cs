using System.Globalization;
using System.Runtime.CompilerServices;
using CustomerHealth.Core.Measures;

namespace CustomerHealth.Core.Tests.Measures;

public class BgNbdTests
{
    /// <summary>Fader, Hardie &amp; Lee (2005), table on the CDNOW calibration sample (2,357 customers, weeks).</summary>
    private static readonly BgNbdFit Paper = new(0.243, 4.414, 0.793, 2.426, -9582.4);

    private static readonly Lazy<RfmSummary[]> Cdnow = new(LoadCdnow);

    // ---------------------------------------------------------------- Fit

    [Fact]
    public void Fit_CdnowSummary_ReproducesPaperParametersAndLogLikelihood()
    {
        var fit = BgNbd.Fit(Cdnow.Value);

        fit.R.ShouldBe(Paper.R, Paper.R * 0.01);
        fit.Alpha.ShouldBe(Paper.Alpha, Paper.Alpha * 0.01);
        fit.A.ShouldBe(Paper.A, Paper.A * 0.01);
        fit.B.ShouldBe(Paper.B, Paper.B * 0.01);
        // the paper gives one decimal; the maximum here is -9582.43
        fit.LogLikelihood.ShouldBe(Paper.LogLikelihood, 0.05);
    }

    [Fact]
    public void Fit_CdnowSummaryReversed_GivesTheSameFit()
    {
        var reversed = Cdnow.Value.Reverse().ToArray();

        BgNbd.Fit(reversed).ShouldBe(BgNbd.Fit(Cdnow.Value));
    }

    [Fact]
    public void Fit_CdnowSummaryInDays_ScalesOnlyAlpha()
    {
        // The time unit only rescales the purchase rate: alpha (weeks) x 7 = alpha (days); r, a and b are unitless.
        var weeks = BgNbd.Fit(Cdnow.Value);
        var days = BgNbd.Fit(Cdnow.Value.Select(c => c with { Recency = c.Recency * 7, T = c.T * 7 }).ToArray());

        days.R.ShouldBe(weeks.R, weeks.R * 1e-4);
        days.Alpha.ShouldBe(weeks.Alpha * 7, weeks.Alpha * 7 * 1e-4);
        days.A.ShouldBe(weeks.A, weeks.A * 1e-4);
        days.B.ShouldBe(weeks.B, weeks.B * 1e-4);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Fit_FewerThanTwoCustomers_Throws(int count)
    {
        var customers = Enumerable.Repeat(new RfmSummary(2, 5, 10), count).ToArray();

        Should.Throw<ArgumentException>(() => BgNbd.Fit(customers)).Message.ShouldContain("at least 2 customers");
    }

    [Fact]
    public void Fit_NoRepeatPurchases_Throws()
    {
        RfmSummary[] customers = [new(0, 0, 10), new(0, 0, 20), new(0, 0, 30)];

        Should.Throw<ArgumentException>(() => BgNbd.Fit(customers)).Message.ShouldContain("no customer has a repeat purchase");
    }

    [Fact]
    public void Fit_RecencyAfterT_Throws()
    {
        RfmSummary[] customers = [new(1, 5, 10), new(1, 12, 10)];

        Should.Throw<ArgumentException>(() => BgNbd.Fit(customers)).Message.ShouldContain("recency <= T");
    }

    [Fact]
    public void Fit_FractionalFrequency_Throws()
    {
        RfmSummary[] customers = [new(1, 5, 10), new(1.5, 5, 10)];

        Should.Throw<ArgumentException>(() => BgNbd.Fit(customers)).Message.ShouldContain("whole number");
    }

    // ---------------------------------------------------------------- PAlive

    [Fact]
    public void PAlive_NoRepeatPurchases_IsOne()
    {
        Paper.PAlive(new RfmSummary(0, 0, 38.86)).ShouldBe(1.0);
    }

    [Fact]
    public void PAlive_PaperParametersCdnowCustomer1_MatchesHandComputation()
    {
        // Customer 1 of the CDNOW summary: x = 2, t_x = 30.43, T = 38.86, with the paper's parameters.
        //   a / (b + x - 1)              = 0.793 / 3.426        = 0.2314653
        //   (alpha + T) / (alpha + t_x)  = 43.274 / 34.844      = 1.2419355
        //   ^ (r + x) = ^ 2.243          = exp(2.243 x 0.2166710) = 1.6257888
        //   P = 1 / (1 + 0.2314653 x 1.6257888) = 1 / 1.3763136 = 0.7265786
        Paper.PAlive(new RfmSummary(2, 30.43, 38.86)).ShouldBe(0.7265786, 1e-6);
    }

    [Fact]
    public void PAlive_BoughtOnTheAsOfDay_IsOddsOfNotDyingAtThatPurchase()
    {
        // t_x = T: the power term is 1, so P = 1 / (1 + a / (b + x - 1)) = 2.426 / 3.219 = 0.7536502.
        Paper.PAlive(new RfmSummary(1, 20, 20)).ShouldBe(0.7536502, 1e-6);
    }

    [Fact]
    public void PAlive_LongerSinceLastPurchase_Decreases()
    {
        var previous = 1.0;
        foreach (var t in new[] { 10.0, 15, 20, 40, 80, 160 })
        {
            var p = Paper.PAlive(new RfmSummary(3, 10, t));
            p.ShouldBeLessThan(previous);
            previous = p;
        }
    }

    [Fact]
    public void PAlive_LaterLastPurchase_Increases()
    {
        var previous = 0.0;
        foreach (var tx in new[] { 1.0, 5, 10, 20, 30, 39 })
        {
            var p = Paper.PAlive(new RfmSummary(3, tx, 39));
            p.ShouldBeGreaterThan(previous);
            previous = p;
        }
    }

    [Fact]
    public void PAlive_ThousandsOfRepeats_StaysWithinZeroAndOne()
    {
        // ((alpha + T) / (alpha + t_x))^(r + x) overflows a double here; the log-space form must not.
        var lapsed = Paper.PAlive(new RfmSummary(5000, 100, 1000));
        var current = Paper.PAlive(new RfmSummary(5000, 1000, 1000));

        lapsed.ShouldBe(0.0, 1e-12);
        current.ShouldBeInRange(0.9998, 1.0);
    }

    // ---------------------------------------------------------------- Summarize

    [Fact]
    public void Summarize_SeveralOrdersOnOneDay_CountsDistinctDays()
    {
        // days 100, 105, 120 -> 2 repeats; last - first = 20; as of 130 -> T = 30
        int[] days = [100, 100, 105, 120, 120];

        BgNbd.Summarize(days, 130).ShouldBe(new RfmSummary(2, 20, 30));
    }

    [Fact]
    public void Summarize_SingleOrder_HasNoRepeats()
    {
        int[] days = [200];

        BgNbd.Summarize(days, 250).ShouldBe(new RfmSummary(0, 0, 50));
    }

    [Fact]
    public void Summarize_OrderOnTheAsOfDay_RecencyEqualsT()
    {
        int[] days = [10, 12, 40];

        BgNbd.Summarize(days, 40).ShouldBe(new RfmSummary(2, 30, 30));
    }

    [Fact]
    public void Summarize_NoOrders_Throws()
    {
        Should.Throw<ArgumentException>(() => BgNbd.Summarize([], 10));
    }

    [Fact]
    public void Summarize_DaysNotAscending_Throws()
    {
        int[] days = [5, 3];

        Should.Throw<ArgumentException>(() => BgNbd.Summarize(days, 10)).Message.ShouldContain("ascending");
    }

    [Fact]
    public void Summarize_OrderAfterAsOfDay_Throws()
    {
        int[] days = [5, 12];

        Should.Throw<ArgumentException>(() => BgNbd.Summarize(days, 10)).Message.ShouldContain("after the as-of day");
    }

    // ---------------------------------------------------------------- data

    private static RfmSummary[] LoadCdnow()
    {
        var path = Path.Combine(DatasetsDir(), "cdnow", "cdnow_customers_summary.csv");
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The CDNOW summary is missing at {path}: ../shared/datasets must sit beside the checkout (see scripts/test).");
        }

        return [.. File.ReadLines(path).Skip(1).Where(l => l.Length > 0).Select(ParseRow)];
    }

    private static RfmSummary ParseRow(string line)
    {
        var p = line.Split(',');
        return new RfmSummary(
            double.Parse(p[1], CultureInfo.InvariantCulture),
            double.Parse(p[2], CultureInfo.InvariantCulture),
            double.Parse(p[3], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// ../shared/datasets beside the checkout. Found from the test binaries, or, when they are built outside the tree
    /// (--artifacts-path), from this source file's compile-time path.
    /// </summary>
    private static string DatasetsDir([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CustomerHealth.slnx")))
            {
                dir = dir.Parent;
            }

            if (dir is not null)
            {
                var path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "datasets"));
                if (Directory.Exists(path))
                {
                    return path;
                }
            }
        }

        throw new InvalidOperationException("The real data sets are missing: ../shared/datasets must sit beside the checkout (see scripts/test).");
    }
}
