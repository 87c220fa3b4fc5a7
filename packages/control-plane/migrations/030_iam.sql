-- IAM roles and policies of each account (iam/). Names are unique per account
-- without regard to case, as IAM's are; documents are kept as the text given.
-- A role cannot be deleted while policies are attached to it or embedded in it,
-- nor a managed policy while attached (DeleteConflict), so the references below
-- never dangle; the cascades serve account deletion only.
CREATE TABLE iam_roles (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  role_id text NOT NULL UNIQUE,
  path text NOT NULL,
  trust_policy text NOT NULL,
  description text NOT NULL DEFAULT '',
  max_session_duration integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);
CREATE UNIQUE INDEX iam_roles_name_ci ON iam_roles (account_id, lower(name));

CREATE TABLE iam_role_policies (
  account_id text NOT NULL,
  role_name text NOT NULL,
  name text NOT NULL,
  document text NOT NULL,
  PRIMARY KEY (account_id, role_name, name),
  FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, name) ON DELETE CASCADE
);

CREATE TABLE iam_policies (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  policy_id text NOT NULL UNIQUE,
  path text NOT NULL,
  description text NOT NULL DEFAULT '',
  document text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);
CREATE UNIQUE INDEX iam_policies_name_ci ON iam_policies (account_id, lower(name));

CREATE TABLE iam_role_attachments (
  account_id text NOT NULL,
  role_name text NOT NULL,
  policy_name text NOT NULL,
  PRIMARY KEY (account_id, role_name, policy_name),
  FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, name) ON DELETE CASCADE,
  FOREIGN KEY (account_id, policy_name) REFERENCES iam_policies (account_id, name) ON DELETE CASCADE
);
CREATE INDEX iam_role_attachments_policy ON iam_role_attachments (account_id, policy_name);
