-- Usage metering's own tables beside the fact table (017_invocation_usage):
-- hourly rollups of it per account and function, the rollup loop's watermark (one
-- row, locked by whichever control plane rolls: FOR UPDATE SKIP LOCKED), and the
-- monthly quotas an operator sets per account. A rollup row is recomputed from the
-- raw rows of its hour (an idempotent upsert), so rolling an hour twice changes
-- nothing; raw rows are pruned only below the rolled hours.
CREATE TABLE usage_hourly (
  account_id text NOT NULL,
  function_name text NOT NULL,
  hour timestamptz NOT NULL,
  -- Attempts billed as requests: every outcome but platform_error.
  requests bigint NOT NULL,
  -- Attempts whose outcome was not success (platform errors included).
  errors bigint NOT NULL,
  billed_ms bigint NOT NULL,
  -- Sum over attempts of memory_mb / 1024 * billed_ms / 1000.
  gb_seconds double precision NOT NULL,
  cold_starts bigint NOT NULL,
  PRIMARY KEY (account_id, function_name, hour)
);
CREATE INDEX usage_hourly_by_hour ON usage_hourly (hour);

CREATE TABLE usage_rollup_state (
  id integer PRIMARY KEY CHECK (id = 1),
  -- Hours before this are rolled up; rows from here on are read raw.
  rolled_until timestamptz
);
INSERT INTO usage_rollup_state (id, rolled_until) VALUES (1, NULL);

CREATE TABLE account_quotas (
  account_id text PRIMARY KEY REFERENCES accounts(id) ON DELETE CASCADE,
  -- NULL: no limit of that kind.
  monthly_requests bigint CHECK (monthly_requests >= 0),
  monthly_gb_seconds double precision CHECK (monthly_gb_seconds >= 0),
  updated_at timestamptz NOT NULL DEFAULT now()
);
