-- EventBridge event buses and rules of each account. The default bus is made on first
-- use. A rule's targets (at most five) live on its row, so a scheduled rule's tick is
-- claimed, with FOR UPDATE SKIP LOCKED, together with everything it fires; each tick
-- and target is written as an async invocation whose id is derived from (rule
-- incarnation, target, tick) in the same transaction that moves next_fire_at on.
CREATE TABLE event_buses (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  description text,
  tags jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_modified timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);

CREATE TABLE event_rules (
  account_id text NOT NULL,
  bus_name text NOT NULL,
  name text NOT NULL,
  -- Tells one life of a name from the next (a rule deleted and made again).
  incarnation uuid NOT NULL,
  schedule_expression text,
  event_pattern text,
  state text NOT NULL,
  description text,
  role_arn text,
  tags jsonb NOT NULL DEFAULT '{}',
  targets jsonb NOT NULL DEFAULT '[]',
  -- Where rate() counts from: the rule's creation.
  anchor timestamptz NOT NULL,
  next_fire_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, bus_name, name),
  FOREIGN KEY (account_id, bus_name) REFERENCES event_buses (account_id, name)
);
CREATE INDEX event_rules_due ON event_rules (next_fire_at) WHERE state = 'ENABLED' AND next_fire_at IS NOT NULL;
CREATE INDEX event_rules_patterns ON event_rules (account_id, bus_name)
  WHERE state = 'ENABLED' AND event_pattern IS NOT NULL;
