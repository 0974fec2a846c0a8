using System.Data;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CustomerHealth.Core.Alerts;
using Dapper;

namespace CustomerHealth.Store.Deliveries;

/// <summary>What an alert notification says, fixed when the alert opens (or wakes after a snooze).</summary>
public sealed record AlertNotice(
    long AlertId, string Event, string Rule, string AccountId, string? AccountName, string? Owner, double? Score, string? Grade,
    double? PreviousScore, string? PreviousGrade, string Severity, string OpenedAt, string Reason);

/// <summary>An owner's weekly digest: their open alerts, open tasks, and accounts whose grade changed in the week.</summary>
public sealed record DigestNotice(string Owner, string WeekOf, IReadOnlyList<DigestAlert> Alerts, IReadOnlyList<DigestTask> Tasks, IReadOnlyList<DigestChange> Changes);

public sealed record DigestAlert(long AlertId, string Rule, string AccountId, string? AccountName, string Severity, string? Grade, double? Score, string OpenedOn);

public sealed record DigestTask(long TaskId, string Title, string AccountId, string? AccountName, string? DueOn, bool Overdue);

public sealed record DigestChange(string AccountId, string? AccountName, string? FromGrade, string? ToGrade, double? FromScore, double? ToScore);

/// <summary>A delivery a sender has claimed: it holds the lease until it reports the outcome or the lease runs out.</summary>
public sealed record Delivery(long Id, string IdempotencyKey, string Kind, long? AlertId, string Channel, string Target, string Notify, string Payload, long Attempts);

public sealed record DeliveryView(
    long Id, string IdempotencyKey, string Kind, long? AlertId, string? AccountId, string Channel, string Target, string Notify, string State, long Attempts,
    string NextAttemptAt, string? LastError, string CreatedAt, string? SentAt);

/// <summary>
/// The durable outbox of SPEC §8. Deliveries are written in the transaction that opens their alert, so a crash
/// cannot lose one; a sender claims due deliveries with a lease (several servers and `chs deliver` can share a
/// store), reports each outcome, and a crashed sender's lease runs out so that another sends what it left.
/// Sending is at least once; the idempotency key, the same on every attempt, lets the receiver act once.
/// </summary>
public sealed class Outbox(StoreDb db, TimeProvider clock)
{
    /// <summary>How payloads are written (snake_case JSON).</summary>
    public static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Stamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>The deliveries a rule's `notify` list asks for when an alert opens or wakes on a day; inbox ones are delivered at once.</summary>
    internal void EnqueueAlert(IDbTransaction tx, AlertRule rule, AlertNotice notice, string day)
    {
        var now = Stamp(clock.GetUtcNow());
        var payload = JsonSerializer.Serialize(notice, Json);
        foreach (var notify in rule.Notify)
        {
            var entry = notify.ToString();
            var (channel, target, state, error) = notify.Kind switch
            {
                NotifyKind.Inbox => ("inbox", notice.Owner ?? "", "sent", (string?)null),
                NotifyKind.Owner when notice.Owner is { } o && o.Contains('@', StringComparison.Ordinal) => ("email", o, "pending", null),
                NotifyKind.Owner => ("email", notice.Owner ?? "", "failed",
                    $"account {notice.AccountId} has no owner e-mail address (owner: {notice.Owner ?? "none"}); set the owner in the accounts import"),
                NotifyKind.Email => ("email", notify.Target!, "pending", null),
                NotifyKind.Webhook => ("webhook", notify.Target!, "pending", null),
                _ => ("slack", notify.Target!, "pending", null),
            };
            Insert(tx, Key($"alert|{notice.AlertId}|{notice.Event}|{day}|{entry}"), "alert", notice.AlertId, channel, target, entry, payload, state, error, now);
        }
    }

