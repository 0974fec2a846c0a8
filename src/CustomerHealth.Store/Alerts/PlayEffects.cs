using CustomerHealth.Core.Alerts;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Alerts;

/// <summary>`chs alerts effect RULE`: the rule, its hold-out share, the horizon, the last day the history covers, and the estimate.</summary>
public sealed record RuleEffect(string Rule, double Holdout, int HorizonDays, string? KnownUntil, PlayEffectReport Report);

/// <summary>
/// Reads what became of the accounts a rule alerted (<see cref="PlayEffect"/>): for every alert it opened, whether
/// the account was held out, whether it churned within the horizon after the alert (known once the horizon has passed
/// by the latest scored day, or as soon as it churns), and its score 30, 60 and 90 days after the alert less its score
/// when alerted (the latest score on or before that day, if the account was scored in the week up to it).
/// </summary>
public sealed class PlayEffects(StoreDb db, ModelVersions models, TimeProvider clock)
{
    /// <summary>How recent a score must be to stand for the score on a later day.</summary>
    public const int ScoreWithinDays = 7;

    /// <summary>Every alert the rule opened: the account, the day, and whether it was held out.</summary>
    public IReadOnlyList<(string AccountId, DateOnly Opened, bool HeldOut)> Opened(string ruleId) =>
        db.Connection.Query<(string AccountId, string Opened, long HeldOut)>(
                "SELECT a.account_id, al.opened_on, al.held_out FROM alerts al JOIN accounts a ON a.account_key = al.account_key WHERE al.rule_id = @ruleId ORDER BY al.id",
                new { ruleId })
            .Select(x => (x.AccountId, StoredDates.Date(x.Opened), x.HeldOut != 0)).ToList();

    public RuleEffect Estimate(string ruleId, int horizonDays)
    {
        var rule = new AlertBook(db, models, clock).Rules().Find(ruleId)
            ?? throw new StoreException($"no alert rule `{ruleId}`: `chs alerts rules show` lists the rules");
        if (horizonDays <= 0)
        {
            throw new StoreException("--horizon must be a positive number of days");
        }
        var alerts = db.Connection.Query<(long Key, string Opened, long HeldOut, double? Score)>(
            "SELECT account_key, opened_on, held_out, score FROM alerts WHERE rule_id = @ruleId ORDER BY id", new { ruleId }).ToList();
        var latest = db.Connection.ExecuteScalar<string?>("SELECT MAX(as_of) FROM snapshots");
        var keys = alerts.Select(a => a.Key).Distinct().ToList();
        if (keys.Count == 0)
        {
            return new RuleEffect(rule.Id, rule.Holdout, horizonDays, latest, PlayEffect.Estimate([]));
        }
        var churns = db.Connection.Query<(long Key, string Day)>(
            $"""
            SELECT ch.account_key, ch.occurred_on FROM subscriptions ch WHERE ch.kind = 'churned' AND {db.Engine.AmongList("ch.account_key", "@keys")}
            UNION ALL SELECT a.account_key, a.status_churned_on FROM accounts a WHERE a.status_churned_on IS NOT NULL AND {db.Engine.AmongList("a.account_key", "@keys")}
            """, new { keys = db.Engine.ListParameter(keys) }).ToLookup(c => c.Key, c => StoredDates.Date(c.Day).DayNumber);
        var scores = db.Connection.Query<(long Key, string AsOf, double? Score)>(
            $"SELECT account_key, as_of, score FROM snapshots WHERE {db.Engine.AmongList("account_key", "@keys")} ORDER BY account_key, as_of",
            new { keys = db.Engine.ListParameter(keys) }).ToLookup(s => s.Key, s => (Day: StoredDates.Date(s.AsOf).DayNumber, s.Score));
        var knownUntil = latest is null ? (int?)null : StoredDates.Date(latest).DayNumber;
        var outcomes = alerts.Select(a =>
        {
            var opened = StoredDates.Date(a.Opened).DayNumber;
            var churnedIn = churns[a.Key].Any(d => d > opened && d <= opened + horizonDays);
            bool? churned = churnedIn ? true : knownUntil >= opened + horizonDays ? false : null;
            var changes = PlayEffect.ScoreDays.Select(days =>
            {
                var at = opened + days;
                if (a.Score is not { } then || knownUntil is null || at > knownUntil)
                {
                    return null;
                }
                var later = scores[a.Key].LastOrDefault(s => s.Day <= at);
                return later.Score is { } now && later.Day > at - ScoreWithinDays ? now - then : (double?)null;
            }).ToArray();
            return new PlayOutcome(a.HeldOut != 0, churned, changes);
        }).ToList();
        return new RuleEffect(rule.Id, rule.Holdout, horizonDays, latest, PlayEffect.Estimate(outcomes));
    }
}
