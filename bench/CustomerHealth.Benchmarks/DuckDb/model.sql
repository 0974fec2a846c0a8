-- The 20-measure model of BenchModels.cs, written as SQL: every eligible account's score, coverage and grade as of
-- the day in the variable `as_of` (`SET VARIABLE as_of = DATE '2025-06-30'`), into the table `duck_scores`, with
-- the macros of macros.sql.
-- It computes what docs/model-reference.md defines, point in time (nothing dated after the day is read), over the
-- tables of load.sql and the usage views `usage_rows` (account_id, day, event, n, value_sum) and `usage_user_rows`
-- (account_id, day, event, user_id) of usage-raw.sql or usage-rollups.sql.
--
-- What the portfolio's files do not have is left out: no subscriptions file and no `status` column (so no account
-- is churned, and tenure is counted from `started_on`), no ticket `first_response_at`, no invoice `issued_on`.

CREATE OR REPLACE TABLE duck_scores AS
WITH
-- The model: each measure's dimension and weights, and its score curve (`range` from worst to best, clamped, or
-- the mid-rank `percentile` among the eligible accounts that have a value, higher is better).
model (measure, dimension, dimension_weight, measure_weight, curve, worst, best) AS (
    SELECT measure, dimension, CAST(dimension_weight AS DOUBLE), CAST(measure_weight AS DOUBLE), curve, CAST(worst AS DOUBLE), CAST(best AS DOUBLE)
    FROM (VALUES
        ('m0',  'd0', 10, 1, 'range', 0, 50),  -- usage count, 90d
        ('m1',  'd0', 10, 2, 'range', 0, 50),  -- usage active_days, 90d
        ('m2',  'd0', 10, 3, 'range', 0, 50),  -- usage distinct_users, 90d
        ('m3',  'd0', 10, 4, 'percentile', NULL, NULL),  -- usage distinct_events, 90d
        ('m4',  'd0', 10, 5, 'range', 0, 50),  -- usage change, 45d
        ('m5',  'd1', 15, 1, 'range', 0, 50),  -- usage days_since_last
        ('m6',  'd1', 15, 2, 'range', 0, 50),  -- usage count of ev1, 90d
        ('m7',  'd1', 15, 3, 'percentile', NULL, NULL),  -- usage active_days of ev2 or ev3, 90d
        ('m8',  'd1', 15, 4, 'range', 0, 50),  -- usage distinct_users per seat, 30d
        ('m9',  'd1', 15, 5, 'range', 0, 50),  -- usage sum, 90d
        ('m10', 'd2', 20, 1, 'range', 0, 50),  -- surveys nps (kind nps), 90d
        ('m11', 'd2', 20, 2, 'percentile', NULL, NULL),  -- surveys count (kind nps), 90d
        ('m12', 'd2', 20, 3, 'range', 0, 50),  -- tickets count, 90d
        ('m13', 'd2', 20, 4, 'range', 0, 50),  -- tickets open_count
        ('m14', 'd2', 20, 5, 'range', 0, 50),  -- tickets escalated_count, 90d
        ('m15', 'd3', 25, 1, 'percentile', NULL, NULL),  -- invoices max_days_overdue
        ('m16', 'd3', 25, 2, 'range', 0, 50),  -- invoices failed_count, 90d
        ('m17', 'd3', 25, 3, 'range', 0, 50),  -- account arr
        ('m18', 'd3', 25, 4, 'range', 0, 50),  -- subscriptions tenure_days
        ('m19', 'd3', 25, 5, 'percentile', NULL, NULL)   -- usage days_since_last of ev4
    ) AS m (measure, dimension, dimension_weight, measure_weight, curve, worst, best)
),

-- Coverage counts each measure that has data with its weight as if every measure had: its dimension's share of the
-- model's weight × its share of the dimension's.
model_dimensions AS (
    SELECT dimension, any_value(dimension_weight) AS dimension_weight, sum(measure_weight) AS measures_weight
    FROM model GROUP BY dimension HAVING sum(measure_weight) > 0
),
coverage_shares AS (
    SELECT m.measure, d.dimension_weight / (SELECT sum(dimension_weight) FROM model_dimensions) * (m.measure_weight / d.measures_weight) AS model_share
    FROM model m JOIN model_dimensions d USING (dimension)
),

