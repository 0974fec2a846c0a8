-- Which accounts are churned now (a churn event not undone by a later reactivation) is found from this index alone.
CREATE INDEX subscriptions_kind ON subscriptions (kind, account_key, occurred_on);
-- The list by ARR reads what its filter needs from the index, so a deep page does not visit every account's row.
DROP INDEX IF EXISTS accounts_arr;
CREATE INDEX accounts_arr ON accounts (arr DESC, account_id, status_churned_on);
