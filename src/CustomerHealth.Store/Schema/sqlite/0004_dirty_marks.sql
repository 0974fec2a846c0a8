-- Each new mark of an account bumps `mark`: a scoring pass clears only the marks it saw, so a signal that lands
-- while it runs keeps its account marked for the next pass.
ALTER TABLE dirty_accounts ADD COLUMN mark INTEGER NOT NULL DEFAULT 0;
