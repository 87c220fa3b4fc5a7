-- EventBridge Scheduler: schedule groups and schedules of each account. A schedule's
-- next fire time lives here; every control plane claims due schedules with
-- FOR UPDATE SKIP LOCKED and, in the same transaction, writes each tick as an async
-- invocation whose id is derived from (schedule, scheduled time), so a tick is
-- written once however many control planes race or die mid-way.
CREATE TABLE schedule_groups (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  tags jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_modified timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);

CREATE TABLE schedules (
  account_id text NOT NULL,
  group_name text NOT NULL,
  name text NOT NULL,
  -- Tells one life of a name from the next (a schedule deleted and made again).
  incarnation uuid NOT NULL,
  expression text NOT NULL,
  timezone text NOT NULL,
  start_date timestamptz,
  end_date timestamptz,
  state text NOT NULL,
  description text,
  flexible_window jsonb NOT NULL,
  target jsonb NOT NULL,
  action_after_completion text NOT NULL,
  -- The CreateSchedule ClientToken: the same create sent again answers as the first did.
  client_token text,
  -- Where rate() counts from: StartDate, else creation.
  anchor timestamptz NOT NULL,
  next_fire_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_modified timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, group_name, name),
  FOREIGN KEY (account_id, group_name) REFERENCES schedule_groups (account_id, name) ON DELETE CASCADE
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE state = 'ENABLED' AND next_fire_at IS NOT NULL;

