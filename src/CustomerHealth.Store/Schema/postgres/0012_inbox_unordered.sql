-- The inbox needs no order of its own (its rows are merged set-wise): without the position column and its index, an
-- accepted event costs one index entry (its identity) instead of two.
ALTER TABLE usage_inbox DROP COLUMN seq;
