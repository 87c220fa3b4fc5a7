-- An async invocation whose final outcome something inside Stratus waits for (a
-- workflow's Task state): only these are told to the finished hooks, so the job runner
-- no longer looks every finished event up among the workflows' tasks. Task invocations
-- accepted before this are found by their task rows.
ALTER TABLE async_invocations ADD COLUMN awaited boolean NOT NULL DEFAULT false;
UPDATE async_invocations SET awaited = true WHERE id IN (SELECT invocation_id FROM sfn_task_invocations);
