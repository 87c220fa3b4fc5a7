-- The queue job that is to run an open async invocation next. The reconciler
-- re-enqueues an overdue invocation only when this job is no longer waiting, delayed
-- or active in Redis (lost with Redis' data, or ended without running the attempt),
-- instead of enqueueing a whole waiting backlog again on every pass. Until now the
-- relay's job id was the invocation id. NULL: no job known (the reconciler enqueues one).
ALTER TABLE async_invocations ADD COLUMN job_id text;
UPDATE async_invocations SET job_id = id::text;
