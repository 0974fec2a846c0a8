-- Sign-in sessions kept by the store: a cookie names its session, and a session that is gone (signed out, or ended
-- by a password, role or disable change) no longer signs anyone in, on any server of the store.
CREATE TABLE sessions (id TEXT PRIMARY KEY, email TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT NOT NULL);
CREATE INDEX sessions_email ON sessions (email);

-- Failed sign-ins per user and per address (and failed API keys per address), for the growing delays between tries.
CREATE TABLE sign_in_failures (key TEXT PRIMARY KEY, failures INTEGER NOT NULL, last_failed_at TEXT NOT NULL);

-- Secrets of the alert rules' destinations (webhook secrets, Slack URLs), sealed with the store's secret key; the
-- rules' stored versions hold a placeholder instead.
CREATE TABLE secrets (name TEXT PRIMARY KEY, sealed TEXT NOT NULL, updated_at TEXT NOT NULL);
CREATE TABLE store_keys (purpose TEXT PRIMARY KEY, key TEXT NOT NULL);
