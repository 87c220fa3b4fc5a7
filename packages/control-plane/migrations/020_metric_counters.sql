-- Per-minute counters of the AWS/Lambda metrics that no fact table holds (Throttles,
-- AsyncEventsReceived, AsyncEventAge, AsyncEventsDropped, DeadLetterErrors,
-- DestinationDeliveryFailures), read by the CloudWatch metrics API. A control plane
-- adds its batched observations to the minute's row (upsert), so a row is the
-- minute's statistic set: sum, sample count, minimum and maximum. `resource` is
-- Lambda's Resource dimension ('' when only FunctionName applies).
CREATE TABLE metric_counters (
  account_id text NOT NULL,
  function_name text NOT NULL,
  resource text NOT NULL DEFAULT '',
  metric text NOT NULL,
  minute timestamptz NOT NULL,
  sum double precision NOT NULL,
  count bigint NOT NULL,
  min double precision NOT NULL,
  max double precision NOT NULL,
  PRIMARY KEY (account_id, function_name, metric, resource, minute)
);
CREATE INDEX metric_counters_by_account ON metric_counters (account_id, metric, minute);
