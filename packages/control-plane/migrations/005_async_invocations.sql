-- Asynchronous (Event) invocations: the row is the source of truth, committed with
-- an outbox row before the 202 is sent; a relay moves outbox rows into the queue.
CREATE TABLE async_invocations (
  id uuid PRIMARY KEY,
  account_id text NOT NULL,
  function_name text NOT NULL,
  qualifier text,
  payload bytea NOT NULL,
  status text NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  max_event_age_seconds integer NOT NULL,
  on_success text,
  on_failure text,
  accepted_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  lease_until timestamptz,
  -- When a retry is due (set with a backoff delay); the reconciler waits past it.
  next_attempt_at timestamptz,
  executed_version text,
  error jsonb,
  FOREIGN KEY (account_id) REFERENCES accounts (id) ON DELETE CASCADE
);
CREATE INDEX async_invocations_open ON async_invocations (status, updated_at)
  WHERE status IN ('accepted', 'running', 'retrying');
CREATE INDEX async_invocations_by_function ON async_invocations (account_id, function_name, accepted_at DESC);

CREATE TABLE async_outbox (
  id bigserial PRIMARY KEY,
  invocation_id uuid NOT NULL
);
