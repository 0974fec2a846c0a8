-- The account list sorted by ARR, largest first (the usual way to look at a book), walks this index instead of
-- sorting every account, also for a deep page.
CREATE INDEX accounts_arr ON accounts (arr DESC, account_id);
