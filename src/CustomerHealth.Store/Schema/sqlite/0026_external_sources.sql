-- Sources computed where the data lives (`chs sources add`): a signal kind whose measures an external engine computes
-- by SQL (pushdown) instead of reading imported rows. One source a kind; the connection is sealed in `secrets`
-- (name `source:NAME`), never kept here. `schedule`: a cron expression (UTC) at which the server scores again with
-- it; `last_run_at`: the scheduled run last claimed (by one server of the store).
CREATE TABLE external_sources (
    name TEXT PRIMARY KEY,
    kind TEXT NOT NULL UNIQUE,
    engine TEXT NOT NULL,
    relation_type TEXT NOT NULL,
    relation TEXT NOT NULL,
    columns TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT,
    checked_at TEXT,
    last_error TEXT,
    schedule TEXT,
    last_run_at TEXT
);
