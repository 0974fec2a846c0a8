using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;
using CustomerHealth.Core.Alerts;
using CustomerHealth.Core.Model;
using CustomerHealth.Core.Scoring;
using CustomerHealth.Store.Deliveries;
using CustomerHealth.Store.Engines;
using CustomerHealth.Store.Models;
using CustomerHealth.Store.Prediction;
using CustomerHealth.Store.Scoring;
using Dapper;

namespace CustomerHealth.Store.Alerts;

public sealed record AlertView(
    long Id, string RuleId, string AccountId, string? AccountName, string? Owner, string Severity, string State, string Reason, double? Score, string? Grade,
    double? PreviousScore, string? PreviousGrade, string OpenedOn, string UpdatedOn, string? SnoozedUntil, string? ResolvedOn, string? ResolvedBy);

public sealed record TaskView(
    long Id, string AccountId, string? AccountName, long? AlertId, string Title, string? Assignee, string? DueOn, IReadOnlyList<string> Steps, string Status,
    string? Outcome, string CreatedOn, string? CompletedOn, bool Overdue);

/// <summary>What an evaluation may do besides opening, updating and resolving alerts.</summary>
[Flags]
public enum AlertEffects
{
    None = 0,
    Tasks = 1,
    Deliveries = 2,
    All = Tasks | Deliveries,
}

/// <summary>
/// One rule's alerts over a stretch of history: how many opened on the first day (when the rules would have been put
/// in force), how many after it and per week on average, the busiest week, how many accounts were concerned, how
/// often the cooldown held one back, and how many were still open at the end; then how they did against churn
/// (<see cref="AlertOutcomes.Of"/>): alerts per owner and week, precision, lift, median lead time and ARR covered.
/// </summary>
public sealed record RuleNoise(
    string RuleId, int CooldownDays, int OpenedFirstDay, int OpenedAfter, double PerWeek, int BusiestWeek, int Accounts, int HeldBackByCooldown, int OpenAtEnd,
    double? AlertsPerOwnerWeek, int Judged, int FollowedByChurn, double? Precision, double? Lift, double? MedianLeadDays, double ArrCovered, double? ArrCoveredShare);

/// <summary>A replay of alert rules over the scored history (see <see cref="AlertBook.Simulate"/>).</summary>
/// <param name="From">The first replayed day.</param>
/// <param name="To">The last replayed day.</param>
/// <param name="Days">How many days were replayed: the scored days from the first to the last.</param>
/// <param name="Weeks">The weeks the replayed days span (<see cref="RuleReplay.Weeks"/>).</param>
/// <param name="HorizonDays">An alert is followed by churn when the account churns within this many days after it opened.</param>
/// <param name="JudgedUntil">Alerts opened on or before this day are judged against churn (their horizon ended by the
/// last day the store knows of); null when none is.</param>
/// <param name="Owners">Owners of the accounts scored on the replayed days: the CSMs whose inboxes the alerts fill.</param>
/// <param name="BaseChurnRate">Of the accounts scored on a judged replayed day (each day counting), the share that churned within the horizon.</param>
/// <param name="ChurnedAccounts">The distinct accounts that did.</param>
/// <param name="ChurnedArr">Their ARR.</param>
/// <param name="WithCooldown">Each rule's alerts with its cooldown.</param>
/// <param name="WithoutCooldown">Each rule's alerts with no cooldown.</param>
/// <param name="All">Every rule's alerts together, with their cooldowns.</param>
public sealed record NoiseReport(
    string From, string To, int Days, double Weeks, int HorizonDays, string? JudgedUntil, int Owners, double? BaseChurnRate, int ChurnedAccounts, double ChurnedArr,
    IReadOnlyList<RuleNoise> WithCooldown, IReadOnlyList<RuleNoise> WithoutCooldown, AlertOutcome All);

/// <summary>
/// One line of the alerts inbox: an account with its open alerts (most severe first), its ARR, the calibrated churn
/// probability of its current score (null when the latest backtest was of another model, or there is none) and the
/// expected revenue at risk (probability × ARR).
/// </summary>
public sealed record InboxAccount(
    string AccountId, string? Name, string? Owner, double? Arr, double? Score, string? Grade, double? ChurnProbability, double? RevenueAtRisk, string WorstSeverity,
    IReadOnlyList<AlertView> Alerts);

public sealed record AlertRunSummary(string AsOf, int Opened, int Updated, int Resolved, int Suppressed, int TasksCreated);

/// <summary>
/// Alerts and tasks (SPEC §8): the rules in force, their evaluation on a day's snapshots against each account's
/// previous one, and the alerts and tasks people work through. An open alert for a rule and account is updated,
/// never duplicated (the store enforces one open alert per rule and account).
/// </summary>
public sealed class AlertBook(StoreDb db, ModelVersions models, TimeProvider clock)
{
    private readonly Outbox outbox = new(db, clock);

    /// <summary>The rules in force as shown to people: every secret replaced by <see cref="RuleSecrets.Placeholder"/>.</summary>
    public string? RulesYaml() => StoredRules() is { } yaml ? RuleSecrets.Seal(yaml).Yaml : null;

