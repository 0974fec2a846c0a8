-- The durable outbox (SPEC §8): every notification an alert or a weekly digest owes, written in the same
-- transaction as the alert itself, sent by the server or `chs deliver`, retried with back-off, kept with its outcome.
CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL,
    kind TEXT NOT NULL,               -- alert, digest
    alert_id INTEGER,
    channel TEXT NOT NULL,            -- inbox, email, webhook, slack
    target TEXT NOT NULL,             -- an e-mail address or a destination name; the owner (or '') for the inbox
    notify TEXT NOT NULL,             -- the rule's notify entry it came from: inbox, owner, email:..., webhook:crm, slack:...
    payload TEXT NOT NULL,            -- the facts when it arose (JSON), so that every attempt sends the same message
    state TEXT NOT NULL,              -- pending, sent, failed
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,    -- UTC, yyyy-MM-ddTHH:mm:ss.fffZ (sorts as time)
    claimed_until TEXT,               -- a sender's lease; a crashed sender's lease runs out and another takes over
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE UNIQUE INDEX deliveries_key ON deliveries (idempotency_key);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_alert ON deliveries (alert_id);
