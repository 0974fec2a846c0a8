-- A whole rescore split between the servers of a store, one row per share of the accounts (see Sharing/SplitRescore):
-- `run`: the day scored and the model version; `phase`: 0 to do, 1 its accounts' measure values computed (in
-- `detail`, for the other shares' percentile cohorts), 2 scored and alerted; `due`: the daily rescore's due time when
-- it started the run. The rows go once every share is scored.
CREATE TABLE rescore_parts (
    run TEXT NOT NULL,
    share INTEGER NOT NULL,
    phase INTEGER NOT NULL,
    detail BYTEA,
    due TEXT,
    PRIMARY KEY (run, share)
);