-- Usage per account. An account has usage "of the kind" when it has any event on or before the day; the
-- first-day columns read every event (they also date the account for eligibility).
usage_by_account AS (
    SELECT account_id,
        min(day) AS first_day_any,
        min(day) FILTER (day <= as_of()) AS first_day,
        max(day) FILTER (day <= as_of()) AS last_day,
        sum(n) FILTER (in_window(day, 90)) AS count_90,
        count(DISTINCT day) FILTER (in_window(day, 90) AND n > 0) AS active_days_90,
        count(DISTINCT event) FILTER (in_window(day, 90) AND n > 0) AS distinct_events_90,
        -- change over 45 days: this window against the 45 days before it
        sum(n) FILTER (in_window(day, 45)) AS count_45,
        sum(n) FILTER (day BETWEEN as_of() - 89 AND as_of() - 45) AS count_45_before,
        count(*) FILTER (day BETWEEN as_of() - 89 AND as_of() - 45) AS rows_45_before,
        sum(n) FILTER (in_window(day, 90) AND event = 'ev1') AS ev1_count_90,
        count(DISTINCT day) FILTER (in_window(day, 90) AND n > 0 AND event IN ('ev2', 'ev3')) AS ev2_ev3_active_days_90,
        sum(value_sum) FILTER (in_window(day, 90)) AS sum_90,
        max(day) FILTER (day <= as_of() AND event = 'ev4') AS ev4_last_day
    FROM usage_rows
    GROUP BY account_id
),

-- Distinct users over a window: a user is in a window when the last day they used the product on or before the
-- as-of day is in it (each user once, whatever the days and events; twice as fast as count(DISTINCT user_id)).
users_by_account AS (
    SELECT account_id,
        count(*) FILTER (in_window(last_day, 90)) AS users_90,
        count(*) FILTER (in_window(last_day, 30)) AS users_30
    FROM (SELECT account_id, user_id, max(day) AS last_day FROM usage_user_rows WHERE day <= as_of() GROUP BY account_id, user_id)
    GROUP BY account_id
),

-- Survey answers. A row without a response_id is identified by the whole row: the same answer twice is one answer.
survey_answers AS (
    SELECT DISTINCT account_id, kind, score, responded_at, utc_day(responded_at) AS day
    FROM surveys
),
surveys_by_account AS (
    SELECT account_id,
        min(day) AS first_day_any,
        count(*) FILTER (kind = 'nps' AND day <= as_of()) AS nps_answers,
        count(*) FILTER (kind = 'nps' AND in_window(day, 90)) AS nps_90,
        count(*) FILTER (kind = 'nps' AND in_window(day, 90) AND score >= 9) AS promoters_90,
        count(*) FILTER (kind = 'nps' AND in_window(day, 90) AND score <= 6) AS detractors_90
    FROM survey_answers
    GROUP BY account_id
),

-- Tickets, dated by the day they opened. A ticket is closed from its closed_at; one whose status is solved or
-- closed without a closing time is taken as closed when it opened (the file has no first_response_at).
ticket_rows AS (
    SELECT account_id, utc_day(opened_at) AS day, escalated,
        utc_day(coalesce(closed_at, CASE WHEN status IN ('solved', 'closed') THEN opened_at END)) AS closed_day
    FROM tickets
),
tickets_by_account AS (
    SELECT account_id,
        min(day) AS first_day_any,
        count(*) FILTER (day <= as_of()) AS tickets,
        count(*) FILTER (in_window(day, 90)) AS opened_90,
        count(*) FILTER (day <= as_of() AND (closed_day IS NULL OR closed_day > as_of())) AS open_now,
        count(*) FILTER (in_window(day, 90) AND escalated) AS escalated_90
    FROM ticket_rows
    GROUP BY account_id
),