    /// <summary>The rules in force with their secrets, for evaluating and delivering.</summary>
    public AlertRuleSet Rules() =>
        StoredRules() is { } yaml ? AlertRulesLoader.LoadPublished(RuleSecrets.Unseal(yaml, new DestinationSecrets(db, clock).Get).Yaml) : AlertRuleSet.Empty;

    private string? StoredRules() => db.Connection.ExecuteScalar<string?>("SELECT yaml FROM alert_rules ORDER BY id DESC LIMIT 1");

    /// <summary>The rules file shipped for the SaaS model (the demo puts it in force).</summary>
    public static string ShippedRules => StoreDb.EmbeddedText(".Alerts.saas-rules.yaml");

    /// <summary>Validates a rules file (also against the published model's grades and measures) and puts it in force.</summary>
    /// <remarks>
    /// The stored version keeps a placeholder for each secret and the secrets are kept apart, sealed; a placeholder in
    /// <paramref name="yaml"/> keeps the secret stored for that destination.
    /// </remarks>
    public AlertRuleSet SetRules(string yaml, string file)
    {
        var secrets = new DestinationSecrets(db, clock);
        var (unsealed, rules) = ReadDraft(yaml, file, secrets);
        var (sealedYaml, given) = RuleSecrets.Seal(unsealed);
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        secrets.Replace(given, tx);
        db.Connection.Execute("INSERT INTO alert_rules (yaml, set_at) VALUES (@yaml, @at)", new { yaml = sealedYaml, at = clock.GetUtcNow().ToString("o", CultureInfo.InvariantCulture) }, tx);
        tx.Commit();
        return rules;
    }

    /// <summary>
    /// Reads a draft rules file exactly as <see cref="SetRules"/> would before putting it in force — a placeholder stands
    /// for the secret stored for that destination — and changes nothing: for replaying a draft before it is set.
    /// </summary>
    public AlertRuleSet ValidateDraft(string yaml, string file) => ReadDraft(yaml, file, new DestinationSecrets(db, clock)).Rules;

    private (string Unsealed, AlertRuleSet Rules) ReadDraft(string yaml, string file, DestinationSecrets secrets)
    {
        var (unsealed, missing) = RuleSecrets.Unseal(yaml, secrets.Get);
        if (missing.Count > 0)
        {
            throw new AlertRulesInvalidException(file, missing);
        }
        return (unsealed, Validate(unsealed, file));
    }

    /// <summary>
    /// Rules stored by a version before secrets were kept apart hold them in every stored version: seals them all (the
    /// latest version's secrets are kept). Run when the store is upgraded (`chs init`); a store with nothing to seal is untouched.
    /// </summary>
    public int SealStoredRules()
    {
        var versions = db.Connection.Query<(long Id, string Yaml)>("SELECT id, yaml FROM alert_rules ORDER BY id").ToList();
        var changed = versions.Select(v => (v.Id, Sealed: RuleSecrets.Seal(v.Yaml))).Where(v => v.Sealed.Secrets.Count > 0).ToList();
        if (changed.Count == 0)
        {
            return 0;
        }
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        var secrets = new DestinationSecrets(db, clock);
        var latest = versions[^1].Id;
        foreach (var (id, (yaml, given)) in changed)
        {
            if (id == latest)
            {
                secrets.Replace(given, tx);
            }
            db.Connection.Execute("UPDATE alert_rules SET yaml = @yaml WHERE id = @id", new { yaml, id }, tx);
        }
        tx.Commit();
        return changed.Count;
    }

