-- Step Functions: state machines with their revisions, executions, their histories
-- (the one event log an execution has, appended by compare-and-set), the task tokens
-- of .waitForTaskToken tasks, and the async invocations that run an execution's tasks.

CREATE TABLE sfn_state_machines (
  account_id  text        NOT NULL,
  name        text        NOT NULL,
  arn         text        NOT NULL UNIQUE,
  type        text        NOT NULL,
  revision    int         NOT NULL,
  tags        jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);

-- Every definition a machine had: an execution runs the revision it started with.
CREATE TABLE sfn_revisions (
  machine_arn text        NOT NULL,
  revision    int         NOT NULL,
  definition  text        NOT NULL,
  role_arn    text        NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (machine_arn, revision)
);

CREATE TABLE sfn_executions (
  arn            text        PRIMARY KEY,
  account_id     text        NOT NULL,
  machine_arn    text        NOT NULL,
  name           text        NOT NULL,
  revision       int         NOT NULL,
  status         text        NOT NULL,
  input          text        NOT NULL,
  output         text,
  error          text,
  cause          text,
  start_date     timestamptz NOT NULL DEFAULT now(),
  stop_date      timestamptz,
  -- The id of the last history event: an append extends exactly this.
  history_length int         NOT NULL DEFAULT 0,
  -- The durable timer: when a driver decides the execution next (a Wait's end, a
  -- retry's backoff, now after an outcome); NULL once it has ended.
  wake_at        timestamptz,
  lease_owner    text,
  lease_until    timestamptz,
  -- A nested execution started by a .sync task: the parent and the task's key.
  parent_arn     text,
  parent_key     text,
  UNIQUE (machine_arn, name)
);
CREATE INDEX sfn_executions_due ON sfn_executions (wake_at) WHERE status = 'RUNNING';
CREATE INDEX sfn_executions_ended ON sfn_executions (stop_date) WHERE status <> 'RUNNING';
CREATE INDEX sfn_executions_by_machine ON sfn_executions (machine_arn, start_date DESC, arn);

CREATE TABLE sfn_history (
  execution_arn text  NOT NULL,
  id            int   NOT NULL,
  event         jsonb NOT NULL,
  PRIMARY KEY (execution_arn, id)
);

-- A .waitForTaskToken task's token, for SendTaskSuccess/Failure/Heartbeat.
CREATE TABLE sfn_task_tokens (
  token          text        PRIMARY KEY,
  account_id     text        NOT NULL,
  execution_arn  text        NOT NULL,
  effect_key     text        NOT NULL,
  heartbeat_at   timestamptz NOT NULL DEFAULT now()
);

-- The async invocation an effect became (its id derived from the effect's key), so
-- its end comes back to the execution.
CREATE TABLE sfn_task_invocations (
  invocation_id uuid PRIMARY KEY,
  execution_arn text NOT NULL,
  effect_key    text NOT NULL,
  callback      boolean NOT NULL DEFAULT false
);