-- Invoices, known from their due day (the file has no issued_on). A paid invoice without paid_on is paid on its due day.
invoice_rows AS (
    SELECT account_id, due_on AS day, due_on, status,
        coalesce(paid_on, CASE WHEN status = 'paid' THEN due_on END) AS paid_day
    FROM invoices
),
invoices_by_account AS (
    SELECT account_id,
        min(day) AS first_day_any,
        count(*) FILTER (day <= as_of()) AS invoices,
        -- the days the oldest invoice due before the day and unpaid at it is overdue; 0 when none is
        coalesce(max(as_of() - due_on) FILTER (day <= as_of() AND status <> 'void' AND due_on < as_of()
            AND (paid_day IS NULL OR paid_day > as_of())), 0) AS max_days_overdue,
        count(*) FILTER (day <= as_of() AND status = 'failed' AND in_window(due_on, 90)) AS failed_90
    FROM invoice_rows
    GROUP BY account_id
),

-- Every account: those of the accounts file, and any that only signals name (a bare account).
all_accounts AS (
    SELECT account_id FROM accounts
    UNION SELECT account_id FROM usage_by_account
    UNION SELECT account_id FROM surveys_by_account
    UNION SELECT account_id FROM tickets_by_account
    UNION SELECT account_id FROM invoices_by_account
),

-- Each eligible account's 20 values: scored as of the day when it is known by then (its start or its first signal
-- on or before the day, or nothing to date it by). NULL is a missing value: the account has no signal of the
-- measure's kind up to the day, or the value cannot be computed; with signals of the kind but none in the window,
-- counts, sums and distinct counts are 0.
account_values AS (
    SELECT x.account_id,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN coalesce(u.count_90, 0) END AS DOUBLE) AS m0,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN u.active_days_90 END AS DOUBLE) AS m1,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN coalesce(us.users_90, 0) END AS DOUBLE) AS m2,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN u.distinct_events_90 END AS DOUBLE) AS m3,
        -- (count in the window − count in the window before) / max(count before, 1); missing until the window before
        -- is wholly observed (usage began on or before its first day) and has data
        CASE WHEN u.last_day IS NOT NULL AND u.first_day <= as_of() - 89 AND u.rows_45_before > 0
            THEN (CAST(coalesce(u.count_45, 0) AS DOUBLE) - CAST(u.count_45_before AS DOUBLE)) / greatest(CAST(u.count_45_before AS DOUBLE), 1) END AS m4,
        CAST(as_of() - u.last_day AS DOUBLE) AS m5,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN coalesce(u.ev1_count_90, 0) END AS DOUBLE) AS m6,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN u.ev2_ev3_active_days_90 END AS DOUBLE) AS m7,
        -- per seat: missing without seats
        CASE WHEN u.last_day IS NOT NULL AND a.seats > 0 THEN CAST(coalesce(us.users_30, 0) AS DOUBLE) / a.seats END AS m8,
        CAST(CASE WHEN u.last_day IS NOT NULL THEN coalesce(u.sum_90, 0) END AS DOUBLE) AS m9,
        -- NPS: % promoters (9–10) − % detractors (0–6) of the window's answers; missing without any
        CASE WHEN s.nps_answers > 0 AND s.nps_90 > 0 THEN 100 * CAST(s.promoters_90 - s.detractors_90 AS DOUBLE) / s.nps_90 END AS m10,
        CAST(CASE WHEN s.nps_answers > 0 THEN s.nps_90 END AS DOUBLE) AS m11,
        CAST(CASE WHEN t.tickets > 0 THEN t.opened_90 END AS DOUBLE) AS m12,
        CAST(CASE WHEN t.tickets > 0 THEN t.open_now END AS DOUBLE) AS m13,
        CAST(CASE WHEN t.tickets > 0 THEN t.escalated_90 END AS DOUBLE) AS m14,
        CAST(CASE WHEN i.invoices > 0 THEN i.max_days_overdue END AS DOUBLE) AS m15,
        CAST(CASE WHEN i.invoices > 0 THEN i.failed_90 END AS DOUBLE) AS m16,
        a.arr AS m17,
        CAST(CASE WHEN a.started_on <= as_of() THEN as_of() - a.started_on END AS DOUBLE) AS m18,
        -- an event never done counts from the account's first usage of any kind
        CAST(as_of() - coalesce(u.ev4_last_day, u.first_day) AS DOUBLE) AS m19
    FROM all_accounts x
    LEFT JOIN accounts a USING (account_id)
    LEFT JOIN usage_by_account u USING (account_id)
    LEFT JOIN users_by_account us USING (account_id)
    LEFT JOIN surveys_by_account s USING (account_id)
    LEFT JOIN tickets_by_account t USING (account_id)
    LEFT JOIN invoices_by_account i USING (account_id)
    WHERE coalesce(least(a.started_on, u.first_day_any, s.first_day_any, t.first_day_any, i.first_day_any), as_of()) <= as_of()
),

