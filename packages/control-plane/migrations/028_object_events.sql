-- Bucket triggers: the S3-compatible stores (MinIO, Ceph RGW) an account registered
-- to post notifications to Stratus, each with a token kept only as its SHA-256, and
-- each bucket's Lambda notification configuration (S3's LambdaFunctionConfigurations),
-- by the account that put it. A notification from an account's source is matched
-- against that account's configuration of the bucket it names.
CREATE TABLE object_event_sources (
  source_id text PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  token_sha256 bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (account_id, name)
);

CREATE TABLE bucket_notifications (
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  bucket text NOT NULL,
  -- [{id, functionArn, events, prefix?, suffix?}], as PutBucketNotificationConfiguration took them.
  configurations jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (account_id, bucket)
);
