-- A log group's tags (CreateLogGroup's `tags`, TagResource and TagLogGroup), as
-- CloudWatch Logs keeps them: a map of at most 50.
ALTER TABLE log_groups ADD COLUMN tags jsonb NOT NULL DEFAULT '{}'::jsonb;
