using CustomerHealth.Core.Alerts;
using CustomerHealth.Store.Models;
using Dapper;

namespace CustomerHealth.Store.Alerts;

/// <summary>`chs alerts effect RULE`: the rule, its hold-out share, the horizon, the last day the history covers, and the estimate.</summary>
public sealed record RuleEffect(string Rule, double Holdout, int HorizonDays, string? KnownUntil, PlayEffectReport Report);

/// <summary>
/// Reads what a rule's alerts became (<see cref="PlayEffect.Outcome"/>): each alert, its account's churn days and its
/// scores, as of the latest scored day.
/// </summary>
public sealed class PlayEffects(StoreDb db, ModelVersions models, TimeProvider clock)
{
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
        var outcomes = alerts.Select(a => PlayEffect.Outcome(
            a.HeldOut != 0, StoredDates.Date(a.Opened).DayNumber, a.Score, churns[a.Key], scores[a.Key].ToList(), knownUntil, horizonDays)).ToList();
        return new RuleEffect(rule.Id, rule.Holdout, horizonDays, latest, PlayEffect.Estimate(outcomes));
    }
}
