-- Usage accepted over HTTP, not yet merged into usage_events and the roll-ups: one row per identity, its latest
-- accepted version, its user keyed, and whether its identity is stored already (state 1: the merge corrects the
-- stored event; 0: it is new). Appending here is cheap for a request; the rows are merged in large batches before
-- anything reads usage (scoring, previews, backtests, imports) and when the inbox grows large.
CREATE TABLE usage_inbox (
    seq BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    identity BYTEA NOT NULL UNIQUE,
    account_key BIGINT NOT NULL, day BIGINT NOT NULL, event_key BIGINT NOT NULL, user_key BIGINT,
    count BIGINT NOT NULL, value DOUBLE PRECISION, occurred_at BIGINT NOT NULL, properties TEXT,
    state BIGINT NOT NULL
);
