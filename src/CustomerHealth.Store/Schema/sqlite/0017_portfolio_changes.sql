-- The Portfolio page's figures (the book by grade, the score distribution, the renewals at risk, the average over time
-- and the biggest movers) are computed from the accounts, their current scores, their score history and their
-- subscriptions (churn). A server keeps them until one of those changes: this counter moves with every change to them,
-- in the same transaction, so the figures are never older than the last committed change.
CREATE TABLE portfolio_changes (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO portfolio_changes (id, n) VALUES (1, 0);
CREATE TRIGGER accounts_inserted AFTER INSERT ON accounts BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER accounts_updated AFTER UPDATE ON accounts BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER accounts_deleted AFTER DELETE ON accounts BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER current_scores_inserted AFTER INSERT ON current_scores BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER current_scores_updated AFTER UPDATE ON current_scores BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER current_scores_deleted AFTER DELETE ON current_scores BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER subscriptions_inserted AFTER INSERT ON subscriptions BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER subscriptions_updated AFTER UPDATE ON subscriptions BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER subscriptions_deleted AFTER DELETE ON subscriptions BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER snapshots_inserted AFTER INSERT ON snapshots BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER snapshots_updated AFTER UPDATE ON snapshots BEGIN UPDATE portfolio_changes SET n = n + 1; END;
CREATE TRIGGER snapshots_deleted AFTER DELETE ON snapshots BEGIN UPDATE portfolio_changes SET n = n + 1; END;
