-- IAM users of each account (iam/), their inline and attached policies, and access
-- keys of their own. A key with a user_name acts as that user (its policies judge each
-- request); one without is the account's own and keeps its full rights. A user cannot
-- be deleted while it has keys or policies (DeleteConflict), so these references
-- never dangle; the cascades serve account deletion only.
CREATE TABLE iam_users (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  user_id text NOT NULL UNIQUE,
  path text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);
CREATE UNIQUE INDEX iam_users_name_ci ON iam_users (account_id, lower(name));

CREATE TABLE iam_user_policies (
  account_id text NOT NULL,
  user_name text NOT NULL,
  name text NOT NULL,
  document text NOT NULL,
  PRIMARY KEY (account_id, user_name, name),
  FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, name) ON DELETE CASCADE
);

CREATE TABLE iam_user_attachments (
  account_id text NOT NULL,
  user_name text NOT NULL,
  policy_name text NOT NULL,
  PRIMARY KEY (account_id, user_name, policy_name),
  FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, name) ON DELETE CASCADE,
  FOREIGN KEY (account_id, policy_name) REFERENCES iam_policies (account_id, name) ON DELETE CASCADE
);
CREATE INDEX iam_user_attachments_policy ON iam_user_attachments (account_id, policy_name);

ALTER TABLE access_keys
  ADD COLUMN user_name text,
  ADD COLUMN status text NOT NULL DEFAULT 'Active' CHECK (status IN ('Active', 'Inactive')),
  ADD FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, name) ON DELETE CASCADE;
CREATE INDEX access_keys_user ON access_keys (account_id, user_name) WHERE user_name IS NOT NULL;
