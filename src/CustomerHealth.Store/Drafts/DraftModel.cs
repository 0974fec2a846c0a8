using System.Globalization;
using CustomerHealth.Core.Backtesting;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Backtesting;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Scoring;
using Dapper;
using BacktestRun = CustomerHealth.Store.Backtesting.Backtest;

namespace CustomerHealth.Store.Drafts;

/// <summary>An account whose grade a draft model would change.</summary>
public sealed record GradeChange(string AccountId, string? Name, string? FromGrade, string? ToGrade, double? FromScore, double? ToScore);

/// <summary>Accounts per grade, scores counted in tenths of the scale (`histogram`), and the average score.</summary>
public sealed record Distribution(IReadOnlyDictionary<string, int> ByGrade, IReadOnlyList<int> Histogram, double? AverageScore);

/// <summary>The what-if of a draft: current and draft side by side, as of one day; `histogram` counts scores in tenths of the scale.</summary>
public sealed record Preview(
    string AsOf, string CurrentVersion, string DraftVersion, int AccountsScored, Distribution Current, Distribution Draft, int GradeChangesCount,
    IReadOnlyList<GradeChange> GradeChanges);

/// <summary>
/// What one measure of a model reads across the accounts scored as of a day, before it is scored: the numbers, sorted;
/// the text values with how many accounts have each; and how many accounts have no value.
/// </summary>
public sealed record MeasureSpread(string Dimension, string Measure, IReadOnlyList<double> Numbers, IReadOnlyDictionary<string, int> Texts, int Missing);

/// <summary>The names a model's measures can filter on, as the store has them: usage event names and metric names (the first 500 of each, in order).</summary>
public sealed record SignalNames(IReadOnlyList<string> Events, IReadOnlyList<string> Metrics);

/// <summary>The published model and a draft backtested on the same dates and the same history.</summary>
public sealed record BacktestComparison(BacktestOptions Options, BacktestReport Current, BacktestReport Draft);

/// <summary>
/// What a draft model would do before anyone publishes it (SPEC §7, §9): today's scores beside the published model's,
/// and a backtest beside the published model's. The API and the dashboard's model editor both ask here.
/// </summary>
public sealed class DraftModel(StoreDb db, ModelVersions models)
{
    /// <summary>The day a preview scores when none is given: the latest scored day, or today before any scoring.</summary>
    public DateOnly PreviewDay(DateOnly today) => new ScoringRun(db, models).LatestDay() is { } s ? Day(s) : today;

    /// <summary>Scores every account with the published model and the draft as of a day, storing nothing.</summary>
    /// <param name="draft">The draft model.</param>
    /// <param name="draftVersion">The draft's version id (<see cref="ModelLoader.VersionId(HealthModel)"/>), as the preview shows it.</param>
    /// <param name="day">The day scored as of.</param>
    /// <param name="maxChanges">How many grade changes to list (the largest score changes first); all are counted.</param>
    /// <param name="cancel">Ends the work soon after it is cancelled (the client left), with <see cref="OperationCanceledException"/>.</param>
    public Preview Preview(HealthModel draft, string draftVersion, DateOnly day, int maxChanges = 1000, CancellationToken cancel = default)
    {
        var current = models.RequireCurrent();
        var scored = new ScorePreview(db, models).Score(day, [current.Model, draft], cancel);
        var before = scored[0].ToDictionary(a => a.Account.AccountId);
        var after = scored[1];
        var changes = after
            .Select(a => (After: a, Before: before.GetValueOrDefault(a.Account.AccountId)))
            .Where(x => x.Before?.Grade?.Id != x.After.Grade?.Id)
            .Select(x => new GradeChange(x.After.Account.AccountId, x.After.Account.Field("name"), x.Before?.Grade?.Id, x.After.Grade?.Id, x.Before?.Score, x.After.Score))
            .OrderByDescending(c => Math.Abs((c.ToScore ?? 0) - (c.FromScore ?? 0)))
            .ToList();
        return new Preview(
            StoredDates.Text(day), current.VersionId, draftVersion, after.Count(a => a.Score is not null),
            Distribute(current.Model, before.Values), Distribute(draft, after), changes.Count, changes.Take(maxChanges).ToList());
    }

