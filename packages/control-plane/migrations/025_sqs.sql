-- SQS-compatible queues of each account and their messages. A message is visible when
-- visible_at has passed (sending with a delay, or a receive, moves it on); each receive
-- gives it a new receipt token, so a receipt handle from an earlier receive no longer
-- matches. Receivers claim rows with FOR UPDATE SKIP LOCKED, so several control planes
-- share a queue without handing one message to two receivers.
CREATE TABLE sqs_queues (
  id bigserial PRIMARY KEY,
  account_id text NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
  name text NOT NULL,
  visibility_timeout integer NOT NULL,
  retention_seconds integer NOT NULL,
  delay_seconds integer NOT NULL,
  wait_seconds integer NOT NULL,
  max_message_size integer NOT NULL,
  -- {deadLetterTargetArn, maxReceiveCount} as set, or null.
  redrive_policy jsonb,
  tags jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  last_modified timestamptz NOT NULL DEFAULT now(),
  purged_at timestamptz,
  UNIQUE (account_id, name)
);

CREATE TABLE sqs_messages (
  id uuid PRIMARY KEY,
  queue_id bigint NOT NULL REFERENCES sqs_queues (id) ON DELETE CASCADE,
  seq bigserial,
  body text NOT NULL,
  -- {name: {DataType, StringValue | BinaryValue (base64)}}
  attributes jsonb NOT NULL DEFAULT '{}',
  md5_body text NOT NULL,
  md5_attributes text,
  sender_id text NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  visible_at timestamptz NOT NULL,
  receive_count integer NOT NULL DEFAULT 0,
  first_received_at timestamptz,
  receipt uuid
);
CREATE INDEX sqs_messages_ready ON sqs_messages (queue_id, visible_at, seq);

-- Where an async invocation's final failure is also written, as an SQS message:
-- {queueArn, kind: lambda | events | scheduler, attributes: {...}} (sqs/dead-letters.ts).
ALTER TABLE async_invocations ADD COLUMN dead_letter jsonb;
