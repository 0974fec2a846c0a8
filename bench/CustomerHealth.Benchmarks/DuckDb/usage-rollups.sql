-- Daily roll-ups of the raw events, the shape the product keeps: per account, day and event, the number of events
-- and the sum of their values; per account, day, event and user, one row. model.sql then reads usage through them.
CREATE OR REPLACE TABLE usage_daily AS
SELECT account_id, utc_day(occurred_at) AS day, event, count(*) AS n, CAST(0 AS DOUBLE) AS value_sum
FROM usage_events GROUP BY ALL;

CREATE OR REPLACE TABLE usage_users AS
SELECT DISTINCT account_id, utc_day(occurred_at) AS day, event, user_id
FROM usage_events WHERE user_id IS NOT NULL;

CREATE OR REPLACE VIEW usage_rows AS SELECT account_id, day, event, n, value_sum FROM usage_daily;

CREATE OR REPLACE VIEW usage_user_rows AS SELECT account_id, day, event, user_id FROM usage_users;
