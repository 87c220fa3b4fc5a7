-- Tags of IAM roles and customer managed policies (CreateRole's and CreatePolicy's
-- Tags, TagRole, TagPolicy...): a map of at most 50 each.
ALTER TABLE iam_roles ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb;
ALTER TABLE iam_policies ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb;
