-- The day roll-ups now live in usage_blocks (migration 0028 and the step that followed it).
DROP TABLE usage_daily;
