-- FIFO queues (sqs/fifo-store.ts). A FIFO queue's settings are in `fifo`
-- ({contentBasedDeduplication, deduplicationScope, fifoThroughputLimit}); NULL: a
-- standard queue. Its messages carry their group, deduplication id and sequence
-- number, the order they are delivered in within their group.
ALTER TABLE sqs_queues ADD COLUMN fifo jsonb;

ALTER TABLE sqs_messages
  ADD COLUMN group_id text,
  ADD COLUMN dedup_id text,
  ADD COLUMN sequence bigint;
CREATE INDEX sqs_messages_sequence ON sqs_messages (queue_id, sequence) WHERE sequence IS NOT NULL;

-- The last sequence number each FIFO queue gave. Sends lock its row, so a queue's
-- sends are numbered, deduplicated and committed one after the other; no other
-- statement waits while holding it.
CREATE TABLE sqs_sequences (
  queue_id bigint PRIMARY KEY REFERENCES sqs_queues (id) ON DELETE CASCADE,
  last bigint NOT NULL
);

-- Deduplication ids accepted in the last 5 minutes, with the message they were
-- accepted for: a send with the same id (in the queue, or in its group with
-- DeduplicationScope messageGroup: `scope` is '' or the group) is answered with it.
CREATE TABLE sqs_deduplication (
  queue_id bigint NOT NULL REFERENCES sqs_queues (id) ON DELETE CASCADE,
  scope text NOT NULL,
  dedup_id text NOT NULL,
  message_id uuid NOT NULL,
  sequence bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (queue_id, scope, dedup_id)
);
