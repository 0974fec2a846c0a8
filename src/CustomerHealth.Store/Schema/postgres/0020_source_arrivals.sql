-- When rows of each import kind last arrived (a file import or an HTTP request that landed rows), and how many have
-- arrived since this was recorded: the Sources page tells a connection that stopped sending from customers who went quiet.
CREATE TABLE source_arrivals (kind TEXT PRIMARY KEY, last_at TEXT NOT NULL, rows_received BIGINT NOT NULL);
