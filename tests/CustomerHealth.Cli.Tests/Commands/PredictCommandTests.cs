namespace CustomerHealth.Cli.Tests.Commands;

/// <summary>`chs predict fit` on a history too short to fit and validate a predictor: it refuses and says why.</summary>
public abstract class PredictCommandTests(TestEngine engine) : IDisposable
{
    private readonly ChsRunner chs = new(engine);

    public void Dispose() => chs.Dispose();

    [Fact]
    public void Fit_TooLittleChurn_RefusedWithWhatIsShort()
    {
        chs.Run("init").ExitCode.ShouldBe(0);
        var metrics = chs.Write("metrics.csv", "account_id,metric,date,value\nA1,health,2025-01-01,80\nA2,health,2025-01-01,20\nA3,health,2025-01-01,50\n");
        chs.Run("import", "metrics", metrics).ExitCode.ShouldBe(0);

        var fit = chs.Run("predict", "fit", "--from", "2025-01-01", "--to", "2025-01-01", "--horizon", "90d");

        fit.ExitCode.ShouldNotBe(0, fit.ToString());
        fit.Err.ShouldContain("too little history to fit a predictor");
        fit.Err.ShouldContain($"at least {CustomerHealth.Core.Prediction.PredictorFit.MinFitChurned} of each are needed");
        fit.Err.ShouldNotContain("   at ");
    }
}

public sealed class PredictCommandTestsOnSqlite() : PredictCommandTests(TestEngine.Sqlite);

public sealed class PredictCommandTestsOnPostgres() : PredictCommandTests(TestEngine.Postgres);
