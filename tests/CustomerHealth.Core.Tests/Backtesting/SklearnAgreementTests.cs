using System.Text.Json;
using CustomerHealth.Core.Backtesting;

namespace CustomerHealth.Core.Tests.Backtesting;

/// <summary>
/// Metrics.Auc and ChurnModel.Fit against scikit-learn's roc_auc_score and LogisticRegression, on datasets made by
/// fixtures/make_fixtures.py (which says how to regenerate them; scikit-learn is not needed to run these tests).
/// scikit-learn's C maps to lambda = 1/C.
/// </summary>
public class SklearnAgreementTests
{
    private sealed record AucCase(string Name, double[] Risks, bool[] Labels, double ChurnRate, double Auc);

    private sealed record LogisticCase(string Name, double C, double Lambda, double[][] Rows, bool[] Labels, double Intercept, double[] Coefficients);

    private sealed record Fixture<T>(string Generator, T[] Cases);

    private static readonly Lazy<Dictionary<string, AucCase>> AucCases = new(() => Load<AucCase>("auc.json").ToDictionary(c => c.Name));

    private static readonly Lazy<Dictionary<string, LogisticCase>> LogisticCases = new(() => Load<LogisticCase>("logistic.json").ToDictionary(c => c.Name));

    private static T[] Load<T>(string file)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Backtesting", "fixtures", file);
        if (!File.Exists(path))
        {
            throw new InvalidOperationException($"The fixture is missing at {path}: the test project copies Backtesting/fixtures/*.json to its output.");
        }
        var fixture = JsonSerializer.Deserialize<Fixture<T>>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web));
        return fixture?.Cases ?? throw new InvalidOperationException($"{path} holds no cases");
    }

    public static TheoryData<string> AucCaseNames => [.. AucCases.Value.Keys];

    public static TheoryData<string> LogisticCaseNames => [.. LogisticCases.Value.Keys];

    // ---------------------------------------------------------------- the fixtures themselves

    [Fact]
    public void Fixtures_AucCases_CoverTheSizesTiesAndChurnRatesAsked()
    {
        var cases = AucCases.Value.Values.ToArray();

        cases.Length.ShouldBeGreaterThanOrEqualTo(6);
        cases.Min(c => c.Risks.Length).ShouldBe(50);
        cases.Max(c => c.Risks.Length).ShouldBe(5000);
        cases.ShouldAllBe(c => c.Risks.Length == c.Labels.Length);
        // some datasets with heavy ties (at most 6 distinct risks), and one with churn near 2%
        cases.Count(c => c.Risks.Distinct().Count() <= 6).ShouldBeGreaterThanOrEqualTo(2);
        cases.Min(c => c.ChurnRate).ShouldBeLessThan(0.03);
    }

    // ---------------------------------------------------------------- Auc

    [Theory]
    [MemberData(nameof(AucCaseNames))]
    public void Auc_SklearnDataset_MatchesRocAucScore(string name)
    {
        var c = AucCases.Value[name];
        var outcomes = c.Risks.Zip(c.Labels, (r, l) => new Outcome(r, l)).ToArray();

        Metrics.Auc(outcomes).ShouldNotBeNull().ShouldBe(c.Auc, 1e-12);
    }

    // ---------------------------------------------------------------- ChurnModel.Fit

    [Theory]
    [MemberData(nameof(LogisticCaseNames))]
    public void Fit_SklearnDataset_MatchesLogisticRegressionCoefficients(string name)
    {
        var c = LogisticCases.Value[name];

        var model = ChurnModel.Fit(c.Rows, c.Labels, c.Lambda);

        c.Lambda.ShouldBe(1 / c.C, 1e-15);
        model.Coefficients.Count.ShouldBe(c.Coefficients.Length);
        model.Intercept.ShouldBe(c.Intercept, Tolerance(c.Intercept), $"{name}: intercept");
        for (var j = 0; j < c.Coefficients.Length; j++)
        {
            model.Coefficients[j].ShouldBe(c.Coefficients[j], Tolerance(c.Coefficients[j]), $"{name}: coefficient {j}");
        }
    }

    [Theory]
    [MemberData(nameof(LogisticCaseNames))]
    public void Fit_SklearnDataset_ZeroesTheGradientOfThePenalisedLikelihood(string name)
    {
        // The optimum of sum(log-likelihood) - (lambda/2) x ||coefficients||^2 (intercept unpenalised), checked
        // directly: d/d(intercept) = sum(y - p) = 0 and d/d(b_j) = sum((y - p) x_j) - lambda x b_j = 0.
        var c = LogisticCases.Value[name];

        var model = ChurnModel.Fit(c.Rows, c.Labels, c.Lambda);

        var p = c.Coefficients.Length;
        var gradient = new double[p + 1];
        for (var i = 0; i < c.Rows.Length; i++)
        {
            var residual = (c.Labels[i] ? 1 : 0) - model.Probability(c.Rows[i]);
            gradient[0] += residual;
            for (var j = 0; j < p; j++)
            {
                gradient[j + 1] += residual * c.Rows[i][j];
            }
        }
        for (var j = 0; j < p; j++)
        {
            gradient[j + 1] -= c.Lambda * model.Coefficients[j];
        }

        gradient.ShouldAllBe(g => Math.Abs(g) < 1e-8);
    }

    /// <summary>1e-4, relative for values above 1 in size, absolute below.</summary>
    private static double Tolerance(double expected) => 1e-4 * Math.Max(1, Math.Abs(expected));
}
