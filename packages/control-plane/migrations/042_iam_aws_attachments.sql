-- AWS managed policies (iam/aws-managed.ts) attached to roles and users. The policy
-- lives in Stratus's catalog, not in a table, so it is named (with its path, for its
-- ARN) rather than referenced; removing a principal removes its attachments.
CREATE TABLE iam_role_aws_attachments (
  account_id text NOT NULL,
  role_name text NOT NULL,
  policy_name text NOT NULL,
  policy_path text NOT NULL,
  PRIMARY KEY (account_id, role_name, policy_name),
  FOREIGN KEY (account_id, role_name) REFERENCES iam_roles (account_id, name) ON DELETE CASCADE
);
CREATE INDEX iam_role_aws_attachments_policy ON iam_role_aws_attachments (account_id, policy_name);

CREATE TABLE iam_user_aws_attachments (
  account_id text NOT NULL,
  user_name text NOT NULL,
  policy_name text NOT NULL,
  policy_path text NOT NULL,
  PRIMARY KEY (account_id, user_name, policy_name),
  FOREIGN KEY (account_id, user_name) REFERENCES iam_users (account_id, name) ON DELETE CASCADE
);
CREATE INDEX iam_user_aws_attachments_policy ON iam_user_aws_attachments (account_id, policy_name);
