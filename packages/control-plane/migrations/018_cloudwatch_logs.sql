-- CloudWatch Logs as Lambda writes them: log groups (`/aws/lambda/<function>` or a
-- function's own LoggingConfig.LogGroup), one stream per execution environment, and
-- one row per log event (a line of a function's output, or START/END/REPORT).
-- Events are read by stream and time (GetLogEvents) and by group and time
-- (FilterLogEvents); `id` orders events of one millisecond and makes page tokens exact.
-- The sweeper claims groups by `swept_at` (FOR UPDATE SKIP LOCKED), so several control
-- planes never sweep one group at once; `stored_bytes` is what the per-group cap reads.
CREATE TABLE log_groups (
  account_id text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  retention_days integer,
  stored_bytes bigint NOT NULL DEFAULT 0,
  swept_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);
CREATE INDEX log_groups_by_sweep ON log_groups (swept_at);

CREATE TABLE log_streams (
  account_id text NOT NULL,
  group_name text NOT NULL,
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  first_event_at bigint NOT NULL,
  last_event_at bigint NOT NULL,
  last_ingestion_at bigint NOT NULL,
  PRIMARY KEY (account_id, group_name, name)
);
CREATE INDEX log_streams_by_last_event ON log_streams (account_id, group_name, last_event_at);

CREATE TABLE log_events (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL,
  group_name text NOT NULL,
  stream_name text NOT NULL,
  ts bigint NOT NULL,
  ingested_at bigint NOT NULL,
  message text NOT NULL
);
CREATE INDEX log_events_by_stream ON log_events (account_id, group_name, stream_name, ts, id);
CREATE INDEX log_events_by_group ON log_events (account_id, group_name, ts, id);

-- A function version's LoggingConfig (logFormat, logGroup, applicationLogLevel,
-- systemLogLevel), as the domain's LoggingConfig.
ALTER TABLE function_versions ADD COLUMN logging jsonb NOT NULL DEFAULT '{"logFormat":"Text"}';
