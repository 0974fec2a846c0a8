-- Notes, calls, meetings and e-mails people record on an account (the `touches` import kind). Known by `touch_id`
-- when the source gives one, else by all its fields, so the same file imported twice stores each touch once.
CREATE TABLE touches (
    identity TEXT PRIMARY KEY, account_key BIGINT NOT NULL, touch_id TEXT, kind TEXT NOT NULL, occurred_at TEXT NOT NULL,
    author TEXT, text TEXT, properties TEXT
);
CREATE INDEX touches_account ON touches (account_key, occurred_at);
