-- Accounts whose signals changed since they were last scored: `chs score` for the day already scored rescores only these.
CREATE TABLE dirty_accounts (account_key BIGINT PRIMARY KEY);
