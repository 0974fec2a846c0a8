-- The coverage of each score: the share of the model's weight whose measures had data (0–1), kept with the snapshot
-- and the current score so that lists show it. Scores made before it was recorded have none.
ALTER TABLE snapshots ADD COLUMN coverage REAL;
ALTER TABLE current_scores ADD COLUMN coverage REAL;
