-- A customer managed policy's versions (CreatePolicyVersion): at most five, numbered
-- v1, v2... and never reused. iam_policies.document stays the default version's text,
-- which is what judges requests; updated_at is when the default last changed.
ALTER TABLE iam_policies
  ADD COLUMN default_version integer NOT NULL DEFAULT 1,
  ADD COLUMN next_version integer NOT NULL DEFAULT 2,
  ADD COLUMN updated_at timestamptz;

CREATE TABLE iam_policy_versions (
  account_id text NOT NULL,
  policy_name text NOT NULL,
  version integer NOT NULL,
  document text NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, policy_name, version),
  FOREIGN KEY (account_id, policy_name) REFERENCES iam_policies (account_id, name) ON DELETE CASCADE
);

INSERT INTO iam_policy_versions (account_id, policy_name, version, document, created_at)
  SELECT account_id, name, 1, document, created_at FROM iam_policies;
