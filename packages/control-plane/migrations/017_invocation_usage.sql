-- One row per run attempt of a function (a sync invoke, or one attempt of an async
-- invocation), written by the control plane when the attempt's result comes back:
-- the fact table behind usage metering (GB-seconds, requests) and the CloudWatch
-- metrics API (Invocations, Errors, Duration...). `resource` is the qualifier the
-- caller named ('' unqualified, '$LATEST', a version or an alias), Lambda's
-- `Resource` dimension; `version` the version that ran.
CREATE TABLE invocation_usage (
  request_id uuid NOT NULL,
  attempt integer NOT NULL,
  account_id text NOT NULL,
  function_name text NOT NULL,
  version text NOT NULL,
  resource text NOT NULL,
  invocation_type text NOT NULL,
  outcome text NOT NULL,
  ended_at timestamptz NOT NULL,
  memory_mb integer NOT NULL,
  duration_ms double precision NOT NULL,
  init_ms double precision NOT NULL DEFAULT 0,
  billed_ms bigint NOT NULL,
  cold boolean NOT NULL,
  PRIMARY KEY (request_id, attempt)
);
CREATE INDEX invocation_usage_by_function ON invocation_usage (account_id, function_name, ended_at);
CREATE INDEX invocation_usage_by_time ON invocation_usage (ended_at);
