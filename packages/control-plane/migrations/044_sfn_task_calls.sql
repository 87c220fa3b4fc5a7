-- A service-integration task's call (sqs:sendMessage, events:putEvents) once made: its
-- messages and events are written in the transaction that inserts this row, so a task
-- performed again (after a crash, or on every sweep while it awaits its token) writes
-- nothing twice.
CREATE TABLE sfn_task_calls (
  execution_arn text NOT NULL,
  effect_key    text NOT NULL,
  PRIMARY KEY (execution_arn, effect_key)
);
