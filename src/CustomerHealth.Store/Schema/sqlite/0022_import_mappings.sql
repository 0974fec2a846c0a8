-- Column mappings saved under a name (`chs import KIND FILE --mapping NAME`): for an import
-- kind, which column of a file feeds which field, as JSON [[field, column], ...].
CREATE TABLE import_mappings (
    name TEXT PRIMARY KEY, kind TEXT NOT NULL, columns TEXT NOT NULL, saved_at TEXT NOT NULL, saved_by TEXT
);