    /// <summary>
    /// Queues the weekly digest for every owner with something to read (open alerts, open tasks, grade changes in the
    /// seven days before <paramref name="weekOf"/>); once per owner and week, however often it is called.
    /// </summary>
    public int EnqueueDigests(DateOnly weekOf)
    {
        var today = StoredDates.Text(weekOf);
        var weekAgo = StoredDates.Text(weekOf.AddDays(-7));
        var alerts = db.Connection.Query<(string Owner, long Id, string Rule, string AccountId, string? Name, string Severity, string? Grade, double? Score, string Opened)>(
            """
            SELECT a.owner, al.id, al.rule_id, a.account_id, a.name, al.severity, al.grade, al.score, al.opened_on
            FROM alerts al JOIN accounts a ON a.account_key = al.account_key
            WHERE al.resolved_on IS NULL AND al.held_out = 0 AND a.owner IS NOT NULL
            ORDER BY CASE al.severity WHEN 'high' THEN 0 WHEN 'medium' THEN 1 ELSE 2 END, al.opened_on DESC, al.id
            """).ToLookup(a => a.Owner, StringComparer.OrdinalIgnoreCase);
        var tasks = db.Connection.Query<(string Assignee, long Id, string Title, string AccountId, string? Name, string? Due)>(
            """
            SELECT t.assignee, t.id, t.title, a.account_id, a.name, t.due_on FROM tasks t JOIN accounts a ON a.account_key = t.account_key
            WHERE t.status <> 'done' AND t.assignee IS NOT NULL ORDER BY t.due_on IS NULL, t.due_on, t.id
            """).ToLookup(t => t.Assignee, StringComparer.OrdinalIgnoreCase);
        var changes = db.Connection.Query<(string Owner, string AccountId, string? Name, string? FromGrade, string? ToGrade, double? FromScore, double? ToScore)>(
            """
            SELECT a.owner, a.account_id, a.name, b.grade, n.grade, b.score, n.score
            FROM accounts a
            JOIN (SELECT account_key, MAX(as_of) AS m FROM snapshots WHERE as_of <= @today GROUP BY account_key) qn ON qn.account_key = a.account_key
            JOIN snapshots n ON n.account_key = a.account_key AND n.as_of = qn.m
            JOIN (SELECT account_key, MAX(as_of) AS m FROM snapshots WHERE as_of <= @weekAgo GROUP BY account_key) qb ON qb.account_key = a.account_key
            JOIN snapshots b ON b.account_key = a.account_key AND b.as_of = qb.m
            WHERE a.owner IS NOT NULL AND COALESCE(b.grade, '') <> COALESCE(n.grade, '')
            ORDER BY a.account_id
            """, new { today, weekAgo }).ToLookup(c => c.Owner, StringComparer.OrdinalIgnoreCase);
        var owners = alerts.Select(g => g.Key).Concat(tasks.Select(g => g.Key)).Concat(changes.Select(g => g.Key))
            .Where(o => o.Contains('@', StringComparison.Ordinal)).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
        var now = Stamp(clock.GetUtcNow());
        var queued = 0;
        using var turn = db.WriteTurn();
        using var tx = db.Connection.BeginTransaction();
        foreach (var owner in owners)
        {
            var notice = new DigestNotice(owner, today,
                alerts[owner].Select(a => new DigestAlert(a.Id, a.Rule, a.AccountId, a.Name, a.Severity, a.Grade, a.Score, a.Opened)).ToList(),
                tasks[owner].Select(t => new DigestTask(t.Id, t.Title, t.AccountId, t.Name, t.Due, t.Due is not null && string.CompareOrdinal(t.Due, today) < 0)).ToList(),
                changes[owner].Select(c => new DigestChange(c.AccountId, c.Name, c.FromGrade, c.ToGrade, c.FromScore, c.ToScore)).ToList());
            queued += Insert(tx, Key($"digest|{owner.ToLowerInvariant()}|{today}"), "digest", null, "email", owner, "digest",
                JsonSerializer.Serialize(notice, Json), "pending", null, now);
        }
        tx.Commit();
        return queued;
    }

    private int Insert(IDbTransaction tx, string key, string kind, long? alertId, string channel, string target, string notify, string payload, string state, string? error, string now) =>
        db.Connection.Execute(
            """
            INSERT INTO deliveries (idempotency_key, kind, alert_id, channel, target, notify, payload, state, attempts, next_attempt_at, last_error, created_at, sent_at)
            VALUES (@key, @kind, @alertId, @channel, @target, @notify, @payload, @state, 0, @now, @error, @now, CASE WHEN @state = 'sent' THEN @now END)
            ON CONFLICT (idempotency_key) DO NOTHING
            """,
            new { key, kind, alertId, channel, target, notify, payload, state, error, now }, tx);

    // Derived from what the delivery is for, so that the same notification queued twice (two servers evaluating the
    // same day) is one row, and a receiver sees one key for every attempt.
    private static string Key(string what) => "chs-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(what)))[..32];

    /// <summary>Claims up to <paramref name="max"/> due deliveries for <paramref name="lease"/>; each claim counts as an attempt.</summary>
    public IReadOnlyList<Delivery> Claim(int max, TimeSpan lease)
    {
        var now = clock.GetUtcNow();
        var due = db.Connection.Query<long>(
            """
            SELECT id FROM deliveries
            WHERE state = 'pending' AND next_attempt_at <= @now AND (claimed_until IS NULL OR claimed_until < @now)
            ORDER BY next_attempt_at, id LIMIT @max
            """, new { now = Stamp(now), max }).ToList();
        var claimed = new List<Delivery>();
        foreach (var id in due)
        {
            // Another sender may have claimed it since the read: the guarded update decides who sends.
            var taken = db.Connection.Execute(
                """
                UPDATE deliveries SET claimed_until = @until, attempts = attempts + 1
                WHERE id = @id AND state = 'pending' AND (claimed_until IS NULL OR claimed_until < @now)
                """, new { id, now = Stamp(now), until = Stamp(now + lease) });
            if (taken == 1)
            {
                claimed.Add(db.Connection.QuerySingle<Delivery>(
                    """
                    SELECT id AS Id, idempotency_key AS IdempotencyKey, kind AS Kind, alert_id AS AlertId, channel AS Channel, target AS Target,
                           notify AS Notify, payload AS Payload, attempts AS Attempts
                    FROM deliveries WHERE id = @id
                    """, new { id }));
            }
        }
        return claimed;
    }

