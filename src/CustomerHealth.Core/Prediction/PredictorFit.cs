using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Measures;
using CustomerHealth.Core.Scoring;

namespace CustomerHealth.Core.Prediction;

/// <summary>Why a predictor was not fitted: too little history to fit and validate one (the message says what is short).</summary>
public sealed class PredictionRefusedException(string message) : Exception(message);

/// <summary>A feature and its share of the boosted model's split gain.</summary>
public sealed record FeatureImportance(string Feature, string Label, double Importance);

/// <summary>
/// The three churn probabilities compared on the same test observations: the current score's (Platt-calibrated),
/// an L2 logistic regression and the boosted trees, both over <see cref="ChurnFeatures"/>.
/// </summary>
/// <param name="Validation">`time` (fitted on earlier dates, tested on later ones) or `cross-validation` (a single observation date: stratified folds).</param>
/// <param name="Note">What the reader should know about the split, or null.</param>
/// <param name="Observations">Every observation (an account on a date).</param>
/// <param name="TrainObservations">The observations fitted on (over all folds in cross-validation, each counted once per fold it trains).</param>
/// <param name="TestObservations">The observations the figures are measured on.</param>
/// <param name="TestDates">The indexes of the observation dates tested.</param>
/// <param name="Score">The current score's probability (Platt scaling fitted on the training observations).</param>
/// <param name="Logistic">The L2 logistic regression's.</param>
/// <param name="Boosted">The boosted trees', fitted on every training observation and calibrated (Venn–Abers) on out-of-fold scores of the training observations.</param>
/// <param name="Importance">The boosted model's features by their share of its split gain, largest first (those it never split on left out).</param>
/// <param name="Settings">The boosted model's settings chosen on held-out data (in cross-validation, the most often chosen).</param>
/// <param name="Predictor">The boosted predictor as it is kept: in time order the one tested; in cross-validation the chosen settings fitted on every observation.</param>
public sealed record PredictorReport(
    string Validation, string? Note, int Observations, int TrainObservations, int TestObservations, IReadOnlyList<int> TestDates,
    ProbabilityFigures Score, ProbabilityFigures Logistic, ProbabilityFigures Boosted, IReadOnlyList<FeatureImportance> Importance, BoostedSettings Settings,
    ChurnPredictor Predictor);

/// <summary>
/// Fits and validates the learned churn predictors (issue 21): in time order when there are several observation dates
/// (the last third of the dates test; earlier dates whose horizon ends before testing fit; of those, the later ones
/// choose the boosted model's settings, fitted on the earlier ones), else by stratified K-fold cross-validation. The
/// chosen settings are then fitted on every training observation and calibrated (<see cref="VennAbers"/>) on out-of-fold scores
/// of the training observations. Refuses, with the reason, when the history is too short to fit and validate.
/// </summary>
public static class PredictorFit
{
    /// <summary>The report's <see cref="PredictorReport.Validation"/> when earlier dates fit and later ones test.</summary>
    public const string TimeOrder = "time";

    /// <summary>The report's <see cref="PredictorReport.Validation"/> on a single observation date.</summary>
    public const string CrossValidation = "cross-validation";

    /// <summary>Churned observations the fitting data must hold at least (and as many that did not churn).</summary>
    public const int MinFitChurned = 20;

    /// <summary>Churned observations the data that chooses settings and calibrates, and the test data, must each hold at least.</summary>
    public const int MinHeldOutChurned = 5;

    /// <summary>The folds of cross-validation on a single observation date.</summary>
    public const int FoldCount = 5;

    /// <summary>The folds whose out-of-fold scores calibrate the boosted model.</summary>
    public const int CalibrationFolds = 3;

    /// <summary>The L2 penalty of the logistic baseline (features standardised).</summary>
    public const double Lambda = 1.0;

