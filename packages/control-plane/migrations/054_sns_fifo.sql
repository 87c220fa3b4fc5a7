-- FIFO topics (sns/fifo-topic-store.ts; a topic named .fifo, made with FifoTopic true).
-- The last sequence number each FIFO topic gave: a publish locks its row, so a topic's
-- publishes are deduplicated, numbered, fanned out and committed one after the other,
-- and each group's messages reach its FIFO queues in the order they were published.
CREATE TABLE sns_topic_sequences (
  topic_id bigint PRIMARY KEY REFERENCES sns_topics (id) ON DELETE CASCADE,
  last bigint NOT NULL
);

-- Deduplication ids a FIFO topic accepted in the last 5 minutes, with the message they
-- were accepted for: a publish with the same id is answered with it and delivers nothing.
CREATE TABLE sns_deduplication (
  topic_id bigint NOT NULL REFERENCES sns_topics (id) ON DELETE CASCADE,
  dedup_id text NOT NULL,
  message_id uuid NOT NULL,
  sequence bigint NOT NULL,
  expires_at timestamptz NOT NULL,
  PRIMARY KEY (topic_id, dedup_id)
);
