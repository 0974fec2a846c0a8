-- The biggest movers of the Portfolio page are read in the order of their trend, the first few each way, rather than
-- by ranking every current score.
CREATE INDEX current_scores_trend ON current_scores (trend);