    /// <param name="plan">The model's scoring plan (its measures give the features).</param>
    /// <param name="observations">The observations (<see cref="BacktestObservations"/>).</param>
    /// <param name="account">Each observation's account, by key (its ARR, seats and start).</param>
    /// <param name="days">The observation dates (<see cref="DateOnly.DayNumber"/>s), in order.</param>
    /// <param name="horizonDays">The churn horizon that labels the observations.</param>
    /// <param name="seed">Fixes the folds, the holdout and the trees.</param>
    public static PredictorReport Run(ScoringPlan plan, IReadOnlyList<Observation> observations, Func<int, AccountData?> account, IReadOnlyList<int> days, int horizonDays, int seed = 1)
    {
        var features = ChurnFeatures.For(plan);
        var rows = observations.Select(o => features.Row(o, account(o.AccountKey), days[o.DateIndex], plan.MaxScore)).ToList();
        var all = Enumerable.Range(0, observations.Count).ToList();
        if (days.Count >= 2)
        {
            var split = SuggestedWeights.Split(days, horizonDays);
            var train = all.Where(i => split.TrainDates.Contains(observations[i].DateIndex)).ToList();
            var test = all.Where(i => observations[i].DateIndex >= split.FirstTest).ToList();
            string? note = split.Note;
            List<int> fit, held;
            if (split.TrainDates.Count >= 2)
            {
                var inner = SuggestedWeights.Split(split.TrainDates.Select(i => days[i]).ToList(), horizonDays);
                var innerFit = inner.TrainDates.Select(i => split.TrainDates[i]).ToHashSet();
                var innerHeld = split.TrainDates.Skip(inner.FirstTest).ToHashSet();
                fit = train.Where(i => innerFit.Contains(observations[i].DateIndex)).ToList();
                held = train.Where(i => innerHeld.Contains(observations[i].DateIndex)).ToList();
            }
            else
            {
                (fit, held) = Stratified(train, i => observations[i].Churned, 4, seed);
                note = Join(note, "a single training date: a random quarter of its observations chooses the boosted model's settings and calibrates it");
            }
            Require(fit, held, test, observations, "training dates");
            var result = Evaluate(rows, observations, fit, held, test, seed);
            var predictor = new ChurnPredictor(features.Names, features.Groups, result.Medians, result.Calibration, result.Settings, result.Model.Save(),
                ChurnPredictor.ProfilesOf(features, train.Select(i => rows[i]).ToList()));
            return new PredictorReport(TimeOrder, note, observations.Count, train.Count, test.Count, Enumerable.Range(split.FirstTest, days.Count - split.FirstTest).ToList(),
                result.Score, result.Logistic, result.Boosted, Importance(features, result.Model.Importance), result.Settings, predictor);
        }

        // A single observation date: stratified folds, every observation tested once by models that never saw it.
        var (p0, p1, p2) = (new double[observations.Count], new double[observations.Count], new double[observations.Count]);
        var folds = Folds(all, i => observations[i].Churned, seed);
        var importance = new double[features.Count];
        var chosen = new List<BoostedSettings>();
        var trained = 0;
        foreach (var foldTest in folds)
        {
            var inFold = foldTest.ToHashSet();
            var train = all.Where(i => !inFold.Contains(i)).ToList();
            var (fit, held) = Stratified(train, i => observations[i].Churned, 4, seed);
            Require(fit, held, foldTest, observations, "folds");
            var result = Evaluate(rows, observations, fit, held, foldTest, seed);
            for (var k = 0; k < foldTest.Count; k++)
            {
                (p0[foldTest[k]], p1[foldTest[k]], p2[foldTest[k]]) = (result.Probabilities[0][k], result.Probabilities[1][k], result.Probabilities[2][k]);
            }
            for (var j = 0; j < importance.Length; j++)
            {
                importance[j] += result.Model.Importance[j] / folds.Count;
            }
            chosen.Add(result.Settings);
            trained += train.Count;
        }
        var labels = observations.Select(o => o.Churned).ToList();
        var settingsChosen = chosen.GroupBy(s => s).OrderByDescending(g => g.Count()).First().Key;
        var imputerAll = new Imputer(rows);
        var (trees, calibrated) = FitCalibrated(rows.Select(imputerAll.Fill).ToList(), labels, settingsChosen, seed);
        var kept = new ChurnPredictor(features.Names, features.Groups, imputerAll.Medians, calibrated, settingsChosen, trees.Save(), ChurnPredictor.ProfilesOf(features, rows));
        return new PredictorReport(CrossValidation, $"a single observation date: {FoldCount}-fold stratified cross-validation (every observation is tested once, by models fitted without it)",
            observations.Count, trained, observations.Count, [0],
            ProbabilityMetrics.Of(p0, labels), ProbabilityMetrics.Of(p1, labels), ProbabilityMetrics.Of(p2, labels), Importance(features, importance),
            settingsChosen, kept);
    }