    /// <summary>Makes every pending delivery due now, also those waiting out a back-off (for `chs deliver`); returns how many were waiting.</summary>
    public int DueNow()
    {
        var now = Stamp(clock.GetUtcNow());
        return db.Connection.Execute("UPDATE deliveries SET next_attempt_at = @now WHERE state = 'pending' AND next_attempt_at > @now", new { now });
    }

    /// <summary>The delivery reached its target.</summary>
    public void Sent(long id) =>
        db.Connection.Execute("UPDATE deliveries SET state = 'sent', sent_at = @now, claimed_until = NULL WHERE id = @id",
            new { id, now = Stamp(clock.GetUtcNow()) });

    /// <summary>An attempt failed: tried again at <paramref name="retryAt"/>, or given up on (visible as failed) when it is null.</summary>
    public void Failed(long id, string error, DateTimeOffset? retryAt) =>
        db.Connection.Execute(
            "UPDATE deliveries SET state = @state, last_error = @error, next_attempt_at = COALESCE(@next, next_attempt_at), claimed_until = NULL WHERE id = @id",
            new { id, state = retryAt is null ? "failed" : "pending", error, next = retryAt is { } r ? Stamp(r) : null });

    /// <summary>Puts failed deliveries (one, or all when <paramref name="id"/> is null) back in the queue, due now, with a fresh count of attempts.</summary>
    public int Retry(long? id = null) =>
        db.Connection.Execute(
            "UPDATE deliveries SET state = 'pending', attempts = 0, next_attempt_at = @now, claimed_until = NULL WHERE state = 'failed' AND (@id IS NULL OR id = @id)",
            new { id, now = Stamp(clock.GetUtcNow()) });

    /// <summary>Deliveries, newest first; optionally only one state or one alert's.</summary>
    public IReadOnlyList<DeliveryView> List(string? state = null, long? alertId = null, int limit = 200) =>
        db.Connection.Query<DeliveryView>(
            $"{SelectViews} WHERE (@state IS NULL OR d.state = @state) AND (@alertId IS NULL OR d.alert_id = @alertId) ORDER BY d.id DESC LIMIT @limit",
            new { state, alertId, limit }).ToList();

    /// <summary>The latest deliveries of each of several alerts (at most <paramref name="perAlert"/> each, newest first), in one query.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<DeliveryView>> OfAlerts(IReadOnlyCollection<long> alertIds, int perAlert) =>
        alertIds.Count == 0
            ? new Dictionary<long, IReadOnlyList<DeliveryView>>()
            : db.Connection.Query<DeliveryView>(
                    $"{SelectViews} WHERE d.alert_id IN ({string.Join(",", alertIds.Select(id => id.ToString(System.Globalization.CultureInfo.InvariantCulture)))}) ORDER BY d.id DESC")
                .GroupBy(d => d.AlertId!.Value)
                .ToDictionary(g => g.Key, g => (IReadOnlyList<DeliveryView>)g.Take(perAlert).ToList());

    private const string SelectViews =
        """
        SELECT d.id AS Id, d.idempotency_key AS IdempotencyKey, d.kind AS Kind, d.alert_id AS AlertId, a.account_id AS AccountId, d.channel AS Channel,
               d.target AS Target, d.notify AS Notify, d.state AS State, d.attempts AS Attempts, d.next_attempt_at AS NextAttemptAt,
               d.last_error AS LastError, d.created_at AS CreatedAt, d.sent_at AS SentAt
        FROM deliveries d
        LEFT JOIN alerts al ON al.id = d.alert_id
        LEFT JOIN accounts a ON a.account_key = al.account_key
        """;

    /// <summary>How many deliveries are pending, sent and failed.</summary>
    public IReadOnlyDictionary<string, int> Counts()
    {
        var counts = new Dictionary<string, int> { ["pending"] = 0, ["sent"] = 0, ["failed"] = 0 };
        foreach (var (state, n) in db.Connection.Query<(string, long)>("SELECT state, COUNT(*) FROM deliveries GROUP BY state"))
        {
            counts[state] = (int)n;
        }
        return counts;
    }
}
