-- Executions a rule's or schedule's Step Functions target is to start: written in the
-- transaction that accepts the event or claims the tick, then started (idempotently,
-- the execution named by the request's id) and removed by whichever control plane
-- claims them first.
CREATE TABLE sfn_start_requests (
  id          uuid        PRIMARY KEY,
  account_id  text        NOT NULL,
  machine_arn text        NOT NULL,
  input       text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  attempts    int         NOT NULL DEFAULT 0,
  next_try_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sfn_start_requests_due ON sfn_start_requests (next_try_at);