    /// <summary>Reads a rules file and checks it against the published model's grades and measures.</summary>
    public AlertRuleSet Validate(string yaml, string file)
    {
        var rules = AlertRulesLoader.Load(yaml, file);
        var model = models.RequireCurrent().Model;
        var measures = model.Dimensions.SelectMany(d => d.Measures).Select(m => m.Id).ToHashSet();
        var grades = model.Grades.Select(g => g.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        foreach (var r in rules.Rules)
        {
            switch (r.When)
            {
                case GradeEntered g when !grades.Contains(g.Grade):
                    problems.Add($"rule `{r.Id}`: the model has no grade `{g.Grade}` (grades: {string.Join(", ", grades)})");
                    break;
                case RenewalWithin w when w.Grades.FirstOrDefault(g => !grades.Contains(g)) is { } bad:
                    problems.Add($"rule `{r.Id}`: the model has no grade `{bad}`");
                    break;
                case MeasureBelow m when !measures.Contains(m.MeasureId):
                case MeasureAbove a when !measures.Contains(a.MeasureId):
                case Stale s when !measures.Contains(s.MeasureId):
                    problems.Add($"rule `{r.Id}`: the model has no measure `{MeasureOf(r.When)}`");
                    break;
            }
        }
        if (problems.Count > 0)
        {
            throw new StoreException($"{file}: " + string.Join("; ", problems));
        }
        return rules;
    }

    private static string MeasureOf(Condition c) => c switch { MeasureBelow m => m.MeasureId, MeasureAbove a => a.MeasureId, Stale s => s.MeasureId, _ => "" };

    /// <summary>
    /// Evaluates the rules on the snapshots of a day: opens, updates and resolves alerts and, as <paramref name="effects"/>
    /// allows, creates the rules' tasks and queues their deliveries (replaying past days wants neither).
    /// </summary>
    /// <param name="asOf">The day whose snapshots are judged.</param>
    /// <param name="effects">What an alert opened may do besides being recorded.</param>
    /// <param name="shares">Only the accounts of these shares (a server's live work, <see cref="Sharing.AccountShares"/>); null: every account.</param>
    public AlertRunSummary Evaluate(DateOnly asOf, AlertEffects effects = AlertEffects.All, Sharing.AccountShares? shares = null)
    {
        var rules = Rules();
        var day = StoredDates.Text(asOf);
        if (rules.Rules.Count == 0)
        {
            return new AlertRunSummary(day, 0, 0, 0, 0, 0);
        }
        var (current, previous, ago, own) = LoadDay(rules, asOf);
        var open = db.Connection.Query<(long Id, string Rule, long Key, string State, string Opened, string Updated, string? Snoozed, long HeldOut, string Reason,
                double? Score, string? Grade)>(
                "SELECT id, rule_id, account_key, state, opened_on, updated_on, snoozed_until, held_out, reason, score, grade FROM alerts WHERE resolved_on IS NULL")
            .ToDictionary(a => (a.Rule, a.Key));
        var lastResolved = db.Connection.Query<(string Rule, long Key, string Resolved)>(
                "SELECT rule_id, account_key, MAX(resolved_on) FROM alerts WHERE resolved_on IS NOT NULL GROUP BY rule_id, account_key")
            .ToDictionary(a => (a.Rule, a.Key), a => Date(a.Resolved));
        int opened = 0, updated = 0, resolved = 0, suppressed = 0, tasks = 0;
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        // Each statement made once for the day and run alert after alert (a replay of a history writes thousands; SQLite
        // parses each once).
        using var adding = new RowCommand(db.Connection, tx,
            """
            INSERT INTO alerts (rule_id, account_key, severity, state, reason, score, grade, previous_score, previous_grade, opened_on, updated_on, held_out)
            VALUES (@rule, @key, @severity, 'open', @reason, @score, @grade, @prevScore, @prevGrade, @day, @day, @heldOut) RETURNING id
            """, ["rule", "key", "severity", "reason", "score", "grade", "prevScore", "prevGrade", "day", "heldOut"]);
        using var refresh = new RowCommand(db.Connection, tx,
            """
            UPDATE alerts SET reason = @reason, score = @score, grade = @grade, updated_on = @day, state = @state,
              snoozed_until = CASE WHEN @state = 'snoozed' THEN snoozed_until END
            WHERE id = @id
            """, ["reason", "score", "grade", "day", "state", "id"]);
        using var resolve = new RowCommand(db.Connection, tx,
            "UPDATE alerts SET state = 'resolved', resolved_on = @day, resolved_by = 'auto', updated_on = @day WHERE id = @id", ["day", "id"]);
        foreach (var snap in shares is null ? current : current.Where(c => shares.Holds(c.Key)))
        {
            var now = snap.State;
            var before = previous.GetValueOrDefault(snap.Key)?.State;
            foreach (var rule in rules.Rules)
            {
                var evaluation = RuleEvaluator.Evaluate(rule, now, before, Ago(ago, snap.Key), Own(own, snap.Key));
                var existing = open.GetValueOrDefault((rule.Id, snap.Key));
                var decision = AlertLifecycle.Decide(rule, existing.Id == 0 ? null : new ExistingAlert(Date(existing.Opened), Date(existing.Updated),
                    Enum.Parse<AlertState>(existing.State, ignoreCase: true), existing.Snoozed is { } z ? Date(z) : null),
                    lastResolved.TryGetValue((rule.Id, snap.Key), out var r) ? r : null, evaluation.Fires, asOf);
                switch (decision.Action)
                {
                    case AlertAction.Open:
                        // An account in the rule's hold-out is alerted for the record only: no notification, no task.
                        var heldOut = Holdout.IsHeldOut(rule.Id, now.AccountId, rule.Holdout);
                        var id = Convert.ToInt64(adding.Scalar(rule.Id, snap.Key, rule.Severity.ToString().ToLowerInvariant(), evaluation.Reason, now.Score, now.Grade,
                            before?.Score, before?.Grade, day, heldOut ? 1 : 0), CultureInfo.InvariantCulture);
                        opened++;
                        if (heldOut)
                        {
                            break;
                        }
                        if (effects.HasFlag(AlertEffects.Deliveries))
                        {
                            outbox.EnqueueAlert(tx, rule, Notice(id, "opened", rule, now, before, day, evaluation.Reason), day);
                        }
                        if (rule.Task is { } t && effects.HasFlag(AlertEffects.Tasks))
                        {
                            db.Connection.Execute(
                                """
                                INSERT INTO tasks (account_key, alert_id, title, assignee, due_on, steps, status, created_on)
                                VALUES (@key, @id, @title, @assignee, @due, @steps, 'open', @day)
                                """,
                                new { key = snap.Key, id, title = t.Title(now, rule), assignee = t.AssignsOwner ? now.Owner : t.AssigneeEmail,
                                    due = t.DueInDays is { } n ? StoredDates.Text(asOf.AddDays(n)) : null, steps = JsonSerializer.Serialize(t.Steps), day }, tx);
                            tasks++;
                        }
                        break;
                    case AlertAction.Update:
                        var state = (decision.State ?? AlertState.Open).ToString().ToLowerInvariant();
                        // An alert refreshed again the same day with what it holds already (every rescoring pass of the
                        // day evaluates the rules) is left as it is: a statement each would change nothing.
                        if (existing.Updated != day || existing.State != state || existing.Reason != evaluation.Reason || !Nullable.Equals(existing.Score, now.Score)
                            || existing.Grade != now.Grade || (state != "snoozed" && existing.Snoozed is not null))
                        {
                            refresh.Run(evaluation.Reason, now.Score, now.Grade, day, state, existing.Id);
                        }
                        updated++;
                        if (decision.Notify && existing.HeldOut == 0 && effects.HasFlag(AlertEffects.Deliveries))
                        {
                            outbox.EnqueueAlert(tx, rule, Notice(existing.Id, "reopened", rule, now, before, existing.Opened, evaluation.Reason), day);
                        }
                        break;
                    case AlertAction.Resolve:
                        resolve.Run(day, existing.Id);
                        resolved++;
                        break;
                    case AlertAction.Suppressed:
                        suppressed++;
                        break;
                }
            }
        }
        tx.Commit();
        return new AlertRunSummary(day, opened, updated, resolved, suppressed, tasks);
    }

    /// <param name="Current">The day's snapshots.</param>
    /// <param name="Previous">The snapshot before the day of each account scored that day, by account key.</param>
    /// <param name="Ago">Per `score_drop` window (its days), each account's score on or before the day less those days, by account key.</param>
    /// <param name="Own">For an account whose score fell at least a `score_drop` rule's points over its days: the part of the change its own measures made.</param>
    private sealed record DayInputs(List<Snap> Current, Dictionary<long, Snap> Previous, Dictionary<int, Dictionary<long, double?>> Ago, Dictionary<(long Key, int Days), OwnChange?> Own);

    /// <summary>
    /// For each account scored on `@day` (and meeting <paramref name="also"/>, a condition on its snapshot `c`), the day
    /// (`m`) of its latest snapshot <paramref name="comparison"/> <paramref name="bound"/>: a seek per account in the
    /// (account, day) index, not a pass over every older snapshot.
    /// </summary>
    private static string LatestOfScored(string comparison, string bound, string also = "TRUE") =>
        $"SELECT c.account_key, (SELECT MAX(p.as_of) FROM snapshots p WHERE p.account_key = c.account_key AND p.as_of {comparison} {bound}) AS m FROM snapshots c WHERE c.as_of = @day AND {also}";

    // What the book read last holds as of this mark in the Portfolio's log (migration 0019), which every write to
    // snapshots, accounts, current scores and subscriptions adds to: the accounts' fields (`accounts`) and the snapshots
    // of the day loaded last (`loaded`: replaying days in order, they are the next day's previous snapshots).
    private string? mark;

    // More changes than this since the mark: everything is read again (as many rows as reading it would take).
    private const int MostChanges = 20_000;

    private (DateOnly Day, List<Snap> Snapshots)? loaded;

    /// <summary>A day's snapshots and, for each account scored that day, its snapshot before it and the scores the rules' `score_drop` windows look back to.</summary>
    private DayInputs LoadDay(AlertRuleSet rules, DateOnly asOf)
    {
        var day = StoredDates.Text(asOf);
        PortfolioLogRead log;
        using (var tx = db.Engine.BeginSnapshot(db.Connection))
        {
            // Only what was written to an account (a row without a day) or to the history before this day: snapshots
            // of this day or later (a run scoring the days in turn, judging each once stored) change nothing kept.
            log = db.Engine.ReadPortfolioLog(db.Connection, tx, mark, MostChanges, before: day);
        }
        mark = log.Mark;
        var accountsChanged = log.Rows is null || log.Rows.Any(r => r.Day is null);
        if (accounts is null || accountsChanged)
        {
            accounts = ReadAccounts();
        }
        var historyStands = log.Rows is { Count: 0 };
        var current = Snapshots(day, null);
        Dictionary<long, Snap> previous;
        if (loaded is { } last && historyStands && last.Day < asOf
            && !db.Connection.ExecuteScalar<bool>("SELECT EXISTS (SELECT 1 FROM snapshots WHERE as_of > @before AND as_of < @day)", new { before = StoredDates.Text(last.Day), day }))
        {
            // Nothing before this day was written since the day loaded last, the scored day just before this one: an
            // account scored then has its previous snapshot there, already read; only the others' are read.
            previous = last.Snapshots.ToDictionary(s => s.Key);
            var notThen = "NOT EXISTS (SELECT 1 FROM snapshots o WHERE o.account_key = c.account_key AND o.as_of = @before)";
            foreach (var s in Snapshots(day, LatestOfScored("<", "@day", notThen), StoredDates.Text(last.Day)))
            {
                previous[s.Key] = s;
            }
        }
        else
        {
            previous = Snapshots(day, LatestOfScored("<", "@day")).ToDictionary(s => s.Key);
        }
        loaded = (asOf, current);
        var ago = rules.Rules.Select(r => r.When).OfType<ScoreDrop>().Select(d => d.Days).Distinct()
            .ToDictionary(d => d, d => db.Connection.Query<(long Key, double? Score)>(
                    $"SELECT s.account_key, s.score FROM snapshots s JOIN ({LatestOfScored("<=", "@d")}) q ON q.account_key = s.account_key AND s.as_of = q.m",
                    new { d = StoredDates.Text(asOf.AddDays(-d)), day })
                .ToDictionary(x => x.Key, x => x.Score));
        return new DayInputs(current, previous, ago, OwnChanges(rules, asOf, current, ago));
    }

    /// <summary>
    /// The explained change (<see cref="ChangeAttribution"/>) of each account whose score fell at least a `score_drop`
    /// rule's points: only those, so that a day's evaluation explains a handful of accounts, not all of them.
    /// </summary>
    private Dictionary<(long Key, int Days), OwnChange?> OwnChanges(AlertRuleSet rules, DateOnly asOf, List<Snap> current, Dictionary<int, Dictionary<long, double?>> ago)
    {
        var own = new Dictionary<(long Key, int Days), OwnChange?>();
        var drops = rules.Rules.Select(r => r.When).OfType<ScoreDrop>().GroupBy(d => d.Days).ToDictionary(g => g.Key, g => g.Min(d => d.Points));
        if (drops.Count == 0)
        {
            return own;
        }
        foreach (var snap in current)
        {
            foreach (var (days, points) in drops)
            {
                if (snap.State.Score is { } now && ago[days].GetValueOrDefault(snap.Key) is { } then && then - now >= points - 1e-6)
                {
                    try
                    {
                        own[(snap.Key, days)] = ChangeAttribution.Own(StoredSnapshot.Between(db, models, snap.Key, snap.State.AccountId, asOf.AddDays(-days), asOf).Changes);
                    }
                    catch (StoreException)
                    {
                        own[(snap.Key, days)] = null; // nothing to explain against: the drop counts as it is
                    }
                }
            }
        }
        return own;
    }

    private static Func<int, OwnChange?> Own(Dictionary<(long Key, int Days), OwnChange?> own, long key) =>
        d => own.GetValueOrDefault((key, d));

    private static Func<int, double?> Ago(Dictionary<int, Dictionary<long, double?>> ago, long key) =>
        d => ago.TryGetValue(d, out var scores) ? scores.GetValueOrDefault(key) : null;

    /// <summary>
    /// How many alerts a rules file would have raised over the scored history from <paramref name="from"/> to
    /// <paramref name="to"/>, with each rule's cooldown and with none, and how they did against churn within
    /// <paramref name="horizonDays"/> after each opened, without changing anything. People are assumed to resolve an
    /// alert on the day its condition clears (as `auto_resolve` does), and nobody snoozes. An alert is judged against
    /// churn only when its horizon ended by the latest scored day of the store; later ones are left out of the figures.
    /// </summary>
    public NoiseReport Simulate(AlertRuleSet rules, DateOnly from, DateOnly to, int horizonDays = 90)
    {
        var days = db.Connection.Query<string>("SELECT DISTINCT as_of FROM snapshots WHERE as_of >= @from AND as_of <= @to ORDER BY as_of",
            new { from = StoredDates.Text(from), to = StoredDates.Text(to) }).Select(Date).ToList();
        if (days.Count == 0)
        {
            throw new StoreException($"no scores between {StoredDates.Text(from)} and {StoredDates.Text(to)}; score that period first (chs score --from --to --every 7d)");
        }
        var weeks = RuleReplay.Weeks(days);
        var with = rules.Rules.Select(r => new RuleReplay(r, r.CooldownDays, days[0])).ToList();
        var without = rules.Rules.Select(r => new RuleReplay(r, 0, days[0])).ToList();
        var active = new List<ActiveDay>(days.Count);
        // One day in memory at a time: the history of a large portfolio does not fit at once.
        foreach (var day in days)
        {
            var inputs = LoadDay(rules, day);
            active.Add(new ActiveDay(day.DayNumber, inputs.Current.Select(c => (int)c.Key).ToArray()));
            var snapshots = inputs.Current
                .Select(s => new ReplayedAccount(s.Key, s.State, inputs.Previous.GetValueOrDefault(s.Key)?.State, Ago(inputs.Ago, s.Key), Own(inputs.Own, s.Key)))
                .ToList();
            foreach (var replay in with.Concat(without))
            {
                replay.Step(day, snapshots);
            }
        }
        var lastKnown = Date(db.Connection.ExecuteScalar<string>("SELECT MAX(as_of) FROM snapshots")!);
        var window = new OutcomeWindow(days[0].DayNumber, RuleReplay.WeeksAfterFirstDay(weeks), horizonDays, lastKnown.DayNumber);
        var accounts = SignalLoader.LoadChurn(db);
        var baseline = AlertOutcomes.Baseline(window, active, accounts);
        RuleNoise Result(RuleReplay r)
        {
            var outcome = AlertOutcomes.Of(window, baseline, r.Openings, accounts);
            return new RuleNoise(r.RuleId, r.CooldownDays, r.OpenedFirstDay, r.OpenedAfter, r.PerWeek(weeks), r.BusiestWeek, r.Accounts, r.HeldBackByCooldown,
                r.OpenAtEnd, outcome.AlertsPerOwnerWeek, outcome.Judged, outcome.FollowedByChurn, outcome.Precision, outcome.Lift, outcome.MedianLeadDays,
                outcome.ArrCovered, outcome.ArrCoveredShare);
        }
        return new NoiseReport(StoredDates.Text(days[0]), StoredDates.Text(days[^1]), days.Count, weeks, horizonDays,
            window.JudgedUntil >= days[0].DayNumber ? StoredDates.Text(DateOnly.FromDayNumber((int)window.JudgedUntil)) : null,
            baseline.Owners, baseline.ChurnRate, baseline.ChurnedAccounts, baseline.ChurnedArr,
            with.Select(Result).ToList(), without.Select(Result).ToList(), AlertOutcomes.Of(window, baseline, with.SelectMany(r => r.Openings), accounts));
    }

    private static AlertNotice Notice(long id, string what, AlertRule rule, AccountState now, AccountState? before, string openedOn, string reason) =>
        new(id, what, rule.Id, now.AccountId, now.Name, now.Owner, now.Score, now.Grade, before?.Score, before?.Grade, rule.Severity.ToString().ToLowerInvariant(),
            openedOn, reason);

    /// <summary>
    /// The open alerts (resolved ones too when asked), most severe first; one account's when <paramref name="accountId"/> is given.
    /// Alerts of a rule's hold-out are not among them: they are for `chs alerts effect` only.
    /// </summary>
    public IReadOnlyList<AlertView> Alerts(bool includeResolved = false, string? accountId = null) => AlertsWhere(
        (includeResolved ? "al.held_out = 0" : "al.resolved_on IS NULL AND al.held_out = 0") + (accountId is null ? "" : " AND a.account_id = @accountId"), new { accountId });

    /// <summary>
    /// The open alerts grouped by account, one line each, in the inbox's order (<see cref="InboxRanking"/>): expected
    /// revenue at risk first, then worst severity and ARR for accounts without a churn probability.
    /// </summary>
    public IReadOnlyList<InboxAccount> Inbox()
    {
        var open = Alerts();
        if (open.Count == 0)
        {
            return [];
        }
        var accounts = db.Connection.Query<(string AccountId, double? Arr, double? Score, string? Grade, string? ModelVersion, long Key, string? AsOf)>(
                """
                SELECT a.account_id, a.arr, s.score, s.grade, s.model_version, a.account_key, s.as_of
                FROM accounts a LEFT JOIN current_scores s ON s.account_key = a.account_key
                WHERE EXISTS (SELECT 1 FROM alerts al WHERE al.account_key = a.account_key AND al.resolved_on IS NULL)
                """)
            .ToDictionary(a => a.AccountId, StringComparer.Ordinal);
        var risks = ChurnRisks.Load(db).Of(accounts.Values.Select(a => new ScoredOn(a.Key, a.AsOf, a.Score, a.ModelVersion)).ToList());
        var lines = open.GroupBy(a => a.AccountId, StringComparer.Ordinal).Select(g =>
        {
            var first = g.First();
            var facts = accounts.GetValueOrDefault(g.Key);
            var probability = risks.GetValueOrDefault(facts.Key)?.Probability;
            var rank = new InboxRank(g.Key, InboxRanking.Worst(g.Select(a => a.Severity)), facts.Arr, probability);
            return new InboxAccount(g.Key, first.AccountName, first.Owner, facts.Arr, facts.Score, facts.Grade, probability, rank.RevenueAtRisk, rank.WorstSeverity,
                g.ToList());
        });
        return InboxRanking.Rank(lines, l => new InboxRank(l.AccountId, l.WorstSeverity, l.Arr, l.ChurnProbability));
    }

    /// <summary>One alert, open or resolved, or null.</summary>
    public AlertView? Alert(long id) => AlertsWhere("al.id = @id", new { id }).SingleOrDefault();

    private List<AlertView> AlertsWhere(string where, object parameters) =>
        db.Connection.Query<AlertView>(
            $"""
            SELECT al.id AS Id, al.rule_id AS RuleId, a.account_id AS AccountId, a.name AS AccountName, a.owner AS Owner, al.severity AS Severity,
                   al.state AS State, al.reason AS Reason, al.score AS Score, al.grade AS Grade, al.previous_score AS PreviousScore,
                   al.previous_grade AS PreviousGrade, al.opened_on AS OpenedOn, al.updated_on AS UpdatedOn, al.snoozed_until AS SnoozedUntil,
                   al.resolved_on AS ResolvedOn, al.resolved_by AS ResolvedBy
            FROM alerts al JOIN accounts a ON a.account_key = al.account_key
            WHERE {where}
            ORDER BY CASE al.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, al.opened_on DESC, al.id
            """, parameters).ToList();

    /// <summary>Open tasks (done ones too when asked), soonest due first; one person's or one account's when given.</summary>
    public IReadOnlyList<TaskView> Tasks(string? assignee = null, bool all = false, string? accountId = null) => TasksWhere(
        "(@assignee IS NULL OR t.assignee = @assignee)" + (all ? "" : " AND t.status <> 'done'") + (accountId is null ? "" : " AND a.account_id = @accountId"),
        new { assignee, accountId });

    /// <summary>One task, open or done, or null.</summary>
    public TaskView? Task(long id) => TasksWhere("t.id = @id", new { id }).SingleOrDefault();

    private List<TaskView> TasksWhere(string where, object parameters)
    {
        var today = Today();
        return db.Connection.Query<(long Id, string AccountId, string? Name, long? AlertId, string Title, string? Assignee, string? Due, string Steps, string Status,
                string? Outcome, string Created, string? Completed)>(
                $"""
                SELECT t.id, a.account_id, a.name, t.alert_id, t.title, t.assignee, t.due_on, t.steps, t.status, t.outcome, t.created_on, t.completed_on
                FROM tasks t JOIN accounts a ON a.account_key = t.account_key
                WHERE {where}
                ORDER BY t.due_on IS NULL, t.due_on, t.id
                """, parameters)
            .Select(t => new TaskView(t.Id, t.AccountId, t.Name, t.AlertId, t.Title, t.Assignee, t.Due, JsonSerializer.Deserialize<List<string>>(t.Steps) ?? [],
                t.Status, t.Outcome, t.Created, t.Completed, t.Status != "done" && t.Due is not null && string.CompareOrdinal(t.Due, today) < 0))
            .ToList();
    }

    /// <summary>Acknowledges, snoozes until a day, or resolves an open alert; false when there is no such open alert.</summary>
    public bool Act(long id, string action, string by, DateOnly? until = null)
    {
        var today = Today();
        return action switch
        {
            "acknowledge" => db.Connection.Execute("UPDATE alerts SET state = 'acknowledged', snoozed_until = NULL, updated_on = @today WHERE id = @id AND resolved_on IS NULL", new { id, today }) > 0,
            "snooze" => until is { } u
                ? db.Connection.Execute("UPDATE alerts SET state = 'snoozed', snoozed_until = @u, updated_on = @today WHERE id = @id AND resolved_on IS NULL", new { id, u = StoredDates.Text(u), today }) > 0
                : throw new StoreException("snoozing needs the day it ends"),
            "resolve" => db.Connection.Execute("UPDATE alerts SET state = 'resolved', resolved_on = @today, resolved_by = @by, updated_on = @today WHERE id = @id AND resolved_on IS NULL", new { id, today, by }) > 0,
            _ => throw new StoreException($"unknown action `{action}`; use acknowledge, snooze or resolve"),
        };
    }

    /// <summary>A task people create themselves (not from a rule); returns its id.</summary>
    public long CreateTask(string accountId, string title, string? assignee, DateOnly? dueOn, IReadOnlyList<string> steps)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            throw new StoreException("a task needs a title");
        }
        if (Core.Signals.FieldLimits.Task(title.Trim(), assignee, steps, null) is { } refused)
        {
            throw new StoreException(refused.ToString());
        }
        var key = db.Connection.ExecuteScalar<long?>("SELECT account_key FROM accounts WHERE account_id = @accountId", new { accountId })
            ?? throw new StoreException($"no account `{accountId}`");
        return db.Connection.ExecuteScalar<long>(
            "INSERT INTO tasks (account_key, title, assignee, due_on, steps, status, created_on) VALUES (@key, @title, @assignee, @due, @steps, 'open', @today) RETURNING id",
            new { key, title = title.Trim(), assignee, due = dueOn is { } d ? StoredDates.Text(d) : null, steps = JsonSerializer.Serialize(steps), today = Today() });
    }

    /// <summary>Changes a task: status (open, in_progress, done), outcome note, assignee, due day; false when there is no such task.</summary>
    public bool UpdateTask(long id, string? status, string? outcome, string? assignee, DateOnly? dueOn)
    {
        if (status is not null and not ("open" or "in_progress" or "done"))
        {
            throw new StoreException($"unknown status `{status}`; use open, in_progress or done");
        }
        if (Core.Signals.FieldLimits.Task(null, assignee, null, outcome) is { } refused)
        {
            throw new StoreException(refused.ToString());
        }
        return db.Connection.Execute(
            """
            UPDATE tasks SET status = COALESCE(@status, status), outcome = COALESCE(@outcome, outcome), assignee = COALESCE(@assignee, assignee),
              due_on = COALESCE(@due, due_on),
              completed_on = CASE WHEN @status = 'done' THEN COALESCE(completed_on, @today) WHEN @status IS NULL THEN completed_on END
            WHERE id = @id
            """,
            new { id, status, outcome, assignee, due = dueOn is { } d ? StoredDates.Text(d) : null, today = Today() }) > 0;
    }

    private string Today() => StoredDates.Text(DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime));

    private sealed record Snap(long Key, AccountState State);

    /// <summary>An account's fields the rules read.</summary>
    private sealed record AccountFields(string AccountId, string? Name, string? Segment, string? Owner, string? Stage, DateOnly? Renewal);

    // The accounts' fields by key, as of the mark: read once while no account changes, not joined again to every
    // snapshot of every day replayed.
    private Dictionary<long, AccountFields>? accounts;

    private Dictionary<long, AccountFields> ReadAccounts()
    {
        using var r = db.Connection.ExecuteReader("SELECT account_key, account_id, name, segment, owner, lifecycle_stage, renewal_on FROM accounts");
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        var fields = new Dictionary<long, AccountFields>();
        while (r.Read())
        {
            fields[r.GetInt64(0)] = new AccountFields(r.GetString(1), Text(2), Text(3), Text(4), Text(5), Text(6) is { } renewal ? Date(renewal) : null);
        }
        return fields;
    }

    /// <summary>
    /// The snapshots <paramref name="which"/> names, or those of the day itself when null (read straight from the day's
    /// index: joined with a query of the same rows, each row was found three times over), with their accounts' fields.
    /// </summary>
    /// <param name="day">The day the query's `@day` stands for.</param>
    /// <param name="which">A query of (account_key, m): the snapshot day wanted per account.</param>
    /// <param name="before">The day the query's `@before` stands for, if it has one.</param>
    private List<Snap> Snapshots(string day, string? which, string? before = null)
    {
        // Read column by column: Dapper's mapping of each row to a tuple stood out in a replay's profile.
        using var r = db.Connection.ExecuteReader(
            $"""
            SELECT s.account_key, s.as_of, s.score, s.grade, s.model_version, s.detail
            FROM {(which is null ? "snapshots s WHERE s.as_of = @day" : $"({which}) q JOIN snapshots s ON s.account_key = q.account_key AND s.as_of = q.m")}
            """, new { day, before });
        var rows = new List<(long Key, string AsOf, double? Score, string? Grade, string Version, byte[] Detail)>();
        while (r.Read())
        {
            rows.Add((r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetDouble(2), r.IsDBNull(3) ? null : r.GetString(3), r.GetString(4), (byte[])r.GetValue(5)));
        }
        r.Close();
        // (A model version not met before is read from the store: after the rows, as PostgreSQL runs one statement at a
        // time; so is an account written since its fields were read.)
        var fields = accounts!;
        if (rows.Exists(x => !fields.ContainsKey(x.Key)))
        {
            accounts = fields = ReadAccounts();
        }
        var snaps = new List<Snap>(rows.Count);
        foreach (var x in rows)
        {
            // A snapshot whose account is no longer stored is left out, as a join with the accounts would.
            if (fields.TryGetValue(x.Key, out var a))
            {
                snaps.Add(new Snap(x.Key, new AccountState(a.AccountId, a.Name, a.Segment, a.Owner, a.Stage, a.Renewal, Date(x.AsOf), x.Score, x.Grade,
                    new SnapshotMeasures(MeasuresOf(x.Version), SnapshotCodec.Decode(x.Detail)))));
            }
        }
        return snaps;
    }

    // The measures of each model version by id, with their places in its snapshots.
    private readonly Dictionary<string, (Measure[] Measures, Dictionary<string, int> Places)> measuresOf = new(StringComparer.Ordinal);

    private (Measure[] Measures, Dictionary<string, int> Places) MeasuresOf(string version)
    {
        if (!measuresOf.TryGetValue(version, out var of))
        {
            var measures = models.PlanOf(version).Measures;
            var places = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var j = 0; j < measures.Length; j++)
            {
                places[measures[j].Id] = j;
            }
            measuresOf[version] = of = (measures, places);
        }
        return of;
    }

    /// <summary>
    /// A snapshot's measures as the rules see them, by id, each made when asked for: the rules read two or three of a
    /// model's measures, and a day replayed over a portfolio would otherwise make every measure of every account.
    /// </summary>
    private sealed class SnapshotMeasures((Measure[] Measures, Dictionary<string, int> Places) of, ScoredMeasure[] scored) : IReadOnlyDictionary<string, MeasureState>
    {
        public int Count => Math.Min(scored.Length, of.Measures.Length);

        public bool TryGetValue(string key, [MaybeNullWhen(false)] out MeasureState value)
        {
            value = Place(key) is { } j ? State(j) : null;
            return value is not null;
        }

        public bool ContainsKey(string key) => Place(key) is not null;

        public MeasureState this[string key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"no measure {key} in this snapshot");

        public IEnumerable<string> Keys => of.Measures.Take(Count).Select(m => m.Id);

        public IEnumerable<MeasureState> Values => Enumerable.Range(0, Count).Select(State);

        public IEnumerator<KeyValuePair<string, MeasureState>> GetEnumerator() =>
            Enumerable.Range(0, Count).Select(j => KeyValuePair.Create(of.Measures[j].Id, State(j))).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        // Where the measure of this id stands in the snapshot, if it has one.
        private int? Place(string key) => of.Places.TryGetValue(key, out var j) && j < Count ? j : null;

        private MeasureState State(int j)
        {
            var m = scored[j];
            return new MeasureState(m.Value.IsMissing || m.Value.IsText ? null : m.Value.Number, m.Missing, m.Stale, of.Measures[j].Label);
        }
    }

    private static DateOnly Date(string text) => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
