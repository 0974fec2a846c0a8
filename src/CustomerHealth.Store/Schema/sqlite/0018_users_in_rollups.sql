-- The users of an account, day and event move into its roll-up row (usage_daily.users, see Engines/UserSet.cs): one
-- row to write and to read per account, day and event instead of one more per user. A user with n events that day
-- is entered n times, as usage_users.n counted them; a day whose roll-up a correction had emptied keeps its users in
-- a row of count 0.
ALTER TABLE usage_daily ADD COLUMN users BLOB;
CREATE TEMP TABLE users_packed AS
WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < (SELECT MAX(n) FROM usage_users))
SELECT u.account_key, u.day, u.event_key, unhex(group_concat(printf('%016X', u.user_key), '' ORDER BY u.user_key)) AS users
FROM usage_users AS u JOIN k ON k.i <= u.n
GROUP BY u.account_key, u.day, u.event_key;
INSERT INTO usage_daily (account_key, day, event_key, count, sum, users)
SELECT account_key, day, event_key, 0, 0, users FROM temp.users_packed WHERE true
ON CONFLICT (account_key, day, event_key) DO UPDATE SET users = excluded.users;
DROP TABLE temp.users_packed;
DROP TABLE usage_users;
