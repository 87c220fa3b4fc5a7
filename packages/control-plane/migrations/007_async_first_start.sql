-- When an async invocation first started running: accepted_at to first_started_at is
-- the event's queueing delay (enqueue to start), for operators and the benchmark.
ALTER TABLE async_invocations ADD COLUMN first_started_at timestamptz;
