-- The dashboard's portfolio trend reads each scoring day's scores: an index on (as_of, score) answers it without
-- visiting the snapshots themselves, and serves every look-up by day the old index did. Survey charts and comments
-- read by date.
DROP INDEX snapshots_as_of;
CREATE INDEX snapshots_as_of_score ON snapshots (as_of, score);
CREATE INDEX surveys_responded ON surveys (responded_at);
