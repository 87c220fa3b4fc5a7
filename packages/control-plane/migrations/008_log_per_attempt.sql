-- Every attempt of an async invocation runs under the invocation's request id (as in
-- Lambda), so one request id can have several logs: one per attempt. An attempt's log
-- is known by its request id and its start time; an invoker resending a batch sends
-- the same pair, which is kept as it was.
ALTER TABLE invocation_logs DROP CONSTRAINT invocation_logs_pkey;
ALTER TABLE invocation_logs ADD PRIMARY KEY (request_id, started_at);
