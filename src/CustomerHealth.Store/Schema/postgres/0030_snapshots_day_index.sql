-- A day's snapshots are looked up by day, and the portfolio's totals read their scores from the index; nothing reads
-- them in score order. Keyed by (as_of, score), each new snapshot of a day scored for the first time went in among
-- the day's scores, at random, splitting pages all over; keyed by the day alone (the score carried along, not
-- ordered by), PostgreSQL appends a day's entries in the order the rows are written. SQLite has no INCLUDE, and
-- keeps (as_of, score).
DROP INDEX snapshots_as_of_score;
CREATE INDEX snapshots_as_of ON snapshots (as_of) INCLUDE (score);
