-- CloudWatch metric alarms over the AWS/Lambda metrics (PutMetricAlarm...): each
-- account's alarms by name, with their configuration, state and tags, and when a
-- control plane is next to evaluate them (claimed FOR UPDATE SKIP LOCKED, and moved on
-- in the same transaction).
CREATE TABLE metric_alarms (
  account_id                 text             NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name                       text             NOT NULL,
  description                text,
  actions_enabled            boolean          NOT NULL,
  ok_actions                 text[]           NOT NULL,
  alarm_actions              text[]           NOT NULL,
  insufficient_data_actions  text[]           NOT NULL,
  namespace                  text             NOT NULL,
  metric_name                text             NOT NULL,
  -- [{Name, Value}] in the order given.
  dimensions                 jsonb            NOT NULL,
  -- One of the two: a basic statistic, or a percentile (ExtendedStatistic).
  statistic                  text,
  extended_statistic         text,
  period                     integer          NOT NULL CHECK (period > 0),
  unit                       text,
  evaluation_periods         integer          NOT NULL CHECK (evaluation_periods >= 1),
  -- As given: NULL when PutMetricAlarm left it out (evaluation then takes evaluation_periods).
  datapoints_to_alarm        integer,
  threshold                  double precision NOT NULL,
  comparison_operator        text             NOT NULL,
  treat_missing_data         text,
  evaluate_low_sample_count_percentile text,
  tags                       jsonb            NOT NULL DEFAULT '{}'::jsonb,
  state_value                text             NOT NULL,
  state_reason               text             NOT NULL,
  state_reason_data          text,
  state_updated_at           timestamptz      NOT NULL,
  state_transitioned_at      timestamptz      NOT NULL,
  configuration_updated_at   timestamptz      NOT NULL,
  next_evaluation_at         timestamptz      NOT NULL,
  PRIMARY KEY (account_id, name),
  CHECK ((statistic IS NULL) <> (extended_statistic IS NULL))
);
CREATE INDEX metric_alarms_due ON metric_alarms (next_evaluation_at);

-- What happened to each alarm (DescribeAlarmHistory): state changes, configuration
-- changes and actions. Kept when the alarm is deleted, as CloudWatch keeps it; at most
-- a bounded number per alarm (the oldest beyond are deleted as new ones are written),
-- and none older than the retention the control plane prunes to.
CREATE TABLE metric_alarm_history (
  id          bigserial   PRIMARY KEY,
  account_id  text        NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  alarm_name  text        NOT NULL,
  item_type   text        NOT NULL CHECK (item_type IN ('StateUpdate', 'ConfigurationUpdate', 'Action')),
  at          timestamptz NOT NULL,
  summary     text        NOT NULL,
  data        text        NOT NULL
);
CREATE INDEX metric_alarm_history_by_alarm ON metric_alarm_history (account_id, alarm_name, at, id);
CREATE INDEX metric_alarm_history_by_account ON metric_alarm_history (account_id, at, id);
CREATE INDEX metric_alarm_history_age ON metric_alarm_history (at);
