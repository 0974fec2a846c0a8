-- Usage accepted over HTTP, not yet merged into usage_events and the roll-ups: one row per identity, its latest
-- accepted version, its user keyed, and whether its identity is stored already (state 1: the merge corrects the
-- stored event; 0: it is new). Appending here is cheap for a request; the rows are merged in large batches before
-- anything reads usage (scoring, previews, backtests, imports) and when the inbox grows large.
CREATE TABLE usage_inbox (
    seq INTEGER PRIMARY KEY,
    identity BLOB NOT NULL UNIQUE,
    account_key INTEGER NOT NULL, day INTEGER NOT NULL, event_key INTEGER NOT NULL, user_key INTEGER,
    count INTEGER NOT NULL, value REAL, occurred_at INTEGER NOT NULL, properties TEXT,
    state INTEGER NOT NULL
);
