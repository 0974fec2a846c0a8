-- The Portfolio page's figures (the book by grade, the score distribution, the renewals at risk, the average over time
-- and the biggest movers) are computed from the accounts, their current scores, their score history and their
-- subscriptions (churn). A server keeps them until one of those changes. Every transaction that changes them leaves
-- its id in portfolio_changes_log (one row per transaction, so that concurrent writers never wait on each other);
-- the number of changes is n plus the rows of the log, and folding the log into n (in one transaction) keeps it.
CREATE TABLE portfolio_changes (id integer PRIMARY KEY CHECK (id = 1), n bigint NOT NULL);
INSERT INTO portfolio_changes (id, n) VALUES (1, 0);
CREATE TABLE portfolio_changes_log (xid xid8 PRIMARY KEY);
CREATE FUNCTION portfolio_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO portfolio_changes_log (xid) VALUES (pg_current_xact_id()) ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;
CREATE TRIGGER accounts_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON accounts FOR EACH STATEMENT EXECUTE FUNCTION portfolio_changed();
CREATE TRIGGER current_scores_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON current_scores FOR EACH STATEMENT EXECUTE FUNCTION portfolio_changed();
CREATE TRIGGER subscriptions_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON subscriptions FOR EACH STATEMENT EXECUTE FUNCTION portfolio_changed();
CREATE TRIGGER snapshots_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON snapshots FOR EACH STATEMENT EXECUTE FUNCTION portfolio_changed();
