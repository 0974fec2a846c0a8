-- The Portfolio page's figures are kept by a server between views and brought up to date from this log rather than
-- read again from every account: each change to an account, its current score, its subscriptions (churn) or its score
-- history leaves a row with the account's key and the id of the transaction that made it; a change to the history also
-- gives the day and what it added to that day's number of snapshots, of scored snapshots and sum of scores (negative for
-- what it took away); a TRUNCATE leaves a row without a key (everything changed). Writers only append, so concurrent
-- writers never wait on each other. A reader takes the rows of the transactions its last snapshot did not see
-- (pg_visible_in_snapshot). Each time the row numbers pass a multiple of 10,000, all but the newest 20,000 rows are
-- pruned and `through` keeps the highest transaction id pruned: a reader whose last snapshot might not have seen it
-- reads everything again, and `rows` counts the rows pruned, so that the rows ever logged (rows plus the log's) are the
-- Portfolio's change counter: it replaces migration 0017's, whose triggers go.
CREATE TABLE portfolio_log (
    seq bigserial PRIMARY KEY, xid xid8 NOT NULL DEFAULT pg_current_xact_id(), account_key bigint, day text,
    n bigint NOT NULL DEFAULT 0, scored bigint NOT NULL DEFAULT 0, sum double precision NOT NULL DEFAULT 0);
CREATE INDEX portfolio_log_xid ON portfolio_log (xid);
CREATE TABLE portfolio_log_pruned (id integer PRIMARY KEY CHECK (id = 1), through xid8 NOT NULL, rows bigint NOT NULL);
INSERT INTO portfolio_log_pruned (id, through, rows) SELECT 1, '0', n + (SELECT COUNT(*) FROM portfolio_changes_log) FROM portfolio_changes;
DROP TRIGGER accounts_changed ON accounts;
DROP TRIGGER current_scores_changed ON current_scores;
DROP TRIGGER subscriptions_changed ON subscriptions;
DROP TRIGGER snapshots_changed ON snapshots;
DROP FUNCTION portfolio_changed();
DROP TABLE portfolio_changes, portfolio_changes_log;
-- A statement that changes more than 5,000 rows (a full rescore) logs -1 for "every account" (a reader reads them all
-- again past that many anyway), and its changes to the history one row per day.
CREATE FUNCTION portfolio_log_keys() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO portfolio_log (account_key)
    SELECT DISTINCT CASE WHEN (SELECT COUNT(*) FROM new_rows) > 5000 THEN -1 ELSE account_key END FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO portfolio_log (account_key)
    SELECT DISTINCT CASE WHEN (SELECT COUNT(*) FROM old_rows) > 5000 THEN -1 ELSE account_key END FROM old_rows;
  ELSE
    INSERT INTO portfolio_log (account_key)
    SELECT DISTINCT CASE WHEN (SELECT COUNT(*) FROM new_rows) > 5000 THEN -1 ELSE k.account_key END
    FROM (SELECT account_key FROM new_rows UNION SELECT account_key FROM old_rows) k;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION portfolio_log_snapshots() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  many boolean;
BEGIN
  IF TG_OP = 'INSERT' THEN
    many := (SELECT COUNT(*) FROM new_rows) > 5000;
    INSERT INTO portfolio_log (account_key, day, n, scored, sum)
    SELECT CASE WHEN many THEN -1 ELSE account_key END, as_of, COUNT(*), COUNT(score), COALESCE(SUM(score), 0) FROM new_rows GROUP BY 1, 2;
  ELSIF TG_OP = 'DELETE' THEN
    many := (SELECT COUNT(*) FROM old_rows) > 5000;
    INSERT INTO portfolio_log (account_key, day, n, scored, sum)
    SELECT CASE WHEN many THEN -1 ELSE account_key END, as_of, -COUNT(*), -COUNT(score), -COALESCE(SUM(score), 0) FROM old_rows GROUP BY 1, 2;
  ELSE
    many := (SELECT COUNT(*) FROM new_rows) > 5000;
    INSERT INTO portfolio_log (account_key, day, n, scored, sum)
    SELECT CASE WHEN many THEN -1 ELSE account_key END, as_of, SUM(n), SUM(scored), SUM(sum) FROM (
        SELECT account_key, as_of, -1 AS n, -(score IS NOT NULL)::int AS scored, -COALESCE(score, 0) AS sum FROM old_rows
        UNION ALL
        SELECT account_key, as_of, 1, (score IS NOT NULL)::int, COALESCE(score, 0) FROM new_rows) c
    GROUP BY 1, 2;
  END IF;
  RETURN NULL;
END $$;
CREATE FUNCTION portfolio_log_everything() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO portfolio_log (account_key) VALUES (NULL);
  RETURN NULL;
END $$;
CREATE FUNCTION portfolio_log_prune() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  newest bigint;
BEGIN
  SELECT MAX(seq) INTO newest FROM new_rows;
  IF newest / 10000 <> (SELECT MIN(seq) - 1 FROM new_rows) / 10000 THEN
    WITH gone AS (DELETE FROM portfolio_log WHERE seq <= newest - 20000 RETURNING xid)
    UPDATE portfolio_log_pruned SET through = GREATEST(through, (SELECT MAX(xid) FROM gone)), rows = rows + (SELECT COUNT(*) FROM gone)
    WHERE EXISTS (SELECT 1 FROM gone);
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER portfolio_log_pruned AFTER INSERT ON portfolio_log REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_prune();
CREATE TRIGGER accounts_logged_new AFTER INSERT ON accounts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER accounts_logged_both AFTER UPDATE ON accounts REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER accounts_logged_old AFTER DELETE ON accounts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER current_scores_logged_new AFTER INSERT ON current_scores REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER current_scores_logged_both AFTER UPDATE ON current_scores REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER current_scores_logged_old AFTER DELETE ON current_scores REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER subscriptions_logged_new AFTER INSERT ON subscriptions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER subscriptions_logged_both AFTER UPDATE ON subscriptions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER subscriptions_logged_old AFTER DELETE ON subscriptions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_keys();
CREATE TRIGGER snapshots_logged_new AFTER INSERT ON snapshots REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_snapshots();
CREATE TRIGGER snapshots_logged_both AFTER UPDATE ON snapshots REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_snapshots();
CREATE TRIGGER snapshots_logged_old AFTER DELETE ON snapshots REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_snapshots();
CREATE TRIGGER accounts_logged_all AFTER TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_everything();
CREATE TRIGGER current_scores_logged_all AFTER TRUNCATE ON current_scores FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_everything();
CREATE TRIGGER subscriptions_logged_all AFTER TRUNCATE ON subscriptions FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_everything();
CREATE TRIGGER snapshots_logged_all AFTER TRUNCATE ON snapshots FOR EACH STATEMENT EXECUTE FUNCTION portfolio_log_everything();
