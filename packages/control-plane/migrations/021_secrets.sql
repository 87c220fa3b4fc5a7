-- Secrets Manager secrets of each account and their versions. A value is stored only
-- sealed: AES-256-GCM under the platform key named by key_id, with a random 96-bit
-- nonce, the secret's ARN and version id as additional authenticated data, and the
-- 16-byte tag appended to the ciphertext. A secret scheduled for deletion keeps its
-- row (and its name) until delete_after, when the purge loop removes it.
CREATE TABLE secrets (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  arn text NOT NULL UNIQUE,
  description text,
  -- [{Key, Value}] in the order given, as Secrets Manager lists them.
  tags jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_changed_at timestamptz NOT NULL DEFAULT now(),
  deleted_at timestamptz,
  delete_after timestamptz,
  PRIMARY KEY (account_id, name),
  CHECK ((deleted_at IS NULL) = (delete_after IS NULL))
);
CREATE INDEX secrets_purge ON secrets (delete_after) WHERE delete_after IS NOT NULL;

CREATE TABLE secret_versions (
  secret_arn text NOT NULL REFERENCES secrets (arn) ON DELETE CASCADE,
  version_id text NOT NULL,
  stages text[] NOT NULL DEFAULT '{}',
  kind text NOT NULL CHECK (kind IN ('string', 'binary')),
  key_id text NOT NULL,
  nonce bytea NOT NULL,
  ciphertext bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (secret_arn, version_id)
);
