-- Accounts (tenants) and their access keys; content-addressed code; functions and
-- their versions ($LATEST is the mutable row, numbered versions are immutable).
CREATE TABLE accounts (
  id text PRIMARY KEY CHECK (id ~ '^[0-9]{12}$'),
  name text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE access_keys (
  access_key_id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  -- SigV4 verification recomputes an HMAC with the secret, so it is kept (not hashed).
  secret_access_key text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE code_blobs (
  sha256_hex text PRIMARY KEY CHECK (sha256_hex ~ '^[0-9a-f]{64}$'),
  size bigint NOT NULL,
  zip bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE functions (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);

CREATE TABLE function_versions (
  account_id text NOT NULL,
  function_name text NOT NULL,
  version text NOT NULL,
  runtime text NOT NULL,
  handler text NOT NULL,
  role text NOT NULL,
  description text NOT NULL DEFAULT '',
  memory_mb integer NOT NULL,
  timeout_seconds integer NOT NULL,
  ephemeral_storage_mb integer NOT NULL,
  environment jsonb NOT NULL DEFAULT '{}',
  code_sha256_hex text NOT NULL REFERENCES code_blobs (sha256_hex),
  code_size bigint NOT NULL,
  revision_id uuid NOT NULL,
  state text NOT NULL,
  last_modified timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, function_name, version),
  FOREIGN KEY (account_id, function_name) REFERENCES functions (account_id, name) ON DELETE CASCADE
);
