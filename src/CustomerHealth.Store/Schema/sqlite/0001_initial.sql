CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE accounts (
    account_key INTEGER PRIMARY KEY,
    account_id TEXT NOT NULL UNIQUE,
    name TEXT, segment TEXT, lifecycle_stage TEXT, owner TEXT, arr REAL, seats REAL, plan TEXT,
    started_on TEXT, renewal_on TEXT, parent_id TEXT,
    status TEXT NOT NULL DEFAULT 'active',
    status_churned_on TEXT,
    attributes TEXT
);

CREATE TABLE event_names (event_key INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE users (user_key INTEGER PRIMARY KEY, user_id TEXT NOT NULL UNIQUE);

-- Every usage event by identity: de-duplication, and the base that corrects the roll-ups when an event is re-sent changed.
CREATE TABLE usage_events (
    identity BLOB PRIMARY KEY,
    account_key INTEGER NOT NULL, day INTEGER NOT NULL, event_key INTEGER NOT NULL, user_key INTEGER,
    count INTEGER NOT NULL, value REAL, occurred_at INTEGER NOT NULL, properties TEXT -- occurred_at: Unix milliseconds, UTC
) WITHOUT ROWID;

-- Roll-ups per account, day and event, kept as events land; usage_users keeps distinct-user counts exact.
CREATE TABLE usage_daily (
    account_key INTEGER NOT NULL, day INTEGER NOT NULL, event_key INTEGER NOT NULL,
    count INTEGER NOT NULL, sum REAL NOT NULL,
    PRIMARY KEY (account_key, day, event_key)
) WITHOUT ROWID;

CREATE TABLE usage_users (
    account_key INTEGER NOT NULL, day INTEGER NOT NULL, event_key INTEGER NOT NULL, user_key INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (account_key, day, event_key, user_key)
) WITHOUT ROWID;

CREATE TABLE surveys (
    identity TEXT PRIMARY KEY, account_key INTEGER NOT NULL, kind TEXT NOT NULL, score REAL NOT NULL, responded_at TEXT NOT NULL,
    response_id TEXT, contact TEXT, comment TEXT, properties TEXT
);
CREATE INDEX surveys_account ON surveys (account_key, responded_at);

CREATE TABLE tickets (
    ticket_id TEXT PRIMARY KEY, account_key INTEGER NOT NULL, opened_at TEXT NOT NULL, priority TEXT NOT NULL, status TEXT NOT NULL,
    first_response_at TEXT, closed_at TEXT, escalated INTEGER NOT NULL, satisfaction TEXT, properties TEXT
);
CREATE INDEX tickets_account ON tickets (account_key, opened_at);

CREATE TABLE invoices (
    invoice_id TEXT PRIMARY KEY, account_key INTEGER NOT NULL, amount REAL NOT NULL, due_on TEXT NOT NULL, issued_on TEXT,
    paid_on TEXT, status TEXT NOT NULL, currency TEXT, properties TEXT
);
CREATE INDEX invoices_account ON invoices (account_key, due_on);

CREATE TABLE subscriptions (
    identity TEXT PRIMARY KEY, account_key INTEGER NOT NULL, kind TEXT NOT NULL, occurred_on TEXT NOT NULL, arr_delta REAL,
    event_id TEXT, properties TEXT
);
CREATE INDEX subscriptions_account ON subscriptions (account_key, occurred_on);

CREATE TABLE orders (
    order_id TEXT PRIMARY KEY, account_key INTEGER NOT NULL, placed_at TEXT NOT NULL, amount REAL NOT NULL,
    returned_amount REAL NOT NULL, status TEXT, properties TEXT
);
CREATE INDEX orders_account ON orders (account_key, placed_at);

CREATE TABLE metrics (
    account_key INTEGER NOT NULL, metric TEXT NOT NULL, date TEXT NOT NULL, value REAL NOT NULL, properties TEXT,
    PRIMARY KEY (account_key, metric, date)
);

CREATE TABLE sentiment (
    account_key INTEGER NOT NULL, author TEXT NOT NULL, recorded_at TEXT NOT NULL, rating INTEGER NOT NULL, note TEXT, properties TEXT,
    PRIMARY KEY (account_key, author, recorded_at)
);

CREATE TABLE model_versions (
    version_id TEXT PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, name TEXT NOT NULL, yaml TEXT NOT NULL,
    published_at TEXT NOT NULL, note TEXT
);

-- Snapshots are appended in rowid order, a day at a time; the unique index finds them by account and day.
-- (Keyed by account and day directly, each day's rows would land on every page of the table.)
CREATE TABLE snapshots (
    id INTEGER PRIMARY KEY,
    account_key INTEGER NOT NULL, as_of TEXT NOT NULL, model_version TEXT NOT NULL, scorecard TEXT NOT NULL,
    score REAL, computed_score REAL, grade TEXT, override_reason TEXT, note TEXT, detail BLOB NOT NULL,
    UNIQUE (account_key, as_of)
);
CREATE INDEX snapshots_as_of ON snapshots (as_of);

CREATE TABLE overrides (
    id INTEGER PRIMARY KEY, account_key INTEGER NOT NULL, score REAL, grade TEXT, reason TEXT NOT NULL,
    starts_on TEXT NOT NULL, until TEXT NOT NULL, created_at TEXT NOT NULL
);
CREATE INDEX overrides_account ON overrides (account_key);