    /// <summary>
    /// Each measure of a model (a draft or not) as the accounts are now, its raw values across the accounts scored as
    /// of a day: what the model builder draws its score curves over. Nothing is stored.
    /// </summary>
    /// <param name="model">The model whose measures are read.</param>
    /// <param name="day">The day read as of.</param>
    /// <param name="cancel">Ends the work soon after it is cancelled, with <see cref="OperationCanceledException"/>.</param>
    public IReadOnlyList<MeasureSpread> Spreads(HealthModel model, DateOnly day, CancellationToken cancel = default)
    {
        var scored = new ScorePreview(db, models).Score(day, [model], cancel)[0];
        var measures = model.AllMeasures().ToList();
        var rows = scored.Where(a => a.Computed.Measures.Length == measures.Count).Select(a => a.Computed.Measures).ToList();
        return measures.Select((x, i) =>
        {
            var numbers = new List<double>(rows.Count);
            var texts = new Dictionary<string, int>(StringComparer.Ordinal);
            var missing = 0;
            foreach (var row in rows)
            {
                var value = row[i].Value;
                if (value.IsMissing)
                {
                    missing++;
                }
                else if (value.Text is { } text)
                {
                    texts[text] = texts.GetValueOrDefault(text) + 1;
                }
                else
                {
                    numbers.Add(value.Number);
                }
            }
            numbers.Sort();
            return new MeasureSpread(x.Dimension.Id, x.Measure.Id, numbers, texts, missing);
        }).ToList();
    }

    /// <summary>The usage event names and metric names stored, for the model builder's lists.</summary>
    public SignalNames Names() => new(
        db.Connection.Query<string>("SELECT name FROM event_names ORDER BY name LIMIT 500").ToList(),
        db.Connection.Query<string>("SELECT DISTINCT metric FROM metrics ORDER BY metric LIMIT 500").ToList());

    /// <summary>
    /// Backtest dates that fit the scored history: from its first day plus the horizon (the measures' windows have
    /// data behind them) to its last day minus the horizon (every label can be known); null when the history is too short.
    /// </summary>
    public BacktestOptions? DefaultBacktest(int horizonDays = 90, int everyDays = 30)
    {
        var (first, last) = db.Connection.QuerySingle<(string? First, string? Last)>("SELECT MIN(as_of), MAX(as_of) FROM snapshots");
        if (first is null || last is null)
        {
            return null;
        }
        var from = Day(first).AddDays(horizonDays);
        var to = Day(last).AddDays(-horizonDays);
        return to < from ? null : new BacktestOptions(from, to, everyDays, horizonDays);
    }

    /// <summary>Backtests the published model and the draft on the same observation dates; the signals are read once when both share a timezone.</summary>
    /// <param name="draft">The draft model.</param>
    /// <param name="draftVersion">The draft's version id (<see cref="ModelLoader.VersionId(HealthModel)"/>), as its report shows it.</param>
    /// <param name="options">The observation dates, the horizon and how churn is told.</param>
    /// <param name="cancel">Ends the work soon after it is cancelled (the editor closed, a newer run), with <see cref="OperationCanceledException"/>.</param>
    public BacktestComparison Backtest(HealthModel draft, string draftVersion, BacktestOptions options, CancellationToken cancel = default)
    {
        var current = models.RequireCurrent();
        var backtest = new BacktestRun(db);
        var signals = backtest.Signals(current.Model, cancel);
        var (currentPlan, currentObservations, currentUnscored, churn) = backtest.Observe(current.Model, options, signals, cancel);
        var draftSignals = draft.Timezone == current.Model.Timezone ? signals : backtest.Signals(draft, cancel);
        var (draftPlan, draftObservations, draftUnscored, draftChurn) = backtest.Observe(draft, options, draftSignals, cancel);
        return new BacktestComparison(options,
            BacktestRun.Report(currentPlan, current.VersionId, options, currentObservations, currentUnscored, churn),
            BacktestRun.Report(draftPlan, draftVersion, options, draftObservations, draftUnscored, draftChurn));
    }

    private static DateOnly Day(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static Distribution Distribute(HealthModel model, IEnumerable<ScoredAccount> accounts)
    {
        var byGrade = model.Grades.ToDictionary(g => g.Id, _ => 0);
        var histogram = new int[10];
        double sum = 0;
        var n = 0;
        foreach (var a in accounts)
        {
            if (a.Grade is { } g)
            {
                byGrade[g.Id] = byGrade.GetValueOrDefault(g.Id) + 1;
            }
            if (a.Score is { } s)
            {
                histogram[Math.Clamp((int)(s / model.MaxScore * 10), 0, 9)]++;
                sum += s;
                n++;
            }
        }
        return new Distribution(byGrade, histogram, n > 0 ? Math.Round(sum / n, 1) : null);
    }
}
