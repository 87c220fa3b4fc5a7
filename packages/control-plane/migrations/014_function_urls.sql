-- Function URL configs (CreateFunctionUrlConfig...): one per function and qualifier
-- ('' for the unqualified function, or an alias name). Deleting the function, or the
-- alias a URL is for, removes the URL with it.
CREATE TABLE function_urls (
  url_id text PRIMARY KEY CHECK (url_id ~ '^[a-z0-9]{32}$'),
  account_id text NOT NULL,
  function_name text NOT NULL,
  qualifier text NOT NULL,
  -- The alias the URL is for (NULL for the unqualified function): only here for the cascade.
  alias_name text,
  auth_type text NOT NULL CHECK (auth_type IN ('NONE', 'AWS_IAM')),
  cors jsonb,
  invoke_mode text NOT NULL CHECK (invoke_mode IN ('BUFFERED', 'RESPONSE_STREAM')),
  created_at timestamptz NOT NULL DEFAULT now(),
  last_modified timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, function_name, qualifier),
  CHECK ((qualifier = '' AND alias_name IS NULL) OR alias_name = qualifier),
  FOREIGN KEY (account_id, function_name) REFERENCES functions (account_id, name) ON DELETE CASCADE,
  FOREIGN KEY (account_id, function_name, alias_name) REFERENCES aliases (account_id, function_name, name)
    ON DELETE CASCADE
);
