-- Usage is kept per account and block of 32 days (see Engines/UsageBlocks.cs): one row holds the block's cells (each
-- day and event: its count, the sum of its values and its users), packed; a rescore reads an account's months in a few
-- rows instead of one row per day and event. The roll-ups of usage_daily are moved into their blocks by the step in
-- code that follows this migration (StoreDb), and usage_daily goes with migration 0029.
CREATE TABLE usage_blocks (
    account_key INTEGER NOT NULL,
    block INTEGER NOT NULL,
    cells BLOB NOT NULL,
    PRIMARY KEY (account_key, block)
) WITHOUT ROWID;
