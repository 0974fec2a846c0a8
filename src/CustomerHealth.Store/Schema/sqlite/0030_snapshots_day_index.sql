-- PostgreSQL's version 30 keys the snapshots' day index by the day alone, carrying the score (INCLUDE). SQLite has no
-- INCLUDE: its index stays (as_of, score), which the portfolio's totals read without visiting the snapshots. Nothing
-- to change here; the version keeps both stores' schema versions telling the same revision.
SELECT 1;
