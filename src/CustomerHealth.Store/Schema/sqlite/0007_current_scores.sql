-- Each account's latest score, kept beside the history so that lists of 100,000 accounts page and sort without
-- looking for every account's newest snapshot. Written after every scoring run and override; trend is the change
-- over the model's trend window (trend_days).
CREATE TABLE current_scores (
    account_key INTEGER PRIMARY KEY, as_of TEXT NOT NULL, score REAL, grade TEXT, trend REAL, model_version TEXT NOT NULL
);
CREATE INDEX current_scores_score ON current_scores (score);
CREATE INDEX current_scores_grade ON current_scores (grade, score);
INSERT INTO current_scores (account_key, as_of, score, grade, trend, model_version)
SELECT s.account_key, s.as_of, s.score, s.grade,
       s.score - (SELECT p.score FROM snapshots p WHERE p.account_key = s.account_key AND p.as_of <= date(s.as_of, '-30 days') ORDER BY p.as_of DESC LIMIT 1),
       s.model_version
FROM snapshots s JOIN (SELECT account_key, MAX(as_of) AS m FROM snapshots GROUP BY account_key) q ON q.account_key = s.account_key AND s.as_of = q.m;
