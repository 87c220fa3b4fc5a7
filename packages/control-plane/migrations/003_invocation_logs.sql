-- Per-invocation logs in Lambda's format (START, output, END, REPORT), as reported
-- by the invokers; read back by request id and by function, newest first.
CREATE TABLE invocation_logs (
  request_id uuid PRIMARY KEY,
  account_id text NOT NULL,
  function_name text NOT NULL,
  version text NOT NULL,
  started_at timestamptz NOT NULL,
  duration_ms double precision NOT NULL,
  outcome text NOT NULL,
  log text NOT NULL
);
CREATE INDEX invocation_logs_by_function ON invocation_logs (account_id, function_name, started_at DESC);
