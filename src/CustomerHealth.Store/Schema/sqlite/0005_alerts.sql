-- The alert rules file in force (SPEC §8), as the user wrote it.
CREATE TABLE alert_rules (id INTEGER PRIMARY KEY, yaml TEXT NOT NULL, set_at TEXT NOT NULL);

-- One alert per rule and account while it is open (acknowledged and snoozed are still open); resolved ones stay as history.
CREATE TABLE alerts (
    id INTEGER PRIMARY KEY,
    rule_id TEXT NOT NULL, account_key INTEGER NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL,
    reason TEXT NOT NULL, score REAL, grade TEXT, previous_score REAL, previous_grade TEXT,
    opened_on TEXT NOT NULL, updated_on TEXT NOT NULL, snoozed_until TEXT, resolved_on TEXT, resolved_by TEXT
);
CREATE UNIQUE INDEX alerts_open ON alerts (rule_id, account_key) WHERE resolved_on IS NULL;

CREATE TABLE tasks (
    id INTEGER PRIMARY KEY,
    account_key INTEGER NOT NULL, alert_id INTEGER, title TEXT NOT NULL, assignee TEXT, due_on TEXT, steps TEXT NOT NULL,
    status TEXT NOT NULL, outcome TEXT, created_on TEXT NOT NULL, completed_on TEXT
);
