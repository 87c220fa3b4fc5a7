-- The web console: sign-in sessions (a cookie's token, stored only as its SHA-256)
-- and the saved test events of each function, shared by everyone in the account.
CREATE TABLE console_sessions (
  token_sha256 bytea PRIMARY KEY,
  access_key_id text NOT NULL REFERENCES access_keys (access_key_id) ON DELETE CASCADE,
  expires_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_sessions_expiry ON console_sessions (expires_at);

CREATE TABLE console_test_events (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  function_name text NOT NULL,
  name text NOT NULL,
  payload text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, function_name, name)
);
