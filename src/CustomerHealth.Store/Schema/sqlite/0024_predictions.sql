-- The predictor in force (`chs predict publish`: the latest published) and each account's learned churn prediction on
-- each day scored while it is in force: the probability within its horizon, the Venn–Abers interval, and the account's
-- top drivers (JSON).
ALTER TABLE predictors ADD COLUMN published_at TEXT;
CREATE TABLE predictions (
    account_key INTEGER NOT NULL, as_of TEXT NOT NULL, predictor_id TEXT NOT NULL, probability REAL NOT NULL, low REAL NOT NULL, high REAL NOT NULL,
    drivers TEXT NOT NULL, PRIMARY KEY (account_key, as_of)
);
