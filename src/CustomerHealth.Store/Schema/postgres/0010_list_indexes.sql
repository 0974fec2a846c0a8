-- The list by ARR, largest first, puts unknown ARR last: PostgreSQL's descending index puts NULL first unless told,
-- so 0009's index could not serve that order. It now can, and holds what the list's filter reads (index-only scans).
DROP INDEX IF EXISTS accounts_arr;
CREATE INDEX accounts_arr ON accounts (arr DESC NULLS LAST, account_id) INCLUDE (account_key, status_churned_on);
-- Which accounts are churned now (a churn event not undone by a later reactivation) is found from this index alone.
CREATE INDEX subscriptions_kind ON subscriptions (kind, account_key, occurred_on);
-- Search by name or id reads one lower-cased column, kept by PostgreSQL, rather than lower-casing two for every
-- account on every search (most of a search's time). The separator cannot be typed into a search.
ALTER TABLE accounts ADD COLUMN search_text TEXT GENERATED ALWAYS AS (LOWER(COALESCE(name, '') || chr(31) || account_id)) STORED;
