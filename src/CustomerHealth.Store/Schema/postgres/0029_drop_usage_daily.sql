-- The day roll-ups now live in usage_blocks (migration 0028 and the step that followed it); their users' functions go with them.
DROP TABLE usage_daily;
DROP FUNCTION IF EXISTS users_merge(bytea, bytea);
DROP FUNCTION IF EXISTS users_remove(bytea, bytea);
