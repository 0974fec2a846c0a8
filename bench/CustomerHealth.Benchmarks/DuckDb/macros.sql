-- Macros the other scripts use; the as-of day is the variable `as_of` (`SET VARIABLE as_of = DATE '2025-06-30'`).
CREATE OR REPLACE TEMP MACRO as_of() AS CAST(getvariable('as_of') AS DATE);

-- A window of N days is the N days ending with the as-of day.
CREATE OR REPLACE TEMP MACRO in_window(day, days) AS day BETWEEN as_of() - (days - 1) AND as_of();

-- The UTC day of a timestamp (the product's day of a usage event, and of every other signal under the model's
-- `timezone: UTC`): whole days since the epoch, rounded down. It is what CAST(ts AS DATE) gives with the session's
-- TimeZone set to UTC, without the time-zone library's calendar, which makes that cast several times slower.
CREATE OR REPLACE TEMP MACRO utc_day(ts) AS DATE '1970-01-01' + CAST(floor(epoch_us(ts) / 86400000000) AS INTEGER);
