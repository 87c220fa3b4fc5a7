-- Tracing: a function version's TracingConfig mode, and the trace an async invocation
-- was accepted in (X-Ray header form), so that every attempt joins that one trace.
-- An invocation without one (a schedule's or a rule's tick) takes a root derived from
-- its own id.
ALTER TABLE function_versions ADD COLUMN tracing_mode text NOT NULL DEFAULT 'PassThrough'
  CHECK (tracing_mode IN ('Active', 'PassThrough'));
ALTER TABLE async_invocations ADD COLUMN trace_header text;