    /// <summary>The three on one test set, with the boosted model fitted on the training set, its calibration and the fills of missing features.</summary>
    private sealed record Evaluation(
        ProbabilityFigures Score, ProbabilityFigures Logistic, ProbabilityFigures Boosted, double[][] Probabilities, BoostedSettings Settings,
        BoostedChurnModel Model, VennAbers Calibration, double[] Medians);

    private static Evaluation Evaluate(IReadOnlyList<double[]> rows, IReadOnlyList<Observation> obs, List<int> fit, List<int> held, List<int> test, int seed)
    {
        var train = fit.Concat(held).ToList();
        var imputer = new Imputer(fit.Select(i => rows[i]).ToList());
        double[] Row(int i) => imputer.Fill(rows[i]);
        List<bool> Labels(List<int> ids) => ids.Select(i => obs[i].Churned).ToList();
        var testLabels = Labels(test);

        // The current score, calibrated on every training observation.
        var platt = PlattScaling.Fit(train.Select(i => obs[i].Score / 100).ToList(), Labels(train));
        var score = test.Select(i => platt.Probability(obs[i].Score / 100)).ToArray();

        // L2 logistic regression on the standardised features.
        var trainRows = train.Select(Row).ToList();
        var standard = new Standardizer(trainRows);
        var logisticFit = ChurnModel.Fit(trainRows.Select(standard.Scale).ToList(), Labels(train), Lambda);
        var logistic = test.Select(i => logisticFit.Probability(standard.Scale(Row(i)))).ToArray();

        // Boosted trees: each setting fitted on the earlier data and judged on the held-out; the best calibrated there.
        var fitRows = fit.Select(Row).ToList();
        var heldRows = held.Select(Row).ToList();
        var heldLabels = Labels(held);
        (BoostedSettings Settings, double Auc)? best = null;
        foreach (var settings in BoostedSettings.Grid)
        {
            var model = BoostedChurnModel.Fit(fitRows, Labels(fit), settings, seed);
            var heldScores = model.Scores(heldRows);
            var auc = Metrics.Auc(heldScores.Select((s, k) => new Outcome(s, heldLabels[k])).ToList()) ?? 0.5;
            if (best is null || auc > best.Value.Auc + 1e-9)
            {
                best = (settings, auc);
            }
        }
        var chosen = best!.Value;
        var (final, calibration) = FitCalibrated(trainRows, Labels(train), chosen.Settings, seed);
        var boosted = final.Scores(test.Select(Row).ToList()).Select(calibration.Probability).ToArray();
        return new Evaluation(ProbabilityMetrics.Of(score, testLabels), ProbabilityMetrics.Of(logistic, testLabels), ProbabilityMetrics.Of(boosted, testLabels),
            [score, logistic, boosted], chosen.Settings, final, calibration, imputer.Medians);
    }