-- One row per account and measure that has a value (a missing measure drops out: `missing: reweight`).
measure_values AS (
    UNPIVOT account_values ON m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15, m16, m17, m18, m19
    INTO NAME measure VALUE value
),

-- Measure scores, 0–100. Range: linear between worst (0) and best (100), clamped. Percentile: 100 × (r − 1) / (n − 1)
-- with r the value's mean 1-based rank among the n accounts with a value (ties share it); a cohort of one scores 50.
range_scores AS (
    SELECT v.account_id, m.*, 100 * greatest(0, least(1, (v.value - m.worst) / (m.best - m.worst))) AS score
    FROM measure_values v JOIN model m USING (measure)
    WHERE m.curve = 'range'
),
percentile_scores AS (
    SELECT v.account_id, m.*,
        CASE WHEN count(*) OVER cohort = 1 THEN 50
            ELSE 100 * (((rank() OVER ranked - 1) + (rank() OVER ranked - 1 + count(*) OVER ties - 1)) / 2) / (count(*) OVER cohort - 1)
        END AS score
    FROM measure_values v JOIN model m USING (measure)
    WHERE m.curve = 'percentile'
    WINDOW cohort AS (PARTITION BY m.measure), ranked AS (PARTITION BY m.measure ORDER BY v.value), ties AS (PARTITION BY m.measure, v.value)
),
scores AS (
    SELECT account_id, measure, dimension, dimension_weight, measure_weight, score FROM range_scores
    UNION ALL
    SELECT account_id, measure, dimension, dimension_weight, measure_weight, score FROM percentile_scores
),

-- The overall score (`missing: reweight`): a dimension's score is Σ wᵢ·sᵢ / Σ wᵢ over its measures left, the
-- overall score the same over the dimensions left with their weights — the sum of effective weight × score.
dimension_scores AS (
    SELECT s.account_id, s.dimension, any_value(s.dimension_weight) AS dimension_weight,
        sum(s.measure_weight * s.score) / sum(s.measure_weight) AS score,
        sum(c.model_share) AS covered
    FROM scores s JOIN coverage_shares c USING (measure)
    GROUP BY s.account_id, s.dimension
    HAVING sum(s.measure_weight) > 0
),
totals AS (
    SELECT account_id,
        CASE WHEN sum(dimension_weight) > 0 THEN sum(dimension_weight * score) / sum(dimension_weight) END AS score,
        least(1, sum(covered)) AS coverage
    FROM dimension_scores
    GROUP BY account_id
)

-- The grade: the first whose min the score reaches (green 70, yellow 40, red 0), once half the model's weight had
-- data (`min_coverage` 0.5); an account with no measure left is unscored (no score, no grade).
SELECT a.account_id, t.score, coalesce(t.coverage, 0) AS coverage,
    CASE WHEN t.score IS NULL OR t.coverage + 1e-9 < 0.5 THEN NULL
         WHEN t.score >= 70 THEN 'green'
         WHEN t.score >= 40 THEN 'yellow'
         ELSE 'red' END AS grade
FROM account_values a
LEFT JOIN totals t USING (account_id);
