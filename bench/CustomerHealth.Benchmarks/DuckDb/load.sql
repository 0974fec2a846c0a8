-- The portfolio's CSV files, read by DuckDB's own CSV reader into plain tables, as they are (no key, no
-- de-duplication: the usage file's event ids are unique). The files are found through `file_search_path`, set to
-- the portfolio's folder; the columns are those the files have, with their types given rather than sniffed.
CREATE OR REPLACE TABLE accounts AS
SELECT * FROM read_csv('accounts.csv', header = true, columns = {
    'account_id': 'VARCHAR', 'name': 'VARCHAR', 'segment': 'VARCHAR', 'arr': 'DOUBLE', 'seats': 'DOUBLE', 'started_on': 'DATE'});

CREATE OR REPLACE TABLE usage_events AS
SELECT * FROM read_csv('usage.csv', header = true, columns = {
    'account_id': 'VARCHAR', 'occurred_at': 'TIMESTAMPTZ', 'event': 'VARCHAR', 'user_id': 'VARCHAR', 'event_id': 'VARCHAR'});

CREATE OR REPLACE TABLE surveys AS
SELECT * FROM read_csv('surveys.csv', header = true, columns = {
    'account_id': 'VARCHAR', 'kind': 'VARCHAR', 'score': 'DOUBLE', 'responded_at': 'TIMESTAMPTZ'});

CREATE OR REPLACE TABLE tickets AS
SELECT * FROM read_csv('tickets.csv', header = true, columns = {
    'ticket_id': 'VARCHAR', 'account_id': 'VARCHAR', 'opened_at': 'TIMESTAMPTZ', 'priority': 'VARCHAR', 'status': 'VARCHAR',
    'closed_at': 'TIMESTAMPTZ', 'escalated': 'BOOLEAN'});

CREATE OR REPLACE TABLE invoices AS
SELECT * FROM read_csv('invoices.csv', header = true, columns = {
    'invoice_id': 'VARCHAR', 'account_id': 'VARCHAR', 'amount': 'DOUBLE', 'due_on': 'DATE', 'paid_on': 'DATE', 'status': 'VARCHAR'});
