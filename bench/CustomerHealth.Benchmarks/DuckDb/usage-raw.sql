-- model.sql reads usage through two views. Over the raw events: one row per event, on its UTC day (the product's
-- day of a usage event), with count 1 and value 0 (the file has no `count` and no `value` column: the defaults), and
-- one row per event that names a user (distinct users are counted from it).
CREATE OR REPLACE VIEW usage_rows AS
SELECT account_id, utc_day(occurred_at) AS day, event, 1 AS n, CAST(0 AS DOUBLE) AS value_sum
FROM usage_events;

CREATE OR REPLACE VIEW usage_user_rows AS
SELECT account_id, utc_day(occurred_at) AS day, event, user_id
FROM usage_events WHERE user_id IS NOT NULL;
