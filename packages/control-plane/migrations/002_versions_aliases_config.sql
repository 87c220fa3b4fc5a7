-- Versions, aliases and per-function configuration resources of the Lambda API.
ALTER TABLE functions ADD COLUMN last_version integer NOT NULL DEFAULT 0;
-- The $LATEST revision that the newest version was published from: publishing an
-- unchanged $LATEST returns that version instead of a new one.
ALTER TABLE functions ADD COLUMN published_revision uuid;
ALTER TABLE functions ADD COLUMN reserved_concurrency integer CHECK (reserved_concurrency >= 0);
ALTER TABLE functions ADD COLUMN tags jsonb NOT NULL DEFAULT '{}';

CREATE TABLE aliases (
  account_id text NOT NULL,
  function_name text NOT NULL,
  name text NOT NULL,
  function_version text NOT NULL,
  description text NOT NULL DEFAULT '',
  additional_version text,
  additional_weight double precision CHECK (additional_weight >= 0 AND additional_weight <= 1),
  revision_id uuid NOT NULL,
  PRIMARY KEY (account_id, function_name, name),
  FOREIGN KEY (account_id, function_name) REFERENCES functions (account_id, name) ON DELETE CASCADE
);

CREATE TABLE event_invoke_configs (
  account_id text NOT NULL,
  function_name text NOT NULL,
  qualifier text NOT NULL,
  maximum_retry_attempts integer,
  maximum_event_age_seconds integer,
  destination_config jsonb NOT NULL DEFAULT '{}',
  last_modified timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, function_name, qualifier),
  FOREIGN KEY (account_id, function_name) REFERENCES functions (account_id, name) ON DELETE CASCADE
);
