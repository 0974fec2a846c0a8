-- The users of an account, day and event move into its roll-up row (usage_daily.users, see Engines/UserSet.cs): one
-- row to write and to read per account, day and event instead of one more per user. A user with n events that day
-- is entered n times, as usage_users.n counted them; a day whose roll-up a correction had emptied keeps its users in
-- a row of count 0. users_merge and users_remove are the two ways a roll-up's users change (SQLite has them in .NET).
ALTER TABLE usage_daily ADD COLUMN users bytea;
INSERT INTO usage_daily (account_key, day, event_key, count, sum, users)
SELECT u.account_key, u.day, u.event_key, 0, 0, string_agg(int8send(u.user_key), ''::bytea ORDER BY u.user_key)
FROM usage_users AS u CROSS JOIN LATERAL generate_series(1, u.n) AS k(i)
GROUP BY u.account_key, u.day, u.event_key
ON CONFLICT (account_key, day, event_key) DO UPDATE SET users = excluded.users;
DROP TABLE usage_users;
CREATE FUNCTION users_merge(a bytea, b bytea) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a IS NULL OR length(a) = 0 THEN b WHEN b IS NULL OR length(b) = 0 THEN a ELSE (
    SELECT string_agg(x, ''::bytea ORDER BY x) FROM (
      SELECT substring(a FROM i * 8 + 1 FOR 8) FROM generate_series(0, length(a) / 8 - 1) AS s(i)
      UNION ALL
      SELECT substring(b FROM i * 8 + 1 FOR 8) FROM generate_series(0, length(b) / 8 - 1) AS s(i)) AS e(x)) END
$$;
CREATE FUNCTION users_remove(a bytea, b bytea) RETURNS bytea LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN a IS NULL OR length(a) = 0 OR b IS NULL OR length(b) = 0 THEN a ELSE COALESCE((
    SELECT string_agg(x, ''::bytea ORDER BY x) FROM (
      SELECT substring(a FROM i * 8 + 1 FOR 8) FROM generate_series(0, length(a) / 8 - 1) AS s(i)
      EXCEPT ALL
      SELECT substring(b FROM i * 8 + 1 FOR 8) FROM generate_series(0, length(b) / 8 - 1) AS s(i)) AS e(x)), ''::bytea) END
$$;
