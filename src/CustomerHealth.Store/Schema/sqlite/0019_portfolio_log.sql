-- The Portfolio page's figures are kept by a server between views and brought up to date from this log rather than
-- read again from every account: each change to an account, its current score, its subscriptions (churn) or its score
-- history leaves a row with the account's key, in the same transaction; a change to the history also gives the day and
-- what it added to that day's number of snapshots, of scored snapshots and sum of scores (negative for what it took
-- away). The newest 20,000 rows at least are kept; a reader whose last row was pruned since reads everything again.
-- The log's highest row number is also the Portfolio's change counter (it replaces migration 0017's).
CREATE TABLE portfolio_log (
    seq INTEGER PRIMARY KEY, account_key INTEGER NOT NULL, day TEXT,
    n INTEGER NOT NULL DEFAULT 0, scored INTEGER NOT NULL DEFAULT 0, sum REAL NOT NULL DEFAULT 0);
DROP TRIGGER accounts_inserted;
DROP TRIGGER accounts_updated;
DROP TRIGGER accounts_deleted;
DROP TRIGGER current_scores_inserted;
DROP TRIGGER current_scores_updated;
DROP TRIGGER current_scores_deleted;
DROP TRIGGER subscriptions_inserted;
DROP TRIGGER subscriptions_updated;
DROP TRIGGER subscriptions_deleted;
DROP TRIGGER snapshots_inserted;
DROP TRIGGER snapshots_updated;
DROP TRIGGER snapshots_deleted;
-- Before the log existed the counter was n: the log starts above it, so that the counter never goes back.
INSERT INTO portfolio_log (seq, account_key) SELECT n + 1, 0 FROM portfolio_changes;
DROP TABLE portfolio_changes;
CREATE TRIGGER accounts_inserted AFTER INSERT ON accounts BEGIN INSERT INTO portfolio_log (account_key) VALUES (NEW.account_key); END;
CREATE TRIGGER accounts_updated AFTER UPDATE ON accounts BEGIN INSERT INTO portfolio_log (account_key) VALUES (NEW.account_key); END;
CREATE TRIGGER accounts_deleted AFTER DELETE ON accounts BEGIN INSERT INTO portfolio_log (account_key) VALUES (OLD.account_key); END;
CREATE TRIGGER current_scores_inserted AFTER INSERT ON current_scores BEGIN INSERT INTO portfolio_log (account_key) VALUES (NEW.account_key); END;
CREATE TRIGGER current_scores_updated AFTER UPDATE ON current_scores BEGIN INSERT INTO portfolio_log (account_key) VALUES (NEW.account_key); END;
CREATE TRIGGER current_scores_deleted AFTER DELETE ON current_scores BEGIN INSERT INTO portfolio_log (account_key) VALUES (OLD.account_key); END;
CREATE TRIGGER subscriptions_inserted AFTER INSERT ON subscriptions BEGIN INSERT INTO portfolio_log (account_key) VALUES (NEW.account_key); END;
CREATE TRIGGER subscriptions_updated AFTER UPDATE ON subscriptions BEGIN
    INSERT INTO portfolio_log (account_key) VALUES (NEW.account_key);
    INSERT INTO portfolio_log (account_key) SELECT OLD.account_key WHERE OLD.account_key <> NEW.account_key;
END;
CREATE TRIGGER subscriptions_deleted AFTER DELETE ON subscriptions BEGIN INSERT INTO portfolio_log (account_key) VALUES (OLD.account_key); END;
CREATE TRIGGER snapshots_inserted AFTER INSERT ON snapshots BEGIN
    INSERT INTO portfolio_log (account_key, day, n, scored, sum) VALUES (NEW.account_key, NEW.as_of, 1, NEW.score IS NOT NULL, COALESCE(NEW.score, 0));
END;
CREATE TRIGGER snapshots_updated AFTER UPDATE ON snapshots BEGIN
    INSERT INTO portfolio_log (account_key, day, n, scored, sum) VALUES (OLD.account_key, OLD.as_of, -1, -(OLD.score IS NOT NULL), -COALESCE(OLD.score, 0));
    INSERT INTO portfolio_log (account_key, day, n, scored, sum) VALUES (NEW.account_key, NEW.as_of, 1, NEW.score IS NOT NULL, COALESCE(NEW.score, 0));
END;
CREATE TRIGGER snapshots_deleted AFTER DELETE ON snapshots BEGIN
    INSERT INTO portfolio_log (account_key, day, n, scored, sum) VALUES (OLD.account_key, OLD.as_of, -1, -(OLD.score IS NOT NULL), -COALESCE(OLD.score, 0));
END;
-- Every 10,000th row prunes all but the newest 20,000 (the newest row is never pruned: row numbers keep rising).
CREATE TRIGGER portfolio_log_pruned AFTER INSERT ON portfolio_log WHEN NEW.seq % 10000 = 0 BEGIN
    DELETE FROM portfolio_log WHERE seq <= NEW.seq - 20000;
END;