    /// <summary>
    /// Trees of the settings fitted on every row, and their calibration: Venn–Abers on out-of-fold scores of the
    /// same rows (each scored by trees fitted without it).
    /// </summary>
    private static (BoostedChurnModel Model, VennAbers Calibration) FitCalibrated(IReadOnlyList<double[]> rows, IReadOnlyList<bool> labels, BoostedSettings settings, int seed)
    {
        var final = BoostedChurnModel.Fit(rows, labels, settings, seed);
        var outOfFold = new double[rows.Count];
        var positions = Enumerable.Range(0, rows.Count).ToList();
        foreach (var fold in Folds(positions, k => labels[k], seed, CalibrationFolds))
        {
            var inFold = fold.ToHashSet();
            var rest = positions.Where(k => !inFold.Contains(k)).ToList();
            var foldModel = BoostedChurnModel.Fit(rest.Select(k => rows[k]).ToList(), rest.Select(k => labels[k]).ToList(), settings, seed);
            var scores = foldModel.Scores(fold.Select(k => rows[k]).ToList());
            for (var n = 0; n < fold.Count; n++)
            {
                outOfFold[fold[n]] = scores[n];
            }
        }
        return (final, VennAbers.Fit(outOfFold, labels));
    }

    private static IReadOnlyList<FeatureImportance> Importance(ChurnFeatures features, IReadOnlyList<double> importance) =>
        features.Names.Select((n, j) => new FeatureImportance(n, features.Labels[j], Math.Round(importance[j], 6)))
            .Where(f => f.Importance > 0).OrderByDescending(f => f.Importance).ToList();

    private static void Require(List<int> fit, List<int> held, List<int> test, IReadOnlyList<Observation> obs, string where)
    {
        int Churned(List<int> ids) => ids.Count(i => obs[i].Churned);
        var (fitChurned, heldChurned, testChurned) = (Churned(fit), Churned(held), Churned(test));
        if (fitChurned < MinFitChurned || fit.Count - fitChurned < MinFitChurned)
        {
            throw new PredictionRefusedException(
                $"too little history to fit a predictor: the {where} give {fitChurned:N0} churned and {fit.Count - fitChurned:N0} other observations to fit on; " +
                $"at least {MinFitChurned} of each are needed (start --from earlier, observe more often with a smaller --every, or widen --horizon)");
        }
        if (heldChurned < MinHeldOutChurned || held.Count - heldChurned < MinHeldOutChurned)
        {
            throw new PredictionRefusedException(
                $"too little history to validate a predictor: {heldChurned:N0} churned observations are held out to choose and calibrate it; at least {MinHeldOutChurned} are needed");
        }
        if (testChurned < MinHeldOutChurned || test.Count - testChurned < MinHeldOutChurned)
        {
            throw new PredictionRefusedException(
                $"too little history to test a predictor: the test observations hold {testChurned:N0} churned and {test.Count - testChurned:N0} other; at least {MinHeldOutChurned} of each are needed");
        }
    }

    /// <summary>Observations split into a part of (k−1)/k and one of 1/k, each class shuffled and shared in proportion.</summary>
    private static (List<int> Large, List<int> Small) Stratified(List<int> ids, Func<int, bool> churned, int k, int seed)
    {
        var folds = Folds(ids, churned, seed, k);
        return (folds.Skip(1).SelectMany(f => f).Order().ToList(), folds[0].Order().ToList());
    }

    private static List<List<int>> Folds(List<int> ids, Func<int, bool> churned, int seed, int k = FoldCount)
    {
        var random = new Random(seed);
        var folds = Enumerable.Range(0, k).Select(_ => new List<int>()).ToList();
        foreach (var group in new[] { ids.Where(churned).ToList(), ids.Where(i => !churned(i)).ToList() })
        {
            var shuffled = group.OrderBy(_ => random.Next()).ToList();
            for (var n = 0; n < shuffled.Count; n++)
            {
                folds[n % k].Add(shuffled[n]);
            }
        }
        return folds.Select(f => f.Order().ToList()).ToList();
    }

    private static string Join(string? a, string b) => a is null ? b : a + "; " + b;
}
