-- People who sign in to the web app. Passwords are kept only as ASP.NET Core PasswordHasher hashes.
CREATE TABLE app_users (
    email TEXT PRIMARY KEY, role TEXT NOT NULL, password_hash TEXT NOT NULL, created_at TEXT NOT NULL, disabled INTEGER NOT NULL DEFAULT 0
);

-- API keys: the key's id (its public first part) in clear, the whole key only as a SHA-256 hash.
CREATE TABLE api_keys (
    key_id TEXT PRIMARY KEY, name TEXT NOT NULL, scopes TEXT NOT NULL, key_hash TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT
);

-- Product users met through Segment-compatible identify and group calls, and the account each belongs to.
CREATE TABLE people (user_id TEXT PRIMARY KEY, account_id TEXT, traits TEXT, updated_at TEXT NOT NULL);
