-- How many of an async invocation's attempts reached an invoker node, so may have run
-- the function: Lambda's approximateInvokeCount, for its destination records.
-- `attempt` cannot say it: it counts the attempts spent against max_attempts, and a
-- throttle or a platform error (a node that died or went silent mid-call, which may
-- have run the function) gives its attempt back. Rows written before this take their
-- attempt count, the nearest figure known.
ALTER TABLE async_invocations ADD COLUMN invoke_count integer NOT NULL DEFAULT 0;
UPDATE async_invocations SET invoke_count = attempt WHERE attempt > 0;
