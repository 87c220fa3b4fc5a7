-- Event source mappings (Lambda's /2015-03-31/event-source-mappings/), the brokers an
-- operator registered for them, and the leases by which exactly one control plane
-- polls each mapping's source (one lease per shard: '' for a RabbitMQ queue, later a
-- partition). A lease is claimed when free or lapsed, renewed while held; its epoch
-- grows on every change of owner, and a holder's writes are guarded by it.
CREATE TABLE mq_brokers (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  broker_id text NOT NULL UNIQUE,
  -- amqp://host:port or amqps://host:port; never credentials (the mapping's secret holds them).
  url text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, name)
);

CREATE TABLE event_source_mappings (
  uuid uuid PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  function_name text NOT NULL,
  qualifier text,
  event_source_arn text NOT NULL,
  source_kind text NOT NULL,
  -- The source's settings as the API took them (BatchSize, Queues, SourceAccessConfigurations...).
  config jsonb NOT NULL,
  -- What the user asked for; `state` is where the machine is on its way there.
  enabled boolean NOT NULL,
  state text NOT NULL,
  state_transition_reason text NOT NULL,
  last_processing_result text NOT NULL DEFAULT 'No records processed',
  -- Grows on every update, so that the lease holder restarts its poller with the new settings.
  revision integer NOT NULL DEFAULT 1,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_modified timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_source_mappings_function ON event_source_mappings (account_id, function_name, uuid);
CREATE INDEX event_source_mappings_source ON event_source_mappings (account_id, event_source_arn, uuid);

CREATE TABLE esm_leases (
  mapping_uuid uuid NOT NULL REFERENCES event_source_mappings (uuid) ON DELETE CASCADE,
  shard text NOT NULL DEFAULT '',
  owner text,
  epoch bigint NOT NULL DEFAULT 0,
  expires_at timestamptz NOT NULL DEFAULT '-infinity',
  PRIMARY KEY (mapping_uuid, shard)
);
CREATE INDEX esm_leases_free ON esm_leases (expires_at);
