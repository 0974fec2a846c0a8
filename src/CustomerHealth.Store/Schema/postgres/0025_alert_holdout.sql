-- An alert opened for an account in its rule's hold-out (`holdout:`): recorded for `chs alerts effect`, with no task,
-- no notification and no place in the inbox.
ALTER TABLE alerts ADD COLUMN held_out INTEGER NOT NULL DEFAULT 0;
